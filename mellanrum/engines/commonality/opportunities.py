"""Rank concepts as collaboration opportunities, with a plain explanation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from mellanrum.engines.commonality.concept import Concept
from mellanrum.engines.commonality.distribution import Distribution

__all__ = ["Opportunity", "OpportunityWeights", "rank_opportunities"]


@dataclass(frozen=True)
class OpportunityWeights:
    """Weights of the score components (they need not sum to one)."""

    organisations: float = 0.30
    total_cost: float = 0.20
    cost_spread: float = 0.15
    lead_time_spread: float = 0.10
    systems: float = 0.15
    volume: float = 0.10


@dataclass(frozen=True)
class Opportunity:
    """A concept ranked as a collaboration opportunity.

    Attributes
    ----------
    concept_id, label : str
        The concept.
    score : float
        Weighted sum of `components`.
    components : dict of str to float
        Each component in [0, 1] (see :func:`rank_opportunities`).
    figures : dict of str to float or None
        The numbers the components come from.
    explanation_sv, explanation_en : str
        One sentence each, generated from the figures.
    """

    concept_id: str
    label: str
    score: float
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


def _log_share(value: float, largest: float) -> float:
    return math.log1p(value) / math.log1p(largest) if largest > 0 else 0.0


def _spread_component(factor: float | None) -> float:
    return min(1.0, math.log(factor) / math.log(10)) if factor and factor > 1 else 0.0


def _sv(number: float, decimals: int = 0) -> str:
    text = f"{number:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return text


def _en(number: float, decimals: int = 0) -> str:
    return f"{number:,.{decimals}f}"


def rank_opportunities(
    concepts: Sequence[Concept],
    *,
    weights: OpportunityWeights | None = None,
    min_organisations: int = 2,
    noun_sv: str = "kommuner",
    noun_en: str = "municipalities",
) -> list[Opportunity]:
    """Score concepts done by at least `min_organisations` organisations.

    Components, each in [0, 1]:

    * ``organisations``: organisations doing it / the most for any concept;
    * ``total_cost``: ln(1 + total cost) / ln(1 + the largest total cost);
    * ``cost_spread``: log10 of the spread factor of cost per inhabitant
      (p90/p10 with five or more values, max/min with fewer), capped at 1
      (a factor of 10 or more);
    * ``lead_time_spread``: the same for lead time;
    * ``systems``: (different systems − 1) / 4, capped at 1;
    * ``volume``: ln(1 + cases) / ln(1 + the largest volume).

    The score is the weighted sum; ties are broken by label and id.

    Examples
    --------
    >>> from mellanrum.engines.commonality.concept import Concept
    >>> c = Concept("c1", "Bygglov", (), 3, False, (), {"A": 2, "B": 1},
    ...             Distribution.of({"x": 10.0, "y": 30.0}), None, None, 1e6, 0.0)
    >>> o = rank_opportunities([c])[0]
    >>> o.explanation_sv
    '3 kommuner gör detta; kostnaden per invånare skiljer en faktor 3; 2 olika system används.'
    >>> print(o.explanation_en)  # doctest: +NORMALIZE_WHITESPACE
    3 municipalities do this; cost per inhabitant differs by a factor of 3;
    2 different systems are used.
    """
    w = weights if weights is not None else OpportunityWeights()
    chosen = [c for c in concepts if c.organisations >= min_organisations]
    if not chosen:
        return []
    most_orgs = max(c.organisations for c in chosen)
    most_cost = max(c.total_cost_sek for c in chosen)
    most_volume = max(c.total_volume for c in chosen)
    result = []
    for concept in chosen:
        cost_factor = _factor(concept.cost_per_inhabitant)
        lead_factor = _factor(concept.lead_time_days)
        systems = len(concept.systems)
        components = {
            "organisations": concept.organisations / most_orgs,
            "total_cost": _log_share(concept.total_cost_sek, most_cost),
            "cost_spread": _spread_component(cost_factor),
            "lead_time_spread": _spread_component(lead_factor),
            "systems": min(1.0, max(0, systems - 1) / 4),
            "volume": _log_share(concept.total_volume, most_volume),
        }
        score = sum(getattr(w, name) * value for name, value in components.items())
        figures: dict[str, float | None] = {
            "organisations": float(concept.organisations),
            "total_cost_sek": concept.total_cost_sek,
            "cost_per_inhabitant_factor": cost_factor,
            "lead_time_factor": lead_factor,
            "systems": float(systems),
            "volume": concept.total_volume,
        }
        sv, en = _explain(concept, cost_factor, lead_factor, systems, noun_sv, noun_en)
        result.append(
            Opportunity(
                concept_id=concept.id,
                label=concept.label,
                score=round(score, 6),
                components={k: round(v, 6) for k, v in components.items()},
                figures=figures,
                explanation_sv=sv,
                explanation_en=en,
            )
        )
    result.sort(key=lambda o: (-o.score, o.label.casefold(), o.concept_id))
    return result


def _explain(
    concept: Concept,
    cost_factor: float | None,
    lead_factor: float | None,
    systems: int,
    noun_sv: str,
    noun_en: str,
) -> tuple[str, str]:
    sv = [f"{concept.organisations} {noun_sv} gör detta"]
    en = [f"{concept.organisations} {noun_en} do this"]
    if cost_factor and cost_factor >= 1.05:
        decimals = 0 if cost_factor >= 2.95 else 1
        sv.append(f"kostnaden per invånare skiljer en faktor {_sv(cost_factor, decimals)}")
        en.append(f"cost per inhabitant differs by a factor of {_en(cost_factor, decimals)}")
    if lead_factor and lead_factor >= 1.05:
        decimals = 0 if lead_factor >= 2.95 else 1
        sv.append(f"ledtiden skiljer en faktor {_sv(lead_factor, decimals)}")
        en.append(f"lead time differs by a factor of {_en(lead_factor, decimals)}")
    if systems >= 2:
        sv.append(f"{systems} olika system används")
        en.append(f"{systems} different systems are used")
    if concept.total_volume > 0:
        sv.append(f"{_sv(concept.total_volume)} ärenden per år")
        en.append(f"{_en(concept.total_volume)} cases a year")
    return "; ".join(sv) + ".", "; ".join(en) + "."
