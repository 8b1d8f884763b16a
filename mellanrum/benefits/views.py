from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from mellanrum.landscape.models import Organisation
from mellanrum.lib.charts import PUBLIC, grouped_bar_chart_url

from . import analysis, export
from .forms import CalculatorForm, GameUploadForm, PartnerFormSet

EXTRA_ROWS = 5


def calculator(request: HttpRequest) -> HttpResponse:
    form = CalculatorForm(request.POST if _action(request) else None)
    formset = PartnerFormSet(request.POST if _action(request) else None, prefix="p")
    upload = GameUploadForm()
    comparison = error = None
    if _action(request) == "more":
        formset = PartnerFormSet(_with_more_rows(request.POST), prefix="p")
        form = CalculatorForm(request.POST)
        return _render(request, form, formset, upload)
    if _action(request) in {"compute", "export"} and form.is_valid() and formset.is_valid():
        try:
            comparison = _compare_entered(form, formset)
        except analysis.CalculatorError as exc:
            error = str(exc)
        else:
            if _action(request) == "export":
                return _xlsx(comparison, form.cleaned_data.get("title") or "")
    status = 400 if (form.errors or formset.total_error_count() or error) else 200
    return _render(request, form, formset, upload, comparison, error, status=status)


def calculator_upload(request: HttpRequest) -> HttpResponse:
    upload = GameUploadForm(request.POST or None, request.FILES or None)
    comparison = error = None
    if request.method == "POST" and upload.is_valid():
        data = upload.cleaned_data["game"]
        try:
            comparison = analysis.compare(data, names=_names_for(data))
        except analysis.CalculatorError as exc:
            error = str(exc)
    form = CalculatorForm()
    formset = PartnerFormSet(prefix="p")
    status = 400 if (upload.errors or error) else 200
    return _render(request, form, formset, upload, comparison, error, status=status)


def _action(request: HttpRequest) -> str | None:
    if request.method != "POST":
        return None
    return request.POST.get("action", "compute")


def _with_more_rows(data: QueryDict) -> QueryDict:
    data = data.copy()
    total = int(data.get("p-TOTAL_FORMS", "5") or 5)
    data["p-TOTAL_FORMS"] = str(min(total + EXTRA_ROWS, analysis.MAX_TABLE_PLAYERS))
    return data


def _compare_entered(form: CalculatorForm, formset: Any) -> analysis.Comparison:
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
    known = {p.code for p in partners}
    groups = {}
    for codes, amount in form.cleaned_data["groups"]:
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise analysis.CalculatorError(
                _("The group “%(group)s” names %(code)s, which is not one of the partners.")
                % {"group": ", ".join(codes), "code": unknown[0]}
            )
        groups[tuple(codes)] = float(amount)
    data = analysis.game_data(form.cleaned_data["kind"], partners, float(
        form.cleaned_data["total"]), groups)
    return analysis.compare(data, names=names)


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
