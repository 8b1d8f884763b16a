"""The split of an initiative's joint cost: every method compared, the lead's choice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.collaborations.access import access_initiative
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.views import _posted
from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from . import actions
from . import split as split_analysis
from .access import can_edit_economics, ledger_organisations, may_confirm
from .analysis import CalculatorError, method_key
from .analysis import method_label as sharing_method_label
from .forms import SplitForm
from .models import CostSplit
from .payers import paying_partners
from .split_input import SplitOptions, groups_text, options_from_json


def _split_rows(comparison: list[dict[str, Any]], names: dict[str, str],
                standalone: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"code": code, "name": names.get(code, code), "alone": standalone.get(code),
             "amounts": [m["amounts"].get(code) for m in comparison]}
            for code in names]


def _share_context(user: User, initiative: Initiative,
                   split: CostSplit | None) -> dict[str, Any]:
    """Each paying partner's planned cost rows from the split and their confirmation."""
    if split is None:
        return {"shares": []}
    rows = list(split.ledger_rows.select_related("organisation", "confirmed_by")
                .order_by("organisation__name", "year"))
    shares: list[dict[str, Any]] = []
    for organisation in {r.organisation_id: r.organisation for r in rows}.values():
        mine = [r for r in rows if r.organisation_id == organisation.pk]
        confirmed = mine[0].confirmed_at is not None and all(
            r.confirmed_at is not None for r in mine)
        shares.append({
            "organisation": organisation, "rows": mine,
            "total": sum((r.planned or Decimal(0) for r in mine), Decimal(0)),
            "confirmed": confirmed, "confirmed_at": mine[0].confirmed_at if confirmed else None,
            "confirmed_by": mine[0].confirmed_by if confirmed else None,
            "can_confirm": not confirmed and may_confirm(user, initiative, organisation),
        })
    return {"shares": shares}


@login_required
@require_POST
def confirm_split_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A partner's editor confirms the planned cost rows its share of the split put in its
    ledger; asking for another partner's rows is refused with a message, nothing changed."""
    initiative = access_initiative(request.user, pk)
    split = initiative.cost_splits.first()
    if split is None:
        raise Http404("No split has been chosen.")
    if not ledger_organisations(request.user, initiative).filter(
            code__in=list(split.amounts)).exists():
        raise PermissionDenied  # the user speaks for no partner that pays a share
    code = request.POST.get("organisation", "")[:40]
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None or not may_confirm(request.user, initiative, organisation):
        messages.error(request, _("You confirm only the share of an organisation you edit for; "
                                  "each partner confirms its own rows. Nothing was changed."))
        return redirect(reverse("benefits:cost_split", args=[initiative.pk]) + "#shares")
    try:
        actions.do_confirm_split_share(split, acting_user=request.user,
                                       organisation=organisation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s's share is confirmed in its ledger.")
                         % {"name": organisation.name})
    return redirect(reverse("benefits:cost_split", args=[initiative.pk]) + "#shares")


@login_required
def cost_split(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    can_choose = can_edit_economics(request.user, initiative)
    partners = paying_partners(initiative)
    current = initiative.cost_splits.select_related("chosen_by").first()
    if request.method == "POST" and not can_choose:
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if current is not None:
        stored = options_from_json(current.game)
        initial = {"joint_cost": Decimal(current.joint_cost), "method": method_key(current.method),
                   "groups": groups_text(stored.groups, current.names),
                   "model": stored.model,
                   **{f"formula_{k}": v for k, v in (stored.formula or {}).items()},
                   **{f"volume_{c}": v for c, v in stored.volumes.items()},
                   "fixed_percent": f"{stored.fixed_percent:f}".replace(".", ","),
                   **{f"alone_{c}": Decimal(v) for c, v in current.standalone.items()},
                   "cost_kind": current.cost_kind, "first_year": current.first_year,
                   "years": current.years}
    form = SplitForm(_posted(request), partners=partners, initial=initial)
    preview: list[dict[str, Any]] | None = None
    preview_options = SplitOptions()
    joint = Decimal(0)
    alone: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and form.is_valid():
        saving = request.POST.get("save") is not None
        try:
            if saving:
                actions.do_choose_cost_split(
                    initiative, acting_user=request.user,
                    joint_cost=form.cleaned_data["joint_cost"], standalone=form.standalone(),
                    method=form.cleaned_data["method"] or "",
                    rationale=form.cleaned_data["rationale"], **form.options(),
                    **form.ledger_options())
                messages.success(request, _("The split was saved and every paying partner's "
                                            "share is now a planned cost in its ledger, waiting "
                                            "for the partner to confirm it."))
                return redirect("benefits:cost_split", initiative.pk)
            joint, alone, preview_options = actions.check_split(
                initiative, form.cleaned_data["joint_cost"], form.standalone(),
                **form.options())
            preview = split_analysis.comparison_snapshot(
                split_analysis.compare_split(initiative, joint, alone, preview_options))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status = 422
        except CalculatorError as exc:
            form.add_error("joint_cost", str(exc))
            status = 422
    elif request.method == "POST":
        status = 422
    shown = current
    names = {p.organisation.code: p.organisation.name for p in partners}
    context = {
        "initiative": initiative,
        "form": form,
        "can_choose": can_choose,
        **_share_context(request.user, initiative, current),
        "partners": partners,
        "current": shown,
        "current_rows": _split_rows(shown.comparison, shown.names, shown.standalone)
        if shown else [],
        "current_methods": split_analysis.localised_methods(shown.comparison, shown.names)
        if shown else [],
        "preview": preview,
        "preview_rows": _split_rows(preview, names, alone) if preview else [],
        "history": initiative.cost_splits.select_related("chosen_by")[1:10],
        "enough_partners": len(partners) >= 2,
    }
    if shown:
        stored = options_from_json(shown.game)
        context["current_facts"] = split_analysis.split_facts(
            shown.comparison, shown.joint_cost, shown.standalone, stored)
        context["current_stories"] = split_analysis.split_stories(
            shown.method, shown.comparison, shown.standalone, shown.names, stored)
    if preview:
        context["preview_facts"] = split_analysis.split_facts(preview, joint, alone,
                                                              preview_options)
        chosen = form.cleaned_data.get("method") or "shapley"
        method = next((m["method"] for m in preview if method_key(m["method"]) == chosen),
                      preview[0]["method"])
        context["preview_method"] = sharing_method_label(method)
        context["preview_chosen"] = method if form.cleaned_data.get("method") else ""
        context["preview_stories"] = split_analysis.split_stories(
            method, preview, alone, names, preview_options)
    return render(request, "benefits/cost_split.html", context, status=status)
