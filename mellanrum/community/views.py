from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm, Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mellanrum.collaborations.access import visible_initiatives
from mellanrum.commonality import analysis as commonality
from mellanrum.commonality.access import access_concept
from mellanrum.commonality.models import Concept
from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.kolada import analysis as kolada_analysis
from mellanrum.landscape.access import access_activity
from mellanrum.lib.urls import site_host, site_url

from . import actions, analysis, export
from .access import (
    MAX_ID,
    access_attendees,
    access_event,
    access_network,
    can_create_event,
    can_create_network,
    can_edit_event,
    can_manage_network,
    can_register,
    can_see_people,
    event_organisations,
    is_reader,
    membership,
    require_reader,
    visible_events,
    visible_networks,
)
from .forms import (
    ConceptItemForm,
    EventForm,
    InitiativeItemForm,
    MemberRoleForm,
    NetworkForm,
    OrganisationItemForm,
    PersonItemForm,
)
from .models import Event, Network, NetworkMember, Registration


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _apply(form: BaseForm, call: Callable[[], object]) -> bool:
    """Run an action for a valid form; its validation errors go back into the form."""
    if not form.is_valid():
        return False
    try:
        call()
    except ValidationError as exc:
        by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
        for field, errors in by_field.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


def _message_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar; charset=utf-8",
}


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Counterparts --------------------------------------------------------------------------


def _counterpart_context(request: HttpRequest, result: analysis.Counterparts,
                         filters: analysis.Filters) -> dict[str, Any]:
    return {
        "result": result,
        "filters": filters,
        "choices": analysis.filter_choices(),
        "query": request.GET.urlencode(),
        "has_illustrative": any(r.activity.is_illustrative for r in result.rows),
    }


def _counterpart_csv(result: analysis.Counterparts, filename: str) -> HttpResponse:
    header = [_("Organisation"), _("Activity"), _("Contact person"), _("Role"), _("E-mail"),
              _("Phone"), _("Confidence"), _("Similarity of the organisations")]
    rows = [
        [r.organisation.name, r.activity.name,
         r.contact.name if r.contact else "", r.contact.role if r.contact else "",
         r.contact.email if r.contact else "", r.contact.phone if r.contact else "",
         round(r.confidence, 2), None if r.similarity is None else round(r.similarity, 2)]
        for r in result.rows
    ]
    return _download(export.table_csv(header, rows), filename, "csv")


@login_required
def activity_counterparts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_ID:
        raise Http404
    activity = access_activity(request.user, pk)
    filters = analysis.Filters.of(request.GET)
    result = analysis.for_activity(activity, filters, visible_networks(request.user))
    if request.GET.get("format") == "csv":
        return _counterpart_csv(result, f"motparter-{activity.pk}.csv")
    context = _counterpart_context(request, result, filters) | {
        "activity": activity, "from_activity": True,
    }
    return render(request, "community/counterparts.html", context)


@login_required
def concept_counterparts(request: AuthenticatedHttpRequest, concept_id: str) -> HttpResponse:
    concept = access_concept(request.user, concept_id[:100])
    filters = analysis.Filters.of(request.GET)
    mine = kolada_analysis.my_similar(getattr(request.user, "organisation", None),
                                      concept.concept_id, concept.label)
    if mine is not None and request.GET.get("similar") == "1":
        filters = dataclasses.replace(filters, codes=tuple(sorted(mine[1])))
    result = analysis.for_concept(concept, filters, visible_networks(request.user))
    if request.GET.get("format") == "csv":
        return _counterpart_csv(result, "motparter.csv")
    context = _counterpart_context(request, result, filters) | {
        "from_activity": False, "similar_area": mine[0] if mine else None}
    return render(request, "community/counterparts.html", context)


# --- Networks ------------------------------------------------------------------------------


def network_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    networks = visible_networks(user).prefetch_related("organisations", "concept_links")
    mine = set()
    if user.is_authenticated:
        mine = set(NetworkMember.objects.filter(user=user).values_list("network_id", flat=True))
    return render(request, "community/network_list.html", {
        "networks": networks,
        "mine": mine,
        "can_create": can_create_network(user),
        "has_illustrative": any(n.is_illustrative for n in networks),
    })


@login_required
def network_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_create_network(request.user):
        raise PermissionDenied
    form = NetworkForm(_posted(request))
    created: list[Network] = []

    def create() -> None:
        created.append(actions.do_create_network(acting_user=request.user,
                                                 **form.cleaned_data))

    if request.method == "POST" and _apply(form, create):
        messages.success(request, _("The network is created; you are its coordinator."))
        return redirect(created[0])
    return render(request, "community/network_form.html", {"form": form})


@login_required
def network_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    network = access_network(request.user, pk, write=True)
    form = NetworkForm(_posted(request), instance=Network.objects.get(pk=network.pk))

    def update() -> None:
        actions.do_update_network(network, acting_user=request.user, **form.cleaned_data)

    if request.method == "POST" and _apply(form, update):
        messages.success(request, _("Saved."))
        return redirect(network)
    return render(request, "community/network_form.html", {"form": form, "network": network})


def network_detail(request: HttpRequest, pk: int) -> HttpResponse:
    network = access_network(request.user, pk)
    user = request.user
    current = commonality.current_run()
    concept_ids = set(
        Concept.objects.filter(run=current).values_list("concept_id", flat=True)
    ) if current else set()
    now = timezone.now()
    events = visible_events(user).filter(network=network)
    return render(request, "community/network_detail.html", {
        "network": network,
        "membership": membership(user, network),
        "can_manage": can_manage_network(user, network),
        "can_see_people": can_see_people(user),
        "can_join": is_reader(user),
        "can_create_event": can_create_event(user),
        "members": network.members.select_related("user__organisation"),
        "organisations": network.organisations.order_by("name"),
        "concepts": network.concept_links.all(),
        "current_concepts": concept_ids,
        "initiatives": network.initiatives.filter(
            pk__in=visible_initiatives(user).values("pk")).order_by("title"),
        "upcoming": events.filter(ends_at__gte=now),
        "past": events.filter(ends_at__lt=now).order_by("-starts_at"),
        "role_form": MemberRoleForm(),
    })


@require_POST
@login_required
def network_join(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    network = access_network(request.user, pk)
    try:
        actions.do_join_network(network, request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, _("You are now a member of the network."))
    return redirect(network)


@require_POST
@login_required
def network_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    network = access_network(request.user, pk)
    try:
        actions.do_leave_network(network, request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
        return redirect(network)
    messages.success(request, _("You have left the network."))
    if network.is_public:
        return redirect(network)
    return redirect("community:networks")


NETWORK_ITEMS = {
    "organisation": gettext_lazy("Add a member organisation"),
    "person": gettext_lazy("Add a person"),
    "concept": gettext_lazy("Link a concept"),
    "initiative": gettext_lazy("Link a collaboration initiative"),
}


def _item_form(kind: str, request: HttpRequest, network: Network) -> Form:
    data = _posted(request)
    if kind == "organisation":
        return OrganisationItemForm(data)
    if kind == "person":
        return PersonItemForm(data)
    if kind == "concept":
        run = commonality.current_run()
        linked = set(network.concept_links.values_list("concept_id", flat=True))
        choices = [] if run is None else [
            (c.concept_id, f"{c.label} ({c.organisations})")
            for c in Concept.objects.filter(run=run).order_by("label")
            if c.concept_id not in linked
        ]
        return ConceptItemForm(data, choices=choices)
    return InitiativeItemForm(
        data, initiatives=visible_initiatives(request.user).exclude(networks=network)
        .order_by("title"),
    )


@login_required
def network_item_add(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    network = access_network(request.user, pk, write=True)
    if kind not in NETWORK_ITEMS:
        raise Http404
    form = _item_form(kind, request, network)

    def add() -> None:
        data = form.cleaned_data
        if kind == "organisation":
            actions.do_add_network_organisation(network, acting_user=request.user,
                                                organisation=data["organisation"])
        elif kind == "person":
            actions.do_add_member(network, data["username"], acting_user=request.user)
        elif kind == "concept":
            actions.do_link_network_concept(network, acting_user=request.user,
                                            concept_id=data["concept"])
        else:
            actions.do_link_network_initiative(network, acting_user=request.user,
                                               initiative=data["initiative"])

    if request.method == "POST" and _apply(form, add):
        messages.success(request, _("Saved."))
        return redirect(network)
    return render(request, "community/item_form.html", {
        "form": form, "network": network, "title": NETWORK_ITEMS[kind],
    })


@require_POST
@login_required
def network_item_remove(
    request: AuthenticatedHttpRequest, pk: int, kind: str, item_pk: int,
) -> HttpResponse:
    network = access_network(request.user, pk, write=True)
    if kind not in NETWORK_ITEMS or kind == "person" or item_pk > MAX_ID:
        raise Http404
    try:
        actions.do_unlink_network_item(network, kind, item_pk, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, _("Removed."))
    return redirect(network)


@require_POST
@login_required
def network_member(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    network = access_network(request.user, pk, write=True)
    if member_pk > MAX_ID:
        raise Http404
    member = network.members.filter(pk=member_pk).select_related("user").first()
    if member is None:
        raise Http404
    try:
        if request.POST.get("remove"):
            actions.do_remove_member(network, member, acting_user=request.user)
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose coordinator or member."))
            actions.do_set_member_role(network, member, form.cleaned_data["role"],
                                       acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect(network)


# --- Events --------------------------------------------------------------------------------


def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    events = visible_events(request.user)
    upcoming = list(events.filter(ends_at__gte=now))
    past = list(events.filter(ends_at__lt=now).order_by("-starts_at")[:50])
    mine: set[int] = set()
    if request.user.is_authenticated:
        mine = set(Registration.objects.filter(user=request.user)
                   .values_list("event_id", flat=True))
    return render(request, "community/event_list.html", {
        "upcoming": upcoming,
        "past": past,
        "mine": mine,
        "can_create": can_create_event(request.user),
        "has_illustrative": any(e.is_illustrative for e in [*upcoming, *past]),
    })


def _event_form(request: HttpRequest, instance: Event | None = None) -> EventForm:
    return EventForm(_posted(request), instance=instance,
                     organisations=event_organisations(request.user),
                     networks=visible_networks(request.user).order_by("title"))


@login_required
def event_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_create_event(request.user):
        raise PermissionDenied
    form = _event_form(request)
    created: list[Event] = []

    def create() -> None:
        created.append(actions.do_create_event(
            acting_user=request.user, organiser=form.cleaned_data["organiser"],
            **form.values()))

    if request.method == "POST" and _apply(form, create):
        messages.success(request, _("Saved."))
        return redirect(created[0])
    if request.method == "GET" and request.GET.get("network", "").isdigit():
        form.initial["network"] = request.GET["network"][:19]
    return render(request, "community/event_form.html", {"form": form})


@login_required
def event_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = access_event(request.user, pk, write=True)
    form = _event_form(request, Event.objects.get(pk=event.pk))

    def update() -> None:
        actions.do_update_event(event, acting_user=request.user, **form.values())

    if request.method == "POST" and _apply(form, update):
        messages.success(request, _("Saved."))
        return redirect(event)
    return render(request, "community/event_form.html", {"form": form, "event": event})


@require_POST
@login_required
def event_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = access_event(request.user, pk, write=True)
    actions.do_delete_event(event, acting_user=request.user)
    messages.success(request, _("The event is deleted."))
    return redirect("community:events")


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = access_event(request.user, pk)
    user = request.user
    registration = None
    if user.is_authenticated:
        registration = event.registrations.filter(user=user).first()
    editor = can_edit_event(user, event)
    return render(request, "community/event_detail.html", {
        "event": event,
        "registration": registration,
        "can_register": can_register(user),
        "can_edit": editor,
        "attendees": event.registrations.select_related("user__organisation") if editor
        else None,
    })


@require_POST
@login_required
def event_register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = access_event(request.user, pk)
    require_reader(request.user)
    try:
        actions.do_register(event, request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, _("You are registered."))
    return redirect(event)


@require_POST
@login_required
def event_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = access_event(request.user, pk)
    try:
        actions.do_cancel_registration(event, request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(event)


def attendee_rows(event: Event) -> tuple[list[str], list[list[export.Cell]]]:
    header = [_("Name"), _("User name"), _("E-mail"), _("Organisation"), _("Registration time")]
    rows: list[list[export.Cell]] = []
    for r in event.registrations.select_related("user__organisation"):
        rows.append([
            r.user.get_full_name(), r.user.get_username(), r.user.email,
            r.user.organisation.name if r.user.organisation else "",
            timezone.localtime(r.registered_at).strftime("%Y-%m-%d %H:%M"),
        ])
    return header, rows


@login_required
def event_attendees(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    event = access_attendees(request.user, pk)
    header, rows = attendee_rows(event)
    filename = f"deltagare-{event.pk}.{fmt}"
    if fmt == "xlsx":
        return _download(export.table_xlsx(_("Participants"), header, rows), filename, "xlsx")
    return _download(export.table_csv(header, rows), filename, "csv")


def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    event = access_event(request.user, pk)
    location = _("Digital") if event.is_digital and not event.place else event.place
    data = export.event_ics(
        uid=f"event-{event.pk}@{site_host()}", title=event.title,
        description=event.description, location=location,
        url=site_url(event.get_absolute_url()),  # never from the request's Host header
        starts_at=event.starts_at, ends_at=event.ends_at, stamp=event.created_at,
    )
    return _download(data, f"traff-{event.pk}.ics", "ics")
