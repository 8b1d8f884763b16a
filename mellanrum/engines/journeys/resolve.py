"""Resolve a life event to the organisations and activities of a concrete place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mellanrum.engines.journeys.matching import NameWeights, TextMatcher, text_matcher
from mellanrum.engines.journeys.model import ActivityRef, LifeEvent, OrganisationRef, Place, Step

__all__ = [
    "Handoff",
    "JourneyAnalysis",
    "RepeatedItem",
    "ResolvedStep",
    "resolve_journey",
    "responsible_organisation",
]

GAP_NO_ORGANISATION = "no_organisation"
GAP_NO_ACTIVITY = "no_activity"


@dataclass(frozen=True)
class ResolvedStep:
    """A step with the organisation and activity that serve it in the place.

    `organisation` is None when no organisation is known (a region or agency missing from
    the data); for ``other`` steps it is a pseudo-organisation of kind ``other`` named by the
    step's provider.  `gap` is ``"no_organisation"``, ``"no_activity"`` or ``""``; steps
    served outside the public sector (``other``) are never gaps.
    """

    number: int
    step: Step
    organisation: OrganisationRef | None
    activity: ActivityRef | None
    match_score: float
    lead_time_days: float | None
    lead_time_source: str
    gap: str


@dataclass(frozen=True)
class Handoff:
    """The person moves from one organisation to another between two steps."""

    from_step: int
    to_step: int
    from_organisation: str
    to_organisation: str
    crosses_state: bool


@dataclass(frozen=True)
class RepeatedItem:
    """An item of information asked for in more than one step."""

    item: str
    steps: tuple[int, ...]
    asked_by: tuple[str, ...]


@dataclass(frozen=True)
class JourneyAnalysis:
    """A journey resolved to a place, with the figures that describe it.

    Attributes
    ----------
    organisations : tuple of OrganisationRef
        Every organisation met, in order of first meeting (``other`` providers included).
    handoffs : tuple of Handoff
        Consecutive steps served by different organisations.
    borders : dict
        ``municipal``: municipalities involved − 1; ``regional``: counties involved − 1;
        ``state``: hand-offs between a state agency and anyone else.
    repeated_information : tuple of RepeatedItem
        Data items asked for in two or more steps, most asked first.
    total_lead_time_days : float
        Sum of the steps' lead times (activity's median where known, else the catalogue's
        typical lead time), as if the steps ran one after another.
    gaps : tuple of ResolvedStep
        Steps with no organisation or no matching activity in the place.
    """

    event: LifeEvent
    place: Place
    steps: tuple[ResolvedStep, ...]
    organisations: tuple[OrganisationRef, ...]
    handoffs: tuple[Handoff, ...]
    borders: dict[str, int]
    repeated_information: tuple[RepeatedItem, ...]
    total_lead_time_days: float
    steps_without_lead_time: int
    gaps: tuple[ResolvedStep, ...]

    @property
    def organisation_count(self) -> int:
        return len(self.organisations)


def responsible_organisation(step: Step, place: Place) -> OrganisationRef | None:
    """The organisation responsible for `step` in `place` (None when it is not known)."""
    kind = step.responsible
    if kind == "home_municipality":
        return place.municipality
    if kind == "new_municipality":
        return place.to or place.municipality
    if kind == "region":
        return place.region
    if kind == "new_region":
        return place.to_region if place.to is not None else place.region
    if kind == "other":
        name = step.provider or "Annan aktör"
        return OrganisationRef(code=f"other:{name}", name=name, kind="other")
    agency = step.agency
    return place.agencies.get(agency) if agency else None


def _resolve_step(
    number: int,
    step: Step,
    place: Place,
    activities_by_org: Mapping[str, Sequence[ActivityRef]],
    matcher: TextMatcher,
    weights: dict[str, NameWeights],
) -> ResolvedStep:
    organisation = responsible_organisation(step, place)
    activity: ActivityRef | None = None
    score = 0.0
    gap = ""
    if organisation is None:
        gap = GAP_NO_ORGANISATION
    elif organisation.kind != "other":
        hints = step.activity_hints or (step.need,)
        candidates = activities_by_org.get(organisation.code, ())
        if organisation.code not in weights:
            weights[organisation.code] = NameWeights(matcher, (a.name for a in candidates))
        activity, score = matcher.best_activity(
            hints, candidates, weights=weights[organisation.code]
        )
        if activity is None:
            gap = GAP_NO_ACTIVITY
    if activity is not None and activity.lead_time_days is not None:
        lead, source = float(activity.lead_time_days), "activity"
    elif step.lead_time_days is not None:
        lead, source = float(step.lead_time_days), "catalogue"
    else:
        lead, source = None, ""
    return ResolvedStep(number, step, organisation, activity, round(score, 3), lead, source, gap)


def _handoffs(steps: Sequence[ResolvedStep]) -> tuple[Handoff, ...]:
    result = []
    previous: ResolvedStep | None = None
    for current in steps:
        if current.organisation is None:
            continue
        if previous is not None and previous.organisation is not None:
            a, b = previous.organisation, current.organisation
            if a.code != b.code:
                crosses = (a.kind == "state_agency") != (b.kind == "state_agency")
                result.append(Handoff(previous.number, current.number, a.name, b.name, crosses))
        previous = current
    return tuple(result)


def _borders(
    organisations: Sequence[OrganisationRef], handoffs: Sequence[Handoff]
) -> dict[str, int]:
    municipalities = {o.code for o in organisations if o.kind == "municipality"}
    counties = {
        o.county_code for o in organisations
        if o.kind in ("municipality", "region") and o.county_code
    }
    return {
        "municipal": max(0, len(municipalities) - 1),
        "regional": max(0, len(counties) - 1),
        "state": sum(1 for h in handoffs if h.crosses_state),
    }


def _repeated(steps: Sequence[ResolvedStep]) -> tuple[RepeatedItem, ...]:
    asked: dict[str, list[ResolvedStep]] = {}
    for resolved in steps:
        for item in dict.fromkeys(resolved.step.data_items):
            asked.setdefault(item, []).append(resolved)
    result = [
        RepeatedItem(
            item=item,
            steps=tuple(r.number for r in where),
            asked_by=tuple(dict.fromkeys(
                r.organisation.name if r.organisation else r.step.responsible for r in where
            )),
        )
        for item, where in asked.items()
        if len(where) > 1
    ]
    result.sort(key=lambda r: (-len(r.steps), r.item))
    return tuple(result)


def resolve_journey(
    event: LifeEvent,
    place: Place,
    activities_by_org: Mapping[str, Sequence[ActivityRef]],
) -> JourneyAnalysis:
    """Resolve `event` to real organisations and activities in `place`, and analyse it.

    Each step's responsible kind becomes an organisation of the place (home or new
    municipality, its region, a named agency, or the step's outside provider), and its
    activity hints are matched against that organisation's activity names with
    :class:`~mellanrum.engines.journeys.matching.TextMatcher` (cosine ≥ 0.5, features
    weighted by their inverse frequency among that organisation's activity names).  Without
    ``place.to``, ``new_municipality`` and ``new_region`` steps fall back to the home ones
    (a move within the municipality).

    Parameters
    ----------
    event : LifeEvent
        The life event with its ordered steps.
    place : Place
        Home municipality, its region, the municipality moved to (optional) and agencies.
    activities_by_org : mapping of str to sequence of ActivityRef
        Organisation code → its activities.

    Returns
    -------
    JourneyAnalysis

    Notes
    -----
    Borders: *municipal* counts municipalities involved beyond the first, *regional*
    counties (of municipalities and regions) beyond the first, and *state* the hand-offs
    between a state agency and a municipality, region or outside provider.

    Examples
    --------
    >>> from mellanrum.engines.journeys.model import Step
    >>> home = OrganisationRef("0114", "Upplands Väsby kommun", "municipality", "01")
    >>> new = OrganisationRef("1280", "Malmö kommun", "municipality", "12")
    >>> skv = OrganisationRef("SKV", "Skatteverket", "state_agency")
    >>> event = LifeEvent("flytta", "Flytta", "Moving", "person", steps=(
    ...     Step("Anmäla flytten", "agency:SKV", ("flyttanmälan",), ("personnummer",), 5),
    ...     Step("Förskoleplats", "new_municipality", ("förskoleplats",),
    ...          ("personnummer", "inkomst"), 90),
    ... ))
    >>> acts = {"1280": [ActivityRef("7", "Ansök om förskoleplats", new, lead_time_days=60)]}
    >>> place = Place(home, to=new, agencies={"SKV": skv})
    >>> journey = resolve_journey(event, place, acts)
    >>> [s.activity.name if s.activity else s.gap for s in journey.steps]
    ['no_activity', 'Ansök om förskoleplats']
    >>> journey.organisation_count, len(journey.handoffs), journey.borders
    (2, 1, {'municipal': 0, 'regional': 0, 'state': 1})
    >>> journey.total_lead_time_days, journey.repeated_information[0].item
    (65.0, 'personnummer')
    """
    # Hints and activity names are official wording: the catalogue's everyday synonym sets
    # (for the finder) would join "hem" in "Familjehem" to "hemma", so they are not used here.
    matcher = text_matcher(())
    weights: dict[str, NameWeights] = {}
    steps = tuple(
        _resolve_step(number, step, place, activities_by_org, matcher, weights)
        for number, step in enumerate(event.steps, start=1)
    )
    organisations: dict[str, OrganisationRef] = {}
    for resolved in steps:
        if resolved.organisation is not None:
            organisations.setdefault(resolved.organisation.code, resolved.organisation)
    handoffs = _handoffs(steps)
    known = [s.lead_time_days for s in steps if s.lead_time_days is not None]
    return JourneyAnalysis(
        event=event,
        place=place,
        steps=steps,
        organisations=tuple(organisations.values()),
        handoffs=handoffs,
        borders=_borders(tuple(organisations.values()), handoffs),
        repeated_information=_repeated(steps),
        total_lead_time_days=float(sum(known)),
        steps_without_lead_time=len(steps) - len(known),
        gaps=tuple(s for s in steps if s.gap),
    )
