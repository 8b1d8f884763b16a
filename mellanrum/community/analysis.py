"""Counterparts: the people responsible for the same thing in other organisations.

Nothing is matched here. The latest commonality analysis already says which activities are
the same thing (a concept and its members, with the engine's confidence), and its adapter
says how alike two organisations are (``commonality.analysis.similar_to``, the engine's
structural and activity similarity). This module only reads those results, adds the
responsible contact person of each activity and the people of the networks linked to the
concept, and filters and ranks the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from mellanrum.commonality import analysis as commonality
from mellanrum.commonality.models import Concept, Membership
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Contact, Organisation

from .models import Network, NetworkMember

__all__ = ["Counterpart", "Counterparts", "Filters", "for_activity", "for_concept"]

# The similarity search returns the k most similar organisations; asking for all is cheap
# at the scale of Swedish public organisations (a few hundred of one kind).
ALL_ORGANISATIONS = 10_000


@dataclass(frozen=True)
class Filters:
    """Narrow the counterparts to one county (region) or the members of one association."""

    county: str = ""
    association: str = ""
    # Kolada's similar municipalities of the user's own (and the own), when asked for.
    codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # No code holds a NUL character, and PostgreSQL refuses to compare text with one.
        object.__setattr__(self, "county", self.county.replace("\x00", ""))
        object.__setattr__(self, "association", self.association.replace("\x00", ""))

    @classmethod
    def of(cls, params: object) -> Filters:
        get = getattr(params, "get", None)
        if get is None:
            return cls()
        return cls(county=str(get("county") or "")[:2], association=str(
            get("association") or "")[:32])

    def apply(self, organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
        if self.county:
            organisations = organisations.filter(county_code=self.county)
        if self.association:
            organisations = organisations.filter(associations__code=self.association)
        if self.codes:
            organisations = organisations.filter(code__in=self.codes)
        return organisations


@dataclass(frozen=True)
class Counterpart:
    organisation: Organisation
    activity: Activity
    contact: Contact | None
    confidence: float
    similarity: float | None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class NetworkPerson:
    user: User
    network_title: str
    network_url: str
    role: str


@dataclass
class Counterparts:
    concept: Concept | None
    rows: list[Counterpart] = field(default_factory=list)
    people: list[NetworkPerson] = field(default_factory=list)


def _network_people(concept: Concept, exclude_organisation: Organisation | None,
                    organisations: QuerySet[Organisation], visible: QuerySet[Network]) -> list[
                        NetworkPerson]:
    members = (
        NetworkMember.objects.filter(network__concept_links__concept_id=concept.concept_id,
                                     network__in=visible, user__is_active=True,
                                     user__organisation__in=organisations)
        .select_related("network", "user__organisation")
        .order_by("user__organisation__name", "user__last_name", "user__username", "pk")
    )
    if exclude_organisation is not None:
        members = members.exclude(user__organisation=exclude_organisation)
    seen: set[int] = set()
    people = []
    for m in members:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        people.append(NetworkPerson(m.user, m.network.title, m.network.get_absolute_url(),
                                    m.get_role_display()))
    return people


def _members(concept: Concept, organisations: QuerySet[Organisation]) -> list[Membership]:
    return list(
        concept.memberships.filter(activity__organisation__in=organisations)
        .select_related("activity__organisation", "activity__owner")
    )


def for_activity(activity: Activity, filters: Filters, visible_networks: QuerySet[Network],
                 ) -> Counterparts:
    """The same thing in other organisations, most alike organisation first."""
    concept = commonality.concept_of(activity)
    if concept is None:
        return Counterparts(concept=None)
    organisations = filters.apply(Organisation.objects.exclude(pk=activity.organisation_id))
    neighbours = {
        n.organisation.pk: n
        for n in commonality.similar_to(activity.organisation, k=ALL_ORGANISATIONS)
    }
    rows = []
    for m in _members(concept, organisations):
        neighbour = neighbours.get(m.activity.organisation_id)
        rows.append(Counterpart(
            organisation=m.activity.organisation, activity=m.activity, contact=m.activity.owner,
            confidence=m.confidence,
            similarity=neighbour.similarity if neighbour else None,
            reasons=neighbour.reasons if neighbour else (),
        ))
    rows.sort(key=lambda r: (r.similarity is None, -(r.similarity or 0), -r.confidence,
                             r.organisation.name, r.activity.name))
    people = _network_people(concept, activity.organisation, organisations, visible_networks)
    return Counterparts(concept=concept, rows=rows, people=people)


def for_concept(concept: Concept, filters: Filters, visible_networks: QuerySet[Network],
                ) -> Counterparts:
    """Everyone responsible for the concept's activities, by organisation."""
    organisations = filters.apply(Organisation.objects.all())
    rows = [
        Counterpart(organisation=m.activity.organisation, activity=m.activity,
                    contact=m.activity.owner, confidence=m.confidence, similarity=None)
        for m in _members(concept, organisations)
    ]
    rows.sort(key=lambda r: (r.organisation.name, -r.confidence, r.activity.name))
    people = _network_people(concept, None, organisations, visible_networks)
    return Counterparts(concept=concept, rows=rows, people=people)


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    counties = (
        Organisation.objects.exclude(county_code="").exclude(county_name="")
        .values_list("county_code", "county_name").distinct().order_by("county_name")
    )
    associations = Organisation.objects.filter(kind=Organisation.Kind.ASSOCIATION).order_by(
        "name").values_list("code", "name")
    return {"counties": list(dict(counties).items()), "associations": list(associations)}
