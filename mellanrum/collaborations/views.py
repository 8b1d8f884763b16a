from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mellanrum.benefits.ledger import ledger_view
from mellanrum.commonality.models import Concept
from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.core.models import User
from mellanrum.core.page_cache import cached_page
from mellanrum.journeys.models import LifeEvent
from mellanrum.landscape.models import Organisation
from mellanrum.lib.charts import bar_chart_url

from . import actions, analysis, portfolio
from .access import (
    MAX_ID,
    access_initiative,
    access_statement,
    can_create_initiative,
    can_edit_initiative,
    can_lead,
    can_set_alignment,
    can_speak_for,
    sees_as_partner,
    statement_organisations,
    visible_initiatives,
)
from .consent_actions import do_close_due_proposals
from .forms import (
    EDIT_CONFLICT,
    EDIT_FORMS,
    AlignmentForm,
    InitiativeForm,
    StatementEditForm,
    StatementForm,
    edit_values,
    item_form,
)
from .models import Alignment, Goal, Initiative, Partner, Statement
from .workshop_actions import do_update_statement_as_partner


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _apply(form: BaseForm, call: Callable[[], object]) -> bool:
    """Run an action for a valid form; its validation errors go back into the form, and an
    edit conflict becomes a form error (the view answers 409)."""
    if not form.is_valid():
        return False
    try:
        call()
    except actions.EditConflict:
        form.add_error(None, EDIT_CONFLICT)
        return False
    except ValidationError as exc:
        by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
        for field, errors in by_field.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


# --- Portfolio -----------------------------------------------------------------------------


def _portfolio_rows(request: HttpRequest) -> tuple[list[portfolio.Row], portfolio.Weights]:
    weights = portfolio.parse_weights(request.GET)
    queryset = portfolio.filter_initiatives(visible_initiatives(request.user), request.GET)
    return portfolio.ranked(queryset, weights.values), weights


def portfolio_viewer(request: HttpRequest) -> tuple[object, ...] | None:
    """For ``cached_page(shared=…)``: the portfolio shows the public initiatives and those the
    viewer's organisation takes part in (``visible_initiatives``), and a button to start one
    that depends on the role and on having an organisation. So every user with the same role
    whose organisation takes part in no initiative sees the same portfolio. The others, whose
    organisation is named among the partners (a page the page cache's safeguard would refuse
    to share, and then keep for nobody), and superusers each get their own page."""
    user = request.user
    if not isinstance(user, User) or not user.is_active or user.is_superuser:
        return None
    organisation = user.organisation_id
    if organisation is not None and Partner.objects.filter(
            organisation_id=organisation).exists():
        return None
    return ("portfolio", user.role, user.is_staff, organisation is not None)


@cached_page(shared=portfolio_viewer)
def portfolio_view(request: HttpRequest) -> HttpResponse:
    rows, weights = _portfolio_rows(request)
    chart = None
    if rows:
        chart = bar_chart_url(
            [(r.initiative.title, float(r.score)) for r in rows], viewer=request.user,
            category_title=_("Initiative"), value_title=_("Prioritisation score (1–5)"),
            domain=(1, 5),
        )
    labels = dict(zip(portfolio.CRITERIA, (_("Citizen value"), _("Savings"), _("Feasibility"),
                                           _("Reach"), _("Risk (counts inverted)")),
                      strict=True))
    context = {
        "rows": rows,
        "chart": chart,
        "params": request.GET,
        "query": request.GET.urlencode(),
        "weights": [(name, labels[name], weights.values[name]) for name in portfolio.CRITERIA],
        "weight_errors": weights.errors,
        "phases": Initiative.Phase.choices,
        "partners": Organisation.objects.filter(
            initiative_partnerships__initiative__in=visible_initiatives(request.user)
        ).distinct().order_by("name"),
        "concepts": sorted(set(visible_initiatives(request.user).values_list(
            "concept_links__concept_id", "concept_links__label").exclude(
            concept_links__concept_id=None)), key=lambda c: c[1]),
        "life_events": LifeEvent.objects.filter(
            steps__initiatives__in=visible_initiatives(request.user)
        ).distinct(),
        "can_create": can_create_initiative(request.user),
        "has_illustrative": any(r.initiative.is_illustrative for r in rows),
    }
    return render(request, "collaborations/portfolio.html", context)


@login_required
def portfolio_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows, weights = _portfolio_rows(request)
    response = HttpResponse(
        portfolio.to_xlsx(rows, weights.values),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="samverkan.xlsx"'
    return response


# --- Initiatives ---------------------------------------------------------------------------


@login_required
def initiative_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not can_create_initiative(user):
        raise PermissionDenied
    form = InitiativeForm(_posted(request), user=user)
    created: list[Initiative] = []

    def create() -> None:
        lead = cast(Organisation, form.cleaned_data.get("lead") or user.organisation)
        if not can_lead(user, lead):
            raise PermissionDenied
        created.append(actions.do_create_initiative(
            acting_user=user, lead=lead, **form.values(),
            lead_role=form.cleaned_data.get("lead_role") or Partner.Role.LEAD))

    if request.method == "POST" and _apply(form, create):
        return redirect(created[0])
    return render(request, "collaborations/initiative_form.html", {"form": form})


@login_required
def initiative_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk, write=True)
    form = InitiativeForm(_posted(request), instance=Initiative.objects.get(pk=pk),
                          user=request.user)

    def update() -> None:
        actions.do_update_initiative(initiative, acting_user=request.user, **form.values())

    if request.method == "POST" and _apply(form, update):
        return redirect(initiative)
    return render(request, "collaborations/initiative_form.html",
                  {"form": form, "initiative": initiative})


def _conflict_count(initiative: Initiative) -> int:
    return Alignment.objects.filter(statement__initiative=initiative,
                                    stance=Alignment.Stance.CONFLICTS).count()


def outsider(request: HttpRequest, pk: int) -> tuple[object, ...] | None:
    """For ``cached_page(shared=…)``: a logged-in user whose organisation takes no part in the
    initiative (nor is invited) and who is no superuser sees its page and ledger as every such
    user with the same role does: it may not change anything there, answer for any partner,
    or see what only partners see (``access.py``)."""
    user = request.user
    if (not isinstance(user, User) or not user.is_active or user.is_superuser
            or not 0 < pk <= MAX_ID):
        return None
    if user.organisation_id is not None and Partner.objects.filter(
            initiative_id=pk, organisation_id=user.organisation_id).exists():
        return None
    return ("outsider", user.role, user.is_staff)


@login_required
@cached_page(shared=outsider)
def initiative_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    user = request.user
    do_close_due_proposals(initiative)
    context = {
        "initiative": initiative,
        "can_edit": can_edit_initiative(user, initiative),
        "is_partner": sees_as_partner(user, initiative),
        "can_add_statement": statement_organisations(user, initiative).exists(),
        "partners": initiative.partners.select_related("organisation", "contact"),
        "goals": initiative.goals.all(),
        "phase_changes": initiative.phase_changes.select_related("changed_by"),
        "steering": initiative.steering_members.select_related("organisation"),
        "decisions": initiative.decisions.all(),
        "risks": initiative.risks.all(),
        "concepts": initiative.concept_links.all(),
        "steps": initiative.steps.select_related("life_event"),
        # Only what the list shows: an edit of an activity's description, say, then leaves
        # the page valid in the shared page cache (core/page_cache.py).
        "activities": initiative.activities.select_related("organisation").only(
            "name", "organisation", "organisation__name"),
        "statements": initiative.statements.select_related("organisation"),
        "conflicts": _conflict_count(initiative),
        "concept_urls": set(Concept.objects.filter(
            concept_id__in=initiative.concept_links.values("concept_id")
        ).values_list("concept_id", flat=True)),
        "ledger": ledger_view(initiative),
        "split": initiative.cost_splits.select_related("chosen_by").first(),
    }
    return render(request, "collaborations/initiative_detail.html", context)


ITEM_TITLES = {
    "goal": gettext_lazy("Add a shared goal"), "partner": gettext_lazy("Add a partner"),
    "steering": gettext_lazy("Add a steering group member"),
    "decision": gettext_lazy("Record a decision"), "risk": gettext_lazy("Add a risk"),
    "concept": gettext_lazy("Link a concept"),
    "step": gettext_lazy("Link a life-event step"),
    "activity": gettext_lazy("Link an activity"),
}


@login_required
def item_add(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    initiative = access_initiative(request.user, pk, write=True)
    form = item_form(kind, initiative, _posted(request))
    if form is None:
        raise Http404

    def add() -> None:
        form.apply(initiative, request.user)

    if request.method == "POST" and _apply(form, add):
        messages.success(request, _("Saved."))
        return redirect(initiative)
    return render(request, "collaborations/item_form.html",
                  {"form": form, "initiative": initiative, "kind": kind,
                   "title": ITEM_TITLES[kind]})


@require_POST
@login_required
def item_remove(
    request: AuthenticatedHttpRequest, pk: int, kind: str, item_pk: int,
) -> HttpResponse:
    initiative = access_initiative(request.user, pk, write=True)
    if kind not in {*actions.REMOVABLE, "step", "activity"} or item_pk > MAX_ID:
        raise Http404
    try:
        actions.do_remove_item(initiative, kind, item_pk, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Removed."))
    return redirect(initiative)


EDIT_TITLES = {
    "goal": gettext_lazy("Edit shared goal"), "risk": gettext_lazy("Edit risk"),
    "decision": gettext_lazy("Correct a decision"),
}
EDIT_ACTIONS: dict[str, Callable[..., object]] = {
    "goal": actions.do_update_goal, "risk": actions.do_update_risk,
    "decision": actions.do_update_decision,
}


def _status(form: BaseForm) -> int:
    return 409 if EDIT_CONFLICT in form.non_field_errors() else 200


@login_required
def item_edit(request: AuthenticatedHttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk, write=True)
    if kind not in EDIT_FORMS or not 0 < item_pk <= MAX_ID:
        raise Http404
    form_class = EDIT_FORMS[kind]
    item = get_object_or_404(form_class._meta.model, pk=item_pk, initiative=initiative)
    form = form_class(_posted(request), instance=form_class._meta.model.objects.get(pk=item.pk),
                      initial={"version": item.version})

    def update() -> None:
        EDIT_ACTIONS[kind](item, acting_user=request.user,
                           expected_version=form.cleaned_data.get("version"),
                           **edit_values(form))

    if request.method == "POST" and _apply(form, update):
        messages.success(request, _("Saved."))
        return redirect(initiative)
    return render(request, "collaborations/item_form.html",
                  {"form": form, "initiative": initiative, "kind": kind, "editing": True,
                   "title": EDIT_TITLES[kind]}, status=_status(form))


# --- Statements and alignment --------------------------------------------------------------


@login_required
def statement_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    organisations = statement_organisations(request.user, initiative)
    if not organisations.exists():
        raise PermissionDenied
    form = StatementForm(_posted(request), organisations=organisations)

    def add() -> None:
        actions.do_add_statement(initiative, acting_user=request.user, **form.cleaned_data)

    if request.method == "POST" and _apply(form, add):
        messages.success(request, _("Saved."))
        return redirect("collaborations:alignment", initiative.pk)
    return render(request, "collaborations/statement_form.html",
                  {"form": form, "initiative": initiative})


@login_required
def statement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = access_statement(request.user, pk, write=True)
    form = StatementEditForm(_posted(request), instance=Statement.objects.get(pk=pk),
                             initial={"version": statement.version})

    def update() -> None:
        # The partner's own edit; a draft recorded on its behalf is confirmed by it.
        do_update_statement_as_partner(statement, acting_user=request.user,
                                       expected_version=form.cleaned_data.get("version"),
                                       **edit_values(form))

    if request.method == "POST" and _apply(form, update):
        messages.success(request, _("Saved."))
        return redirect("collaborations:alignment", statement.initiative_id)
    return render(request, "collaborations/statement_form.html",
                  {"form": form, "initiative": statement.initiative, "statement": statement},
                  status=_status(form))


@require_POST
@login_required
def statement_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = access_statement(request.user, pk, write=True)
    actions.do_remove_statement(statement, acting_user=request.user)
    messages.success(request, _("Removed."))
    return redirect("collaborations:alignment", statement.initiative_id)


def _goal_text(goal: Goal) -> str:
    return " ".join([goal.title, goal.indicator, goal.target])


def _matrix(initiative: Initiative, user: Any) -> list[dict[str, Any]]:
    goals = list(initiative.goals.all())
    statements = initiative.statements.select_related("organisation").prefetch_related(
        Prefetch("alignments", queryset=Alignment.objects.select_related("set_by")))
    rows = []
    for statement in statements:
        statement.initiative = initiative
        set_stances = {a.goal_id: a for a in statement.alignments.all()}
        cells = []
        for goal in goals:
            cells.append({
                "goal": goal,
                "alignment": set_stances.get(goal.pk),
                "suggestion": analysis.suggest(statement.text, statement.kind,
                                               _goal_text(goal)),
            })
        rows.append({"statement": statement, "cells": cells,
                     "can_set": can_set_alignment(user, statement),
                     "can_remove": can_speak_for(user, initiative, statement.organisation)})
    return rows


@login_required
def alignment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    if request.method == "POST":
        form = AlignmentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose supports, neutral or conflicts."))
            return redirect("collaborations:alignment", pk)
        statement = get_object_or_404(Statement, pk=form.cleaned_data["statement"],
                                      initiative=initiative)
        if not can_set_alignment(request.user, statement):
            raise PermissionDenied
        goal = get_object_or_404(Goal, pk=form.cleaned_data["goal"], initiative=initiative)
        actions.do_set_alignment(statement, goal, form.cleaned_data["stance"],
                                 acting_user=request.user)
        messages.success(request, _("Saved."))
        return redirect(f"{initiative.get_absolute_url()}samstammighet/#s{statement.pk}")
    context = {
        "initiative": initiative,
        "goals": initiative.goals.all(),
        "rows": _matrix(initiative, request.user),
        "stances": Alignment.Stance.choices,
        "conflicts": _conflict_count(initiative),
        "can_add_statement": statement_organisations(request.user, initiative).exists(),
        "lead": initiative.partners.filter(role=Partner.Role.LEAD).first(),
    }
    return render(request, "collaborations/alignment.html", context)
