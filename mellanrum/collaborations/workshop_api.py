"""The workshop, the shared principles and the draft agreement in the JSON API.

Operations are added to the collaborations router (imported at the end of ``api.py``)."""


import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from ninja import Field, Schema, Status

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.models import Organisation

from . import agreement, workshop
from . import workshop_actions as wa
from .access import (
    access_initiative,
    access_statement,
    approval_organisations,
    can_facilitate,
    can_speak_for,
    statement_organisations,
)
from .api import StatementIn, router
from .models import Initiative, PrincipleVersion, Statement

Stance = Literal["supports", "neutral", "tension", "conflicts"]


class WorkshopStatementOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.code")
    kind: str
    text: str
    version: int
    on_behalf: bool
    is_draft: bool
    recorded_by: str | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime.datetime | None = None

    @staticmethod
    def resolve_recorded_by(obj: Statement) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by else None

    @staticmethod
    def resolve_confirmed_by(obj: Statement) -> str | None:
        return obj.confirmed_by.get_username() if obj.confirmed_by else None


class ConfirmIn(Schema):
    version: int | None = Field(None, ge=1, description="The statement's version you read; "
                                "409 if it has changed since")


class SuggestionOut(Schema):
    stance: str
    rule: str
    reason: str


class PairOut(Schema):
    first: int
    second: int | None = None
    goal: int | None = None
    stance: str = Field(..., description="As set by a person; empty when nobody has")
    set_by: str
    note: str
    suggestion: SuggestionOut


class TensionsOut(Schema):
    partners: list[PairOut]
    goals: list[PairOut]
    unrelated_pairs_left_out: int


class TensionIn(Schema):
    first: int = Field(..., ge=1)
    second: int = Field(..., ge=1)
    stance: Stance
    note: str = Field("", max_length=500)


class PrincipleOut(Schema):
    text: str
    statements: list[int]


class ApprovalOut(Schema):
    organisation: str
    approved_by: str | None
    approved_at: datetime.datetime


class PrincipleVersionOut(Schema):
    number: int
    status: str
    note: str
    published_at: datetime.datetime | None
    principles: list[PrincipleOut]
    approvals: list[ApprovalOut]
    waiting_for: list[str]
    approved_by_all: bool


class PrinciplesOut(Schema):
    approved_version: int | None
    versions: list[PrincipleVersionOut]


class PrincipleIn(Schema):
    text: str = Field(..., min_length=1, max_length=1000)
    statements: list[int] = Field(default_factory=list)


class PrinciplesIn(Schema):
    principles: list[PrincipleIn] = Field(..., min_length=1, max_length=100)
    note: str = Field("", max_length=500)
    publish: bool = Field(False, description="Publish the new version at once")


class ApproveIn(Schema):
    organisation: str | None = Field(None, description="Code of the partner; defaults to "
                                     "your own")
    number: int | None = Field(None, ge=1, description="The version you read; 409 if it is "
                               "no longer the latest published one")


def _pair(row: workshop.PairRow) -> dict[str, Any]:
    return {"first": row.first.pk, "second": row.second.pk if row.second else None,
            "goal": row.goal.pk if row.goal else None, "stance": row.stance,
            "set_by": row.set_by, "note": row.note,
            "suggestion": {"stance": row.suggestion.stance, "rule": row.suggestion.rule,
                           "reason": row.reason}}


def _version(version: PrincipleVersion, state: workshop.VersionState) -> dict[str, Any]:
    return {
        "number": version.number, "status": version.status, "note": version.note,
        "published_at": version.published_at,
        "principles": [{"text": p.text, "statements": [s.pk for s in p.statements.all()]}
                       for p in version.principles.all()],
        "approvals": [{"organisation": a.organisation.code,
                       "approved_by": a.approved_by.get_username() if a.approved_by else None,
                       "approved_at": a.approved_at}
                      for a in version.approvals.select_related("organisation", "approved_by")],
        "waiting_for": state.waiting, "approved_by_all": state.approved_by_all,
    }


def _principles(request: AuthenticatedHttpRequest, initiative: Initiative) -> dict[str, Any]:
    versions = initiative.principle_versions.prefetch_related("principles__statements")
    if not can_facilitate(request.user, initiative):
        versions = versions.exclude(status=PrincipleVersion.Status.DRAFT)
    partners = workshop.approving_partners(initiative)
    latest = wa.latest_published(initiative)
    approved = workshop.latest_approved(initiative)
    return {"approved_version": approved.number if approved else None,
            "versions": [_version(v, workshop.version_state(v, partners, latest))
                         for v in versions]}


@router.post("/initiatives/{initiative_id}/statements/on-behalf",
             response={201: WorkshopStatementOut})
def record_on_behalf(request: AuthenticatedHttpRequest, initiative_id: int,
                     payload: StatementIn) -> Status[object]:
    """The facilitator records a partner's statement as a draft awaiting its confirmation."""
    initiative = access_initiative(request.user, initiative_id)
    if not can_facilitate(request.user, initiative):
        raise PermissionDenied
    code = (payload.organisation or "").replace("\x00", "")
    organisation = Organisation.objects.filter(code=code).first() if code else None
    if organisation is None:
        raise ValidationError({"organisation": ["Give the code of a partner organisation."]})
    statement = wa.do_record_on_behalf(initiative, acting_user=request.user,
                                       organisation=organisation, kind=payload.kind,
                                       text=payload.text)
    return Status(201, statement)


@router.post("/initiatives/{initiative_id}/statements/{statement_id}/confirm",
             response={200: WorkshopStatementOut, 409: dict[str, str]})
def confirm_statement(request: AuthenticatedHttpRequest, initiative_id: int, statement_id: int,
                      payload: ConfirmIn) -> object:
    """The partner's editor confirms a draft recorded on its behalf."""
    statement = access_statement(request.user, statement_id)
    if statement.initiative_id != initiative_id:
        raise PermissionDenied
    if not can_speak_for(request.user, statement.initiative, statement.organisation):
        raise PermissionDenied
    try:
        return wa.do_confirm_statement(statement, acting_user=request.user,
                                       expected_version=payload.version)
    except wa.VersionConflict as exc:
        return Status(409, {"detail": " ".join(exc.messages)})


@router.get("/initiatives/{initiative_id}/tensions", response=TensionsOut)
def get_tensions(request: AuthenticatedHttpRequest, initiative_id: int) -> dict[str, Any]:
    """Statements against each other (partner against partner) and against the shared goals:
    the stance people set and the suggestion computed from the texts, with its reason."""
    initiative = access_initiative(request.user, initiative_id)
    pairs, left_out = workshop.partner_rows(initiative)
    return {"partners": [_pair(r) for r in pairs],
            "goals": [_pair(r) for r in workshop.goal_rows(initiative)],
            "unrelated_pairs_left_out": left_out}


@router.put("/initiatives/{initiative_id}/tensions", response=PairOut)
def set_tension(request: AuthenticatedHttpRequest, initiative_id: int,
                payload: TensionIn) -> dict[str, Any]:
    """Set the stance between two partners' statements (the facilitator, or an editor of
    either partner)."""
    initiative = access_initiative(request.user, initiative_id)
    if not (can_facilitate(request.user, initiative)
            or statement_organisations(request.user, initiative).exists()):
        raise PermissionDenied
    found = {s.pk: s for s in initiative.statements.select_related("organisation").filter(
        pk__in=[payload.first, payload.second])}
    if payload.first not in found or payload.second not in found:
        raise ValidationError({"second": ["Both statements must belong to this initiative."]})
    first, second = found[payload.first], found[payload.second]
    if first.organisation_id == second.organisation_id:
        raise ValidationError({"second": ["Set statements of two different partners against "
                                          "each other."]})
    if not (can_facilitate(request.user, initiative)
            or can_speak_for(request.user, initiative, first.organisation)
            or can_speak_for(request.user, initiative, second.organisation)):
        raise PermissionDenied
    first.initiative = second.initiative = initiative
    tension = wa.do_set_tension(first, second, payload.stance, acting_user=request.user,
                                note=payload.note)
    low, high = (first, second) if first.pk < second.pk else (second, first)
    from mellanrum.engines.tension import suggest_tension

    suggestion = suggest_tension(low.text, high.text, first_kind=low.kind,
                                 second_kind=high.kind)
    return _pair(workshop.PairRow(low, high, None, suggestion, tension.stance,
                                  request.user.get_username(), tension.note))


@router.get("/initiatives/{initiative_id}/principles", response=PrinciplesOut)
def get_principles(request: AuthenticatedHttpRequest, initiative_id: int) -> dict[str, Any]:
    """Every version of the shared principles (drafts only to the facilitator), who approved
    each and whom the latest is waiting for."""
    return _principles(request, access_initiative(request.user, initiative_id))


@router.post("/initiatives/{initiative_id}/principles", response={201: PrinciplesOut,
                                                                  409: dict[str, str]})
def write_principles(request: AuthenticatedHttpRequest, initiative_id: int,
                     payload: PrinciplesIn) -> Status[object]:
    """The facilitator writes the principles of the next version (the open draft is replaced)
    and may publish it at once."""
    initiative = access_initiative(request.user, initiative_id)
    if not can_facilitate(request.user, initiative):
        raise PermissionDenied
    statements = {s.pk: s for s in initiative.statements.all()}
    unknown = sorted({i for p in payload.principles for i in p.statements} - set(statements))
    if unknown:
        raise ValidationError({"statements": [f"Not statements of this initiative: {unknown}"]})
    try:
        draft = wa.do_start_principles_draft(initiative, acting_user=request.user)
        for principle in list(draft.principles.all()):
            wa.do_remove_principle(principle, acting_user=request.user)
        for item in payload.principles:
            wa.do_add_principle(draft, acting_user=request.user, text=item.text,
                                statements=[statements[i] for i in item.statements])
        if payload.publish:
            wa.do_publish_principles(draft, acting_user=request.user, note=payload.note)
    except wa.VersionConflict as exc:
        return Status(409, {"detail": " ".join(exc.messages)})
    return Status(201, _principles(request, initiative))


@router.post("/initiatives/{initiative_id}/principles/{number}/approve",
             response={201: PrinciplesOut, 404: dict[str, str], 409: dict[str, str]})
def approve_principles(request: AuthenticatedHttpRequest, initiative_id: int, number: int,
                       payload: ApproveIn) -> Status[object]:
    """A partner's editor approves a published version for the partner."""
    initiative = access_initiative(request.user, initiative_id)
    organisations = approval_organisations(request.user, initiative)
    if not organisations.exists():
        raise PermissionDenied
    code = payload.organisation or getattr(request.user.organisation, "code", None)
    organisation = organisations.filter(code=(code or "").replace("\x00", "")).first()
    if organisation is None:
        raise ValidationError({"organisation": [
            "Give the code of a partner organisation you approve for."]})
    version = initiative.principle_versions.filter(number=number).first() \
        if 0 < number <= 2**63 - 1 else None
    if version is None or (version.is_draft and not can_facilitate(request.user, initiative)):
        return Status(404, {"detail": "No such version of the shared principles."})
    try:
        wa.do_approve_principles(version, acting_user=request.user, organisation=organisation,
                                 expected_number=payload.number)
    except wa.VersionConflict as exc:
        return Status(409, {"detail": " ".join(exc.messages)})
    return Status(201, _principles(request, initiative))


@router.get("/initiatives/{initiative_id}/agreement.docx",
            # An int key, as ninja writes its own (a "200" string key would be a second one).
            openapi_extra={"responses": {200: {
                "description": "The draft samverkansavtal as a Word document",
                "content": {agreement.DOCX_TYPE: {"schema": {"type": "string",
                                                             "format": "binary"}}}}}})
def get_agreement(request: AuthenticatedHttpRequest, initiative_id: int) -> HttpResponse:
    """The draft samverkansavtal (Word), marked as a draft for legal review."""
    initiative = access_initiative(request.user, initiative_id)
    response = HttpResponse(agreement.build_docx(initiative), content_type=agreement.DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{agreement.filename(initiative)}"'
    return response
