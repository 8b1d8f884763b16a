"""Every write to networks, events and registrations goes through a ``do_*`` function here.

Each validates (so the web forms, the API and the CLI refuse the same things), writes in one
transaction and records who did it in the landscape audit log. Permission checks are the
caller's business, through ``access.py``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.collaborations.models import Initiative
from mellanrum.commonality.models import Concept
from mellanrum.core.actions import record_audit
from mellanrum.core.models import User
from mellanrum.core.validation import full_clean_refusing_nul
from mellanrum.landscape.models import Organisation

from .models import Event, Network, NetworkConcept, NetworkMember, Registration

NETWORK_FIELDS = ("title", "description", "visibility")
EVENT_FIELDS = (
    "title", "description", "starts_at", "ends_at", "place", "is_digital", "online_url",
    "network", "capacity", "registration_deadline",
)
MAX_CAPACITY = 10_000
MAX_LENGTH = datetime.timedelta(days=14)
LATEST = datetime.datetime(2100, 12, 31, tzinfo=datetime.UTC)
EARLIEST = datetime.datetime(1990, 1, 1, tzinfo=datetime.UTC)


def _user_or_none(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    full_clean_refusing_nul(obj, exclude, validate_constraints=False)


def _audit(user: User | None, organisation: Organisation | None, action: str, what: str,
           **detail: Any) -> None:
    record_audit(user, organisation, f"community.{action}", what, **detail)


# --- Networks ------------------------------------------------------------------------------


def _check_network_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(NETWORK_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")


@transaction.atomic
def do_create_network(*, acting_user: User | None, illustrative: bool = False,
                      **fields: Any) -> Network:
    """Create a network; the user who creates it becomes its first coordinator."""
    _check_network_fields(fields)
    network = Network(**fields, is_illustrative=illustrative,
                      created_by=_user_or_none(acting_user))
    _full_clean(network, exclude=["created_by"])
    network.save()
    creator = _user_or_none(acting_user)
    if creator is not None:
        NetworkMember.objects.create(network=network, user=creator,
                                     role=NetworkMember.Role.COORDINATOR)
        if creator.organisation_id:
            network.organisations.add(creator.organisation_id)
    _audit(acting_user, getattr(acting_user, "organisation", None), "create_network",
           network.title, network=network.pk)
    return network


@transaction.atomic
def do_update_network(network: Network, *, acting_user: User | None, **fields: Any) -> Network:
    _check_network_fields(fields)
    network = Network.objects.select_for_update().get(pk=network.pk)
    for name, value in fields.items():
        setattr(network, name, value)
    _full_clean(network, exclude=["created_by"])
    network.save(update_fields=list(fields))
    _audit(acting_user, None, "update_network", network.title, network=network.pk,
           fields=",".join(sorted(fields)))
    return network


@transaction.atomic
def do_join_network(network: Network, user: User) -> NetworkMember:
    """The user joins for themselves; their organisation becomes a member organisation."""
    if network.members.filter(user=user).exists():
        raise ValidationError(_("You are already a member of this network."))
    member = NetworkMember.objects.create(network=network, user=user)
    if user.organisation_id:
        network.organisations.add(user.organisation_id)
    _audit(user, user.organisation, "join_network", network.title, network=network.pk)
    return member


def _coordinators_left(network: Network, without: NetworkMember) -> bool:
    return network.members.filter(role=NetworkMember.Role.COORDINATOR).exclude(
        pk=without.pk).exists()


@transaction.atomic
def do_add_member(network: Network, user: User | None, *,
                  acting_user: User | None) -> NetworkMember:
    """A coordinator adds a person, e.g. to a network for members only."""
    if not isinstance(user, User) or user.pk is None or not user.is_active:
        raise ValidationError({"username": [_("No active user with this user name.")]})
    if network.members.filter(user=user).exists():
        raise ValidationError({"username": [_("This person is already a member.")]})
    member = NetworkMember.objects.create(network=network, user=user)
    if user.organisation_id:
        network.organisations.add(user.organisation_id)
    _audit(acting_user, user.organisation, "add_member", network.title, network=network.pk,
           member=user.pk)
    return member


@transaction.atomic
def do_leave_network(network: Network, user: User) -> None:
    member = network.members.select_for_update().filter(user=user).first()
    if member is None:
        raise ValidationError(_("You are not a member of this network."))
    if member.role == NetworkMember.Role.COORDINATOR and not _coordinators_left(network, member):
        raise ValidationError(
            _("You are the network's only coordinator; make another member coordinator first.")
        )
    member.delete()
    _audit(user, user.organisation, "leave_network", network.title, network=network.pk)


@transaction.atomic
def do_set_member_role(network: Network, member: NetworkMember, role: str, *,
                       acting_user: User | None) -> NetworkMember:
    if member.network_id != network.pk:
        raise ValidationError(_("That person is not a member of this network."))
    if role not in NetworkMember.Role.values:
        raise ValidationError({"role": [_("Choose coordinator or member.")]})
    if (member.role == NetworkMember.Role.COORDINATOR and role != member.role
            and not _coordinators_left(network, member)):
        raise ValidationError(_("A network needs at least one coordinator."))
    member.role = role
    member.save(update_fields=["role"])
    _audit(acting_user, None, "set_member_role", network.title, network=network.pk,
           member=member.user_id, role=role)
    return member


@transaction.atomic
def do_remove_member(network: Network, member: NetworkMember, *,
                     acting_user: User | None) -> None:
    if member.network_id != network.pk:
        raise ValidationError(_("That person is not a member of this network."))
    if member.role == NetworkMember.Role.COORDINATOR and not _coordinators_left(network, member):
        raise ValidationError(_("A network needs at least one coordinator."))
    member.delete()
    _audit(acting_user, None, "remove_member", network.title, network=network.pk,
           member=member.user_id)


@transaction.atomic
def do_add_network_organisation(network: Network, *, acting_user: User | None,
                                organisation: Organisation | None) -> None:
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise ValidationError({"organisation": [_("Choose an organisation from the landscape.")]})
    if network.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": [_("This organisation is already a member.")]})
    network.organisations.add(organisation)
    _audit(acting_user, organisation, "add_network_organisation", network.title,
           network=network.pk)


@transaction.atomic
def do_link_network_concept(network: Network, *, acting_user: User | None,
                            concept_id: str) -> NetworkConcept:
    concept = Concept.objects.filter(concept_id=concept_id).order_by("-run_id").first()
    if concept is None:
        raise ValidationError(
            {"concept": [_("No concept with this id in the latest commonality analysis.")]}
        )
    if network.concept_links.filter(concept_id=concept_id).exists():
        raise ValidationError({"concept": [_("This concept is already linked.")]})
    link = NetworkConcept.objects.create(network=network, concept_id=concept.concept_id,
                                         label=concept.label)
    _audit(acting_user, None, "link_concept", network.title, network=network.pk,
           concept=concept_id)
    return link


@transaction.atomic
def do_link_network_initiative(network: Network, *, acting_user: User | None,
                               initiative: Initiative | None) -> None:
    if not isinstance(initiative, Initiative) or initiative.pk is None:
        raise ValidationError({"initiative": [_("Choose an initiative you can see.")]})
    if network.initiatives.filter(pk=initiative.pk).exists():
        raise ValidationError({"initiative": [_("This initiative is already linked.")]})
    network.initiatives.add(initiative)
    _audit(acting_user, None, "link_initiative", network.title, network=network.pk,
           initiative=initiative.pk)


@transaction.atomic
def do_unlink_network_item(network: Network, kind: str, pk: int, *,
                           acting_user: User | None) -> None:
    """Remove a member organisation, a concept link or an initiative link."""
    if kind == "organisation":
        found = network.organisations.filter(pk=pk).exists()
        network.organisations.remove(pk)
    elif kind == "initiative":
        found = network.initiatives.filter(pk=pk).exists()
        network.initiatives.remove(pk)
    elif kind == "concept":
        found = bool(network.concept_links.filter(pk=pk).delete()[0])
    else:
        raise ValueError(kind)
    if not found:
        raise ValidationError(_("That item does not exist any more."))
    _audit(acting_user, None, "unlink", network.title, network=network.pk, kind=kind, pk=pk)


# --- Events --------------------------------------------------------------------------------


def _in_range(value: datetime.datetime) -> bool:
    try:
        return EARLIEST <= value.astimezone(datetime.UTC) <= LATEST
    except (OverflowError, ValueError):
        return False


def _normalise_times(fields: dict[str, Any]) -> None:
    """Naive times are Swedish time (the current time zone); absurd ones are refused."""
    for name in ("starts_at", "ends_at", "registration_deadline"):
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, datetime.datetime):
            raise ValidationError({name: [_("Give a date and time, e.g. 2026-03-14 13:00.")]})
        if timezone.is_naive(value):
            try:
                value = timezone.make_aware(value)
            except (OverflowError, ValueError):
                raise ValidationError(
                    {name: [_("Give a date between 1990 and 2100.")]}) from None
        if not _in_range(value):
            raise ValidationError({name: [_("Give a date between 1990 and 2100.")]})
        fields[name] = value


def check_event(event: Event, *, old_start: datetime.datetime | None = None,
                allow_past: bool = False, now: datetime.datetime | None = None) -> None:
    """The rules for an event's times, place and capacity, in one place.

    A new event, or one whose start is moved (``old_start`` is the stored start), cannot
    start in the past; an existing event keeps its start even once it has passed.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    for name in ("starts_at", "ends_at", "registration_deadline"):
        value = getattr(event, name)
        if value is not None and not _in_range(value):
            errors[name] = [_("Give a date between 1990 and 2100.")]
    if errors:
        raise ValidationError(errors)
    start, end = event.starts_at, event.ends_at
    moved = old_start is None or start != old_start
    if moved and not allow_past and start < now:
        errors["starts_at"] = [_("An event cannot start in the past.")]
    if end <= start:
        errors["ends_at"] = [_("The event must end after it starts.")]
    elif end - start > MAX_LENGTH:
        errors["ends_at"] = [_("An event can last at most 14 days.")]
    deadline = event.registration_deadline
    if deadline is not None and deadline > start:
        errors["registration_deadline"] = [
            _("The last day to register cannot be after the event starts.")
        ]
    if event.capacity is not None and not 1 <= event.capacity <= MAX_CAPACITY:
        errors["capacity"] = [_("Give a number of places from 1 to 10 000, or leave it empty.")]
    elif event.capacity is not None and event.capacity < event.registered_count:
        errors["capacity"] = [
            _("%(count)s people are already registered; the places cannot be fewer.")
            % {"count": event.registered_count}
        ]
    if not event.is_digital and not event.place.strip():
        errors["place"] = [_("Give a place, or mark the event as digital.")]
    if event.online_url and not event.is_digital:
        errors["online_url"] = [_("A meeting link belongs to a digital event; tick “digital”.")]
    if errors:
        raise ValidationError(errors)


def _check_event_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    network = fields.get("network")
    if network is not None and not isinstance(network, Network):
        raise ValidationError({"network": [_("Choose a network you can see.")]})
    _normalise_times(fields)


@transaction.atomic
def do_create_event(*, acting_user: User | None, organiser: Organisation | None,
                    illustrative: bool = False, allow_past: bool = False,
                    **fields: Any) -> Event:
    _check_event_fields(fields)
    if not isinstance(organiser, Organisation) or organiser.pk is None:
        raise ValidationError({"organiser": [_("Choose an organisation from the landscape.")]})
    event = Event(**fields, organiser=organiser, is_illustrative=illustrative,
                  created_by=_user_or_none(acting_user))
    if None in (event.starts_at, event.ends_at):
        raise ValidationError({"starts_at": [_("Give when the event starts and ends.")]})
    _full_clean(event, exclude=["created_by"])
    check_event(event, allow_past=allow_past)
    event.save()
    _audit(acting_user, organiser, "create_event", event.title, event=event.pk)
    return event


@transaction.atomic
def do_update_event(event: Event, *, acting_user: User | None, **fields: Any) -> Event:
    _check_event_fields(fields)
    event = Event.objects.select_for_update().get(pk=event.pk)
    old_start = event.starts_at
    for name, value in fields.items():
        setattr(event, name, value)
    _full_clean(event, exclude=["created_by"])
    check_event(event, old_start=old_start)
    event.save(update_fields=list(fields))
    _audit(acting_user, event.organiser, "update_event", event.title, event=event.pk,
           fields=",".join(sorted(fields)))
    return event


@transaction.atomic
def do_delete_event(event: Event, *, acting_user: User | None) -> None:
    organiser, title, pk = event.organiser, event.title, event.pk
    event.delete()
    _audit(acting_user, organiser, "delete_event", title, event=pk)


@transaction.atomic
def do_register(event: Event, user: User, *, now: datetime.datetime | None = None,
                ) -> Registration:
    """Register the user for the event: once, before the deadline, and within the capacity.

    The place is taken with one conditional UPDATE of the event's counter, which the database
    runs atomically, so two people racing for the last place cannot both get it.
    """
    now = now or timezone.now()
    if not user.is_authenticated:
        raise ValidationError(_("Log in to register."))
    if Registration.objects.filter(event=event, user=user).exists():
        raise ValidationError(_("You are already registered for this event."))
    if now > event.deadline:
        raise ValidationError(_("Registration for this event has closed."))
    room = Q() if event.capacity is None else Q(registered_count__lt=F("capacity"))
    taken = Event.objects.filter(room, pk=event.pk).update(
        registered_count=F("registered_count") + 1
    )
    if not taken:
        raise ValidationError(_("The event is full."))
    try:
        with transaction.atomic():
            registration = Registration.objects.create(event=event, user=user)
    except IntegrityError:
        raise ValidationError(_("You are already registered for this event.")) from None
    event.refresh_from_db(fields=["registered_count"])
    _audit(user, event.organiser, "register", event.title, event=event.pk)
    return registration


@transaction.atomic
def do_cancel_registration(event: Event, user: User, *,
                           now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is None:
        raise ValidationError(_("You are not registered for this event."))
    if now >= event.starts_at:
        raise ValidationError(_("The event has started; registrations can no longer change."))
    registration.delete()
    Event.objects.filter(pk=event.pk, registered_count__gt=0).update(
        registered_count=F("registered_count") - 1
    )
    event.refresh_from_db(fields=["registered_count"])
    _audit(user, event.organiser, "cancel_registration", event.title, event=event.pk)
