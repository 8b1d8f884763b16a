"""The concept page: its members, figures and charts, and the decisions people take on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.core.page_cache import cached_page
from mellanrum.kolada import analysis as kolada_analysis
from mellanrum.landscape.models import Activity, Arrangement
from mellanrum.lib.charts import Viewer, bar_chart_url
from mellanrum.lib.tables import Formatted, text, url_maker

from . import actions, analysis
from .access import (
    access_concept,
    can_decide,
)
from .analysis import Scope
from .forms import MergeForm, RenameForm, SplitForm
from .models import (
    AnalysisRun,
    Concept,
    Decision,
    Opportunity,
)
from .views import arrangement_legend, reader_is_english

INCLUDE_CANDIDATES = 20
UNSHOWN_ACTIVITY_FIELDS = ("description", "updated_at", "updated_by", "version", "created_at",
                           "legal_basis", "url")
MAYBE_SAME = 5


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


def _figure_rows(concept: Concept, members: list[Member], viewer: Viewer,
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


def _member_rows(members: list[Member], can_choose: bool) -> list[SafeString]:
    """The rows of the members' table, written here rather than by the template: a concept
    has up to one member per organisation (hundreds), and the template language's lookups,
    filters and reverse() per cell made the table a third of the page's time. The HTML is
    the same, character for character, as the template wrote it."""
    organisation_url = url_maker("landscape:organisation")
    activity_url = url_maker("landscape:activity")
    confidence = Formatted(2)
    choose = _("Choose %(name)s (%(org)s)")
    not_recorded = text(_("Not recorded"))
    forms = {value: str(label) for value, label in Arrangement.Form.choices}
    rows = []
    for m in members:
        a = m.activity
        organisation = a.organisation
        pk = str(a.pk)
        cells = ["\n    <tr>"]
        if can_choose:
            label = choose % {"name": text(a.name), "org": text(organisation.name)}
            cells.append(f'<td><input type="checkbox" id="choose-{pk}" name="activity" '
                         f'value="{pk}"><label for="choose-{pk}"><span class="visually-hidden">'
                         f"{label}</span></label></td>")
        evidence = ", ".join(text(e) for e in m.evidence) or "–"
        arrangement = m.arrangement
        cells.append(
            f'\n      <td><a href="{organisation_url(organisation.code)}">'
            f"{text(organisation.name)}</a></td>"
            f'\n      <th scope="row"><a href="{activity_url(pk)}">{text(a.name)}</a></th>'
            f'\n      <td class="num">{confidence(m.confidence)}</td>'
            f"\n      <td>{evidence}</td>"
            f"\n      <td>{text(m.systems_text) or '–'}</td>"
            "\n      <td>"
            f"{not_recorded if arrangement is None else _arrangement_cell(arrangement, forms)}"
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
            f'<tr><th scope="row">{text(name)}</th>'
            f'<td class="num">{"–" if per_inhabitant is None else two(per_inhabitant)}</td>'
            f'<td class="num">{"–" if per_case is None else whole(per_case)}</td>'
            f'<td class="num">{"–" if fte is None else two(fte)}</td>'
            f"<td>{text(unit) if unit else '–'}</td></tr>"))
    leads = [
        mark_safe(  # noqa: S308 - every value is escaped or formatted here
            f'<tr><th scope="row">{text(name)}</th><td class="num">{one(value)}</td>'
            f"<td>{text(note) if note else '–'}</td></tr>")
        for name, value, note in figures["leads"]
    ]
    return {"compare_rows": compare, "lead_rows": leads}


def _arrangement_cell(arrangement: _Arrangement, forms: dict[str, str]) -> str:
    """A member's arrangement: its symbol, form, partners, end date and whether it is
    illustrative, as the template ``_arrangement_cell.html`` wrote it (one render per member
    with an arrangement was a tenth of the page's time)."""
    form = arrangement.form
    cell = [f'<span class="arrangement-symbol" aria-hidden="true">'
            f"{text(Arrangement.SYMBOLS.get(form, '?'))}</span> {text(forms.get(form, form))}"]
    if arrangement.partners:
        cell.append(f" ({', '.join(text(name) for name in arrangement.partners)})")
    end = arrangement.end_date
    if end:
        cell.append(" – " + _("until %(date)s") % {
            "date": f"{end.year:04d}-{end.month:02d}-{end.day:02d}"})
    if arrangement.is_illustrative:
        cell.append(f' <span class="badge">{text(_("illustrative"))}</span>')
    return "".join(cell).strip()


def concept_chart_urls(concept: Concept, viewer: Viewer) -> list[str]:
    """The addresses of the charts the concept's page shows (every member, in the current
    language), for drawing them ahead (``core.predraw``). A private chart's key does not
    depend on who views it, only its address's signature does."""
    figures = _figure_rows(concept, _members_with_systems(concept), viewer, whole=True)
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


class _Organisation:
    """What the concept page shows of a member's organisation."""

    __slots__ = ("code", "name", "pk", "population")

    def __init__(self, pk: int, code: str, name: str, population: int | None) -> None:
        self.pk, self.code, self.name, self.population = pk, code, name, population


class _Activity:
    """What the concept page shows of a member activity, with the figures computed as
    ``landscape.Activity`` computes them."""

    __slots__ = ("annual_cost_sek", "fte", "lead_time_days", "lead_time_note", "name",
                 "organisation", "pk", "volume_per_year", "volume_unit")

    def __init__(self, pk: int, name: str, organisation: _Organisation,
                 annual_cost_sek: Decimal | None, volume_per_year: Decimal | None,
                 volume_unit: str, fte: Decimal | None, lead_time_days: Decimal | None,
                 lead_time_note: str) -> None:
        self.pk, self.name, self.organisation = pk, name, organisation
        self.annual_cost_sek, self.volume_per_year = annual_cost_sek, volume_per_year
        self.volume_unit, self.fte = volume_unit, fte
        self.lead_time_days, self.lead_time_note = lead_time_days, lead_time_note

    @property
    def cost_per_inhabitant(self) -> Decimal | None:  # as Activity's
        population = self.organisation.population
        if self.annual_cost_sek is None or not population:
            return None
        return (self.annual_cost_sek / population).quantize(Decimal("0.01"))

    @property
    def cost_per_case(self) -> Decimal | None:  # as Activity's
        if self.annual_cost_sek is None or not self.volume_per_year:
            return None
        return (self.annual_cost_sek / self.volume_per_year).quantize(Decimal("1"))


class Member:
    """A member of the concept as its page shows it (read as plain values: a concept can have
    hundreds of members, and three model instances per member were a third of the page's
    time). ``activity`` and ``activity.organisation`` have the attributes of the models' that
    the page uses."""

    __slots__ = ("activity", "activity_id", "arrangement", "confidence", "evidence",
                 "systems_text")

    def __init__(self, activity: _Activity, confidence: float, evidence: list[str]) -> None:
        self.activity, self.activity_id = activity, activity.pk
        self.confidence, self.evidence = confidence, evidence
        self.systems_text = ""
        self.arrangement: _Arrangement | None = None


MEMBER_FIELDS = (
    "confidence", "evidence", "activity_id", "activity__name", "activity__annual_cost_sek",
    "activity__volume_per_year", "activity__volume_unit", "activity__fte",
    "activity__lead_time_days", "activity__lead_time_note", "activity__organisation_id",
    "activity__organisation__code", "activity__organisation__name",
    "activity__organisation__population",
)


def _members_with_systems(concept: Concept) -> list[Member]:
    """The concept's members (in the memberships' order), each with ``systems_text``: its IT
    systems, comma-separated.

    Plain values, and one query for all the systems rather than a prefetch, which would build
    a model instance per system. Only the fields the page shows are read: an edit of the
    others (an activity's description, say) then leaves the page valid in the shared page
    cache (core/page_cache.py).
    """
    organisations: dict[int, _Organisation] = {}
    members = []
    for (confidence, evidence, pk, name, cost, volume, unit, fte, lead, note, organisation_id,
         code, organisation_name, population) in concept.memberships.values_list(
            *MEMBER_FIELDS):
        organisation = organisations.get(organisation_id)
        if organisation is None:
            organisation = organisations[organisation_id] = _Organisation(
                organisation_id, code, organisation_name, population)
        members.append(Member(_Activity(pk, name, organisation, cost, volume, unit, fte, lead,
                                        note), confidence, evidence))
    products: dict[int, list[str]] = {}
    for activity_id, product in (
        Activity.systems.through.objects.filter(activity__concept_memberships__concept=concept)
        .order_by("itsystem__product", "itsystem__vendor")
        .values_list("activity_id", "itsystem__product")
    ):
        products.setdefault(activity_id, []).append(product)
    for member in members:
        member.systems_text = ", ".join(products.get(member.activity_id, ()))
    return members


class _Arrangement:
    """What a member's cell "How it is done today" shows of its arrangement."""

    __slots__ = ("end_date", "form", "is_illustrative", "partners")

    def __init__(self, form: str, end_date: Any, is_illustrative: bool) -> None:
        self.form, self.end_date, self.is_illustrative = form, end_date, is_illustrative
        self.partners: list[str] = []


def _arrangements(concept: Concept) -> dict[int, _Arrangement]:
    """The members' arrangements by activity, with their partners' short names (or names) in
    the partners' order, read as plain values."""
    found: dict[int, _Arrangement] = {}
    ids: dict[int, _Arrangement] = {}
    for pk, activity_id, form, end_date, illustrative in Arrangement.objects.filter(
            activity__concept_memberships__concept=concept).order_by().values_list(
            "pk", "activity_id", "form", "end_date", "is_illustrative"):
        found[activity_id] = ids[pk] = _Arrangement(form, end_date, illustrative)
    if ids:
        for arrangement_id, short_name, name in (
                Arrangement.partners.through.objects.filter(arrangement_id__in=list(ids))
                .order_by("organisation__name", "organisation_id")  # Organisation's order
                .values_list("arrangement_id", "organisation__short_name",
                             "organisation__name")):
            ids[arrangement_id].partners.append(short_name or name)
    return found


@login_required
@cached_page
def concept_detail(request: AuthenticatedHttpRequest, concept_id: str) -> HttpResponse:
    concept = access_concept(request.user, concept_id)
    members = _members_with_systems(concept)
    mine = kolada_analysis.my_similar(getattr(request.user, "organisation", None),
                                      concept.concept_id, concept.label)
    only_similar = mine is not None and request.GET.get("similar") == "1"
    if mine is not None and only_similar:
        members = [m for m in members if m.activity.organisation.code in mine[1]]
    arrangements = _arrangements(concept)
    for member in members:
        member.arrangement = arrangements.get(member.activity_id)
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
        "english": reader_is_english(),
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
        "forms": arrangement_legend(),
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
