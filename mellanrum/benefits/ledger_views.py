"""The benefits follow-up of an initiative: the ledger, its rows and its valuation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.collaborations.access import access_initiative, can_speak_for
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.views import _apply, _posted, _status, outsider
from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.core.page_cache import cached_page
from mellanrum.landscape.models import Organisation
from mellanrum.lib.charts import Viewer, grouped_bar_chart_url

from . import actions, budget, budget_files, ledger_files
from . import ledger as analysis
from .access import access_ledger_row, can_edit_economics, ledger_organisations
from .forms import EconomicsForm, LedgerRowForm, PartnerBudgetForm


def _ledger_chart(view: analysis.LedgerView, viewer: Viewer) -> str | None:
    totals = view.result.totals_by_year
    if not totals:
        return None
    planned, realised = _("Planned"), _("Realised")
    rows: list[tuple[str, str, float]] = []
    for y in totals:
        rows.append((str(y.year), planned, float(y.net_planned)))
        if y.has_realised:
            rows.append((str(y.year), realised, float(y.net_realised)))
    return grouped_bar_chart_url(rows, viewer=viewer, category_title=_("Year"),
                                 series_title=_("Figures"),
                                 value_title=_("Net benefit, kr (not discounted)"), kronor=True)


@login_required
@cached_page(shared=outsider)
def ledger_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    view = analysis.ledger_view(initiative)
    writable = set(ledger_organisations(request.user, initiative).values_list("code",
                                                                              flat=True))
    context = {
        "initiative": initiative,
        "ledger": view,
        "chart": _ledger_chart(view, request.user),
        "writable": writable,
        "can_edit_economics": can_edit_economics(request.user, initiative),
        "split": initiative.cost_splits.select_related("chosen_by").first(),
    }
    return render(request, "benefits/ledger.html", context)


@login_required
def ledger_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    response = HttpResponse(
        ledger_files.to_xlsx(initiative, analysis.ledger_view(initiative)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="nyttorealisering-{pk}.xlsx"'
    return response


@login_required
def ledger_row_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    organisations = ledger_organisations(request.user, initiative)
    if not organisations.exists():
        raise PermissionDenied
    form = LedgerRowForm(_posted(request), organisations=organisations)

    def add() -> None:
        actions.do_add_ledger_row(initiative, acting_user=request.user,
                                  organisation=form.cleaned_data["organisation"],
                                  **form.values())

    if request.method == "POST" and _apply(form, add):
        messages.success(request, _("Saved."))
        return redirect("benefits:ledger", initiative.pk)
    return render(request, "benefits/ledger_row_form.html",
                  {"form": form, "initiative": initiative})


@login_required
def ledger_row_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = access_ledger_row(request.user, pk, write=True)
    form = LedgerRowForm(_posted(request), organisations=ledger_organisations(
        request.user, row.initiative), row=row)

    def update() -> None:
        actions.do_update_ledger_row(row, acting_user=request.user,
                                     expected_version=form.cleaned_data.get("version"),
                                     **form.values())

    if request.method == "POST" and _apply(form, update):
        messages.success(request, _("Saved."))
        return redirect("benefits:ledger", row.initiative_id)
    return render(request, "benefits/ledger_row_form.html",
                  {"form": form, "initiative": row.initiative, "row": row},
                  status=_status(form))


@require_POST
@login_required
def ledger_row_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = access_ledger_row(request.user, pk, write=True)
    actions.do_remove_ledger_row(row, acting_user=request.user)
    messages.success(request, _("Removed."))
    return redirect("benefits:ledger", row.initiative_id)


@login_required
def economics_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk, write=True)
    values = analysis.economics_values(initiative)
    form = EconomicsForm(_posted(request), initial={
        "discount_rate_percent": values.discount_rate_percent,
        "hourly_cost": values.hourly_cost,
        "base_year": None if values.base_year_is_default else values.base_year,
    })

    def save() -> None:
        actions.do_set_economics(initiative, acting_user=request.user, **form.cleaned_data)

    if request.method == "POST" and _apply(form, save):
        messages.success(request, _("Saved."))
        return redirect("benefits:ledger", initiative.pk)
    return render(request, "benefits/economics_form.html",
                  {"form": form, "initiative": initiative})




# --- Budget sheets ----------------------------------------------------------------------------


def _sheet_organisation(initiative: Initiative, code: str) -> Organisation:
    found = next((o for o in budget.sheet_organisations(initiative) if o.code == code), None)
    if found is None:
        raise Http404("No budget sheet for that organisation.")
    return found


@login_required
def budget_sheet(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    organisation = _sheet_organisation(initiative, code)
    sheet = budget.budget_sheet(initiative, organisation)
    can_edit = can_speak_for(request.user, initiative, organisation)
    context = {
        "initiative": initiative, "sheet": sheet, "can_edit": can_edit,
        "form": PartnerBudgetForm(initial={"committee": sheet.committee,
                                           "activity": sheet.activity}) if can_edit else None,
        "others": [o for o in budget.sheet_organisations(initiative) if o.pk != organisation.pk],
    }
    return render(request, "benefits/budget_sheet.html", context)


@login_required
def budget_sheet_export(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    organisation = _sheet_organisation(initiative, code)
    response = HttpResponse(
        budget_files.to_xlsx(budget.budget_sheet(initiative, organisation)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="budgetunderlag-{pk}-{organisation.code}.xlsx"')
    return response


@login_required
def budget_line_edit(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    organisation = _sheet_organisation(initiative, code)
    if not can_speak_for(request.user, initiative, organisation):
        raise PermissionDenied
    sheet = budget.budget_sheet(initiative, organisation)
    form = PartnerBudgetForm(_posted(request), initial={"committee": sheet.committee,
                                                        "activity": sheet.activity})

    def save() -> None:
        actions.do_set_partner_budget(initiative, acting_user=request.user,
                                      organisation=organisation, **form.cleaned_data)

    if request.method == "POST" and _apply(form, save):
        messages.success(request, _("Saved."))
        return redirect("benefits:budget_sheet", initiative.pk, organisation.code)
    return render(request, "benefits/budget_line_form.html",
                  {"initiative": initiative, "organisation": organisation, "form": form},
                  status=422 if request.method == "POST" else 200)
