"""Commonality endpoints: concepts, opportunities, similar organisations, runs, decisions,
the starter catalogue."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Query as query_param
from pydantic import field_validator

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.access import access_organisation
from mellanrum.landscape.models import Organisation
from mellanrum.lib.pagination import BoundedLimitOffsetPagination

from . import actions, analysis, starter, starting_actions
from .access import access_concept, require_decide, require_read
from .analysis import Scope
from .models import AnalysisRun, Concept, Opportunity

router = Router(tags=["commonality"])


class ConceptOut(Schema):
    id: str = Field(..., alias="concept_id")
    label: str
    pinned: bool
    organisations: int
    total_cost_sek: float
    total_volume: float
    systems: dict[str, int]
    terms: list[str]


class MemberOut(Schema):
    activity_id: int
    organisation: str
    name: str
    confidence: float
    evidence: list[str]


class ConceptDetailOut(ConceptOut):
    stats: dict[str, Any]
    members: list[MemberOut]


def _refuse_nul(value: object) -> object:
    # PostgreSQL cannot compare text containing NUL; no code or id contains one.
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError("NUL characters are not allowed.")
    return value


class ConceptFilter(Schema):
    organisation: str = ""
    min_organisations: int = Field(1, ge=1)

    _no_nul = field_validator("organisation")(_refuse_nul)


class OpportunityOut(Schema):
    rank: int
    concept_id: str = Field(..., alias="concept.concept_id")
    label: str = Field(..., alias="concept.label")
    score: float
    status: str
    nature: str = Field(..., alias="concept.nature")
    area: str = Field(..., alias="concept.area")
    outside: list[str]
    components: dict[str, float]
    figures: dict[str, float | None]
    explanation_sv: str
    explanation_en: str


class SimilarOut(Schema):
    organisation: str
    name: str
    similarity: float
    structural: float
    activity: float | None
    shared_concepts: int
    reasons: list[str]


class ScopeIn(Schema):
    county: str = Field("", max_length=2)
    organisations: list[str] = Field(default_factory=list, max_length=1000)

    _no_nul = field_validator("county", "organisations")(_refuse_nul)


class RunOut(Schema):
    id: int
    scope_label: str
    status: str
    stage: str
    progress_done: int
    progress_total: int
    created_at: datetime
    finished_at: datetime | None
    message: str
    activity_count: int
    concept_count: int


class DecisionIn(Schema):
    kind: Literal["confirm", "rename", "include", "exclude", "merge", "split", "not_same"]
    activity_ids: list[int] = Field(default_factory=list, max_length=1000)
    other_concept_ids: list[str] = Field(default_factory=list, max_length=100)
    label: str = Field("", max_length=200)
    # The analysis run the client looked at; a decision about a rerun's concepts is refused.
    run: int | None = Field(None, ge=0)


class CandidateOut(Schema):
    concept_id: str = Field(..., alias="other.concept_id")
    label: str = Field(..., alias="other.label")
    score: float
    similarity: float
    shared_terms: list[str]
    organisations: int = Field(..., alias="other_organisations")
    both: int
    reason_sv: str
    reason_en: str


class DecisionOut(Schema):
    id: int
    kind: str
    concept_id: str
    run: RunOut | None


def _current_concepts() -> Any:
    run = analysis.current_run()
    return Concept.objects.filter(run=run) if run else Concept.objects.none()


@router.get("/concepts", response=list[ConceptOut])
@paginate(BoundedLimitOffsetPagination)
def list_concepts(request: AuthenticatedHttpRequest, filters: Query[ConceptFilter]) -> Any:
    require_read(request.user)
    queryset = _current_concepts().filter(organisations__gte=filters.min_organisations)
    if filters.organisation:
        queryset = queryset.filter(
            memberships__activity__organisation__code=filters.organisation
        ).distinct()
    return queryset.order_by("position")


@router.get("/concepts/{concept_id}", response=ConceptDetailOut)
def get_concept(request: AuthenticatedHttpRequest, concept_id: str) -> Any:
    concept = access_concept(request.user, concept_id)
    # The response schema reads the members from the concept.
    concept.members = [  # type: ignore[attr-defined]
        MemberOut(
            activity_id=m.activity_id,
            organisation=m.activity.organisation.code,
            name=m.activity.name,
            confidence=m.confidence,
            evidence=m.evidence,
        )
        for m in concept.memberships.select_related("activity__organisation")
    ]
    return concept


@router.get("/concepts/{concept_id}/candidates", response=list[CandidateOut])
def get_candidates(request: AuthenticatedHttpRequest, concept_id: str) -> Any:
    """Concepts that may be the same ("kanske samma som"), best first, with the evidence;
    merge one, or say it is not the same, with POST /concepts/{id}/decisions."""
    concept = access_concept(request.user, concept_id)
    return list(concept.candidates.select_related("other").order_by("position"))


@router.get("/opportunities", response=list[OpportunityOut])
@paginate(BoundedLimitOffsetPagination)
def list_opportunities(request: AuthenticatedHttpRequest) -> Any:
    require_read(request.user)
    return Opportunity.objects.filter(concept__in=_current_concepts()).select_related("concept")


@router.get("/organisations/{code}/similar", response=list[SimilarOut])
def similar(request: AuthenticatedHttpRequest, code: str,
            k: int = query_param(5, ge=1, le=50)) -> Any:
    require_read(request.user)
    organisation = get_object_or_404(Organisation, code=code)
    return [
        SimilarOut(
            organisation=n.organisation.code,
            name=n.organisation.name,
            similarity=n.similarity,
            structural=n.structural,
            activity=n.activity,
            shared_concepts=n.shared_concepts,
            reasons=list(n.reasons),
        )
        for n in analysis.similar_to(organisation, k=k)
    ]


@router.post("/commonality/runs", response={202: RunOut})
def start_run(request: AuthenticatedHttpRequest, payload: ScopeIn) -> Any:
    require_decide(request.user)
    run = actions.do_start_analysis(
        Scope.of(payload.county, payload.organisations), acting_user=request.user
    )
    return Status(202, run)


@router.get("/commonality/runs/{run_id}", response=RunOut)
def get_run(request: AuthenticatedHttpRequest, run_id: int) -> Any:
    require_read(request.user)
    return get_object_or_404(AnalysisRun, pk=run_id)


@router.post("/concepts/{concept_id}/decisions", response={201: DecisionOut})
def post_decision(request: AuthenticatedHttpRequest, concept_id: str, payload: DecisionIn) -> Any:
    concept = access_concept(request.user, concept_id, write=True)
    decision, run = actions.do_record_decision(
        concept,
        payload.kind,
        acting_user=request.user,
        activity_ids=payload.activity_ids,
        other_concept_ids=payload.other_concept_ids,
        label=payload.label,
        background=True,
        seen_run=payload.run,
    )
    body = {"id": decision.pk, "kind": decision.kind, "concept_id": decision.concept_id,
            "run": run}
    return Status(201, body)


class StarterConceptOut(Schema):
    concept_id: str
    name: str
    kind: str
    category: str | None
    organisations: int
    present: bool


class StarterAreaOut(Schema):
    code: str
    label: str
    concepts: list[StarterConceptOut]


class StarterPickIn(Schema):
    concept_id: str = Field(..., max_length=100)
    name: str = Field("", max_length=200)
    annual_cost_sek: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)
    volume_per_year: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)
    lead_time_days: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=1)

    _no_nul = field_validator("concept_id", "name")(_refuse_nul)


class StarterIn(Schema):
    picks: list[StarterPickIn] = Field(..., max_length=1000)


class StarterActivityOut(Schema):
    id: int
    key: str
    name: str


@router.get("/organisations/{code}/starter-catalogue", response=list[StarterAreaOut])
def get_starter_catalogue(request: AuthenticatedHttpRequest, code: str) -> Any:
    organisation = access_organisation(request.user, code, write=True)
    run = analysis.current_run()
    if run is None:
        return []
    return [
        {"code": area.code, "label": area.label, "concepts": [
            {"concept_id": item.concept.concept_id, "name": item.name, "kind": item.kind,
             "category": item.category.code if item.category else None,
             "organisations": item.organisations, "present": item.present}
            for item in area.concepts]}
        for area in starter.catalogue(run, organisation)
    ]


@router.post("/organisations/{code}/starter-catalogue",
             response={201: list[StarterActivityOut]})
def post_starter_catalogue(request: AuthenticatedHttpRequest, code: str,
                           payload: StarterIn) -> Any:
    organisation = access_organisation(request.user, code, write=True)
    created = starting_actions.do_start_from_catalogue(
        organisation,
        [starting_actions.StarterPick(**pick.model_dump()) for pick in payload.picks],
        acting_user=request.user,
    )
    return Status(201, created)
