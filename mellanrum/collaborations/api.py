"""Initiatives in the JSON API: read what you may see, write what you may change."""


import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.models import Organisation
from mellanrum.lib.pagination import BoundedLimitOffsetPagination

from . import actions, portfolio
from .access import (
    access_initiative,
    can_lead,
    can_speak_for,
    is_reader,
    visible_initiatives,
)
from .models import Alignment, Initiative, Partner, Statement

router = Router(tags=["collaborations"])

Phase = Literal["idea", "prestudy", "implementation", "management", "closed"]


def Rating() -> int:  # noqa: N802 - reads as a type in the schemas
    return Field(3, ge=1, le=5)


class InitiativePartnerOut(Schema):
    organisation: str = Field(..., alias="organisation.code")
    name: str = Field(..., alias="organisation.name")
    role: str
    status: str = Field("accepted", description="invited, accepted or declined")
    decline_reason: str = ""
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
    lead_role: Literal["lead", "facilitator"] = Field(
        "lead", description="On creation: lead (runs and pays) or facilitator (runs, pays "
        "nothing); ignored on update")


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
    return payload.dict(exclude={"lead", "lead_role"})


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
                                              lead_role=payload.lead_role, **_fields(payload))
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
# The workshop, the shared principles and the draft agreement add their operations here.
from . import workshop_api  # noqa: E402, F401
