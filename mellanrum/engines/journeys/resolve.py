"""Resolve a life event to the organisations and activities of a concrete place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from mellanrum.engines.journeys.matching import NameWeights, TextMatcher, text_matcher
from mellanrum.engines.journeys.model import (
    ActivityRef,
    InformationItem,
    LifeEvent,
    OrganisationRef,
    Place,
    Step,
)

__all__ = [
    "CITIZEN_KINDS",
    "FetchableItem",
    "Handoff",
    "JourneyAnalysis",
    "RepeatedItem",
    "ResolvedStep",
    "resolve_journey",
    "responsible_organisation",
]

GAP_NO_ORGANISATION = "no_organisation"
GAP_NO_ACTIVITY = "no_activity"
GAP_NO_SERVICES = "no_services"
# Activity kinds a citizen can use; "process" (internal work) never serves a step.
CITIZEN_KINDS = frozenset({"service", "eservice"})


@dataclass(frozen=True)
class ResolvedStep:
    """A step with the organisation and activity that serve it in the place.

    `organisation` is None when no organisation is known (a region or agency missing from
    the data); for ``other`` steps it is a pseudo-organisation of kind ``other`` named by the
    step's provider.  `gap` is ``"no_organisation"``, ``"no_services"`` (the organisation has
    described no citizen services at all), ``"no_activity"`` or ``""``; steps served outside
    the public sector (``other``) are never gaps.  `start_day` and `end_day` place the step in
    time when every step starts as soon as the steps it waits for are done; `fetchable` are
    the data items the step asks for although the organisation could fetch them itself.
    """

    number: int
    step: Step
    organisation: OrganisationRef | None
    activity: ActivityRef | None
    match_score: float
    lead_time_days: float | None
    lead_time_source: str
    gap: str
    start_day: float = 0.0
    end_day: float = 0.0
    fetchable: tuple[str, ...] = ()


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
class FetchableItem:
    """An item a person is asked for although the asking organisation could fetch it."""

    item: str
    steps: tuple[int, ...]
    holder: str
    basis: str


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
        Data items that are a burden to give (not personnummer) asked for in two or more
        steps, most asked first.
    total_lead_time_days : float
        Sum of the steps' lead times (activity's median where known, else the catalogue's
        typical lead time): the total handling time, as if the steps ran one after another.
    critical_path_days : float
        The time a person actually waits: the longest chain of steps that wait for one
        another (steps that wait for nothing run in parallel from day 0).
    critical_path : tuple of int
        The step numbers of that chain, in order.
    fetchable_information : tuple of FetchableItem
        Items asked for although the asking organisation could fetch them, with the steps.
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
    critical_path_days: float = 0.0
    critical_path: tuple[int, ...] = ()
    fetchable_information: tuple[FetchableItem, ...] = ()

    @property
    def fetchable_count(self) -> int:
        """How many times in all a person is asked for something that could be fetched."""
        return sum(len(f.steps) for f in self.fetchable_information)

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
        candidates = [a for a in activities_by_org.get(organisation.code, ())
                      if a.kind in CITIZEN_KINDS]
        if organisation.code not in weights:
            weights[organisation.code] = NameWeights(matcher, (a.name for a in candidates))
        activity, score = matcher.best_activity(
            hints, candidates, weights=weights[organisation.code]
        )
        if not candidates:
            gap = GAP_NO_SERVICES
        elif activity is None:
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


def _schedule(steps: Sequence[ResolvedStep]) -> tuple[list[ResolvedStep], float, tuple[int, ...]]:
    """Start and end days of every step, the critical path's length and its steps."""
    ends: dict[int, float] = {}
    before: dict[int, int | None] = {}
    scheduled = []
    for resolved in steps:
        waits = [n for n in resolved.step.waits_for if n in ends]
        start = max((ends[n] for n in waits), default=0.0)
        before[resolved.number] = max(waits, key=lambda n: ends[n]) if waits else None
        end = start + (resolved.lead_time_days or 0.0)
        ends[resolved.number] = end
        scheduled.append(replace(resolved, start_day=start, end_day=end))
    if not ends:
        return scheduled, 0.0, ()
    last: int | None = max(ends, key=lambda n: (ends[n], -n))
    path = []
    while last is not None:
        path.append(last)
        last = before[last]
    return scheduled, ends[path[0]], tuple(reversed(path))


def _fetchable(
    steps: Sequence[ResolvedStep], information: Mapping[str, InformationItem]
) -> tuple[list[ResolvedStep], tuple[FetchableItem, ...]]:
    found: dict[str, list[int]] = {}
    result = []
    for resolved in steps:
        items = tuple(
            item for item in dict.fromkeys(resolved.step.data_items)
            if item in information and information[item].burden
            and resolved.organisation is not None and resolved.organisation.kind != "other"
            and information[item].fetchable_by(resolved.step.responsible)
        )
        for item in items:
            found.setdefault(item, []).append(resolved.number)
        result.append(replace(resolved, fetchable=items))
    return result, tuple(
        FetchableItem(item, tuple(numbers), information[item].holder, information[item].basis)
        for item, numbers in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )


def _repeated(
    steps: Sequence[ResolvedStep], information: Mapping[str, InformationItem]
) -> tuple[RepeatedItem, ...]:
    asked: dict[str, list[ResolvedStep]] = {}
    for resolved in steps:
        for item in dict.fromkeys(resolved.step.data_items):
            if item in information and not information[item].burden:
                continue
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
    information: Sequence[InformationItem] = (),
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
        Organisation code → its activities (processes are never offered to citizens).
    information : sequence of InformationItem, optional
        Who holds each data item and who may fetch it (the catalogue's ``information``).
        Items that are no burden (personnummer) are not counted as asked for twice.

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
    ...          ("personnummer", "inkomst"), 90, waits_for=(1,)),
    ...     Step("Vårdcentral", "new_region", ("vårdcentral",), ("personnummer",), 1,
    ...          waits_for=(1,)),
    ... ))
    >>> acts = {"1280": [ActivityRef("7", "Ansök om förskoleplats", new, lead_time_days=60)]}
    >>> place = Place(home, to=new, agencies={"SKV": skv})
    >>> journey = resolve_journey(event, place, acts)
    >>> [s.activity.name if s.activity else s.gap for s in journey.steps]
    ['no_services', 'Ansök om förskoleplats', 'no_organisation']
    >>> journey.organisation_count, len(journey.handoffs), journey.borders
    (2, 1, {'municipal': 0, 'regional': 0, 'state': 1})

    The form and the health centre both wait for the move to be registered, and then run
    in parallel: the person waits 65 days, not the 66 days of handling time.

    >>> journey.total_lead_time_days, journey.critical_path_days, journey.critical_path
    (66.0, 65.0, (1, 2))
    >>> journey.repeated_information[0].item
    'personnummer'
    >>> pn = InformationItem("personnummer", "Skatteverket", ("*",), burden=False)
    >>> income = InformationItem("inkomst", "Skatteverket", ("new_municipality",), "SSBTEK")
    >>> journey = resolve_journey(event, place, acts, information=[pn, income])
    >>> journey.repeated_information, [(f.item, f.steps) for f in journey.fetchable_information]
    ((), [('inkomst', (2,))])
    """
    # Hints and activity names are official wording: the catalogue's everyday synonym sets
    # (for the finder) would join "hem" in "Familjehem" to "hemma", so they are not used here.
    matcher = text_matcher(())
    weights: dict[str, NameWeights] = {}
    by_item = {i.item: i for i in information}
    first = [
        _resolve_step(number, step, place, activities_by_org, matcher, weights)
        for number, step in enumerate(event.steps, start=1)
    ]
    scheduled, critical_days, critical = _schedule(first)
    with_items, fetchable = _fetchable(scheduled, by_item)
    steps = tuple(with_items)
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
        repeated_information=_repeated(steps, by_item),
        total_lead_time_days=float(sum(known)),
        steps_without_lead_time=len(steps) - len(known),
        gaps=tuple(s for s in steps if s.gap),
        critical_path_days=critical_days,
        critical_path=critical,
        fetchable_information=fetchable,
    )
