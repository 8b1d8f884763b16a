"""Networks, events, registrations and counterparts in the JSON API."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.landscape.access import access_activity
from mellanrum.landscape.models import Organisation
from mellanrum.lib.pagination import BoundedLimitOffsetPagination

from . import actions, analysis
from .access import (
    MAX_ID,
    access_attendees,
    access_event,
    access_network,
    can_see_people,
    event_organisations,
    require_reader,
    visible_events,
    visible_networks,
)
from .models import Event, Network

router = Router(tags=["community"])


class EventSummary(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    is_digital: bool
    organiser: str = Field(..., alias="organiser.code")
    network: int | None = Field(None, alias="network_id")
    capacity: int | None
    registered: int = Field(..., alias="registered_count")
    is_illustrative: bool


class EventOut(EventSummary):
    description: str
    registration_deadline: datetime.datetime
    registration_open: bool
    full: bool
    registered_self: bool = False

    @staticmethod
    def resolve_registration_deadline(obj: Event) -> datetime.datetime:
        return obj.deadline

    @staticmethod
    def resolve_registration_open(obj: Event) -> bool:
        return obj.is_open

    @staticmethod
    def resolve_full(obj: Event) -> bool:
        return obj.is_full

    @staticmethod
    def resolve_registered_self(obj: Event, context: dict[str, object]) -> bool:
        request = context["request"]
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return obj.registrations.filter(user=user).exists()


class EventFilter(Schema):
    when: Literal["upcoming", "past", "all"] = "upcoming"
    network: int | None = Field(None, ge=1, le=MAX_ID)
    organiser: str = Field("", max_length=32)


class EventIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str = Field("", max_length=300)
    is_digital: bool = False
    online_url: str = Field("", max_length=500)
    capacity: int | None = Field(None, ge=1, le=actions.MAX_CAPACITY)
    registration_deadline: datetime.datetime | None = None
    network: int | None = Field(None, ge=1, le=MAX_ID)
    organiser: str | None = Field(
        None, max_length=32,
        description="Code of the organiser organisation; defaults to your own. Only "
        "superusers may name another organisation.",
    )


class AttendeeOut(Schema):
    username: str
    name: str
    email: str
    organisation: str | None
    registered_at: datetime.datetime


class RegistrationOut(Schema):
    event: int
    registered: int


class NetworkSummary(Schema):
    id: int
    title: str
    visibility: str
    is_illustrative: bool


class NetworkConceptOut(Schema):
    concept_id: str
    label: str


class NetworkMemberOut(Schema):
    username: str
    name: str
    organisation: str | None
    role: str


class NetworkOut(NetworkSummary):
    description: str
    organisations: list[str]
    concepts: list[NetworkConceptOut]
    members: list[NetworkMemberOut]
    events: list[EventSummary]

    @staticmethod
    def resolve_organisations(obj: Network) -> list[str]:
        return list(obj.organisations.order_by("code").values_list("code", flat=True))

    @staticmethod
    def resolve_concepts(obj: Network) -> list[object]:
        return list(obj.concept_links.all())

    @staticmethod
    def resolve_members(obj: Network) -> list[dict[str, object]]:
        return [
            {"username": m.user.get_username(), "name": m.user.get_full_name(),
             "organisation": m.user.organisation.code if m.user.organisation else None,
             "role": m.role}
            for m in obj.members.select_related("user__organisation")
        ]

    @staticmethod
    def resolve_events(obj: Network) -> list[Event]:
        return list(obj.events.select_related("organiser"))


class MembershipOut(Schema):
    network: int
    role: str


class CounterpartFilter(Schema):
    county: str = Field("", max_length=2)
    association: str = Field("", max_length=32)


class CounterpartOut(Schema):
    organisation: str
    organisation_name: str
    activity: int
    activity_name: str
    contact_name: str | None
    contact_role: str | None
    contact_email: str | None
    confidence: float
    similarity: float | None
    reasons: list[str]


class CounterpartsOut(Schema):
    concept_id: str | None
    concept_label: str | None
    counterparts: list[CounterpartOut]


# --- Events --------------------------------------------------------------------------------


@router.get("/events", response=list[EventSummary])
@paginate(BoundedLimitOffsetPagination)
def list_events(request: AuthenticatedHttpRequest, filters: Query[EventFilter]) -> object:
    queryset = visible_events(request.user)
    now = timezone.now()
    if filters.when == "upcoming":
        queryset = queryset.filter(ends_at__gte=now)
    elif filters.when == "past":
        queryset = queryset.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    if filters.network is not None:
        queryset = queryset.filter(network_id=filters.network)
    if filters.organiser:
        queryset = queryset.filter(organiser__code=filters.organiser)
    return queryset


@router.get("/events/{event_id}", response=EventOut)
def get_event(request: AuthenticatedHttpRequest, event_id: int) -> Event:
    return access_event(request.user, event_id)


def _organiser(request: AuthenticatedHttpRequest, code: str | None) -> Organisation:
    allowed = event_organisations(request.user)
    if code is None:
        if request.user.organisation is None:
            raise ValidationError({"organiser": ["Give the code of the organiser."]})
        code = request.user.organisation.code
    # A NUL character is in no code, and PostgreSQL refuses to compare text with one.
    organisation = None if "\x00" in code else Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise ValidationError({"organiser": [f"Unknown organisation: {code[:40]!r}"]})
    if not allowed.filter(pk=organisation.pk).exists():
        raise PermissionDenied
    return organisation


@router.post("/events", response={201: EventOut})
def create_event(request: AuthenticatedHttpRequest, payload: EventIn) -> Status[object]:
    require_reader(request.user)
    organiser = _organiser(request, payload.organiser)
    network = None
    if payload.network is not None:
        network = visible_networks(request.user).filter(pk=payload.network).first()
        if network is None:
            raise ValidationError({"network": ["Choose a network you can see."]})
    fields = payload.dict(exclude={"organiser", "network"})
    event = actions.do_create_event(acting_user=request.user, organiser=organiser,
                                    network=network, **fields)
    return Status(201, event)


@router.post("/events/{event_id}/registration", response={201: RegistrationOut})
def register(request: AuthenticatedHttpRequest, event_id: int) -> Status[object]:
    event = access_event(request.user, event_id)
    require_reader(request.user)
    actions.do_register(event, request.user)
    return Status(201, {"event": event.pk, "registered": event.registered_count})


@router.delete("/events/{event_id}/registration", response={204: None})
def cancel_registration(request: AuthenticatedHttpRequest, event_id: int) -> Status[object]:
    event = access_event(request.user, event_id)
    actions.do_cancel_registration(event, request.user)
    return Status(204, None)


@router.get("/events/{event_id}/attendees", response=list[AttendeeOut])
def list_attendees(request: AuthenticatedHttpRequest, event_id: int) -> list[dict[str, object]]:
    event = access_attendees(request.user, event_id)
    return [
        {"username": r.user.get_username(), "name": r.user.get_full_name(),
         "email": r.user.email,
         "organisation": r.user.organisation.code if r.user.organisation else None,
         "registered_at": r.registered_at}
        for r in event.registrations.select_related("user__organisation")
    ]


# --- Networks ------------------------------------------------------------------------------


@router.get("/networks", response=list[NetworkSummary])
@paginate(BoundedLimitOffsetPagination)
def list_networks(request: AuthenticatedHttpRequest) -> object:
    return visible_networks(request.user).order_by("title", "pk")


@router.get("/networks/{network_id}", response=NetworkOut)
def get_network(request: AuthenticatedHttpRequest, network_id: int) -> Network:
    network = access_network(request.user, network_id)
    if not can_see_people(request.user):  # pragma: no cover - the API requires a login
        raise PermissionDenied
    return network


@router.post("/networks/{network_id}/membership", response={201: MembershipOut})
def join_network(request: AuthenticatedHttpRequest, network_id: int) -> Status[object]:
    network = access_network(request.user, network_id)
    require_reader(request.user)
    member = actions.do_join_network(network, request.user)
    return Status(201, {"network": network.pk, "role": member.role})


@router.delete("/networks/{network_id}/membership", response={204: None})
def leave_network(request: AuthenticatedHttpRequest, network_id: int) -> Status[object]:
    network = access_network(request.user, network_id)
    actions.do_leave_network(network, request.user)
    return Status(204, None)


# --- Counterparts --------------------------------------------------------------------------


@router.get("/activities/{activity_id}/counterparts", response=CounterpartsOut)
def activity_counterparts(request: AuthenticatedHttpRequest, activity_id: int,
                          filters: Query[CounterpartFilter]) -> dict[str, object]:
    if not 0 < activity_id <= MAX_ID:
        from django.http import Http404

        raise Http404
    activity = access_activity(request.user, activity_id)
    result = analysis.for_activity(activity, analysis.Filters(**filters.dict()),
                                   visible_networks(request.user))
    return {
        "concept_id": result.concept.concept_id if result.concept else None,
        "concept_label": result.concept.label if result.concept else None,
        "counterparts": [
            {"organisation": r.organisation.code, "organisation_name": r.organisation.name,
             "activity": r.activity.pk, "activity_name": r.activity.name,
             "contact_name": r.contact.name if r.contact else None,
             "contact_role": r.contact.role if r.contact else None,
             "contact_email": r.contact.email if r.contact else None,
             "confidence": round(r.confidence, 4),
             "similarity": None if r.similarity is None else round(r.similarity, 4),
             "reasons": list(r.reasons)}
            for r in result.rows
        ],
    }
