"""The one gate through which views, the API and the CLI fetch networks and events.

Networks are public (everyone, also visitors who are not logged in, sees the topic, the
description, the member organisations and the events) or for members only (a 404 to everyone
but members and superusers, so the network's existence stays hidden). The names of the people
in a network, contact details and attendee lists are never shown to visitors who are not
logged in. An event is visible when it has no network or its network is visible.

Editors start networks and become their first coordinator. Coordinators of a network
(and superusers) edit it; any logged-in user joins and leaves for
themselves. Editors of an event's organiser organisation (and superusers) edit the event and
export its attendee list; any logged-in user registers and cancels for themselves.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from mellanrum.core import access as core_access
from mellanrum.core.http import AnyUser
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .models import Event, Network, NetworkMember

# The largest primary key a database stores; a bigger number in a URL is simply not found.
MAX_ID = 2**63 - 1


def is_reader(user: AnyUser) -> bool:
    return core_access.is_reader(user)


def visible_networks(user: AnyUser) -> QuerySet[Network]:
    public = Network.objects.filter(visibility=Network.Visibility.PUBLIC)
    if not is_reader(user):
        return public
    if core_access.is_superuser(user):
        return Network.objects.all()
    return Network.objects.filter(
        Q(visibility=Network.Visibility.PUBLIC) | Q(members__user=user)
    ).distinct()


def visible_events(user: AnyUser) -> QuerySet[Event]:
    return Event.objects.filter(
        Q(network__isnull=True) | Q(network__in=visible_networks(user))
    ).select_related("organiser", "network")


def membership(user: AnyUser, network: Network) -> NetworkMember | None:
    if not isinstance(user, User) or not is_reader(user):
        return None
    return network.members.filter(user=user).first()


def is_coordinator(user: AnyUser, network: Network) -> bool:
    found = membership(user, network)
    if found is None:
        return False
    return bool(found.role == NetworkMember.Role.COORDINATOR)


def can_manage_network(user: AnyUser, network: Network) -> bool:
    if core_access.is_superuser(user):
        return True
    return is_coordinator(user, network)


def can_create_network(user: AnyUser) -> bool:
    """Editors start networks (and become their first coordinator); readers join them."""
    if core_access.is_superuser(user):
        return True
    return core_access.has_editor_role(user)


def can_see_people(user: AnyUser) -> bool:
    """Names of members and contact details are for logged-in users only."""
    return is_reader(user)


def event_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """The organisations the user may organise events for."""
    return core_access.editable_organisations(user).order_by("name")


def can_create_event(user: AnyUser) -> bool:
    return event_organisations(user).exists()


def can_edit_event(user: AnyUser, event: Event) -> bool:
    return core_access.can_edit_organisation(user, event.organiser)


def can_register(user: AnyUser) -> bool:
    return is_reader(user)


def _check_id(pk: int) -> None:
    if not 0 < pk <= MAX_ID:
        raise Http404


def access_network(user: AnyUser, pk: int, *, write: bool = False) -> Network:
    _check_id(pk)
    try:
        network = visible_networks(user).get(pk=pk)
    except Network.DoesNotExist:
        raise Http404 from None
    if write and not can_manage_network(user, network):
        raise PermissionDenied
    return network


def access_event(user: AnyUser, pk: int, *, write: bool = False) -> Event:
    _check_id(pk)
    try:
        event = visible_events(user).get(pk=pk)
    except Event.DoesNotExist:
        raise Http404 from None
    if write and not can_edit_event(user, event):
        raise PermissionDenied
    return event


def access_attendees(user: AnyUser, pk: int) -> Event:
    """The event whose attendee list the user may export: its organiser's editors only."""
    if not is_reader(user):
        raise PermissionDenied
    return access_event(user, pk, write=True)


def require_reader(user: AnyUser) -> None:
    core_access.require_reader(user)
