from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mellanrum.landscape.models import Organisation
from mellanrum.lib.charts import PUBLIC, grouped_bar_chart_url

from . import analysis, export
from .forms import CalculatorForm, GameUploadForm, PartnerFormSet

EXTRA_ROWS = 5

# The worked example the calculator starts with: three neighbouring municipalities share an
# e-archive. Nacka and Värmdö already know what a system for the two of them would cost, so
# the methods disagree (an equal split would make Tyresö, the cheapest alone, pay most).
EXAMPLE_TITLE = gettext_lazy("Joint e-archive")
EXAMPLE_PARTNERS = [("0182", "2 400 000", "1 200"), ("0120", "1 100 000", "450"),
                    ("0138", "900 000", "380")]
EXAMPLE_TOTAL = "3 300 000"
EXAMPLE_GROUP = ("0182", "0120", "2 900 000")


def calculator(request: HttpRequest) -> HttpResponse:
    action = _action(request)
    if action is None:
        form, formset = _example()
        return _render(request, form, formset, GameUploadForm())
    data = _with_more_rows(request.POST) if action == "more" else request.POST
    form = CalculatorForm(data)
    formset = PartnerFormSet(data, prefix="p")
    if action == "more":
        return _render(request, form, formset, GameUploadForm())
    comparison = error = None
    form_ok, formset_ok = form.is_valid(), formset.is_valid()
    # The subgroups are checked against the partners whenever every partner name resolved,
    # even if other fields have errors, so that the summary lists every problem at once.
    names_ok = formset.management_form.is_valid() and not any(
        "organisation" in row.errors for row in formset.forms)
    if form_ok and names_ok:
        partners = [row.cleaned_data["organisation"] for row in formset.forms
                    if row.cleaned_data.get("organisation")]
        groups = form.resolve_groups(partners)
        if not form.errors and formset_ok:
            try:
                comparison = _compare_entered(form, formset, groups)
            except analysis.CalculatorError as exc:
                error = str(exc)
            else:
                if action == "export":
                    return _xlsx(comparison, form.cleaned_data.get("title") or "")
    status = 400 if (form.errors or formset.total_error_count() or error) else 200
    return _render(request, form, formset, GameUploadForm(), comparison, error, status=status)


def calculator_upload(request: HttpRequest) -> HttpResponse:
    upload = GameUploadForm(request.POST or None, request.FILES or None)
    comparison = error = None
    if request.method == "POST" and upload.is_valid():
        data = upload.cleaned_data["game"]
        try:
            comparison = analysis.compare(data, names=_names_for(data))
        except analysis.CalculatorError as exc:
            error = str(exc)
    form, formset = _example()
    status = 400 if (upload.errors or error) else 200
    return _render(request, form, formset, upload, comparison, error, status=status)


def _example() -> tuple[CalculatorForm, Any]:
    """The unbound form with the worked example filled in, when its municipalities exist."""
    names = dict(Organisation.objects.filter(
        code__in=[code for code, _alone, _usage in EXAMPLE_PARTNERS]
    ).values_list("code", "short_name"))
    if len(names) < len(EXAMPLE_PARTNERS):
        return CalculatorForm(), PartnerFormSet(prefix="p")
    full = dict(Organisation.objects.filter(code__in=names).values_list("code", "name"))
    *codes, amount = EXAMPLE_GROUP
    form = CalculatorForm(initial={
        "title": EXAMPLE_TITLE, "kind": "cost", "total": EXAMPLE_TOTAL,
        "groups": f"{', '.join(names[c] or full[c] for c in codes)}: {amount}",
    })
    formset = PartnerFormSet(prefix="p", initial=[
        {"organisation": full[code], "alone": alone, "usage": usage}
        for code, alone, usage in EXAMPLE_PARTNERS
    ])
    return form, formset


def _action(request: HttpRequest) -> str | None:
    if request.method != "POST":
        return None
    return request.POST.get("action", "compute")


def _with_more_rows(data: QueryDict) -> QueryDict:
    data = data.copy()
    try:
        total = int(data.get("p-TOTAL_FORMS", "5") or 5)
    except ValueError:
        total = 5
    data["p-TOTAL_FORMS"] = str(min(max(total, 0) + EXTRA_ROWS, analysis.MAX_TABLE_PLAYERS))
    return data


def _compare_entered(
    form: CalculatorForm, formset: Any, entered_groups: dict[tuple[str, ...], Decimal]
) -> analysis.Comparison:
    partners = []
    names = {}
    for row in formset.forms:
        organisation = row.cleaned_data.get("organisation")
        if not organisation:
            continue
        names[organisation.code] = organisation.name
        partners.append(
            analysis.Partner(
                code=organisation.code,
                name=organisation.name,
                alone=float(row.cleaned_data["alone"]),
                population=float(organisation.population) if organisation.population else None,
                usage=float(row.cleaned_data["usage"])
                if row.cleaned_data.get("usage") is not None else None,
            )
        )
    groups = {codes: float(amount) for codes, amount in entered_groups.items()}
    data = analysis.game_data(form.cleaned_data["kind"], partners, float(
        form.cleaned_data["total"]), groups)
    return analysis.compare(data, names=names)


def _error_summary(
    form: CalculatorForm, formset: Any, upload: GameUploadForm, error: str | None
) -> list[tuple[str, str]]:
    """Every problem of the page as (message, id of the field it is about, or "")."""
    problems: list[tuple[str, str]] = []
    for bound_form in (form, upload):
        problems += [(str(e), "") for e in bound_form.non_field_errors()]
        for field in bound_form:
            problems += [(f"{field.label}: {e}", field.id_for_label) for e in field.errors]
    if formset.is_bound:
        first = formset.forms[0]["organisation"].id_for_label if formset.forms else ""
        problems += [(str(e), first) for e in formset.non_form_errors()]
        for number, row in enumerate(formset.forms, start=1):
            for field in row:
                problems += [
                    (_("Partner %(n)s, %(field)s: %(error)s")
                     % {"n": number, "field": field.label, "error": e}, field.id_for_label)
                    for e in field.errors
                ]
    if error:
        problems.append((error, ""))
    return problems


def _names_for(data: dict[str, Any]) -> dict[str, str]:
    ids = [p.get("id") if isinstance(p, dict) else p for p in data.get("players", [])]
    codes = [i for i in ids if isinstance(i, str)]
    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))


def _render(
    request: HttpRequest,
    form: CalculatorForm,
    formset: Any,
    upload: GameUploadForm,
    comparison: analysis.Comparison | None = None,
    error: str | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form, "formset": formset, "upload": upload, "comparison": comparison,
        "error": error, "max_partners": analysis.MAX_TABLE_PLAYERS,
        "problems": _error_summary(form, formset, upload, error),
        "organisation_names": Organisation.objects.order_by("name").values_list(
            "name", flat=True),
    }
    if comparison is not None:
        context["rows"] = [
            {
                "partner": partner,
                "cells": [
                    {"amount": r.amounts[partner.code], "saving": r.savings[partner.code]}
                    for r in comparison.results
                ],
            }
            for partner in comparison.partners
        ]
        context["stability"] = [
            (r, analysis.stability_sentence(comparison, r)) for r in comparison.results
        ]
        context["chart"] = grouped_bar_chart_url(  # the public calculator: anyone may see it
            [
                (partner.name, r.label, r.amounts[partner.code])
                for partner in comparison.partners
                for r in comparison.results
            ],
            viewer=PUBLIC,
            category_title=_("Partner"),
            series_title=_("Method"),
            value_title=_("Kronor per year"), kronor=True,
        )
    return render(request, "benefits/calculator.html", context, status=status)


def _xlsx(comparison: analysis.Comparison, title: str) -> HttpResponse:
    response = HttpResponse(
        export.comparison_xlsx(comparison, title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="kostnadsfordelning.xlsx"'
    return response
