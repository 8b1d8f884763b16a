from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.collaborations.access import can_create_initiative
from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.core.page_cache import cached_page
from mellanrum.kolada import analysis as kolada_analysis
from mellanrum.landscape import access as landscape_access
from mellanrum.landscape.models import Arrangement, Category, Nature, Organisation

from . import actions, analysis, export, starter, starting_actions
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
from .forms import RunForm, StarterRowForm, SynonymSetForm
from .models import (
    AnalysisRun,
    Concept,
    LearnedRule,
    Opportunity,
    SynonymSet,
)

MATRIX_CONCEPTS = 60
OPPORTUNITIES_PER_PAGE = 50
LEARNED_SHOWN = 500


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def arrangement_legend() -> list[tuple[str, str]]:
    """(symbol, form) for the legend of the concept page and the matrix."""
    return [(Arrangement.SYMBOLS[value], str(label)) for value, label in Arrangement.Form.choices]


def reader_is_english() -> bool:
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
@cached_page
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
        "english": reader_is_english(),
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
               "can_decide": True, "opportunities": [], "english": reader_is_english(),
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
    titles = {symbol: label for symbol, label in arrangement_legend()}
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
        "forms": arrangement_legend(),
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
@cached_page
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
    context = {"run": run, "page": page, "english": reader_is_english(), **form,
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
    content = export.opportunities_xlsx(list(queryset), english=reader_is_english())
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
        initiative = starting_actions.do_start_initiative(concept, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("commonality:opportunities")
    messages.success(request, _("The initiative was created with the concept linked and the "
                                "organisations added as partners."))
    return redirect(initiative)


@login_required
def law(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_read(request.user)
    english = reader_is_english()
    rows = [
        (Nature(key).label, sharing.factor,
         [Arrangement.Form(f).label for f in sharing.forms],
         sharing.en if english else sharing.sv)
        for key, sharing in analysis.SHARING.items()
    ]
    return render(request, "commonality/law.html", {"rows": rows})


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
            starting_actions.StarterPick(
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
                created = starting_actions.do_start_from_catalogue(
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
