"""Invitations, proposals, formal decisions and measured values of goals in the JSON API."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.models import Organisation

from . import actions, consent_actions, consent_analysis
from .access import access_initiative, can_edit_initiative
from .consent_access import (
    access_goal,
    access_proposal,
    answerable_invitations,
    can_answer_invitation,
    can_record_for,
    speaking_partners,
)
from .consent_models import FormalDecision, Proposal
from .models import Partner

router = Router(tags=["collaborations"])
# The optional protocol extract of a formal decision, a multipart file field.
NO_FILE: UploadedFile | None = File(None)  # type: ignore[type-arg]


class InvitationOut(Schema):
    initiative: int = Field(..., alias="initiative_id")
    title: str = Field(..., alias="initiative.title")
    organisation: str = Field(..., alias="organisation.code")
    role: str
    status: str
    invited_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    decline_reason: str


class InviteIn(Schema):
    organisation: str = Field(..., min_length=1, max_length=40,
                              description="Code of the organisation to invite")
    role: Literal["partner", "observer", "facilitator"] = "partner"


class InvitationAnswerIn(Schema):
    organisation: str | None = Field(
        None, description="Code of the invited organisation; defaults to your own")
    accept: bool
    reason: str = Field("", max_length=1000, description="Required when declining")


class ProposalAnswerOut(Schema):
    organisation: str = Field(..., alias="organisation.code")
    position: str
    reason: str
    answered_at: datetime.datetime


class ProposalOut(Schema):
    id: int
    initiative: int = Field(..., alias="initiative_id")
    title: str
    text: str
    deadline: datetime.date
    closed_at: datetime.datetime | None
    outcome: str
    decision: int | None = Field(None, alias="decision_id")
    answers: list[ProposalAnswerOut]

    @staticmethod
    def resolve_answers(obj: Proposal) -> list[object]:
        return list(obj.answers.select_related("organisation"))


class ProposalIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., min_length=1, max_length=5000)
    deadline: datetime.date = Field(..., description="Answers until the end of this day; not "
                                    "in the past")


class AnswerIn(Schema):
    organisation: str | None = Field(
        None, description="Code of the partner you answer for; defaults to your own")
    position: Literal["agree", "abstain", "disagree", "block"]
    reason: str = Field("", max_length=2000, description="Required for disagree and block")


class FormalDecisionOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.code")
    body: str
    body_name: str
    date: datetime.date
    paragraph: str
    summary: str
    protocol_url: str | None = None

    @staticmethod
    def resolve_protocol_url(obj: FormalDecision) -> str | None:
        return reverse("collaborations:protocol", args=[obj.pk]) if obj.protocol else None


class FormalDecisionsOut(Schema):
    decisions: list[FormalDecisionOut]
    missing: list[str] = Field(..., description="Codes of paying partners without a decision")


class FormalDecisionIn(Schema):
    # Optional here so that the permission check comes first; the action requires them.
    organisation: str | None = Field(None, description="Code of the partner; defaults to "
                                     "your own")
    body: Literal["kommunstyrelse", "namnd", "fullmaktige", "forbundsstyrelse",
                  "regionstyrelse"] | None = Field(None, description="Required")
    body_name: str = Field("", max_length=200)
    date: datetime.date | None = Field(None, description="Required; not in the future")
    paragraph: str = Field("", max_length=40, description="Required, e.g. § 214")
    summary: str = Field("", max_length=500)


class PointOut(Schema):
    period_end: datetime.date
    value: Decimal
    source: str


class SeriesOut(Schema):
    organisation: str | None
    status: str
    latest: Decimal | None
    expected: Decimal | None
    points: list[PointOut]


class GoalValuesOut(Schema):
    goal: int
    status: str = Field(..., description="on_track, at_risk, deviating or unknown")
    per_partner: bool
    kolada_kpi: str
    series: list[SeriesOut]


class MeasurementIn(Schema):
    period_end: datetime.date
    value: Decimal = Field(..., max_digits=15, decimal_places=4)
    organisation: str | None = Field(None, description="Code of the partner, for an "
                                     "indicator measured per partner")
    note: str = Field("", max_length=300)


def _organisation(request: AuthenticatedHttpRequest, code: str | None) -> Organisation:
    code = code or getattr(request.user.organisation, "code", None)
    found = Organisation.objects.filter(code=code).first() if code else None
    if found is None:
        raise ValidationError({"organisation": ["Give the code of a partner organisation."]})
    return found


@router.get("/invitations", response=list[InvitationOut])
def list_invitations(request: AuthenticatedHttpRequest) -> list[Partner]:
    """Open invitations to your organisation, which its editors answer."""
    return list(answerable_invitations(request.user))


@router.post("/initiatives/{initiative_id}/partners", response={201: InvitationOut})
def invite_partner(request: AuthenticatedHttpRequest, initiative_id: int,
                   payload: InviteIn) -> Status[object]:
    initiative = access_initiative(request.user, initiative_id, write=True)
    organisation = Organisation.objects.filter(code=payload.organisation).first()
    partner = actions.do_add_partner(initiative, acting_user=request.user,
                                     organisation=organisation, role=payload.role)
    return Status(201, partner)


@router.post("/initiatives/{initiative_id}/invitation", response=InvitationOut)
def answer_invitation(request: AuthenticatedHttpRequest, initiative_id: int,
                      payload: InvitationAnswerIn) -> Partner:
    initiative = access_initiative(request.user, initiative_id)
    organisation = _organisation(request, payload.organisation)
    partner = initiative.partners.filter(organisation=organisation).first()
    if partner is None or not can_answer_invitation(request.user, partner):
        raise PermissionDenied
    return consent_actions.do_answer_invitation(partner, acting_user=request.user,
                                                accept=payload.accept, reason=payload.reason)


@router.get("/initiatives/{initiative_id}/proposals", response=list[ProposalOut])
def list_proposals(request: AuthenticatedHttpRequest, initiative_id: int) -> list[Proposal]:
    initiative = access_initiative(request.user, initiative_id)
    consent_actions.do_close_due_proposals(initiative)
    return list(initiative.proposals.all())


@router.post("/initiatives/{initiative_id}/proposals", response={201: ProposalOut})
def create_proposal(request: AuthenticatedHttpRequest, initiative_id: int,
                    payload: ProposalIn) -> Status[object]:
    initiative = access_initiative(request.user, initiative_id, write=True)
    proposal = consent_actions.do_create_proposal(initiative, acting_user=request.user,
                                                  **payload.dict())
    return Status(201, proposal)


@router.get("/proposals/{proposal_id}", response=ProposalOut)
def get_proposal(request: AuthenticatedHttpRequest, proposal_id: int) -> Proposal:
    proposal = access_proposal(request.user, proposal_id)
    if consent_actions.do_close_due_proposals(proposal.initiative):
        proposal.refresh_from_db()
    return proposal


@router.post("/proposals/{proposal_id}/answers", response=ProposalAnswerOut)
def answer_proposal(request: AuthenticatedHttpRequest, proposal_id: int,
                    payload: AnswerIn) -> object:
    """Answer for a partner you are an editor of; answers can be changed until it closes."""
    proposal = access_proposal(request.user, proposal_id)
    organisation = _organisation(request, payload.organisation)
    if not can_record_for(request.user, organisation):
        raise PermissionDenied
    return consent_actions.do_answer_proposal(proposal, acting_user=request.user,
                                              organisation=organisation,
                                              position=payload.position, reason=payload.reason)


@router.post("/proposals/{proposal_id}/close", response=ProposalOut)
def close_proposal(request: AuthenticatedHttpRequest, proposal_id: int) -> Proposal:
    proposal = access_proposal(request.user, proposal_id, manage=True)
    return consent_actions.do_close_proposal(proposal, acting_user=request.user)


@router.get("/initiatives/{initiative_id}/formal-decisions", response=FormalDecisionsOut)
def list_formal_decisions(request: AuthenticatedHttpRequest,
                          initiative_id: int) -> dict[str, object]:
    initiative = access_initiative(request.user, initiative_id)
    return {
        "decisions": list(initiative.formal_decisions.select_related("organisation")),
        "missing": [p.organisation.code
                    for p in consent_actions.missing_decisions(initiative)],
    }


@router.post("/initiatives/{initiative_id}/formal-decisions",
             response={201: FormalDecisionOut})
def add_formal_decision(request: AuthenticatedHttpRequest, initiative_id: int,
                        payload: Form[FormalDecisionIn],
                        protocol: UploadedFile | None = NO_FILE) -> Status[object]:
    """A partner's formal decision, sent as multipart/form-data with the protocol extract
    (a PDF of at most ``PROTOCOL_MAX_BYTES``) in the field ``protocol``."""
    initiative = access_initiative(request.user, initiative_id)
    organisation = _organisation(request, payload.organisation)
    if not can_record_for(request.user, organisation):
        raise PermissionDenied
    data = payload.dict(exclude={"organisation"})
    missing = {name: ["This field is required."] for name in ("body", "date", "paragraph")
               if not data[name]}
    if missing:
        raise ValidationError(missing)
    decision = consent_actions.do_add_formal_decision(
        initiative, acting_user=request.user, organisation=organisation, protocol=protocol,
        protocol_name=(protocol.name or "") if protocol else "", **data)
    return Status(201, decision)


def _goal_values(goal_id: int, request: AuthenticatedHttpRequest) -> dict[str, object]:
    goal = access_goal(request.user, goal_id)
    view = consent_analysis.goal_view(goal)
    return {
        "goal": goal.pk, "status": view.status, "per_partner": view.per_partner,
        "kolada_kpi": view.tracking.kolada_kpi if view.tracking else "",
        "series": [{
            "organisation": s.organisation.code if s.organisation else None,
            "status": s.status.status if s.status else "unknown",
            "latest": s.status.latest if s.status else None,
            "expected": s.status.expected if s.status else None,
            "points": [{"period_end": p.period_end, "value": p.value, "source": p.source}
                       for p in s.points],
        } for s in view.series],
    }


@router.get("/goals/{goal_id}/values", response=GoalValuesOut)
def get_goal_values(request: AuthenticatedHttpRequest, goal_id: int) -> dict[str, object]:
    """Measured values of a shared goal's indicator with each series' status."""
    return _goal_values(goal_id, request)


@router.post("/goals/{goal_id}/values", response={201: GoalValuesOut})
def add_goal_value(request: AuthenticatedHttpRequest, goal_id: int,
                   payload: MeasurementIn) -> Status[object]:
    """Record a measured value: a partner's own (its editors), or a joint one (those who run
    the initiative). A value for a period that has one replaces it."""
    goal = access_goal(request.user, goal_id)
    organisation = None
    if payload.organisation:
        organisation = _organisation(request, payload.organisation)
        allowed = speaking_partners(request.user, goal.initiative.partners.filter(
            organisation=organisation)).exists()
    else:
        allowed = can_edit_initiative(request.user, goal.initiative)
    if not allowed:
        raise PermissionDenied
    consent_actions.do_add_measurement(goal, acting_user=request.user,
                                       period_end=payload.period_end, value=payload.value,
                                       organisation=organisation, note=payload.note)
    return Status(201, _goal_values(goal_id, request))

