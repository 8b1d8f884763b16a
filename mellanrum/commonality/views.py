from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.collaborations.access import can_create_initiative
from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.kolada import analysis as kolada_analysis
from mellanrum.landscape import access as landscape_access
from mellanrum.landscape.models import Activity, Arrangement, Category, Nature, Organisation
from mellanrum.lib.charts import Viewer, bar_chart_url
from mellanrum.lib.tables import Formatted, url_maker

from . import actions, analysis, export, starter
from .access import (
    access_concept,
    access_learned_rule,
    access_synonym_set,
    can_decide,
    can_delete_synonyms,
    require_decide,
    require_read,
)
from .analysis import Scope
from .forms import MergeForm, RenameForm, RunForm, SplitForm, StarterRowForm, SynonymSetForm
from .models import (
    AnalysisRun,
    Concept,
    Decision,
    LearnedRule,
    Membership,
    Opportunity,
    SynonymSet,
)

MATRIX_CONCEPTS = 60
OPPORTUNITIES_PER_PAGE = 50
INCLUDE_CANDIDATES = 20
MAYBE_SAME = 5
LEARNED_SHOWN = 500


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
    return render(request, template, _run_context(run) | _back_to_concept(request, run))


def _back_to_concept(request: HttpRequest, run: AnalysisRun) -> dict[str, Any]:
    """After a decision: the concept it was about, once the rerun is done and it still exists."""
    concept_id = request.GET.get("concept", "")
    if not concept_id or len(concept_id) > 64 or not concept_id.isprintable():
        return {"concept_param": ""}
    context: dict[str, Any] = {"concept_param": concept_id}
    if run.status == AnalysisRun.Status.DONE:
        context["back_to"] = Concept.objects.filter(run=run, concept_id=concept_id).first()
    return context


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
    columns, symbols = analysis.matrix(run, organisations)
    titles = {symbol: label for symbol, label in _arrangement_legend()}
    rows = [(concept, [None if cell is None else (cell, titles.get(cell, "")) for cell in cells])
            for concept, cells in symbols]
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
        "forms": _arrangement_legend(),
        "counties": in_run.exclude(county_code="").order_by("county_code")
        .values_list("county_code", "county_name").distinct(),
    }
    return render(request, "commonality/matrix.html", context)


def _opportunity_filters(request: AuthenticatedHttpRequest, run: AnalysisRun
                         ) -> tuple[Any, dict[str, Any]]:
    """The filtered opportunities and what the filter form shows."""
    queryset = Opportunity.objects.filter(concept__run=run).select_related("concept")
    get = request.GET
    area = get.get("area", "").replace("\x00", "")[:16]
    nature = get.get("nature", "")
    status = get.get("status", "")
    association = get.get("association", "").replace("\x00", "")[:32]
    if area:
        queryset = queryset.filter(concept__area=area)
    if nature in Nature.values:
        queryset = queryset.filter(concept__nature=nature)
    if status in Opportunity.Status.values:
        queryset = queryset.filter(status=status)
    associations = Organisation.objects.filter(kind=Organisation.Kind.ASSOCIATION).order_by("name")
    chosen_association = associations.filter(code=association).first() if association else None
    if chosen_association is not None:
        members = list(chosen_association.members.values_list("pk", flat=True))
        queryset = queryset.filter(
            concept__memberships__activity__organisation__in=members).distinct()
    own = getattr(request.user, "organisation", None)
    can_limit = own is not None and own.kind == "municipality"
    only_similar = can_limit and get.get("similar") == "1"
    if only_similar:
        queryset = queryset.filter(pk__in=_with_my_similar(queryset, own))
    areas = Category.objects.filter(
        code__in=Concept.objects.filter(run=run).exclude(area="").values("area")
    ).order_by("code")
    query = get.copy()
    query.pop("page", None)
    form = {
        "area": area, "nature": nature, "status": status, "association": association,
        "areas": areas, "natures": Nature.choices, "statuses": Opportunity.Status.choices,
        "associations": associations, "can_limit": can_limit, "only_similar": only_similar,
        "query": query.urlencode(),
    }
    return queryset.order_by("rank"), form


@login_required
def opportunities(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_read(request.user)
    run = _require_current(request)
    if run is None:
        return redirect("commonality:overview")
    queryset, form = _opportunity_filters(request, run)
    page = Paginator(queryset, OPPORTUNITIES_PER_PAGE).get_page(request.GET.get("page"))
    names = _organisation_names(page)
    for o in page:
        o.outside_names = [names.get(c, c) for c in o.outside]
    context = {"run": run, "page": page, "english": _english(), **form,
               "can_start": can_create_initiative(request.user),
               "can_decide": can_decide(request.user),
               "assumptions": analysis.CITIZEN_ASSUMPTIONS, "law_url": reverse("commonality:law")}
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


def _organisation_names(opportunities: Any) -> dict[str, str]:
    codes = {c for o in opportunities for c in o.outside}
    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))


@login_required
@require_POST
def rerank(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Rank the opportunities again with today's arrangements and natures (no regrouping)."""
    require_decide(request.user)
    count = actions.do_rerank_opportunities(acting_user=request.user)
    messages.success(request, _("The opportunities were ranked again with today's "
                                "arrangements and natures (%(count)s opportunities).")
                     % {"count": count})
    return redirect("commonality:opportunities")


@login_required
def opportunities_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_read(request.user)
    run = _require_current(request)
    if run is None:
        return redirect("commonality:overview")
    queryset, _form = _opportunity_filters(request, run)
    content = export.opportunities_xlsx(list(queryset), english=_english())
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="samverkansmojligheter.xlsx"'
    return response


@login_required
@require_POST
def start_initiative(request: AuthenticatedHttpRequest, concept_id: str) -> HttpResponse:
    concept = access_concept(request.user, concept_id)
    if not can_create_initiative(request.user):
        raise PermissionDenied
    try:
        initiative = actions.do_start_initiative(concept, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("commonality:opportunities")
    messages.success(request, _("The initiative was created with the concept linked and the "
                                "organisations added as partners."))
    return redirect(initiative)


@login_required
def law(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_read(request.user)
    english = _english()
    rows = [
        (Nature(key).label, sharing.factor,
         [Arrangement.Form(f).label for f in sharing.forms],
         sharing.en if english else sharing.sv)
        for key, sharing in analysis.SHARING.items()
    ]
    return render(request, "commonality/law.html", {"rows": rows})


# Above this many organisations a bar per organisation is unreadable (and costs ~1 s to draw):
# the chart shows how many organisations fall in each range instead; the table lists them all.
MAX_BARS = 40


# The stored distribution's points, in order, as the chart draws them for many organisations.
QUANTILES = (("minimum", "min"), ("p10", "p10"), ("q1", "q1"), ("median", "median"),
             ("q3", "q3"), ("p90", "p90"), ("maximum", "max"))


def _quantile_rows(stored: dict[str, Any]) -> list[tuple[str, float]]:
    """The engine's stored distribution as (point, value) rows: min, p10, q1, median, …"""
    return [(label, float(stored[key])) for key, label in QUANTILES
            if isinstance(stored.get(key), int | float)]


def _chart(rows: list[tuple[str, float]], stored: dict[str, Any] | None, value_title: str,
           bars_alt: str, quantiles_alt: str, viewer: Viewer) -> tuple[str, str]:
    if len(rows) <= MAX_BARS or not stored:
        return bar_chart_url(rows, viewer=viewer, category_title=_("Organisation"),
                             value_title=value_title), bars_alt
    url = bar_chart_url(_quantile_rows(stored), viewer=viewer,
                        category_title=_("Point of the distribution"), value_title=value_title)
    return url, quantiles_alt


def _per_thousand(fte: Any, volume: Any) -> float | None:
    if fte is None or not volume:
        return None
    return float(fte) / float(volume) * 1000


def _figure_rows(concept: Concept, members: list[Any], viewer: Viewer,
                 whole: bool) -> dict[str, Any]:
    """Each organisation's figures (like with like: per inhabitant, per case, staff per 1,000
    cases, lead time) and charts; with `whole` (every member shown) a chart of many
    organisations draws the distribution the analysis stored."""
    compare = sorted(
        ((m.activity.organisation.name, m.activity.cost_per_inhabitant, m.activity.cost_per_case,
          _per_thousand(m.activity.fte, m.activity.volume_per_year), m.activity.volume_unit,
          m.activity.pk)
         for m in members
         if m.activity.annual_cost_sek is not None or m.activity.fte is not None),
        key=lambda row: (row[0], row[5]),
    )
    costs = sorted(
        ((m.activity.organisation.name, float(m.activity.cost_per_inhabitant))
         for m in members if m.activity.cost_per_inhabitant is not None),
        key=lambda row: -row[1],
    )
    leads = sorted(
        ((m.activity.organisation.name, float(m.activity.lead_time_days),
          m.activity.lead_time_note)
         for m in members if m.activity.lead_time_days is not None),
        key=lambda row: -row[1],
    )
    stored = {name: concept.distribution(name) if whole else None
              for name in ("cost_per_inhabitant", "cost_per_case", "lead_time_days")}
    result: dict[str, Any] = {"compare": compare, "costs": costs, "leads": leads,
                              "measured_otherwise": [row for row in leads if row[2]],
                              "distributions": _distribution_rows(concept)}
    if costs:
        result["cost_chart"], result["cost_chart_alt"] = _chart(
            costs, stored["cost_per_inhabitant"], _("Cost per inhabitant (kr)"),
            _("Bar chart of the cost per inhabitant of each organisation; the figures are in "
              "the table below."),
            _("Bar chart of the distribution the analysis computed: lowest, 10th percentile, "
              "quartiles, median, 90th percentile and highest cost per inhabitant; the "
              "figures are in the tables below."), viewer,
        )
    if leads:
        result["lead_chart"], result["lead_chart_alt"] = _chart(
            [(name, value) for name, value, _note in leads], stored["lead_time_days"],
            _("Lead time (days)"),
            _("Bar chart of the median lead time of each organisation; the figures are in the "
              "table below."),
            _("Bar chart of the distribution the analysis computed: lowest, 10th percentile, "
              "quartiles, median, 90th percentile and highest lead time; the figures are in "
              "the tables below."), viewer,
        )
    return result


def _member_rows(members: list[Membership], can_choose: bool) -> list[SafeString]:
    """The rows of the members' table, written here rather than by the template: a concept
    has up to one member per organisation (hundreds), and the template language's lookups,
    filters and reverse() per cell made the table a third of the page's time. The HTML is
    the same, character for character, as the template wrote it
    (``commonality/_arrangement_cell.html`` still writes the rare cell with an arrangement)."""
    organisation_url = url_maker("landscape:organisation")
    activity_url = url_maker("landscape:activity")
    confidence = Formatted(2)
    choose = _("Choose %(name)s (%(org)s)")
    not_recorded = escape(_("Not recorded"))
    rows = []
    for m in members:
        a = m.activity
        organisation = a.organisation
        pk = str(a.pk)
        cells = ["\n    <tr>"]
        if can_choose:
            label = choose % {"name": escape(a.name), "org": escape(organisation.name)}
            cells.append(f'<td><input type="checkbox" id="choose-{pk}" name="activity" '
                         f'value="{pk}"><label for="choose-{pk}"><span class="visually-hidden">'
                         f"{label}</span></label></td>")
        evidence = ", ".join(str(escape(e)) for e in m.evidence) or "–"
        arrangement = getattr(m, "arrangement", None)
        cells.append(
            f'\n      <td><a href="{organisation_url(organisation.code)}">'
            f"{escape(organisation.name)}</a></td>"
            f'\n      <th scope="row"><a href="{activity_url(pk)}">{escape(a.name)}</a></th>'
            f'\n      <td class="num">{confidence(m.confidence)}</td>'
            f"\n      <td>{evidence}</td>"
            f"\n      <td>{escape(getattr(m, 'systems_text', '')) or '–'}</td>"
            f"\n      <td>{not_recorded if arrangement is None else _arrangement_cell(arrangement)}"
            "</td>\n    </tr>\n  "
        )
        rows.append(mark_safe("".join(cells)))  # noqa: S308 - every value is escaped above
    return rows


def _figure_table_rows(figures: dict[str, Any]) -> dict[str, list[SafeString]]:
    """The rows of the "compare like with like" and lead time tables, written here for the
    same reason as ``_member_rows`` (one row per organisation), the same as the template
    wrote them."""
    two, whole, one = Formatted("2g"), Formatted("0g"), Formatted("-1")
    compare = []
    for name, per_inhabitant, per_case, fte, unit, _pk in figures["compare"]:
        compare.append(mark_safe(  # noqa: S308 - every value is escaped or formatted here
            f'<tr><th scope="row">{escape(name)}</th>'
            f'<td class="num">{"–" if per_inhabitant is None else two(per_inhabitant)}</td>'
            f'<td class="num">{"–" if per_case is None else whole(per_case)}</td>'
            f'<td class="num">{"–" if fte is None else two(fte)}</td>'
            f"<td>{escape(unit) if unit else '–'}</td></tr>"))
    leads = [
        mark_safe(  # noqa: S308 - every value is escaped or formatted here
            f'<tr><th scope="row">{escape(name)}</th><td class="num">{one(value)}</td>'
            f"<td>{escape(note) if note else '–'}</td></tr>")
        for name, value, note in figures["leads"]
    ]
    return {"compare_rows": compare, "lead_rows": leads}


def _arrangement_cell(arrangement: Arrangement) -> str:
    return render_to_string("commonality/_arrangement_cell.html", {"r": arrangement}).strip()


def concept_chart_urls(concept: Concept, viewer: Viewer) -> list[str]:
    """The addresses of the charts the concept's page shows (every member, in the current
    language), for drawing them ahead (``core.predraw``). A private chart's key does not
    depend on who views it, only its address's signature does."""
    members = list(concept.memberships.select_related("activity__organisation"))
    figures = _figure_rows(concept, members, viewer, whole=True)
    return [figures[name] for name in ("cost_chart", "lead_chart") if name in figures]


def _distribution_rows(concept: Concept) -> list[dict[str, Any]]:
    """The distributions the engine computed and stored with the concept, for the table."""
    titles = {"cost_per_inhabitant": _("Cost per inhabitant (kr)"),
              "cost_per_case": _("Cost per case (kr)"),
              "lead_time_days": _("Lead time (days)")}
    rows = []
    for name, title in titles.items():
        stored = concept.distribution(name)
        if stored:
            rows.append({"title": title, **stored,
                         "outlier_count": len(stored.get("outliers") or [])})
    return rows


def _arrangement_legend() -> list[tuple[str, str]]:
    """(symbol, form) for the legend of the concept page and the matrix."""
    return [(Arrangement.SYMBOLS[value], str(label)) for value, label in Arrangement.Form.choices]


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
    arrangements = {a.activity_id: a for a in Arrangement.objects.filter(
        activity__concept_memberships__concept=concept).prefetch_related("partners")}
    for member in members:
        # The arrangement, for the template, carried on the membership itself.
        member.arrangement = arrangements.get(  # type: ignore[attr-defined]
            member.activity_id)
    decide = can_decide(request.user)
    q = request.GET.get("q", "").strip()[:100]
    figures = _figure_rows(concept, members, request.user, whole=not only_similar)
    others = (Concept.objects.filter(run=concept.run).exclude(pk=concept.pk).order_by("label")
              .values_list("concept_id", "label", "organisations"))
    context = {
        "concept": concept,
        "members": members,
        "member_rows": _member_rows(members, decide and len(members) > 1),
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
        "maybe_same": list(concept.candidates.select_related("other")
                           .order_by("position")[:MAYBE_SAME]),
        "forms": _arrangement_legend(),
        **figures,
        **_figure_table_rows(figures),
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


def _seen_run(value: str) -> int | None:
    """The run a decision form was made from; anything but a run number counts as stale."""
    if not value:
        return None
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0


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
            background=True,
            seen_run=_seen_run(request.POST.get("run", "")),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(concept)
    if run is not None and not run.is_finished:
        messages.success(request, _("Your decision was saved. The analysis is running again "
                                    "with it; this page shows when it is done."))
        return redirect(f"{reverse('commonality:run', args=[run.pk])}?"
                        f"{urlencode({'concept': concept_id})}")
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
    learned = LearnedRule.objects.select_related("decision__created_by").order_by("-pk")
    context = {
        "learned": list(learned[:LEARNED_SHOWN]),
        "learned_count": learned.count(),
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


@login_required
@require_POST
def learned_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = access_learned_rule(request.user, pk)
    actions.do_delete_learned_rule(rule, acting_user=request.user)
    messages.success(request, _("The learned pair was removed. The next analysis no longer "
                                "uses it."))
    return redirect("commonality:thesaurus")


# --- The starter catalogue -----------------------------------------------------------------


def _touched(data: QueryDict, item: starter.StarterConcept) -> bool:
    """Whether the visitor ticked or typed anything in a concept's row."""
    prefix = f"c{item.concept.pk}"
    if data.get(f"{prefix}-pick"):
        return True
    if any((data.get(f"{prefix}-{name}") or "").strip() for name in StarterRowForm.FIGURES):
        return True
    name = data.get(f"{prefix}-name")
    return name is not None and " ".join(name.split()) != item.name


def _starter_row(item: starter.StarterConcept, form: StarterRowForm | None) -> dict[str, Any]:
    """What the template shows of a row: the inputs are written out in the template rather
    than rendered by widget templates, and rows nobody touched need no form at all, so that
    a catalogue of some 300 concepts renders quickly."""
    prefix = f"c{item.concept.pk}"

    def value(name: str) -> Any:
        if form is None:
            return item.name if name == "name" else ""
        given = form[name].value()
        return "" if given is None else given

    def errors(name: str) -> list[str]:
        return [str(e) for e in form.errors.get(name, ())] if form is not None else []

    return {
        "item": item,
        "has_errors": bool(form is not None and form.errors),
        "pick": {"name": f"{prefix}-pick", "id": f"id_{prefix}-pick",
                 "checked": bool(value("pick")) if form is not None else False,
                 "errors": errors("pick"), "label": StarterRowForm.base_fields["pick"].label},
        "fields": [
            {"name": f"{prefix}-{name}", "id": f"id_{prefix}-{name}",
             "label": StarterRowForm.base_fields[name].label, "value": value(name),
             "errors": errors(name), "is_name": name == "name"}
            for name in ("name", *StarterRowForm.FIGURES)
        ],
    }


@login_required
def starter_catalogue(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    organisation = landscape_access.access_organisation(request.user, code, write=True)
    run = analysis.current_run()
    data = _posted(request)
    problems: list[str] = []
    if data is not None and data.get("run", "") != (str(run.pk) if run else ""):
        problems.append(_("The shared concepts were updated after you opened the page. "
                          "Check your choices again below."))
        data = None
    areas = starter.catalogue(run, organisation) if run is not None else []
    offered = {item.concept.pk: item for area in areas for item in area.concepts
               if not item.present}
    forms = {
        pk: StarterRowForm(data, prefix=f"c{pk}", initial={"name": item.name})
        for pk, item in offered.items() if data is not None and _touched(data, item)
    }
    if data is not None:
        valid = all([form.is_valid() for form in forms.values()])  # every row, for every error
        picks = [
            actions.StarterPick(
                concept_id=offered[pk].concept.concept_id,
                name=form.cleaned_data["name"],
                annual_cost_sek=form.cleaned_data["annual_cost_sek"],
                volume_per_year=form.cleaned_data["volume_per_year"],
                lead_time_days=form.cleaned_data["lead_time_days"],
            )
            for pk, form in forms.items() if valid and form.cleaned_data.get("pick")
        ]
        if valid:
            try:
                created = actions.do_start_from_catalogue(
                    organisation, picks, acting_user=request.user
                )
            except ValidationError as exc:
                problems.extend(exc.messages)
            else:
                messages.success(request, ngettext(
                    "%(count)s activity was added from the starter catalogue.",
                    "%(count)s activities were added from the starter catalogue.",
                    len(created),
                ) % {"count": len(created)})
                return redirect(organisation)
    rows = {pk: _starter_row(item, forms.get(pk)) for pk, item in offered.items()}
    context = {
        "organisation": organisation,
        "run": run,
        "areas": [
            (area, [(item, rows.get(item.concept.pk)) for item in area.concepts])
            for area in areas
        ],
        "problems": problems,
        "field_errors": [
            (row["item"].name, field)
            for row in rows.values() for field in [row["pick"], *row["fields"]]
            if field["errors"]
        ],
        "present_count": sum(1 for area in areas for item in area.concepts if item.present),
        "offered_count": len(offered),
    }
    status = 400 if data is not None or problems else 200
    return render(request, "commonality/starter_catalogue.html", context, status=status)
