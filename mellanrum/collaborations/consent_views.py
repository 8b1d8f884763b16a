"""Pages for consent and decisions: answering an invitation, proposals, formal decisions with
their protocol extracts, and measured values of the shared goals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.models import Organisation
from mellanrum.lib.charts import line_chart_url

from . import consent_actions as actions
from . import consent_analysis
from .access import MAX_ID, access_initiative, can_edit_initiative
from .consent_access import (
    access_formal_decision,
    access_goal,
    access_proposal,
    can_answer_invitation,
    can_record_for,
    speaking_partners,
)
from .consent_forms import (
    FormalDecisionForm,
    GoalTrackingForm,
    InvitationAnswerForm,
    MeasurementForm,
    ProposalAnswerForm,
    ProposalForm,
)
from .consent_models import Measurement, Proposal
from .models import Initiative, Partner
from .views import _apply, _posted


def _speaking_organisations(user: Any, initiative: Initiative) -> QuerySet[Organisation]:
    """The accepted partners the user answers and records for."""
    accepted = initiative.partners.filter(status=Partner.Status.ACCEPTED)
    ids = speaking_partners(user, accepted).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids).order_by("name")


@require_POST
@login_required
def invitation_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    partners = [p for p in initiative.partners.select_related("organisation")
                if can_answer_invitation(request.user, p)]
    code = request.POST.get("organisation", "")
    if code:
        partner = next((p for p in partners if p.organisation.code == code), None)
    else:
        partner = partners[0] if len(partners) == 1 else None
    if partner is None:
        raise PermissionDenied
    form = InvitationAnswerForm(request.POST)
    if form.is_valid():
        try:
            actions.do_answer_invitation(
                partner, acting_user=request.user,
                accept=form.cleaned_data["answer"] == "accept",
                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your answer is recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(initiative)


# --- Proposals -------------------------------------------------------------------------------


@login_required
def proposals(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    actions.do_close_due_proposals(initiative)
    can_manage = can_edit_initiative(request.user, initiative)
    form = ProposalForm(_posted(request))
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        created: list[Proposal] = []
        if _apply(form, lambda: created.append(actions.do_create_proposal(
                initiative, acting_user=request.user, **form.cleaned_data))):
            messages.success(request, _("The proposal is open for answers."))
            return redirect("collaborations:proposal", created[0].pk)
    return render(request, "collaborations/proposals.html", {
        "initiative": initiative, "form": form, "can_manage": can_manage,
        "proposals": initiative.proposals.prefetch_related("answers"),
    })


@login_required
def proposal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk)
    initiative = proposal.initiative
    if actions.do_close_due_proposals(initiative):
        proposal.refresh_from_db()
    organisations = _speaking_organisations(request.user, initiative)
    form = ProposalAnswerForm(_posted(request), organisations=organisations)
    if request.method == "POST":
        if not organisations.exists():
            raise PermissionDenied

        def answer() -> None:
            actions.do_answer_proposal(proposal, acting_user=request.user,
                                       **form.cleaned_data)

        if _apply(form, answer):
            messages.success(request, _("Your answer is recorded; you can change it until the "
                                        "proposal closes."))
            return redirect("collaborations:proposal", proposal.pk)
    answers = {a.organisation_id: a for a in proposal.answers.select_related(
        "organisation", "answered_by")}
    partners = [p for p in initiative.partners.select_related("organisation")
                if p.status == Partner.Status.ACCEPTED]
    return render(request, "collaborations/proposal_detail.html", {
        "initiative": initiative, "proposal": proposal, "form": form,
        "rows": [(p, answers.get(p.organisation_id)) for p in partners],
        "can_answer": organisations.exists() and not proposal.is_closed,
        "can_manage": can_edit_initiative(request.user, initiative),
    }, status=200 if not form.errors else 400)


@require_POST
@login_required
def proposal_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk, manage=True)
    try:
        actions.do_close_proposal(proposal, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The proposal is closed and its outcome is in the decision "
                                    "log."))
    return redirect("collaborations:proposal", proposal.pk)


# --- Formal decisions ------------------------------------------------------------------------


@login_required
def formal_decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    organisations = _speaking_organisations(request.user, initiative)
    if not organisations.exists():
        raise PermissionDenied
    form = FormalDecisionForm(_posted(request), request.FILES or None,
                              organisations=organisations)

    def add() -> None:
        data = dict(form.cleaned_data)
        upload = data.pop("protocol", None)
        actions.do_add_formal_decision(
            initiative, acting_user=request.user, protocol=upload,
            protocol_name=getattr(upload, "name", "") or "", **data)

    if request.method == "POST" and _apply(form, add):
        messages.success(request, _("The formal decision is recorded."))
        return redirect(f"{initiative.get_absolute_url()}#formal-decisions-heading")
    return render(request, "collaborations/formal_decision_form.html",
                  {"initiative": initiative, "form": form},
                  status=400 if form.errors else 200)


@require_safe
@login_required
def protocol_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    decision = access_formal_decision(request.user, pk)
    if not decision.protocol:
        raise Http404
    try:
        handle = decision.protocol.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = f"protokollsutdrag-{decision.organisation.code}-{decision.date:%Y-%m-%d}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# --- Goals and measured values ---------------------------------------------------------------


@login_required
def goal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = access_goal(request.user, pk)
    initiative = goal.initiative
    view = consent_analysis.goal_view(goal)
    can_manage = can_edit_initiative(request.user, initiative)
    if view.per_partner:
        organisations: QuerySet[Organisation] | None = Organisation.objects.filter(
            pk__in=[s.organisation.pk for s in view.series if s.organisation
                    and can_record_for(request.user, s.organisation)]).order_by("name")
        may_record = bool(organisations is not None and organisations.exists())
    else:
        organisations = None
        may_record = can_manage
    form = MeasurementForm(_posted(request), organisations=organisations)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied

        def add() -> None:
            actions.do_add_measurement(goal, acting_user=request.user,
                                       organisation=form.cleaned_data.get("organisation"),
                                       period_end=form.cleaned_data["period_end"],
                                       value=form.cleaned_data["value"],
                                       note=form.cleaned_data["note"])

        if _apply(form, add):
            messages.success(request, _("Saved."))
            return redirect("collaborations:goal", goal.pk)
    rows = consent_analysis.chart_rows(view)
    chart = line_chart_url(rows, viewer=request.user, date_title=_("End of the period"),
                           series_title=_("Series"), value_title=goal.indicator[:80]) \
        if rows else None
    return render(request, "collaborations/goal_detail.html", {
        "initiative": initiative, "goal": goal, "view": view, "form": form, "chart": chart,
        "may_record": may_record, "can_manage": can_manage,
        "removable": {m.pk for m in goal.measurements.select_related("organisation")
                      if _may_remove(request.user, m, can_manage)},
    }, status=400 if form.errors else 200)


def _may_remove(user: Any, measurement: Measurement, can_manage: bool) -> bool:
    if measurement.organisation is None:
        return can_manage
    return can_record_for(user, measurement.organisation)


@login_required
def goal_tracking(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = access_goal(request.user, pk)
    if not can_edit_initiative(request.user, goal.initiative):
        raise PermissionDenied
    tracking = getattr(goal, "tracking", None)
    initial = {"per_partner": tracking.per_partner, "baseline_date": tracking.baseline_date,
               "kolada_kpi": tracking.kolada_kpi} if tracking else {}
    form = GoalTrackingForm(_posted(request), initial=initial)
    if request.method == "POST" and _apply(form, lambda: actions.do_set_goal_tracking(
            goal, acting_user=request.user, **form.cleaned_data)):
        messages.success(request, _("Saved."))
        return redirect("collaborations:goal", goal.pk)
    return render(request, "collaborations/goal_tracking_form.html",
                  {"initiative": goal.initiative, "goal": goal, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def measurement_remove(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    goal = access_goal(request.user, pk)
    if not 0 < item_pk <= MAX_ID:
        raise Http404
    measurement = goal.measurements.select_related("organisation").filter(pk=item_pk).first()
    if measurement is None:
        raise Http404
    measurement.goal = goal
    if not _may_remove(request.user, measurement,
                       can_edit_initiative(request.user, goal.initiative)):
        raise PermissionDenied
    actions.do_remove_measurement(measurement, acting_user=request.user)
    messages.success(request, _("Removed."))
    return redirect("collaborations:goal", goal.pk)
