from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.core import access as core_access
from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.models import Organisation
from mellanrum.landscape.spreadsheet import neutralise_formula
from mellanrum.lib.charts import PUBLIC, bar_chart_url
from mellanrum.lib.xlsx import active_sheet, safe_row

from . import actions, analysis, catalogue
from .forms import SyncForm
from .models import KoladaSync, KoladaValue

# A bar per organisation up to this many; beyond it the chart shows how values are distributed.
MAX_BARS = 40
BINS = 10
SORTS = {"name", "-name", "value", "-value"}


def kpi_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    synced = analysis.synced_kpis()
    synced_ids = {row["kpi_id"] for row in synced}
    found = catalogue.search(query, limit=100) if query else []
    return render(request, "kolada/kpi_index.html", {
        "query": query, "found": found, "synced": synced, "synced_ids": synced_ids,
    })


def _kpi(kpi_id: str) -> catalogue.Kpi:
    kpi = catalogue.catalogue().get(kpi_id.upper().replace("\x00", ""))
    if kpi is None:
        raise Http404(_("No such KPI in Kolada's catalogue."))
    return kpi


def _int(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def _clean(params: QueryDict) -> dict[str, str]:
    # No code holds a NUL character, and PostgreSQL refuses to compare text with one.
    return {key: params.get(key, "").replace("\x00", "") for key in params}


def _organisations(raw: QueryDict) -> tuple[QuerySet[Organisation], dict[str, Any]]:
    """The organisations the filters leave, and what each filter was set to."""
    params = _clean(raw)
    orgs = Organisation.objects.filter(
        kind__in=[Organisation.Kind.MUNICIPALITY, Organisation.Kind.REGION]
    )
    chosen: dict[str, Any] = {}
    if county := params.get("county", "")[:2]:
        orgs = orgs.filter(county_code=county)
        chosen["county"] = county
    if skr := params.get("skr", "")[:2]:
        orgs = orgs.filter(skr_group_code=skr)
        chosen["skr"] = skr
    if association := params.get("association", "")[:32]:
        orgs = orgs.filter(associations__code=association)
        chosen["association"] = association
    if similar := params.get("similar", "")[:8]:
        area = params.get("area", "övergripande")
        group = catalogue.similar_to(similar, area if area in catalogue.SIMILAR_AREAS else
                                     "övergripande")
        codes = [similar, *group.similar] if group else []
        orgs = orgs.filter(code__in=codes, kind=Organisation.Kind.MUNICIPALITY)
        chosen["similar"] = similar
        chosen["area"] = group.area if group else "övergripande"
        chosen["similar_group"] = group
    return orgs.distinct(), chosen


def _sorted(rows: list[analysis.Row], sort: str) -> list[analysis.Row]:
    if sort in {"value", "-value"}:
        present = sorted((r for r in rows if r.value is not None),
                         key=lambda r: (r.value, r.organisation.name),
                         reverse=sort == "-value")
        return present + sorted((r for r in rows if r.value is None),
                                key=lambda r: r.organisation.name)
    return sorted(rows, key=lambda r: r.organisation.name, reverse=sort == "-name")


def _table(request: HttpRequest, kpi: catalogue.Kpi) -> dict[str, Any]:
    years = analysis.years_of(kpi.id)
    year = _int(request.GET.get("year"))
    if year not in years:
        year = years[0] if years else None
    gender = request.GET.get("gender", "T")
    if gender not in {"T", "K", "M"}:
        gender = "T"
    sort = request.GET.get("sort", "-value")
    if sort not in SORTS:
        sort = "-value"
    kind = request.GET.get("kind", "")
    if kind not in {Organisation.Kind.MUNICIPALITY, Organisation.Kind.REGION}:
        kind = Organisation.Kind.REGION if kpi.municipality_type == "L" else (
            Organisation.Kind.MUNICIPALITY)
    orgs, chosen = _organisations(request.GET)
    # Municipalities and regions are never mixed in one table or spread.
    orgs = orgs.filter(kind=kind)
    rows = analysis.kpi_rows(kpi.id, year, gender, orgs) if year is not None else []
    rows = _sorted(rows, sort)
    return {"kpi": kpi, "years": years, "year": year, "gender": gender, "sort": sort,
            "kind": kind, "attribution": analysis.attribution(r.source for r in rows),
            "rows": rows, "chosen": chosen,
            "summary": analysis.summarise(r.value for r in rows if r.value is not None)}


def _edge(value: float) -> str:
    """A range's edge to four significant digits, as the interface language writes numbers."""
    rounded = Decimal(f"{value:.4g}")
    exponent = rounded.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return number_format(rounded, decimal_pos=places, force_grouping=True)


def _chart(context: dict[str, Any]) -> str | None:
    present = [r for r in context["rows"] if r.value is not None]
    if not present:
        return None
    title = context["kpi"].title
    if len(present) <= MAX_BARS:
        return bar_chart_url(
            [(r.organisation.name, r.value) for r in present], viewer=PUBLIC,
            category_title=_("Organisation"), value_title=f"{title} ({context['attribution']})",
        )
    low, high = min(r.value for r in present), max(r.value for r in present)
    width = (high - low) / BINS or 1.0
    counts = [0] * BINS
    for r in present:
        counts[min(BINS - 1, int((r.value - low) / width))] += 1
    bins = [(f"{_edge(low + i * width)} – {_edge(low + (i + 1) * width)}", counts[i])
            for i in range(BINS)]
    return bar_chart_url(
        bins, viewer=PUBLIC, category_title=title,
        value_title=_("Number of organisations (counted by Mellanrum from Kolada values)"),
    )


def kpi_detail(request: HttpRequest, kpi_id: str) -> HttpResponse:
    context = _table(request, _kpi(kpi_id))
    params = request.GET.copy()
    params.pop("sort", None)
    context.update({
        "chart": _chart(context),
        "bins": len([r for r in context["rows"] if r.value is not None]) > MAX_BARS,
        "params": request.GET,
        "query_without_sort": params.urlencode(),
        "query": request.GET.urlencode(),
        "filters": _filter_choices(),
        "areas": catalogue.SIMILAR_AREAS,
        "last_sync": KoladaValue.objects.filter(kpi_id=context["kpi"].id)
        .order_by("-changed_at").values_list("changed_at", flat=True).first(),
    })
    return render(request, "kolada/kpi_detail.html", context)


def _filter_choices() -> dict[str, Any]:
    regions = Organisation.objects.filter(kind=Organisation.Kind.REGION).order_by("county_code")
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    return {
        "counties": list(regions.values_list("county_code", "county_name")),
        "skr_groups": list(
            municipalities.exclude(skr_group_code="").order_by("skr_group_code")
            .values_list("skr_group_code", "skr_group_name").distinct()
        ),
        "associations": list(
            Organisation.objects.filter(kind=Organisation.Kind.ASSOCIATION)
            .order_by("name").values_list("code", "name")
        ),
        "municipalities": list(municipalities.order_by("name").values_list("code", "name")),
    }


EXPORT_COLUMNS = ["kpi", "municipality", "name", "year", "gender", "value", "status", "source"]


def _export_rows(context: dict[str, Any]) -> list[list[Any]]:
    return [
        [context["kpi"].id, analysis.kolada_code(r.organisation), r.organisation.name,
         context["year"], context["gender"], r.value, r.status, r.source or "Kolada"]
        for r in context["rows"]
    ]


def kpi_export(request: HttpRequest, kpi_id: str, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    context = _table(request, _kpi(kpi_id))
    rows = _export_rows(context)
    source = f"{context['attribution']} ({context['kpi'].id} {context['kpi'].title})"
    name = f"kolada-{context['kpi'].id}-{context['year'] or 'inga-varden'}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(["" if c is None else neutralise_formula(c) if isinstance(c, str)
                          else c for c in row] for row in rows)
        writer.writerow([source])
        response = HttpResponse(out.getvalue().encode("utf-8"),
                                content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = active_sheet(book)
        sheet.title = context["kpi"].id
        sheet.append(EXPORT_COLUMNS)
        for row in rows:
            sheet.append(safe_row(row))
        sheet.append([])
        sheet.append(safe_row([source]))
        data = io.BytesIO()
        book.save(data)
        response = HttpResponse(
            data.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- The superusers' background sync -------------------------------------------------------


def _superuser(request: HttpRequest) -> None:
    core_access.require_reader(request.user)
    if not core_access.is_superuser(request.user):
        raise PermissionDenied


@login_required
def sync_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    _superuser(request)
    form = SyncForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.do_start_kolada_sync(
                form.cleaned_data["kpis"], form.cleaned_data["years"],
                form.cleaned_data["municipalities"], acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("kolada:sync_status", job.pk)
    return render(request, "kolada/sync_start.html", {
        "form": form, "jobs": KoladaSync.objects.select_related("user")[:20],
    })


@login_required
def sync_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _superuser(request)
    job = actions.job_state(get_object_or_404(KoladaSync, pk=pk))
    template = "kolada/sync_status.html"
    if request.headers.get("HX-Request"):
        template = "kolada/_sync_progress.html"
    return render(request, template, {"job": job})


# --- Concepts and KPIs -------------------------------------------------------------------------


@login_required
@require_POST
def concept_link(request: AuthenticatedHttpRequest, concept_id: str) -> HttpResponse:
    from mellanrum.commonality.access import access_concept

    concept = access_concept(request.user, concept_id, write=True)
    try:
        actions.do_link_concept_kpi(concept.concept_id, request.POST.get("kpi", "")[:40],
                                    acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The KPI is linked to the concept."))
    return redirect(concept)


@login_required
@require_POST
def concept_unlink(request: AuthenticatedHttpRequest, concept_id: str) -> HttpResponse:
    from mellanrum.commonality.access import access_concept

    concept = access_concept(request.user, concept_id, write=True)
    actions.do_unlink_concept_kpi(concept.concept_id, request.POST.get("kpi", "")[:16],
                                  acting_user=request.user)
    messages.success(request, _("The link is removed."))
    return redirect(concept)
