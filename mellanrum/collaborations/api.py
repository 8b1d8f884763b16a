"""Initiatives in the JSON API: read what you may see, write what you may change."""


import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.models import Organisation
from mellanrum.lib.pagination import BoundedLimitOffsetPagination

from . import actions, analysis, ledger, portfolio
from .access import (
    access_initiative,
    access_ledger_row,
    can_edit_economics,
    can_lead,
    can_speak_for,
    is_reader,
    visible_initiatives,
)
from .models import Alignment, CostSplit, Initiative, Partner, Statement
from .split_input import options_from_json

router = Router(tags=["collaborations"])

Phase = Literal["idea", "prestudy", "implementation", "management", "closed"]


def Rating() -> int:  # noqa: N802 - reads as a type in the schemas
    return Field(3, ge=1, le=5)


class InitiativePartnerOut(Schema):
    organisation: str = Field(..., alias="organisation.code")
    name: str = Field(..., alias="organisation.name")
    role: str
    contact: str | None = Field(None, alias="contact.name")


class InitiativeGoalOut(Schema):
    id: int
    title: str
    indicator: str
    baseline: str
    target: str
    target_date: datetime.date


class InitiativeDecisionOut(Schema):
    date: datetime.date
    decision: str
    decided_by: str
    rationale: str


class InitiativeRiskOut(Schema):
    description: str
    likelihood: int
    impact: int
    owner: str
    mitigation: str


class InitiativeStatementOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.code")
    kind: str
    text: str


class InitiativeConceptOut(Schema):
    concept_id: str
    label: str


class InitiativeSummary(Schema):
    id: int
    title: str
    phase: str
    is_public: bool
    is_illustrative: bool
    lead: str | None = None

    @staticmethod
    def resolve_lead(obj: Initiative) -> str | None:
        lead = obj.lead
        return lead.organisation.code if lead else None


class InitiativeOut(InitiativeSummary):
    purpose: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    citizen_value: int
    savings: int
    feasibility: int
    reach: int
    risk_level: int
    partners: list[InitiativePartnerOut]
    goals: list[InitiativeGoalOut]
    decisions: list[InitiativeDecisionOut]
    risks: list[InitiativeRiskOut]
    statements: list[InitiativeStatementOut]
    concepts: list[InitiativeConceptOut] = Field(default_factory=list)
    conflicts: int = 0

    @staticmethod
    def resolve_partners(obj: Initiative) -> list[Partner]:
        return list(obj.partners.select_related("organisation", "contact"))

    @staticmethod
    def resolve_goals(obj: Initiative) -> list[object]:
        return list(obj.goals.all())

    @staticmethod
    def resolve_decisions(obj: Initiative) -> list[object]:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_risks(obj: Initiative) -> list[object]:
        return list(obj.risks.all())

    @staticmethod
    def resolve_statements(obj: Initiative) -> list[Statement]:
        return list(obj.statements.select_related("organisation"))

    @staticmethod
    def resolve_concepts(obj: Initiative) -> list[object]:
        return list(obj.concept_links.all())

    @staticmethod
    def resolve_conflicts(obj: Initiative) -> int:
        return Alignment.objects.filter(statement__initiative=obj,
                                        stance=Alignment.Stance.CONFLICTS).count()


class InitiativeFilter(Schema):
    phase: str = ""
    partner: str = ""
    concept: str = ""
    life_event: str = ""


class InitiativeIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    purpose: str = Field(..., min_length=1, max_length=5000)
    is_public: bool = False
    phase: Phase = "idea"
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    citizen_value: int = Rating()
    savings: int = Rating()
    feasibility: int = Rating()
    reach: int = Rating()
    risk_level: int = Rating()
    lead: str | None = Field(
        None, description="Code of the lead organisation; only superusers may name another "
        "organisation than their own"
    )


class StatementIn(Schema):
    organisation: str | None = Field(
        None, description="Code of the partner organisation; defaults to your own"
    )
    kind: Literal["goal", "principle", "constraint", "budget_rule"]
    text: str = Field(..., min_length=1, max_length=500)


class PortfolioQuery(InitiativeFilter):
    w_citizen_value: str = ""
    w_savings: str = ""
    w_feasibility: str = ""
    w_reach: str = ""
    w_risk_level: str = ""


class PortfolioRowOut(Schema):
    id: int
    title: str
    phase: str
    lead: str
    partners: list[str]
    score: Decimal
    conflicts: int
    is_illustrative: bool
    net_gain: Decimal | None = Field(
        None, description="Net gain of all partners (forecast NPV, kr); null without ledger"
    )


class PortfolioOut(Schema):
    weights: dict[str, int]
    rows: list[PortfolioRowOut]


def _fields(payload: InitiativeIn) -> dict[str, Any]:
    return payload.dict(exclude={"lead"})


def _lead(request: AuthenticatedHttpRequest, code: str | None) -> Organisation:
    user = request.user
    if code is None or (user.organisation is not None and code == user.organisation.code):
        if user.organisation is None:
            raise ValidationError({"lead": ["Give the code of the lead organisation."]})
        lead = user.organisation
    else:
        found = Organisation.objects.filter(code=code).first()
        if found is None:
            raise ValidationError({"lead": [f"Unknown organisation: {code[:40]}"]})
        lead = found
    if not can_lead(user, lead):
        raise PermissionDenied
    return lead


@router.get("/initiatives", response=list[InitiativeSummary])
@paginate(BoundedLimitOffsetPagination)
def list_initiatives(request: AuthenticatedHttpRequest, filters: Query[InitiativeFilter]) -> object:
    queryset = portfolio.filter_initiatives(visible_initiatives(request.user), filters.dict())
    return queryset.order_by("title", "pk")


@router.get("/initiatives/{initiative_id}", response=InitiativeOut)
def get_initiative(request: AuthenticatedHttpRequest, initiative_id: int) -> Initiative:
    return access_initiative(request.user, initiative_id)


@router.post("/initiatives", response={201: InitiativeOut})
def create_initiative(request: AuthenticatedHttpRequest, payload: InitiativeIn) -> Status[object]:
    if not is_reader(request.user):
        raise PermissionDenied
    lead = _lead(request, payload.lead)
    initiative = actions.do_create_initiative(acting_user=request.user, lead=lead,
                                              **_fields(payload))
    return Status(201, initiative)


@router.put("/initiatives/{initiative_id}", response=InitiativeOut)
def update_initiative(request: AuthenticatedHttpRequest, initiative_id: int,
                      payload: InitiativeIn) -> Initiative:
    initiative = access_initiative(request.user, initiative_id, write=True)
    return actions.do_update_initiative(initiative, acting_user=request.user, **_fields(payload))


@router.post("/initiatives/{initiative_id}/statements", response={201: InitiativeStatementOut})
def add_statement(request: AuthenticatedHttpRequest, initiative_id: int,
                  payload: StatementIn) -> Status[object]:
    initiative = access_initiative(request.user, initiative_id)
    code = payload.organisation or getattr(request.user.organisation, "code", None)
    organisation = Organisation.objects.filter(code=code).first() if code else None
    if organisation is None:
        raise ValidationError({"organisation": ["Give the code of a partner organisation."]})
    if not can_speak_for(request.user, initiative, organisation):
        raise PermissionDenied
    statement = actions.do_add_statement(initiative, acting_user=request.user,
                                         organisation=organisation, kind=payload.kind,
                                         text=payload.text)
    return Status(201, statement)


@router.get("/portfolio", response=PortfolioOut)
def get_portfolio(
    request: AuthenticatedHttpRequest, filters: Query[PortfolioQuery],
) -> dict[str, object]:
    params = filters.dict()
    weights = portfolio.parse_weights(params)
    queryset = portfolio.filter_initiatives(visible_initiatives(request.user), params)
    rows = portfolio.ranked(queryset, weights.values)
    return {
        "weights": dict(weights.values),
        "rows": [
            {"id": r.initiative.pk, "title": r.initiative.title, "phase": r.initiative.phase,
             "lead": r.lead, "partners": list(r.partners), "score": r.score,
             "conflicts": r.conflicts, "is_illustrative": r.initiative.is_illustrative,
             "net_gain": r.net_gain}
            for r in rows
        ],
    }



# --- Benefits ledger, economics and cost split -------------------------------------------

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
    year: int = Field(..., ge=2000, le=2100)
    kind: Literal["investment", "running"]


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

    @staticmethod
    def resolve_methods_agree(obj: CostSplit) -> bool:
        return _facts(obj).methods_agree

    @staticmethod
    def resolve_standalone_only(obj: CostSplit) -> bool:
        return _facts(obj).standalone_only

    @staticmethod
    def resolve_stories(obj: CostSplit) -> list[dict[str, str]]:
        return analysis.split_stories(obj.method, obj.comparison, obj.standalone, obj.names,
                                      options_from_json(obj.game))

    @staticmethod
    def resolve_chosen_by(obj: CostSplit) -> str | None:
        return obj.chosen_by.get_username() if obj.chosen_by else None

    @staticmethod
    def resolve_comparison(obj: CostSplit) -> list[dict[str, object]]:
        return analysis.localised_methods(obj.comparison, obj.names)

    @staticmethod
    def resolve_stability(obj: CostSplit) -> str:
        return str(obj.chosen["stability"])


def _facts(split: CostSplit) -> analysis.SplitFacts:
    return analysis.split_facts(split.comparison, split.joint_cost, split.standalone,
                                options_from_json(split.game))


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


@router.post("/initiatives/{initiative_id}/split/share",
             response={201: LedgerRowOut, 404: dict[str, str]})
def take_split_share(
    request: AuthenticatedHttpRequest, initiative_id: int, payload: SplitShareIn,
) -> Status[object]:
    """Enter the partner's share of the current split as a planned cost in its own ledger."""
    initiative = access_initiative(request.user, initiative_id)
    split = initiative.cost_splits.first()
    if split is None:
        return Status(404, {"detail": "No split of the joint cost has been chosen yet."})
    organisation = _partner_spoken_for(request, initiative, payload.organisation)
    row = actions.do_take_split_share(split, acting_user=request.user, organisation=organisation,
                                      year=payload.year, kind=payload.kind)
    return Status(201, row)


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
    return ledger.summary(analysis.ledger_view(initiative))


@router.put("/initiatives/{initiative_id}/economics", response=EconomicsOut)
def set_economics(request: AuthenticatedHttpRequest, initiative_id: int,
                  payload: EconomicsIn) -> dict[str, object]:
    initiative = access_initiative(request.user, initiative_id, write=True)
    actions.do_set_economics(initiative, acting_user=request.user, **payload.dict())
    return ledger.summary(analysis.ledger_view(initiative))


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
                                         if payload.formula else None)
    return Status(201, split)


# The workshop, the shared principles and the draft agreement add their operations here.
from . import workshop_api  # noqa: E402, F401
