"""Rank concepts as collaboration opportunities, with a plain explanation.

Beyond what the concepts themselves show (how many organisations, what it costs, how much
cost and lead time differ, how many systems), a ranking a process leader acts on needs to
know what already connects the organisations (their arrangements), what the law allows to
share (the concept's nature), what citizens would gain (journey steps the concept serves)
and when contracts end. These come in a :class:`ConceptContext` per concept; without one a
concept is ranked on its own figures, as an open opportunity.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from mellanrum.engines.commonality.concept import Concept
from mellanrum.engines.commonality.distribution import Distribution
from mellanrum.engines.commonality.nature import SHARING, is_core_mandate

__all__ = [
    "CITIZEN_ASSUMPTIONS",
    "ConceptContext",
    "JourneyGain",
    "Opportunity",
    "OpportunityWeights",
    "Status",
    "rank_opportunities",
]

Status = Literal["open", "partly_joint", "already_joint"]

# Minutes a citizen spends per hand-off between organisations (finding who is next, getting
# in touch, explaining again) and per piece of information asked for again: assumptions,
# shown wherever the estimate is.
HANDOFF_MINUTES = 30
REPEAT_MINUTES = 15
CITIZEN_ASSUMPTIONS = {"handoff_minutes": HANDOFF_MINUTES, "repeat_minutes": REPEAT_MINUTES}
RENEWAL_MONTHS = 24


@dataclass(frozen=True)
class OpportunityWeights:
    """Weights of the score components (they need not sum to one)."""

    organisations: float = 0.25
    total_cost: float = 0.15
    cost_spread: float = 0.10
    lead_time_spread: float = 0.05
    systems: float = 0.10
    volume: float = 0.05
    citizen: float = 0.15
    renewal: float = 0.15


@dataclass(frozen=True)
class JourneyGain:
    """Life-event steps a concept serves.

    Attributes
    ----------
    steps : int
        Steps of life events the concept serves.
    handoffs : int
        Hand-offs between organisations into or out of those steps.
    repeated : int
        Pieces of information those steps ask for that another step of the same life event
        asks for too.
    events : tuple of str
        The life events' names.
    """

    steps: int
    handoffs: int
    repeated: int
    events: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConceptContext:
    """What the ranking knows about a concept beyond its members' figures.

    Attributes
    ----------
    nature : str
        One of :data:`~mellanrum.engines.commonality.nature.NATURES`, or empty.
    joint : mapping of str to tuple of str
        Organisation → partner organisations, for members that do the concept jointly
        (a joint committee, federation, agreement, the region or the state).
    contract_ends : mapping of str to date
        Organisation → the end date of its agreement or supplier contract for the concept.
    journey : JourneyGain or None
        The citizen side.
    """

    nature: str = ""
    joint: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    contract_ends: Mapping[str, datetime.date] = field(default_factory=dict)
    journey: JourneyGain | None = None


@dataclass(frozen=True)
class Opportunity:
    """A concept ranked as a collaboration opportunity.

    Attributes
    ----------
    concept_id, label : str
        The concept.
    score : float
        0–100: the weighted sum of `components` times what the law allows for the nature,
        zero when the concept is already done jointly by everyone.
    status : str
        ``open``, ``partly_joint`` or ``already_joint``.
    organisations : tuple of str
        Codes of the organisations doing it.
    outside : tuple of str
        Codes of those not yet in a joint arrangement for it.
    nature : str
        The concept's nature ("" when unknown).
    components : dict of str to float
        Each component in [0, 1] (see :func:`rank_opportunities`).
    figures : dict of str to float or None
        The figures in real units: organisations, outside (antal), total_cost_sek (kr),
        cost_per_inhabitant_factor (×), lead_time_difference_days (dagar), systems,
        volume (ärenden), citizen_hours (timmar per år), journey_steps, handoffs, repeated,
        contracts_ending (organisations whose contract ends within 24 months).
    explanation_sv, explanation_en : str
        Why it ranks where it does, generated from the figures.
    """

    concept_id: str
    label: str
    score: float
    status: Status = "open"
    organisations: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()
    nature: str = ""
    components: dict[str, float] = field(default_factory=dict)
    figures: dict[str, float | None] = field(default_factory=dict)
    explanation_sv: str = ""
    explanation_en: str = ""


def _factor(distribution: Distribution | None) -> float | None:
    """p90/p10 with five or more values, max/min with two to four, else None."""
    if distribution is None or distribution.count < 2:
        return None
    if distribution.count >= 5:
        return distribution.spread
    return distribution.maximum / distribution.minimum if distribution.minimum > 0 else None


def _difference(distribution: Distribution | None) -> float | None:
    """p90 − p10 with five or more values, max − min with two to four, else None."""
    if distribution is None or distribution.count < 2:
        return None
    if distribution.count >= 5:
        return distribution.p90 - distribution.p10
    return distribution.maximum - distribution.minimum


def _log_share(value: float, largest: float) -> float:
    return math.log1p(value) / math.log1p(largest) if largest > 0 else 0.0


def _spread_component(factor: float | None) -> float:
    return min(1.0, math.log(factor) / math.log(10)) if factor and factor > 1 else 0.0


def _sv(number: float, decimals: int = 0) -> str:
    text = f"{number:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return text


def _en(number: float, decimals: int = 0) -> str:
    return f"{number:,.{decimals}f}"


def _months_until(today: datetime.date, end: datetime.date) -> int:
    return (end.year - today.year) * 12 + end.month - today.month


def citizen_hours(volume: float, journey: JourneyGain | None) -> float:
    """Citizen hours a year one shared solution would save.

    Each case of the concept passes, on average, the hand-offs and repeated questions of one
    of the steps it serves: ``volume × (handoffs × 30 min + repeated × 15 min) / steps``.

    >>> citizen_hours(1200, JourneyGain(steps=2, handoffs=2, repeated=4))
    1200.0
    >>> citizen_hours(1200, None)
    0.0
    """
    if journey is None or journey.steps <= 0 or volume <= 0:
        return 0.0
    minutes = journey.handoffs * HANDOFF_MINUTES + journey.repeated * REPEAT_MINUTES
    return round(volume * minutes / journey.steps / 60, 1)


def _status(concept: Concept, joint: Mapping[str, tuple[str, ...]]
            ) -> tuple[Status, tuple[str, ...], tuple[str, ...]]:
    organisations = tuple(sorted({m.organisation for m in concept.members}))
    inside = {o for o in organisations if joint.get(o)}
    # Whoever runs it for the others (the region, the host municipality) is inside too.
    inside |= {p for o in inside for p in joint.get(o, ()) if p in organisations}
    outside = tuple(o for o in organisations if o not in inside)
    if not inside:
        return "open", organisations, outside
    return ("already_joint" if not outside else "partly_joint"), organisations, outside


def rank_opportunities(
    concepts: Sequence[Concept],
    *,
    weights: OpportunityWeights | None = None,
    min_organisations: int = 2,
    noun_sv: str = "kommuner",
    noun_en: str = "municipalities",
    context: Mapping[str, ConceptContext] | None = None,
    names: Mapping[str, str] | None = None,
    today: datetime.date | None = None,
) -> list[Opportunity]:
    """Score concepts done by at least `min_organisations` organisations.

    Concepts that name a whole school or care form (:func:`is_core_mandate`) are left out:
    their shareable parts are concepts of their own. Components, each in [0, 1]:

    * ``organisations``: organisations not yet in a joint arrangement / the most for any
      concept;
    * ``total_cost``: ln(1 + total cost) / ln(1 + the largest total cost);
    * ``cost_spread``: log10 of the spread factor of cost per inhabitant
      (p90/p10 with five or more values, max/min with fewer), capped at 1
      (a factor of 10 or more);
    * ``lead_time_spread``: the same for lead time;
    * ``systems``: (different systems − 1) / 4, capped at 1;
    * ``volume``: ln(1 + cases) / ln(1 + the largest volume);
    * ``citizen``: ln(1 + citizen hours saved) / ln(1 + the most for any concept);
    * ``renewal``: organisations whose contract ends within 24 months, / 4, capped at 1,
      counted only when two or more do (a procurement window to share).

    The score is 100 × the weighted sum × the nature's sharing factor (1 for internal
    support and e-services, 0.8 for infrastructure and services to residents, 0.5 for
    myndighetsutövning), and 0 when every member already does it jointly; ties are broken
    by label and id. Already joint concepts come last.

    Examples
    --------
    >>> from mellanrum.engines.commonality.concept import Concept, Member
    >>> members = tuple(Member(f"{o}1", o, "Bygglov", 1.0, ()) for o in "ABC")
    >>> c = Concept("c1", "Bygglov", members, 3, False, (), {"X": 2, "Y": 1},
    ...             Distribution.of({"x": 10.0, "y": 30.0}), None, None, 1e6, 0.0)
    >>> o = rank_opportunities([c])[0]
    >>> o.status
    'open'
    >>> print(o.explanation_sv)  # doctest: +NORMALIZE_WHITESPACE
    3 kommuner gör detta; kostnaden per invånare skiljer en faktor 3;
    2 olika system används.
    >>> print(o.explanation_en)  # doctest: +NORMALIZE_WHITESPACE
    3 municipalities do this; cost per inhabitant differs by a factor of 3;
    2 different systems are used.
    >>> joint = {"A": ("B",), "C": ("B",)}
    >>> rank_opportunities([c], context={"c1": ConceptContext(joint=joint)})[0].status
    'already_joint'
    """
    w = weights if weights is not None else OpportunityWeights()
    context = context or {}
    names = names or {}
    today = today or datetime.date.today()
    chosen = [
        c for c in concepts
        if c.organisations >= min_organisations
        and not is_core_mandate([m.name for m in c.members])
    ]
    if not chosen:
        return []
    states = {c.id: _status(c, context.get(c.id, ConceptContext()).joint) for c in chosen}
    hours = {c.id: citizen_hours(c.total_volume, context.get(c.id, ConceptContext()).journey)
             for c in chosen}
    most_reach = max(len(states[c.id][2]) for c in chosen) or 1
    most_cost = max(c.total_cost_sek for c in chosen)
    most_volume = max(c.total_volume for c in chosen)
    most_hours = max(hours.values())
    result = []
    for concept in chosen:
        info = context.get(concept.id, ConceptContext())
        status, organisations, outside = states[concept.id]
        cost_factor = _factor(concept.cost_per_inhabitant)
        lead_days = _difference(concept.lead_time_days)
        systems = len(concept.systems)
        ending = sorted(
            o for o, end in info.contract_ends.items()
            if o in organisations and end >= today
            and _months_until(today, end) <= RENEWAL_MONTHS
        )
        components = {
            "organisations": len(outside) / most_reach,
            "total_cost": _log_share(concept.total_cost_sek, most_cost),
            "cost_spread": _spread_component(cost_factor),
            "lead_time_spread": _spread_component(_factor(concept.lead_time_days)),
            "systems": min(1.0, max(0, systems - 1) / 4),
            "volume": _log_share(concept.total_volume, most_volume),
            "citizen": _log_share(hours[concept.id], most_hours),
            "renewal": min(1.0, len(ending) / 4) if len(ending) >= 2 else 0.0,
        }
        sharing = SHARING.get(info.nature)
        factor = sharing.factor if sharing else 1.0
        score = 100 * factor * sum(getattr(w, k) * v for k, v in components.items())
        if status == "already_joint":
            score = 0.0
        journey = info.journey
        figures: dict[str, float | None] = {
            "organisations": float(len(organisations)),
            "outside": float(len(outside)),
            "total_cost_sek": concept.total_cost_sek,
            "cost_per_inhabitant_factor": cost_factor,
            "lead_time_difference_days": lead_days,
            "systems": float(systems),
            "volume": concept.total_volume,
            "citizen_hours": hours[concept.id],
            "journey_steps": float(journey.steps) if journey else 0.0,
            "handoffs": float(journey.handoffs) if journey else 0.0,
            "repeated": float(journey.repeated) if journey else 0.0,
            "contracts_ending": float(len(ending)),
        }
        sv, en = _explain(concept, status, outside, names, cost_factor, lead_days, systems,
                          hours[concept.id], journey, len(ending), info.nature, noun_sv,
                          noun_en)
        result.append(
            Opportunity(
                concept_id=concept.id,
                label=concept.label,
                score=round(score, 2),
                status=status,
                organisations=organisations,
                outside=outside,
                nature=info.nature,
                components={k: round(v, 6) for k, v in components.items()},
                figures=figures,
                explanation_sv=sv,
                explanation_en=en,
            )
        )
    result.sort(key=lambda o: (o.status == "already_joint", -o.score, o.label.casefold(),
                               o.concept_id))
    return result


def _names(codes: Sequence[str], names: Mapping[str, str], limit: int = 5) -> str:
    shown = [names.get(c, c) for c in codes[:limit]]
    more = len(codes) - len(shown)
    return ", ".join(shown) + (f" +{more}" if more > 0 else "")


def _explain(
    concept: Concept,
    status: Status,
    outside: tuple[str, ...],
    names: Mapping[str, str],
    cost_factor: float | None,
    lead_days: float | None,
    systems: int,
    hours: float,
    journey: JourneyGain | None,
    ending: int,
    nature: str,
    noun_sv: str,
    noun_en: str,
) -> tuple[str, str]:
    sv = [f"{concept.organisations} {noun_sv} gör detta"]
    en = [f"{concept.organisations} {noun_en} do this"]
    if status == "already_joint":
        sv.append("alla gör det redan i samverkan")
        en.append("all of them already do it jointly")
    elif status == "partly_joint":
        sv.append(f"{len(outside)} står utanför befintlig samverkan ({_names(outside, names)})")
        en.append(f"{len(outside)} are outside the existing arrangement "
                  f"({_names(outside, names)})")
    if cost_factor and cost_factor >= 1.05:
        decimals = 0 if cost_factor >= 2.95 else 1
        sv.append(f"kostnaden per invånare skiljer en faktor {_sv(cost_factor, decimals)}")
        en.append(f"cost per inhabitant differs by a factor of {_en(cost_factor, decimals)}")
    if lead_days and lead_days >= 1:
        sv.append(f"ledtiden skiljer {_sv(lead_days)} dagar")
        en.append(f"lead time differs by {_en(lead_days)} days")
    if systems >= 2:
        sv.append(f"{systems} olika system används")
        en.append(f"{systems} different systems are used")
    if concept.total_volume > 0:
        sv.append(f"{_sv(concept.total_volume)} ärenden per år")
        en.append(f"{_en(concept.total_volume)} cases a year")
    if hours >= 1 and journey is not None:
        sv.append(f"invånarna sparar uppskattningsvis {_sv(hours)} timmar per år "
                  f"({journey.steps} steg i livshändelser)")
        en.append(f"residents would save an estimated {_en(hours)} hours a year "
                  f"({journey.steps} life-event steps)")
    if ending >= 2:
        sv.append(f"avtal löper ut inom {RENEWAL_MONTHS} månader för {ending} organisationer")
        en.append(f"contracts end within {RENEWAL_MONTHS} months for {ending} organisations")
    sharing = SHARING.get(nature)
    if sharing is not None and status != "already_joint":
        sv.append(sharing.sv)
        en.append(sharing.en)
    return "; ".join(sv) + ".", "; ".join(en) + "."
