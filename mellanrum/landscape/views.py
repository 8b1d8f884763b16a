from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.core.models import AuditEntry
from mellanrum.core.page_cache import cached_page
from mellanrum.lib.charts import PUBLIC, bar_chart_url
from mellanrum.lib.tables import Formatted, options, url_maker

from . import access, actions, imports
from .access import (
    access_activity,
    access_audit_log,
    access_contact,
    access_organisation,
    access_organisation_admin,
    organisation_by_code,
)
from .analysis import effective_nature
from .forms import (
    ActivityForm,
    ArrangementForm,
    ContactForm,
    WebsiteForm,
)
from .models import (
    POPULATION_BANDS,
    Activity,
    Arrangement,
    Category,
    ITSystem,
    NamedGroup,
    Nature,
    Organisation,
)

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Page[Any]:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, so that an empty POST is validated rather than shown as new."""
    return request.POST if request.method == "POST" else None


def _query_without_page(request: HttpRequest) -> str:
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Organisations -------------------------------------------------------------------------


MAX_SEARCH_LENGTH = 200


def _search_text(params: QueryDict) -> str:
    # SQLite refuses LIKE patterns past 50 000 bytes; no name is longer than 200 characters.
    return params.get("q", "").strip()[:MAX_SEARCH_LENGTH]


def _without_nul(params: QueryDict) -> QueryDict:
    """The parameters with NUL characters removed: PostgreSQL cannot compare text with them."""
    if not any("\x00" in key + "".join(values) for key, values in params.lists()):
        return params
    cleaned = QueryDict(mutable=True)
    for key, values in params.lists():
        cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    return cleaned


def filter_organisations(params: QueryDict) -> QuerySet[Organisation]:
    params = _without_nul(params)
    queryset = Organisation.objects.all()
    if q := _search_text(params):
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q)
        )
    if county := params.get("county"):
        queryset = queryset.filter(county_code=county)
    if kind := params.get("kind"):
        queryset = queryset.filter(kind=kind)
    if skr := params.get("skr"):
        queryset = queryset.filter(skr_group_code=skr)
    if group := params.get("group"):
        queryset = queryset.filter(named_groups__code=group)
    if association := params.get("association"):
        queryset = queryset.filter(associations__code=association)
    for name, lookup in (("tax_min", "gte"), ("tax_max", "lte")):
        if value := _decimal_param(params.get(name, "")):
            queryset = queryset.filter(**{f"municipal_tax_rate__{lookup}": value})
    if band := params.get("band"):
        for key, _label, low, high in POPULATION_BANDS:
            if key == band:
                queryset = queryset.filter(population__gte=low)
                if high is not None:
                    queryset = queryset.filter(population__lt=high)
    return queryset


ORGANISATION_SORTS = {
    "name": "name",
    "-population": "-population",
    "population": "population",
    "-tax": "-municipal_tax_rate",
    "tax": "municipal_tax_rate",
}


def _decimal_param(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    # A tax rate is a percentage; PostgreSQL cannot even compare with 1e999999.
    return value if value.is_finite() and abs(value) < 1000 else None


def _organisation_filters() -> dict[str, Any]:
    counties = (
        Organisation.objects.filter(kind=Organisation.Kind.REGION)
        .order_by("county_code")
        .values_list("county_code", "county_name")
    )
    skr_groups = (
        Organisation.objects.exclude(skr_group_code="")
        .order_by("skr_group_code")
        .values_list("skr_group_code", "skr_group_name")
        .distinct()
    )
    return {
        "counties": list(counties),
        "kinds": Organisation.Kind.choices,
        "bands": [(key, label) for key, label, _low, _high in POPULATION_BANDS],
        "skr_groups": list(skr_groups),
        "groups": NamedGroup.objects.exclude(title__startswith="Kommuner med").exclude(
            title__endswith="läns kommuner"
        ),
        "associations": Organisation.objects.filter(kind=Organisation.Kind.ASSOCIATION),
    }


def _population_by_county(queryset: QuerySet[Organisation]) -> list[tuple[str, int]]:
    rows = (
        queryset.exclude(kind__in=[Organisation.Kind.REGION, Organisation.Kind.ASSOCIATION])
        .exclude(population=None)
        .values("county_name")
        .annotate(total=Sum("population"))
        .order_by("-total")
    )
    return [(r["county_name"] or _("No county"), r["total"]) for r in rows]


def _organisation_rows(organisations: Iterable[Organisation]) -> list[SafeString]:
    """The rows of the directory's table (a page of 50), written here rather than by the
    template for speed; the same HTML as the template wrote (numbers localised as the
    template language does)."""
    organisation_url = url_maker("landscape:organisation")

    def number(value: Any) -> str:
        return "–" if value is None else str(escape(localize(value)))

    rows = []
    for o in organisations:
        skr = (f'<abbr title="{escape(o.skr_group_name)}">{escape(o.skr_group_code)}</abbr>'
               if o.skr_group_code else "")
        rows.append(mark_safe(  # noqa: S308 - every value is escaped or formatted here
            f'\n    <tr><td><a href="{organisation_url(o.code)}">{escape(o.name)}</a></td>'
            f"<td>{escape(o.code)}</td><td>{escape(o.get_kind_display())}</td>"
            f'\n      <td>{escape(o.county_name)}</td><td class="num">{number(o.population)}</td>'
            f"\n      <td>{skr}</td>"
            f'\n      <td class="num">{number(o.municipal_tax_rate)}</td></tr>\n  '))
    return rows


@cached_page
def organisation_list(request: HttpRequest) -> HttpResponse:
    sort = ORGANISATION_SORTS.get(request.GET.get("sort", ""), "name")
    queryset = filter_organisations(request.GET).order_by(F(sort.lstrip("-")).desc(
        nulls_last=True) if sort.startswith("-") else F(sort).asc(nulls_last=True), "name"
    ).distinct()
    page = _page(request, queryset)
    by_county = _population_by_county(queryset)
    rows = _organisation_rows(page)
    chart = None
    if by_county:
        chart = bar_chart_url(
            by_county, viewer=PUBLIC, category_title=_("County"), value_title=_("Population 2024")
        )
    kinds = Counter(queryset.values_list("kind", flat=True))
    context = {
        "page": page,
        "organisation_rows": rows,
        "total": queryset.count(),
        "filters": _organisation_filters(),
        "params": request.GET,
        "query": _query_without_page(request),
        "chart": chart,
        "by_county": by_county,
        "kind_counts": [(Organisation.Kind(k).label, n) for k, n in kinds.most_common()],
        "sorts": [
            ("name", _("Name")),
            ("-population", _("Population, largest first")),
            ("population", _("Population, smallest first")),
            ("-tax", _("Municipal tax rate, highest first")),
            ("tax", _("Municipal tax rate, lowest first")),
        ],
    }
    template = "landscape/organisation_list.html"
    if request.headers.get("HX-Request"):
        template = "landscape/_organisation_results.html"
    return render(request, template, context)


# The fields _activity_rows reads.
ACTIVITY_ROW_FIELDS = ("name", "is_illustrative", "kind", "category__label", "annual_cost_sek",
                       "volume_per_year", "volume_unit", "lead_time_days", "organisation")


def _activity_rows(activities: Iterable[Activity]) -> list[SafeString]:
    """The rows of an organisation's activity table (150 and more), written here rather than
    by the template for speed (see ``lib/tables.py``); the same HTML as the template wrote."""
    activity_url = url_maker("landscape:activity")
    whole, one = Formatted("0g"), Formatted("-1")
    illustrative = (' <span class="badge badge-illustrative">'
                    f'{escape(_("Illustrative"))}</span>')
    rows = []
    for a in activities:
        volume = "–" if a.volume_per_year is None else (
            f"{whole(a.volume_per_year)} {escape(a.volume_unit)}")
        category = escape(a.category.label) if a.category is not None else ""
        rows.append(mark_safe(  # noqa: S308 - every value is escaped or formatted here
            f'\n        <tr><td><a href="{activity_url(a.pk)}">{escape(a.name)}</a>'
            f"{illustrative if a.is_illustrative else ''}</td>"
            f"\n          <td>{escape(a.get_kind_display())}</td><td>{category}</td>"
            f'\n          <td class="num">{whole(a.annual_cost_sek) or "–"}</td>'
            f'\n          <td class="num">{volume}</td>'
            f'\n          <td class="num">{one(a.lead_time_days) or "–"}</td></tr>'))
    return rows


def _search_rows(activities: Iterable[Activity]) -> list[SafeString]:
    """The rows of the activity search's table (a page of 50), written here rather than by
    the template for speed, as ``_activity_rows``; the same HTML as the template wrote."""
    activity_url = url_maker("landscape:activity")
    organisation_url = url_maker("landscape:organisation")
    whole, one = Formatted("0g"), Formatted("-1")
    illustrative = (' <span class="badge badge-illustrative">'
                    f'{escape(_("Illustrative"))}</span>')
    rows = []
    for a in activities:
        organisation = a.organisation
        volume = "–" if a.volume_per_year is None else (
            f"{whole(a.volume_per_year)} {escape(a.volume_unit)}")
        rows.append(mark_safe(  # noqa: S308 - every value is escaped or formatted here
            f'\n    <tr><td><a href="{activity_url(a.pk)}">{escape(a.name)}</a>'
            f"{illustrative if a.is_illustrative else ''}</td>"
            f'\n      <td><a href="{organisation_url(organisation.code)}">'
            f"{escape(organisation.short_name or organisation.name)}</a></td>"
            f"\n      <td>{escape(a.get_kind_display())}</td>"
            f'\n      <td class="num">{whole(a.annual_cost_sek) or "–"}</td>'
            f'\n      <td class="num">{volume}</td>'
            f'\n      <td class="num">{one(a.lead_time_days) or "–"}</td></tr>\n  '))
    return rows


@cached_page
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    organisation = organisation_by_code(code)
    user = request.user
    can_read = access.can_read(user)
    # Only what the table shows: an edit of an activity's description, say, then leaves this
    # page valid in the shared page cache (core/page_cache.py keys it by the columns it read).
    activities = organisation.activities.select_related("category").only(
        *ACTIVITY_ROW_FIELDS).order_by("name")
    systems = (
        ITSystem.objects.filter(activities__organisation=organisation)
        .annotate(n=Count("activities"))
        .order_by("-n", "product")
    )
    totals = activities.aggregate(cost=Sum("annual_cost_sek"), fte=Sum("fte"))
    context = {
        "organisation": organisation,
        "can_read": can_read,
        "can_edit": access.can_edit(user, organisation),
        "can_see_audit_log": access.can_see_audit_log(user, organisation),
        "activities": activities if can_read else activities.none(),
        "activity_rows": _activity_rows(activities) if can_read else [],
        "activity_count": activities.count(),
        "systems": systems if can_read else systems.none(),
        "contacts": organisation.contacts.all() if can_read else [],
        "members": organisation.members.order_by("name"),
        "associations": organisation.associations.order_by("name"),
        "totals": totals,
        "has_illustrative": activities.filter(is_illustrative=True).exists(),
        "can_admin": access.can_administer(user, organisation),
    }
    return render(request, "landscape/organisation_detail.html", context)


# --- Activities ----------------------------------------------------------------------------

ACTIVITY_SORTS = {
    "name": "name",
    "-name": "-name",
    "organisation": "organisation__name",
    "cost": "annual_cost_sek",
    "-cost": "-annual_cost_sek",
    "lead": "lead_time_days",
    "-lead": "-lead_time_days",
    "volume": "volume_per_year",
    "-volume": "-volume_per_year",
}


def filter_activities(params: QueryDict) -> QuerySet[Activity]:
    params = _without_nul(params)
    queryset = Activity.objects.select_related("organisation", "category")
    if q := _search_text(params):
        queryset = queryset.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if organisation := params.get("organisation"):
        queryset = queryset.filter(organisation__code=organisation)
    if county := params.get("county"):
        queryset = queryset.filter(organisation__county_code=county)
    if kind := params.get("kind"):
        queryset = queryset.filter(kind=kind)
    if category := params.get("category"):
        queryset = queryset.filter(
            Q(category__code=category) | Q(category__parent__code=category)
        )
    if system := params.get("system"):
        # isdigit() alone lets "²" through to int(); the length keeps within a 64-bit id.
        is_id = system.isascii() and system.isdigit() and len(system) <= 18
        queryset = queryset.filter(systems__pk=system) if is_id else queryset.none()
    sort = ACTIVITY_SORTS.get(params.get("sort", ""), "name")
    return queryset.order_by(sort, "organisation__name", "pk")


@login_required
@cached_page
def activity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    queryset = filter_activities(request.GET)
    page = _page(request, queryset)
    context = {
        "page": page,
        "activity_rows": _search_rows(page),
        "total": page.paginator.count,
        "params": request.GET,
        "query": _query_without_page(request),
        "kinds": Activity.Kind.choices,
        "categories": Category.objects.filter(level="verksamhetsomrade"),
        "counties": _organisation_filters()["counties"],
        "sorts": [
            ("name", _("Name")),
            ("organisation", _("Organisation")),
            ("-cost", _("Annual cost, highest first")),
            ("cost", _("Annual cost, lowest first")),
            ("-lead", _("Lead time, longest first")),
            ("lead", _("Lead time, shortest first")),
            ("-volume", _("Volume, largest first")),
        ],
    }
    template = "landscape/activity_list.html"
    if request.headers.get("HX-Request"):
        template = "landscape/_activity_results.html"
    else:
        # Every organisation with activities (hundreds): the options written in Python.
        context["organisation_options"] = options(
            Organisation.objects.filter(
                Exists(Activity.objects.filter(organisation=OuterRef("pk")))
            ).values_list("code", "name"),
            request.GET.get("organisation"),
        )
    return render(request, template, context)


@login_required
@cached_page
def activity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk)
    nature, nature_set = effective_nature(activity)
    context = {
        "activity": activity,
        "organisation": activity.organisation,
        "can_edit": access.can_edit(request.user, activity.organisation),
        "can_edit_arrangement": access.can_edit_arrangement(request.user,
                                                            activity.organisation),
        "arrangement": Arrangement.objects.filter(activity=activity)
        .prefetch_related("partners").first(),
        "nature_label": Nature(nature).label,
        "nature_set": nature_set,
    }
    return render(request, "landscape/activity_detail.html", context)


@login_required
def arrangement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = access.access_activity_arrangement(request.user, pk)
    arrangement = Arrangement.objects.filter(activity=activity).first()
    default, _set = effective_nature(Activity(
        name=activity.name, kind=activity.kind, category=activity.category,
        legal_basis=activity.legal_basis))
    initial: dict[str, Any] = {"nature": activity.nature,
                               "lead_time_note": activity.lead_time_note}
    if arrangement is not None:
        initial |= {
            "form": arrangement.form, "start_date": arrangement.start_date,
            "end_date": arrangement.end_date, "url": arrangement.url,
            "partners": " | ".join(p.code for p in arrangement.partners.order_by("code")),
        }
    form = ArrangementForm(_posted(request), initial=initial,
                           default_nature_label=str(Nature(default).label))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["form"]:
                    actions.do_set_arrangement(
                        activity, acting_user=request.user, form=data["form"],
                        partners=data["partners"], start_date=data["start_date"],
                        end_date=data["end_date"], url=data["url"])
                else:
                    actions.do_clear_arrangement(activity, acting_user=request.user)
                actions.do_set_nature(activity, data["nature"], acting_user=request.user,
                                      lead_time_note=data["lead_time_note"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved. The collaboration opportunities use it when "
                                        "they are ranked next."))
            return redirect(activity)
    context = {"activity": activity, "organisation": activity.organisation, "form": form}
    return render(request, "landscape/arrangement_form.html", context,
                  status=400 if form.errors else 200)


def _save_activity_form(
    request: AuthenticatedHttpRequest, organisation: Organisation, activity: Activity | None
) -> HttpResponse:
    form = ActivityForm(_posted(request), instance=activity, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in actions.ACTIVITY_FIELDS}
        systems = form.cleaned_data["systems_text"]
        try:
            if activity is None:
                activity = actions.do_create_activity(
                    organisation,
                    acting_user=request.user,
                    key=imports.key_for_name(data["name"], organisation),
                    systems=systems,
                    **data,
                )
            else:
                activity = actions.do_update_activity(
                    activity,
                    acting_user=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    systems=systems,
                    **data,
                )
        except actions.EditConflict:
            form.add_error(
                None,
                _(
                    "Someone else saved this activity while you were editing it. "
                    "Nothing was saved: reload the page to see their changes, then edit again."
                ),
            )
        else:
            messages.success(request, _("The activity was saved."))
            return redirect(activity)
    context = {"form": form, "organisation": organisation, "activity": activity}
    status = 409 if form.non_field_errors() else 200
    return render(request, "landscape/activity_form.html", context, status=status)


@login_required
def activity_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    organisation = access_organisation(request.user, code, write=True)
    return _save_activity_form(request, organisation, None)


@login_required
def activity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk, write=True)
    return _save_activity_form(request, activity.organisation, activity)


@login_required
def activity_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk, write=True)
    if request.method == "POST":
        organisation = activity.organisation
        actions.do_delete_activity(activity, acting_user=request.user)
        messages.success(request, _("The activity was deleted."))
        return redirect(organisation)
    return render(
        request, "landscape/confirm_delete.html",
        {"object": activity, "cancel_url": activity.get_absolute_url()},
    )


# --- Contacts ------------------------------------------------------------------------------


@login_required
def contact_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    organisation = access_organisation(request.user, code, write=True)
    return _save_contact_form(request, organisation, None)


@login_required
def contact_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = access_contact(request.user, pk, write=True)
    return _save_contact_form(request, contact.organisation, contact)


def _save_contact_form(
    request: AuthenticatedHttpRequest, organisation: Organisation, contact: Any
) -> HttpResponse:
    form = ContactForm(_posted(request), instance=contact)
    if request.method == "POST" and form.is_valid():
        actions.do_save_contact(
            organisation, acting_user=request.user, contact=contact,
            **{f: form.cleaned_data[f] for f in ContactForm.Meta.fields},
        )
        messages.success(request, _("The contact person was saved."))
        return redirect(organisation)
    return render(
        request, "landscape/contact_form.html",
        {"form": form, "organisation": organisation, "contact": contact},
    )


@login_required
def contact_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = access_contact(request.user, pk, write=True)
    if request.method == "POST":
        organisation = contact.organisation
        actions.do_delete_contact(contact, acting_user=request.user)
        messages.success(request, _("The contact person was deleted."))
        return redirect(organisation)
    return render(
        request, "landscape/confirm_delete.html",
        {"object": contact, "cancel_url": contact.organisation.get_absolute_url()},
    )


@login_required
def audit_log(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    organisation = access_audit_log(request.user, code)
    entries = AuditEntry.objects.filter(organisation=organisation).select_related("user")
    context = {"organisation": organisation, "page": _page(request, entries), "query": ""}
    return render(request, "landscape/audit_log.html", context)


# --- Import and export ---------------------------------------------------------------------


@login_required
def website_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    organisation = access_organisation_admin(request.user, code)
    form = WebsiteForm(request.POST or None, initial={"website": organisation.website})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_set_website(organisation, form.cleaned_data["website"],
                                   acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The web site is saved and marked as verified."))
            return redirect(organisation)
    return render(request, "landscape/website_form.html",
                  {"organisation": organisation, "form": form})


@login_required
@require_POST
def website_confirm(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    organisation = access_organisation_admin(request.user, code)
    try:
        actions.do_confirm_website(organisation, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The web site is marked as verified."))
    return redirect(organisation)
