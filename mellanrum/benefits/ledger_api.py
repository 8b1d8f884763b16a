"""Ledgers, their valuation and cost splits in the JSON API (paths under an initiative)."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from mellanrum.collaborations.access import access_initiative, can_speak_for
from mellanrum.collaborations.models import Initiative
from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.models import Organisation
from mellanrum.lib.pagination import BoundedLimitOffsetPagination

from . import actions, budget, ledger, ledger_files
from . import split as split_analysis
from .access import access_ledger_row, can_edit_economics, may_confirm
from .models import CostSplit
from .split_input import options_from_json

router = Router(tags=["benefits"])

LedgerKind = Literal["investment", "running", "money", "hours", "qualitative"]
MAX_AMOUNT = 10_000_000_000


def Amount() -> Decimal | None:  # noqa: N802 - reads as a type in the schemas
    return Field(
        None, ge=0, le=MAX_AMOUNT, max_digits=13, decimal_places=2,
        description="Kronor, or hours for kind 'hours'; null for a qualitative benefit",
    )


class LedgerRowOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.code")
    year: int
    kind: str
    planned: Decimal | None
    realised: Decimal | None
    description: str
    version: int
    cost_split: int | None = Field(
        None, alias="cost_split_id",
        description="The cost split this row's planned amount was taken from, if any")


class LedgerRowUpdate(Schema):
    year: int = Field(..., ge=2000, le=2100)
    kind: LedgerKind
    planned: Decimal | None = Amount()
    realised: Decimal | None = Amount()
    description: str = Field("", max_length=500)
    version: int | None = Field(
        None, ge=1, le=2**31 - 1,
        description="The version you read; a newer one on the server answers 409",
    )


class LedgerRowIn(LedgerRowUpdate):
    organisation: str | None = Field(
        None, max_length=40, description="Code of the partner organisation; defaults to yours"
    )


class SplitShareIn(Schema):
    organisation: str | None = Field(
        None, max_length=40, description="Code of the paying partner; defaults to yours"
    )


class SplitShareOut(Schema):
    organisation: str
    name: str
    planned: Decimal = Field(..., description="The partner's planned cost over all years, kr")
    years: list[int]
    confirmed_at: datetime.datetime | None
    confirmed_by: str | None


class PartnerEconomicsOut(Schema):
    organisation: str
    name: str
    cost_planned: Decimal
    benefit_planned: Decimal
    cost_realised: Decimal
    benefit_realised: Decimal
    npv_planned: Decimal
    npv_realised: Decimal
    net_gain: Decimal
    realisation_rate: Decimal | None


class EconomicsOut(Schema):
    discount_rate_percent: Decimal
    hourly_cost: Decimal
    base_year: int
    is_default: bool
    partners: list[PartnerEconomicsOut]
    npv_planned: Decimal
    npv_realised: Decimal
    net_gain: Decimal
    realisation_rate: Decimal | None


class EconomicsIn(Schema):
    discount_rate_percent: Decimal = Field(..., ge=0, le=20, max_digits=5, decimal_places=2)
    hourly_cost: Decimal = Field(..., ge=0, le=10000, max_digits=7, decimal_places=2)
    base_year: int | None = Field(None, ge=2000, le=2100)


class SplitMethodOut(Schema):
    method: str
    label: str
    amounts: dict[str, float]
    in_core: bool | None
    blocking_count: int
    stability: str


class SplitOut(Schema):
    method: str
    method_label: str
    joint_cost: Decimal
    standalone: dict[str, Decimal]
    amounts: dict[str, float]
    in_core: bool | None
    core_is_empty: bool
    stability: str
    rationale: str
    chosen_at: datetime.datetime
    chosen_by: str | None = None
    comparison: list[SplitMethodOut]
    game: dict[str, object] = Field(
        ..., description='What was known beyond the stand-alone costs: "groups" '
        '([[codes], kronor]), "model" ("known" or "capacity") and "fixed_percent"')
    methods_agree: bool = Field(
        ..., description="Shapley, SCRB, nucleolus and least core agree within 1 kr")
    standalone_only: bool = Field(
        ..., description="Only the stand-alone costs were known (so every method agrees)")
    stories: list[dict[str, str]] = Field(
        ..., description="Each partner's story for the chosen method: code, name, text")
    cost_kind: str
    first_year: int | None
    years: int
    shares: list[SplitShareOut] = Field(
        ..., description="Each paying partner's planned cost rows and their confirmation")

    @staticmethod
    def resolve_shares(obj: CostSplit) -> list[dict[str, Any]]:
        return split_shares(obj)

    @staticmethod
    def resolve_methods_agree(obj: CostSplit) -> bool:
        return _facts(obj).methods_agree

    @staticmethod
    def resolve_standalone_only(obj: CostSplit) -> bool:
        return _facts(obj).standalone_only

    @staticmethod
    def resolve_stories(obj: CostSplit) -> list[dict[str, str]]:
        return split_analysis.split_stories(obj.method, obj.comparison, obj.standalone, obj.names,
                                      options_from_json(obj.game))

    @staticmethod
    def resolve_chosen_by(obj: CostSplit) -> str | None:
        return obj.chosen_by.get_username() if obj.chosen_by else None

    @staticmethod
    def resolve_comparison(obj: CostSplit) -> list[dict[str, object]]:
        return split_analysis.localised_methods(obj.comparison, obj.names)

    @staticmethod
    def resolve_stability(obj: CostSplit) -> str:
        return str(obj.chosen["stability"])


def _facts(stored: CostSplit) -> split_analysis.SplitFacts:
    return split_analysis.split_facts(stored.comparison, stored.joint_cost, stored.standalone,
                             options_from_json(stored.game))


class SplitGroupIn(Schema):
    partners: list[str] = Field(..., max_length=100,
                                description="Codes or names of two or more paying partners")
    cost: Decimal = Field(..., description="What they would pay together, kr")


class SplitFormulaIn(Schema):
    fixed: Decimal = Field(..., description="Fixed part paid once, kr")
    unit_cost: Decimal = Field(..., description="Cost per unit of volume, kr")
    exponent: Decimal | None = Field(None, description="Economies of scale, 0-2 (default 0.8)")
    volume: dict[str, Decimal] = Field(..., description="Each paying partner's volume, by code")


class SplitIn(Schema):
    joint_cost: Decimal | None = Field(None, gt=0, le=MAX_AMOUNT, max_digits=13,
                                       decimal_places=2)
    standalone: dict[str, Decimal] = Field(
        {}, description="Each paying partner's cost if it did the same alone, by code"
    )
    method: str = Field(..., max_length=40,
                        description="e.g. shapley, nucleolus, scrb, fixed-variable")
    rationale: str = Field("", max_length=1000)
    groups: list[SplitGroupIn] = Field(
        [], max_length=200, description="Known costs of subgroups (the n-th is 'line n' in "
        "messages)")
    model: str = Field("known", max_length=20, description='"known" (stand-alone and subgroup '
                       'costs), "capacity" (the largest need sizes the shared system) or '
                       '"formula" (the cost model in "formula" gives every cost)')
    formula: SplitFormulaIn | None = Field(
        None, description="c(S) = fixed + unit_cost * (sum of volumes) ** exponent; with "
        'model "formula", joint_cost and standalone may be left out')
    fixed_percent: Decimal | None = Field(
        None, description="Fixed share of the key fast del + rörlig del, 0-100 (default 30)")
    cost_kind: Literal["investment", "running"] = Field(
        "investment", description="The shares enter the partners' ledgers as this kind of cost")
    first_year: int | None = Field(None, ge=2000, le=2090,
                                   description="First year of the cost; default the base year")
    years: int = Field(1, ge=1, le=10, description="The joint cost is paid each year for this "
                       "many years")


CONFLICT = {"detail": "The ledger row was changed by someone else; fetch it again and retry."}


@router.get("/initiatives/{initiative_id}/ledger", response=list[LedgerRowOut])
@paginate(BoundedLimitOffsetPagination)
def list_ledger(request: AuthenticatedHttpRequest, initiative_id: int) -> object:
    initiative = access_initiative(request.user, initiative_id)
    return initiative.ledger_rows.select_related("organisation")  # ordered by the model


def _row_values(payload: LedgerRowUpdate) -> dict[str, Any]:
    return payload.dict(include={"year", "kind", "planned", "realised", "description"})


@router.post("/initiatives/{initiative_id}/ledger", response={201: LedgerRowOut})
def add_ledger_row(
    request: AuthenticatedHttpRequest, initiative_id: int, payload: LedgerRowIn,
) -> Status[object]:
    initiative = access_initiative(request.user, initiative_id)
    organisation = _partner_spoken_for(request, initiative, payload.organisation)
    row = actions.do_add_ledger_row(initiative, acting_user=request.user,
                                    organisation=organisation, **_row_values(payload))
    return Status(201, row)


def _partner_spoken_for(request: AuthenticatedHttpRequest, initiative: Initiative,
                        code: str | None) -> Organisation:
    """The partner named by ``code`` (by default the user's own), if the user speaks for it."""
    code = code or getattr(request.user.organisation, "code", None)
    if code and "\x00" in code:
        raise ValidationError({"organisation": ["Give the code of a partner organisation."]})
    organisation = Organisation.objects.filter(code=code).first() if code else None
    if organisation is None:
        raise ValidationError({"organisation": ["Give the code of a partner organisation."]})
    if not can_speak_for(request.user, initiative, organisation):
        raise PermissionDenied
    return organisation


def split_shares(stored: CostSplit) -> list[dict[str, Any]]:
    """Each paying partner's planned cost rows from the split and their confirmation."""
    shares: dict[str, dict[str, Any]] = {}
    for row in stored.ledger_rows.select_related("organisation", "confirmed_by").order_by(
            "organisation__name", "year"):
        share = shares.setdefault(row.organisation.code, {
            "organisation": row.organisation.code, "name": row.organisation.name,
            "planned": Decimal(0), "years": [], "confirmed_at": row.confirmed_at,
            "confirmed_by": row.confirmed_by.get_username() if row.confirmed_by else None})
        share["planned"] += row.planned or Decimal(0)
        share["years"].append(row.year)
    return list(shares.values())


NOT_YOUR_SHARE = ("You confirm only the share of an organisation you edit for; each partner "
                  "confirms its own rows. Nothing was changed.")


@router.post("/initiatives/{initiative_id}/split/share",
             response={200: SplitShareOut, 403: dict[str, str], 404: dict[str, str]})
def confirm_split_share(
    request: AuthenticatedHttpRequest, initiative_id: int, payload: SplitShareIn,
) -> Status[object]:
    """Confirm the partner's share of the current split: the planned cost rows it put in the
    partner's own ledger. Only the partner's own editors confirm it."""
    initiative = access_initiative(request.user, initiative_id)
    split = initiative.cost_splits.first()
    if split is None:
        return Status(404, {"detail": "No split of the joint cost has been chosen yet."})
    code = payload.organisation or getattr(request.user.organisation, "code", None)
    if not code:
        # Raised, not returned: ninja's own 422 (a list of problems) has the declared schema.
        raise HttpError(422, "Give the code of the paying partner whose share you confirm "
                             "(\"organisation\").")
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None or not may_confirm(request.user, initiative, organisation):
        return Status(403, {"detail": NOT_YOUR_SHARE})
    actions.do_confirm_split_share(split, acting_user=request.user, organisation=organisation)
    return Status(200, next(s for s in split_shares(split)
                            if s["organisation"] == organisation.code))


@router.put("/initiatives/{initiative_id}/ledger/{row_id}",
            response={200: LedgerRowOut, 409: dict[str, str]})
def update_ledger_row(request: AuthenticatedHttpRequest, initiative_id: int, row_id: int,
                      payload: LedgerRowUpdate) -> object:
    row = access_ledger_row(request.user, row_id, write=True)
    if row.initiative_id != initiative_id:
        raise Http404
    try:
        return actions.do_update_ledger_row(row, acting_user=request.user,
                                            expected_version=payload.version,
                                            **_row_values(payload))
    except actions.EditConflict:
        return Status(409, CONFLICT)


@router.delete("/initiatives/{initiative_id}/ledger/{row_id}", response={204: None})
def delete_ledger_row(
    request: AuthenticatedHttpRequest, initiative_id: int, row_id: int,
) -> Status[object]:
    row = access_ledger_row(request.user, row_id, write=True)
    if row.initiative_id != initiative_id:
        raise Http404
    actions.do_remove_ledger_row(row, acting_user=request.user)
    return Status(204, None)


@router.get("/initiatives/{initiative_id}/economics", response=EconomicsOut)
def get_economics(request: AuthenticatedHttpRequest, initiative_id: int) -> dict[str, object]:
    initiative = access_initiative(request.user, initiative_id)
    return ledger_files.summary(ledger.ledger_view(initiative))


@router.put("/initiatives/{initiative_id}/economics", response=EconomicsOut)
def set_economics(request: AuthenticatedHttpRequest, initiative_id: int,
                  payload: EconomicsIn) -> dict[str, object]:
    initiative = access_initiative(request.user, initiative_id, write=True)
    actions.do_set_economics(initiative, acting_user=request.user, **payload.dict())
    return ledger_files.summary(ledger.ledger_view(initiative))


@router.get("/initiatives/{initiative_id}/split", response={200: SplitOut, 404: dict[str, str]})
def get_split(request: AuthenticatedHttpRequest, initiative_id: int) -> object:
    initiative = access_initiative(request.user, initiative_id)
    split = initiative.cost_splits.select_related("chosen_by").first()
    if split is None:
        return Status(404, {"detail": "No split of the joint cost has been chosen yet."})
    return split


@router.post("/initiatives/{initiative_id}/split", response={201: SplitOut})
def choose_split(
    request: AuthenticatedHttpRequest, initiative_id: int, payload: SplitIn,
) -> Status[object]:
    initiative = access_initiative(request.user, initiative_id)
    if not can_edit_economics(request.user, initiative):
        raise PermissionDenied
    split = actions.do_choose_cost_split(initiative, acting_user=request.user,
                                         joint_cost=payload.joint_cost,
                                         standalone=payload.standalone, method=payload.method,
                                         rationale=payload.rationale,
                                         groups="\n".join(
                                             f"{', '.join(g.partners)}: {g.cost}"
                                             for g in payload.groups),
                                         fixed_percent=payload.fixed_percent,
                                         model=payload.model,
                                         formula={"fixed": payload.formula.fixed,
                                                  "unit_cost": payload.formula.unit_cost,
                                                  "exponent": payload.formula.exponent}
                                         if payload.formula else None,
                                         volumes=payload.formula.volume
                                         if payload.formula else None,
                                         cost_kind=payload.cost_kind,
                                         first_year=payload.first_year, years=payload.years)
    return Status(201, split)


class BudgetYearOut(Schema):
    year: int
    operating: Decimal
    investment: Decimal
    saving: Decimal
    net: Decimal
    cumulative: Decimal


class BudgetSheetOut(Schema):
    initiative: int
    organisation: str
    name: str
    committee: str
    activity: str
    share: Decimal | None = Field(..., description="Share of the current split, kr a year")
    share_confirmed: bool
    payback_year: int | None
    npv_planned: Decimal
    discount_rate_percent: Decimal
    years: list[BudgetYearOut]
    totals: dict[str, Decimal]
    own_goals: list[str]
    shared_goals: list[str]
    is_illustrative: bool


@router.get("/initiatives/{initiative_id}/budget/{code}",
            response={200: BudgetSheetOut, 404: dict[str, str]})
def get_budget_sheet(request: AuthenticatedHttpRequest, initiative_id: int,
                     code: str) -> Status[object]:
    """A paying partner's budget sheet: per year its operating costs, investments, savings and
    net, the payback year, the planned NPV and the goals the initiative serves."""
    initiative = access_initiative(request.user, initiative_id)
    organisation = next((o for o in budget.sheet_organisations(initiative)
                         if o.code == code[:40]), None)
    if organisation is None:
        return Status(404, {"detail": "No budget sheet: not a paying partner of the initiative."})
    return Status(200, budget.sheet_as_json(budget.budget_sheet(initiative, organisation)))
