"""The output of the commonality engine: concepts and their members."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mellanrum.engines.commonality.distribution import Distribution

__all__ = ["Concept", "Member"]


@dataclass(frozen=True, slots=True)
class Member:
    """One activity in a concept.

    Attributes
    ----------
    activity_id, organisation, name : str
        From the input activity.
    confidence : float
        Cosine similarity (0–1) of the activity to the concept's centroid.
    evidence : tuple of str
        Terms, stems and thesaurus concepts it shares with other members.
    """

    activity_id: str
    organisation: str
    name: str
    confidence: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Concept:
    """A group of activities that are the same thing across organisations.

    Attributes
    ----------
    id : str
        The pinned id, or ``c-`` plus a hash of the member with the smallest
        (organisation, activity id); unpinned ids change when that member does.
    label : str
        Pinned label, or the most representative member name.
    members : tuple of Member
        Sorted by organisation and activity id.
    organisations : int
        Number of distinct organisations.
    pinned : bool
        True when a human decision pins the concept.
    terms : tuple of str
        The concept's strongest shared terms.
    systems : mapping of str to int
        System → number of organisations using it for this concept.
    cost_per_inhabitant, cost_per_case, lead_time_days : Distribution or None
        Per-activity figures where the inputs allow them.
    total_cost_sek, total_volume : float
        Sums over members with known values.
    """

    id: str
    label: str
    members: tuple[Member, ...]
    organisations: int
    pinned: bool
    terms: tuple[str, ...]
    systems: Mapping[str, int]
    cost_per_inhabitant: Distribution | None
    cost_per_case: Distribution | None
    lead_time_days: Distribution | None
    total_cost_sek: float
    total_volume: float

    @property
    def activity_ids(self) -> tuple[str, ...]:
        """Ids of the members, in member order."""
        return tuple(m.activity_id for m in self.members)
