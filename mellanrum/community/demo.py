"""Illustrative networks of practice, events and registrations for the demo scenario.

Everything here is made up and flagged ``is_illustrative``. The attendees are a few demo users
named after the demo's contact persons (their passwords are unusable, so nobody logs in as
them). Activities of the networks' concepts that have no owner get one of their
organisation's demo contact persons as owner, so that the counterparts pages show people.
Running the loader twice changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from mellanrum.collaborations.models import Initiative
from mellanrum.commonality import analysis as commonality
from mellanrum.commonality.models import Concept
from mellanrum.core.models import User
from mellanrum.landscape.actions import do_update_activity
from mellanrum.landscape.models import Activity, Contact, Organisation

from . import actions
from .models import Event, Network, NetworkMember

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class DemoNetwork:
    title: str
    description: str
    concept_words: tuple[str, ...]
    owner_roles: tuple[str, ...]  # preferred roles of the activities' owners
    organisations: tuple[str, ...]
    initiative: str = ""
    visibility: str = Network.Visibility.PUBLIC


@dataclass(frozen=True)
class DemoEvent:
    title: str
    description: str
    network: str
    organiser: str
    days: int  # from today; negative for a past event
    start: tuple[int, int]
    hours: int
    place: str
    is_digital: bool
    capacity: int | None
    deadline_days: int  # before the start
    attendees: tuple[str, ...]  # organisation codes of demo attendees


NETWORKS = (
    DemoNetwork(
        title="Nätverket för ekonomiskt bistånd i Stockholms län",
        description="Handläggare och chefer inom ekonomiskt bistånd delar erfarenheter av "
        "digitala ansökningar, bedömningsstöd och uppföljning.",
        concept_words=("ekonomiskt bistånd", "försörjningsstöd"),
        owner_roles=("Socialchef", "Verksamhetsutvecklare", "Processledare"),
        organisations=("0182", "0120", "0187", "0138", "0180"),
        initiative="Gemensam e-tjänst för ekonomiskt bistånd",
    ),
    DemoNetwork(
        title="Bygglovsnätverket",
        description="Bygglovschefer i länet jämför handläggningstider, mallar och "
        "tolkningar av plan- och bygglagen.",
        concept_words=("bygglov",),
        owner_roles=("Bygglovschef", "Processledare", "Verksamhetsutvecklare"),
        organisations=("0180", "0114", "0126", "0182"),
        initiative="Gemensam bygglovsprocess",
    ),
    DemoNetwork(
        title="Digitaliseringsstrateger i länet",
        description="Ett slutet forum för länets digitaliseringsstrateger.",
        concept_words=(),
        owner_roles=(),
        organisations=("0182", "0136", "0192"),
        visibility=Network.Visibility.MEMBERS,
    ),
)

EVENTS = (
    DemoEvent(
        title="Seminarium: en gemensam e-tjänst för ekonomiskt bistånd",
        description="Förstudien presenteras: nuläget i kommunernas olika system, den "
        "gemensamma målbilden och hur kostnaderna kan delas. Efteråt diskuterar vi nästa "
        "steg i samverkan.",
        network="Nätverket för ekonomiskt bistånd i Stockholms län", organiser="0182",
        days=30, start=(13, 0), hours=3, place="Nacka stadshus, Granitvägen 15",
        is_digital=False, capacity=40, deadline_days=7,
        attendees=("0120", "0187", "0138", "0180"),
    ),
    DemoEvent(
        title="Nätverksträff bygglov: gemensamma mallar",
        description="Digital träff om de gemensamma mallarna för beslut om bygglov.",
        network="Bygglovsnätverket", organiser="0180", days=45, start=(9, 0), hours=2,
        place="", is_digital=True, capacity=None, deadline_days=1,
        attendees=("0114", "0126"),
    ),
    DemoEvent(
        title="Uppstartsmöte för nätverket för ekonomiskt bistånd",
        description="Nätverket startade med en genomgång av hur kommunerna arbetar i dag.",
        network="Nätverket för ekonomiskt bistånd i Stockholms län", organiser="0182",
        days=-60, start=(10, 0), hours=2, place="Nacka stadshus", is_digital=False,
        capacity=30, deadline_days=3, attendees=(),
    ),
)


def _demo_user(organisation: Organisation) -> User | None:
    """One illustrative person per organisation, named after its first demo contact."""
    contact = Contact.objects.filter(organisation=organisation, is_illustrative=True).order_by(
        "email").first()
    if contact is None:
        return None
    username = f"demo-{organisation.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        first, _space, last = contact.name.partition(" ")
        user = User(username=username, first_name=first, last_name=last,
                    email=contact.email, organisation=organisation, role=User.Role.READER)
        user.set_unusable_password()
        user.save()
    return user


def _concepts(words: tuple[str, ...]) -> list[Concept]:
    run = commonality.current_run()
    if run is None:
        return []
    found: dict[str, Concept] = {}
    for word in words:
        for concept in Concept.objects.filter(run=run, label__icontains=word):
            found.setdefault(concept.concept_id, concept)
    return list(found.values())


def _assign_owners(concept: Concept, roles: tuple[str, ...]) -> None:
    activities = Activity.objects.filter(concept_memberships__concept=concept,
                                         owner__isnull=True, is_illustrative=True)
    for activity in activities.select_related("organisation"):
        contacts = list(Contact.objects.filter(organisation=activity.organisation_id,
                                               is_illustrative=True).order_by("email"))
        if not contacts:
            continue
        ranked = sorted(contacts, key=lambda c: roles.index(c.role) if c.role in roles
                        else len(roles))
        do_update_activity(activity, acting_user=None, owner=ranked[0])


def _network(item: DemoNetwork, organisations: dict[str, Organisation]) -> Network:
    network = Network.objects.filter(title=item.title, is_illustrative=True).first()
    if network is not None:
        return network
    network = actions.do_create_network(acting_user=None, illustrative=True, title=item.title,
                                        description=item.description,
                                        visibility=item.visibility)
    for code in item.organisations:
        if code in organisations:
            actions.do_add_network_organisation(network, acting_user=None,
                                                organisation=organisations[code])
    for concept in _concepts(item.concept_words):
        actions.do_link_network_concept(network, acting_user=None,
                                        concept_id=concept.concept_id)
    initiative = Initiative.objects.filter(title=item.initiative, is_illustrative=True).first()
    if initiative is not None:
        actions.do_link_network_initiative(network, acting_user=None, initiative=initiative)
    for index, code in enumerate(item.organisations):
        user = _demo_user(organisations[code]) if code in organisations else None
        if user is not None:
            NetworkMember.objects.get_or_create(
                network=network, user=user,
                defaults={"role": NetworkMember.Role.COORDINATOR if index == 0
                          else NetworkMember.Role.MEMBER},
            )
    return network


def _event(item: DemoEvent, organisations: dict[str, Organisation], today: datetime.date,
           ) -> Event | None:
    if item.organiser not in organisations:
        return None
    if Event.objects.filter(title=item.title, is_illustrative=True).exists():
        return None
    day = today + datetime.timedelta(days=item.days)
    starts_at = datetime.datetime(day.year, day.month, day.day, *item.start, tzinfo=STOCKHOLM)
    network = Network.objects.filter(title=item.network, is_illustrative=True).first()
    event = actions.do_create_event(
        acting_user=None, organiser=organisations[item.organiser], illustrative=True,
        allow_past=item.days < 0, title=item.title, description=item.description,
        starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=item.hours),
        place=item.place, is_digital=item.is_digital, online_url="",
        network=network, capacity=item.capacity,
        registration_deadline=starts_at - datetime.timedelta(days=item.deadline_days),
    )
    for code in item.attendees:
        user = _demo_user(organisations[code]) if code in organisations else None
        if user is not None:
            actions.do_register(event, user, now=min(timezone.now(), event.deadline))
    return event


@transaction.atomic
def do_load_demo_community() -> dict[str, int]:
    """Create the demo networks and events that do not exist yet."""
    codes = {c for n in NETWORKS for c in n.organisations} | {
        c for e in EVENTS for c in (e.organiser, *e.attendees)}
    organisations = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    for item in NETWORKS:
        for concept in _concepts(item.concept_words):
            _assign_owners(concept, item.owner_roles)
        _network(item, organisations)
    today = timezone.localdate()
    created = sum(1 for item in EVENTS if _event(item, organisations, today) is not None)
    return {"networks": Network.objects.filter(is_illustrative=True).count(),
            "events": created}
