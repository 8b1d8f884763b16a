"""Pages of the workshop (statements on behalf, confirmation, the tension view), the shared
principles (versions, approval, differences) and the draft samverkansavtal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.core.http import AuthenticatedHttpRequest

from . import actions, agreement, workshop
from . import workshop_actions as wa
from .access import (
    MAX_ID,
    access_initiative,
    access_statement,
    approval_organisations,
    can_confirm,
    can_facilitate,
    can_set_alignment,
    can_speak_for,
)
from .models import Goal, Initiative, Partner, Principle, PrincipleVersion, Statement
from .views import _apply, _posted
from .workshop_forms import (
    ApproveForm,
    ConfirmForm,
    PrincipleForm,
    PublishForm,
    RecordOnBehalfForm,
    TensionForm,
)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form: BaseForm) -> str:
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


# --- Statements on behalf ----------------------------------------------------------------------


@login_required
def record_on_behalf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    if not can_facilitate(request.user, initiative):
        raise PermissionDenied
    organisations = initiative.partners.values("organisation")
    from mellanrum.landscape.models import Organisation

    form = RecordOnBehalfForm(_posted(request),
                              organisations=Organisation.objects.filter(pk__in=organisations))

    def record() -> None:
        wa.do_record_on_behalf(initiative, acting_user=request.user, **form.cleaned_data)

    if request.method == "POST" and _apply(form, record):
        messages.success(request, _("Recorded as a draft awaiting the partner's confirmation."))
        return redirect("collaborations:record_on_behalf", initiative.pk)
    drafts = initiative.statements.filter(on_behalf=True, confirmed_at__isnull=True
                                          ).select_related("organisation")
    return render(request, "collaborations/workshop_record.html",
                  {"form": form, "initiative": initiative, "drafts": drafts})


@require_POST
@login_required
def statement_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = access_statement(request.user, pk)
    if not can_speak_for(request.user, statement.initiative, statement.organisation):
        raise PermissionDenied
    form = ConfirmForm(request.POST)
    expected = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        wa.do_confirm_statement(statement, acting_user=request.user, expected_version=expected)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("Confirmed."))
    return redirect(f"{statement.initiative.get_absolute_url()}spanningar/#s{statement.pk}")


# --- The tension view ----------------------------------------------------------------------------


def _may_set_pair(request: AuthenticatedHttpRequest, initiative: Initiative,
                  first: Statement, second: Statement) -> bool:
    user = request.user
    return (can_facilitate(user, initiative) or can_speak_for(user, initiative, first.organisation)
            or can_speak_for(user, initiative, second.organisation))


def _set_from_form(request: AuthenticatedHttpRequest, initiative: Initiative,
                   form: TensionForm) -> None:
    data = form.cleaned_data
    first = get_object_or_404(Statement, pk=data["first"], initiative=initiative)
    first.initiative = initiative
    if data.get("second"):
        second = get_object_or_404(Statement, pk=data["second"], initiative=initiative)
        if not _may_set_pair(request, initiative, first, second):
            raise PermissionDenied
        wa.do_set_tension(first, second, data["stance"], acting_user=request.user,
                          note=data.get("note") or "")
    else:
        goal = get_object_or_404(Goal, pk=data["goal"], initiative=initiative)
        if not can_set_alignment(request.user, first):
            raise PermissionDenied
        actions.do_set_alignment(first, goal, data["stance"], acting_user=request.user)


@login_required
def tensions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    user = request.user
    if request.method == "POST":
        form = TensionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect("collaborations:tensions", pk)
        try:
            _set_from_form(request, initiative, form)
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect("collaborations:tensions", pk)
    pairs, left_out = workshop.partner_rows(initiative)
    goals = workshop.goal_rows(initiative)
    statements = list(initiative.statements.select_related("organisation", "recorded_by"))
    for s in statements:
        s.initiative = initiative
    facilitates = can_facilitate(user, initiative)
    context = {
        "initiative": initiative,
        "statements": statements,
        "confirmable": {s.pk for s in statements if can_confirm(user, s)},
        "editable": {s.pk for s in statements if can_speak_for(user, initiative, s.organisation)},
        "pairs": [(r, facilitates or r.second is not None and (
            can_speak_for(user, initiative, r.first.organisation)
            or can_speak_for(user, initiative, r.second.organisation))) for r in pairs],
        "goal_pairs": [(r, can_set_alignment(user, r.first)) for r in goals],
        "left_out": left_out,
        "stances": [("supports", _("Supports")), ("neutral", _("Neutral")),
                    ("tension", _("Tension")), ("conflicts", _("Conflicts"))],
        "can_facilitate": facilitates,
    }
    return render(request, "collaborations/tensions.html", context)


# --- Shared principles ------------------------------------------------------------------------


def _version(initiative: Initiative, number: int) -> PrincipleVersion:
    if not 0 < number <= MAX_ID:
        raise Http404
    return get_object_or_404(PrincipleVersion, initiative=initiative, number=number)


@login_required
def principles(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    facilitates = can_facilitate(request.user, initiative)
    versions = initiative.principle_versions.prefetch_related("principles__statements")
    if not facilitates:
        versions = versions.exclude(status=PrincipleVersion.Status.DRAFT)
    partners = workshop.approving_partners(initiative)
    latest = wa.latest_published(initiative)
    states = [workshop.version_state(v, partners, latest) for v in versions]
    approved = workshop.latest_approved(initiative)
    organisations = approval_organisations(request.user, initiative)
    return render(request, "collaborations/principles.html", {
        "initiative": initiative, "states": states, "latest": latest, "approved": approved,
        "can_facilitate": facilitates,
        "approve_form": ApproveForm(organisations=organisations,
                                    initial={"number": latest.number if latest else None})
        if latest and organisations.exists() else None,
        "draft": next((s.version for s in states if s.version.is_draft), None),
    })


@login_required
def principles_version(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    version = _version(initiative, number)
    if version.is_draft and not can_facilitate(request.user, initiative):
        raise Http404
    against = request.GET.get("mot", "")
    older = None
    if against.isdigit() and 0 < int(against) <= MAX_ID:
        older = initiative.principle_versions.filter(number=int(against)).first()
    elif not against:
        older = initiative.principle_versions.filter(number__lt=version.number
                                                     ).order_by("-number").first()
    partners = workshop.approving_partners(initiative)
    return render(request, "collaborations/principles_version.html", {
        "initiative": initiative, "version": version, "older": older,
        "state": workshop.version_state(version, partners, wa.latest_published(initiative)),
        "diff": workshop.diff_versions(older, version) if older else None,
        "others": initiative.principle_versions.exclude(pk=version.pk).exclude(
            status=PrincipleVersion.Status.DRAFT),
        "principle_rows": version.principles.prefetch_related("statements__organisation"),
    })


@require_POST
@login_required
def principles_approve(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    organisations = approval_organisations(request.user, initiative)
    if not organisations.exists():
        raise PermissionDenied
    version = _version(initiative, number)
    form = ApproveForm(request.POST, organisations=organisations)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("collaborations:principles", pk)
    try:
        wa.do_approve_principles(version, acting_user=request.user,
                                 organisation=form.cleaned_data["organisation"],
                                 expected_number=form.cleaned_data["number"])
    except wa.VersionConflict as exc:
        messages.error(request, _messages_of(exc))
        return redirect("collaborations:principles", pk)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect("collaborations:principles", pk)
    messages.success(request, _("Approved."))
    return redirect("collaborations:principles", pk)


@login_required
def principles_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The facilitator's editor of the draft: start, add, change, remove, publish."""
    initiative = access_initiative(request.user, pk)
    if not can_facilitate(request.user, initiative):
        raise PermissionDenied
    draft = initiative.principle_versions.filter(status=PrincipleVersion.Status.DRAFT).first()
    statements = initiative.statements.select_related("organisation")
    form = PrincipleForm(statements=statements,
                         initial={"revision": draft.revision if draft else 1})
    publish_form = PublishForm(initial={"revision": draft.revision if draft else 1})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "start":
                wa.do_start_principles_draft(initiative, acting_user=request.user)
                return redirect("collaborations:principles_draft", pk)
            if draft is None:
                raise ValidationError(_("There is no draft; start a new version first."))
            if action == "add":
                form = PrincipleForm(request.POST, statements=statements)
                if _apply(form, lambda: wa.do_add_principle(
                        draft, acting_user=request.user, text=form.cleaned_data["text"],
                        statements=form.cleaned_data["statements"],
                        expected_revision=form.cleaned_data["revision"])):
                    messages.success(request, _("Saved."))
                    return redirect("collaborations:principles_draft", pk)
                status = 409 if form.non_field_errors() else 400
            elif action in ("remove", "update"):
                principle = get_object_or_404(Principle, version=draft,
                                              pk=_int(request.POST.get("principle")))
                if action == "remove":
                    wa.do_remove_principle(principle, acting_user=request.user,
                                           expected_revision=_int(request.POST.get("revision")))
                else:
                    edit = PrincipleForm(request.POST, statements=statements,
                                         prefix=f"p{principle.pk}")
                    if not edit.is_valid():
                        raise ValidationError(_form_errors(edit))
                    wa.do_update_principle(principle, acting_user=request.user,
                                           text=edit.cleaned_data["text"],
                                           statements=edit.cleaned_data["statements"],
                                           expected_revision=edit.cleaned_data["revision"])
                messages.success(request, _("Saved."))
                return redirect("collaborations:principles_draft", pk)
            elif action == "publish":
                publish_form = PublishForm(request.POST)
                if _apply(publish_form, lambda: wa.do_publish_principles(
                        draft, acting_user=request.user, note=publish_form.cleaned_data["note"],
                        expected_revision=publish_form.cleaned_data["revision"])):
                    messages.success(request, _("Published: the partners can now approve it."))
                    return redirect("collaborations:principles", pk)
                status = 400
            else:
                raise ValidationError(_("The form was incomplete; reload the page and try "
                                        "again."))
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
            return redirect("collaborations:principles_draft", pk)
    return render(request, "collaborations/principles_draft.html", {
        "initiative": initiative, "draft": draft, "form": form, "publish_form": publish_form,
        "rows": [(p, PrincipleForm(statements=statements, prefix=f"p{p.pk}", initial={
            "text": p.text, "statements": list(p.statements.all()),
            "revision": draft.revision})) for p in draft.principles.all()] if draft else [],
        "partners": initiative.partners.filter(role__in=[Partner.Role.LEAD,
                                                         Partner.Role.PARTNER]),
    }, status=status)


def _int(value: str | None) -> int:
    if value is None or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise ValidationError(_("The form was incomplete; reload the page and try again."))
    return int(value)


# --- The draft samverkansavtal ----------------------------------------------------------------


@login_required
def agreement_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    response = HttpResponse(agreement.build_docx(initiative), content_type=agreement.DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{agreement.filename(initiative)}"'
    return response
