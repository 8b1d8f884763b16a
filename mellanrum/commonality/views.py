from __future__ import annotations

from typing import Any

import numpy
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.kolada import analysis as kolada_analysis
from mellanrum.landscape.models import Activity, Organisation
from mellanrum.lib.charts import Viewer, bar_chart_url

from . import actions, analysis
from .access import (
    access_concept,
    access_synonym_set,
    can_decide,
    can_delete_synonyms,
    require_decide,
    require_read,
)
from .analysis import Scope
from .forms import MergeForm, RenameForm, RunForm, SplitForm, SynonymSetForm
from .models import AnalysisRun, Concept, Decision, Membership, Opportunity, SynonymSet

MATRIX_CONCEPTS = 60
OPPORTUNITIES_PER_PAGE = 50
INCLUDE_CANDIDATES = 20


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _english() -> bool:
    return (get_language() or "sv").startswith("en")


def _run_context(run: AnalysisRun | None) -> dict[str, Any]:
    if run is None:
        return {"run": None}
    stage, done, total = actions.live_progress(run)
    return {
        "run": run,
        "stage_label": AnalysisRun.Stage(stage).label if stage in AnalysisRun.Stage.values
        else stage,
        "progress_done": done,
        "progress_total": total,
        "percent": min(100, round(100 * done / total)) if total else 0,
    }


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_read(request.user)
    current = analysis.current_run()
    latest = AnalysisRun.objects.order_by("-created_at", "-pk").first()
    opportunities = (
        Opportunity.objects.filter(concept__run=current).select_related("concept")[:10]
        if current else []
    )
    context = {
        "current": current,
        "latest": latest if latest != current else None,
        **_run_context(latest),
        "can_decide": can_decide(request.user),
        "form": RunForm(),
        "on_cluster": bool(analysis.cluster_address()),
        "opportunities": opportunities,
        "english": _english(),
    }
    return render(request, "commonality/overview.html", context)


@login_required
@require_POST
def start_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_decide(request.user)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = actions.do_start_analysis(
                Scope.of(**form.scope_arguments()), acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("commonality:run", pk=run.pk)
    current = analysis.current_run()
    context: dict[str, Any] = {"current": current, "latest": None, "run": None, "form": form,
               "can_decide": True, "opportunities": [], "english": _english(),
               "on_cluster": bool(analysis.cluster_address())}
    return render(request, "commonality/overview.html", context, status=400)


@login_required
def run_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_read(request.user)
    run = get_object_or_404(AnalysisRun, pk=pk)
    template = "commonality/run_status.html"
    if request.headers.get("HX-Request"):
        template = "commonality/_run_progress.html"
    return render(request, template, _run_context(run))


def _require_current(request: HttpRequest) -> AnalysisRun | None:
    run = analysis.current_run()
    if run is None:
        messages.info(request, _("No analysis has been run yet."))
    return run


@login_required
def matrix(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_read(request.user)
    run = _require_current(request)
    if run is None:
        return redirect("commonality:overview")
    organisations = Organisation.objects.all()
    # NUL is dropped: PostgreSQL cannot compare text with it, and no code contains one.
    if county := request.GET.get("county", "").replace("\x00", ""):
        organisations = organisations.filter(county_code=county)
    if chosen := [c for c in request.GET.getlist("organisation") if c and "\x00" not in c]:
        organisations = organisations.filter(code__in=chosen)
    columns, rows = analysis.matrix(run, organisations)
    page = Paginator(rows, MATRIX_CONCEPTS).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    in_run = Organisation.objects.filter(
        activities__concept_memberships__concept__run=run
    ).distinct().order_by("name")
    context = {
        "run": run,
        "columns": columns,
        "page": page,
        "query": query.urlencode(),
        "county": county,
        "chosen": chosen,
        "organisations": in_run,
        "counties": in_run.exclude(county_code="").order_by("county_code")
        .values_list("county_code", "county_name").distinct(),
    }
    return render(request, "commonality/matrix.html", context)


@login_required
def opportunities(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_read(request.user)
    run = _require_current(request)
    if run is None:
        return redirect("commonality:overview")
    queryset = Opportunity.objects.filter(concept__run=run).select_related("concept")
    own = getattr(request.user, "organisation", None)
    can_limit = own is not None and own.kind == "municipality"
    only_similar = can_limit and request.GET.get("similar") == "1"
    if only_similar:
        queryset = queryset.filter(pk__in=_with_my_similar(queryset, own))
    page = Paginator(queryset, OPPORTUNITIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"run": run, "page": page, "english": _english(),
               "query": "similar=1" if only_similar else "", "can_limit": can_limit,
               "only_similar": only_similar}
    return render(request, "commonality/opportunities.html", context)


def _with_my_similar(opportunities: Any, own: Any) -> list[int]:
    """Opportunities in which at least one of Kolada's similar municipalities of ``own`` (for
    the area that fits the concept) takes part."""
    keep = []
    for opportunity in opportunities:
        concept = opportunity.concept
        mine = kolada_analysis.my_similar(own, concept.concept_id, concept.label)
        if mine is None:
            continue
        if concept.memberships.filter(
            activity__organisation__code__in=mine[1] - {own.code}
        ).exists():
            keep.append(opportunity.pk)
    return keep


# Above this many organisations a bar per organisation is unreadable (and costs ~1 s to draw):
# the chart shows how many organisations fall in each range instead; the table lists them all.
MAX_BARS = 40


def _band(value: float, step: float) -> str:
    """A range's edge as the interface language writes numbers (1 234,5 in Swedish)."""
    digits = 0 if step >= 1 else 1 if step >= 0.1 else 2
    return number_format(round(value, digits), decimal_pos=digits, force_grouping=True)


def _histogram_rows(values: list[float]) -> list[tuple[str, float]]:
    """(range label, number of organisations) in ascending ranges of equal width."""
    edges = numpy.histogram_bin_edges(values, bins=min(20, max(5, len(values) // 15)))
    counts, _edges = numpy.histogram(values, bins=edges)
    step = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
    return [
        (f"{_band(float(low), step)}–{_band(float(high), step)}", float(count))
        for low, high, count in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def _chart(rows: list[tuple[str, float]], value_title: str, bars_alt: str, histogram_alt: str,
           viewer: Viewer) -> tuple[str, str]:
    if len(rows) <= MAX_BARS:
        return bar_chart_url(rows, viewer=viewer, category_title=_("Organisation"),
                             value_title=value_title), bars_alt
    url = bar_chart_url(
        _histogram_rows([value for _name, value in rows]), viewer=viewer,
        category_title=value_title, value_title=_("Number of organisations"),
    )
    return url, histogram_alt


def _figure_rows(concept: Concept, members: list[Any], viewer: Viewer) -> dict[str, Any]:
    costs = sorted(
        ((m.activity.organisation.name, float(m.activity.cost_per_inhabitant))
         for m in members if m.activity.cost_per_inhabitant is not None),
        key=lambda row: -row[1],
    )
    leads = sorted(
        ((m.activity.organisation.name, float(m.activity.lead_time_days))
         for m in members if m.activity.lead_time_days is not None),
        key=lambda row: -row[1],
    )
    result: dict[str, Any] = {"costs": costs, "leads": leads}
    if costs:
        result["cost_chart"], result["cost_chart_alt"] = _chart(
            costs, _("Cost per inhabitant (kr)"),
            _("Bar chart of the cost per inhabitant of each organisation; the figures are in "
              "the table below."),
            _("Histogram: how many organisations have a cost per inhabitant in each range; "
              "each organisation's figure is in the table below."), viewer,
        )
    if leads:
        result["lead_chart"], result["lead_chart_alt"] = _chart(
            leads, _("Lead time (days)"),
            _("Bar chart of the median lead time of each organisation; the figures are in the "
              "table below."),
            _("Histogram: how many organisations have a median lead time in each range; each "
              "organisation's figure is in the table below."), viewer,
        )
    return result


def _include_candidates(concept: Concept, q: str) -> list[Activity]:
    if not q:
        return []
    return list(
        analysis.activities_in(Scope.from_json(concept.run.scope))
        .filter(name__icontains=q)
        .exclude(concept_memberships__concept=concept)
        .select_related("organisation")
        .order_by("organisation__name", "name")[:INCLUDE_CANDIDATES]
    )


def _members_with_systems(concept: Concept) -> list[Membership]:
    """The concept's members, each with ``systems_text``: its IT systems, comma-separated.

    One query for all the systems rather than a prefetch, which would build a model instance
    per system: a concept can have hundreds of members.
    """
    members = list(concept.memberships.select_related("activity__organisation"))
    products: dict[int, list[str]] = {}
    for activity_id, product in (
        Activity.systems.through.objects.filter(activity__concept_memberships__concept=concept)
        .order_by("itsystem__product", "itsystem__vendor")
        .values_list("activity_id", "itsystem__product")
    ):
        products.setdefault(activity_id, []).append(product)
    for member in members:
        # A display text for the template, carried on the membership itself.
        member.systems_text = ", ".join(  # type: ignore[attr-defined]
            products.get(member.activity_id, ()))
    return members


@login_required
def concept_detail(request: AuthenticatedHttpRequest, concept_id: str) -> HttpResponse:
    concept = access_concept(request.user, concept_id)
    members = _members_with_systems(concept)
    mine = kolada_analysis.my_similar(getattr(request.user, "organisation", None),
                                      concept.concept_id, concept.label)
    only_similar = mine is not None and request.GET.get("similar") == "1"
    if mine is not None and only_similar:
        members = [m for m in members if m.activity.organisation.code in mine[1]]
    decide = can_decide(request.user)
    q = request.GET.get("q", "").strip()[:100]
    others = (Concept.objects.filter(run=concept.run).exclude(pk=concept.pk).order_by("label")
              .values_list("concept_id", "label", "organisations"))
    context = {
        "concept": concept,
        "members": members,
        "variants": sorted({m.activity.name for m in members}),
        "systems": sorted(concept.systems.items(), key=lambda kv: (-kv[1], kv[0])),
        "opportunity": Opportunity.objects.filter(concept=concept).first(),
        "english": _english(),
        "can_decide": decide,
        "can_choose": decide and len(members) > 1,  # to split off or move out
        "decisions": Decision.objects.filter(concept_id=concept.concept_id)
        .select_related("created_by").order_by("-pk")[:20],
        "q": q,
        "similar_area": mine[0] if mine else None,
        "only_similar": only_similar,
        "decide_url": reverse("commonality:decide", args=[concept.concept_id]),
        **_figure_rows(concept, members, request.user),
    }
    if decide:
        context |= {
            "candidates": _include_candidates(concept, q),
            "rename_form": RenameForm(initial={"label": concept.label}),
            "split_form": SplitForm(auto_id="split_%s"),  # the rename form has a label too
            "merge_form": MergeForm(choices=[
                (concept_id, f"{label} ({organisations})")
                for concept_id, label, organisations in others
            ]),
        }
    return render(request, "commonality/concept_detail.html", context)


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, concept_id: str) -> HttpResponse:
    concept = access_concept(request.user, concept_id, write=True)
    kind = request.POST.get("kind", "")
    try:
        _decision, run = actions.do_record_decision(
            concept,
            kind,
            acting_user=request.user,
            activity_ids=request.POST.getlist("activity"),
            other_concept_ids=request.POST.getlist("other"),
            label=request.POST.get("label", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(concept)
    if run is not None and run.status == AnalysisRun.Status.FAILED:
        messages.warning(request, _("Your decision was saved, but the analysis could not be "
                                    "rerun: %(message)s") % {"message": run.message})
    else:
        messages.success(request, _("Your decision was saved and the analysis was rerun. "
                                    "It will be respected in every later analysis too."))
    if Concept.objects.filter(run=analysis.current_run(), concept_id=concept_id).exists():
        return redirect("commonality:concept", concept_id=concept_id)
    return redirect("commonality:overview")


@login_required
def thesaurus(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_read(request.user)
    decide = can_decide(request.user)
    form = SynonymSetForm(_posted(request) if decide else None)
    if request.method == "POST":
        require_decide(request.user)
        if form.is_valid():
            actions.do_add_synonym_set(form.cleaned_data["terms"], acting_user=request.user)
            messages.success(request, _("The terms were saved. The next analysis uses them."))
            return redirect("commonality:thesaurus")
    sets = list(SynonymSet.objects.select_related("created_by").order_by("-pk"))
    context = {
        "sets": sets,
        "deletable": {s.pk for s in sets if can_delete_synonyms(request.user, s)},
        "form": form,
        "can_decide": decide,
    }
    return render(request, "commonality/thesaurus.html", context, status=400 if form.errors
                  else 200)


@login_required
@require_POST
def thesaurus_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    synonyms = access_synonym_set(request.user, pk, write=True)
    actions.do_delete_synonym_set(synonyms, acting_user=request.user)
    messages.success(request, _("The terms were deleted. The next analysis no longer uses them."))
    return redirect("commonality:thesaurus")
