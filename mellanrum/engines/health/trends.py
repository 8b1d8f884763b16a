"""Trends across rounds and the early warnings a collaboration team should act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mellanrum.engines.health.errors import HealthError
from mellanrum.engines.health.scoring import RoundScores

__all__ = ["EarlyWarning", "WarningRules", "early_warnings", "factor_trend"]


@dataclass(frozen=True)
class WarningRules:
    """When to warn.

    drop
        A factor's mean fell by more than this many scale points since the previous round.
    divergence
        The partner means of a factor span at least this many points (highest minus lowest,
        partners above the anonymity threshold only).
    low_benefit
        The mean of the benefit factor, overall or for a shown partner, is below this.
    """

    drop: float = 0.5
    divergence: float = 1.0
    low_benefit: float = 3.0

    def __post_init__(self) -> None:
        for name in ("drop", "divergence", "low_benefit"):
            value = getattr(self, name)
            if not 0 <= value <= 4:
                raise HealthError(f"{name} must be between 0 and 4 scale points")


@dataclass(frozen=True)
class EarlyWarning:
    kind: Literal["drop", "divergence", "low_benefit"]
    factor: str
    value: float  # the current mean (drop, low_benefit) or the spread (divergence)
    previous: float | None = None  # the previous round's mean (drop)
    partner: str | None = None  # the partner concerned (low_benefit of one partner)
    high_partner: str | None = None  # divergence: the partner with the highest mean
    low_partner: str | None = None  # divergence: the partner with the lowest mean


def factor_trend(rounds: Sequence[RoundScores], factors: Sequence[str]
                 ) -> dict[str, list[float | None]]:
    """The overall mean of each factor in each round, oldest first; ``None`` where withheld.

    Examples
    --------
    >>> from mellanrum.engines.health.scoring import FactorScore, RoundScores
    >>> a = RoundScores(3, 4, {"A": 4}, {"trust": FactorScore("trust", 4, 4.0, 3.5, 4.5, 0)},
    ...                 [], ())
    >>> b = RoundScores(3, 2, {"A": 2}, {}, [], ("A",))
    >>> factor_trend([a, b], ["trust"])
    {'trust': [4.0, None]}
    """
    return {
        factor: [r.factors[factor].mean if factor in r.factors else None for r in rounds]
        for factor in factors
    }


def early_warnings(
    current: RoundScores,
    previous: RoundScores | None,
    *,
    benefit_factor: str,
    rules: WarningRules | None = None,
) -> list[EarlyWarning]:
    """Warnings for a round: falling factors, diverging partners, low own benefit.

    Parameters
    ----------
    current, previous : RoundScores
        This round and the round before it (``None`` for the first round).
    benefit_factor : str
        The factor measuring the perceived benefit for one's own organisation.
    rules : WarningRules
        The limits; the defaults are documented in ``docs/health.md``.

    Returns
    -------
    list of EarlyWarning
        Drops first, then divergences, then low benefit; factors in instrument order.

    Notes
    -----
    Only what the round shows is used: withheld factors and partners below the anonymity
    threshold never produce a warning, so a warning cannot reveal what the tables hide.

    Examples
    --------
    >>> from mellanrum.engines.health.scoring import FactorScore, RoundScores
    >>> def rs(mean):
    ...     return RoundScores(3, 6, {"A": 6},
    ...                        {"own_benefit": FactorScore("own_benefit", 6, mean, None, None, 0)},
    ...                        [], ())
    >>> [(w.kind, round(w.value, 1)) for w in early_warnings(rs(2.6), rs(3.4),
    ...                                                      benefit_factor="own_benefit")]
    [('drop', 2.6), ('low_benefit', 2.6)]
    """
    rules = rules or WarningRules()
    warnings: list[EarlyWarning] = []
    if previous is not None:
        for factor, score in current.factors.items():
            before = previous.factors.get(factor)
            if before is not None and before.mean - score.mean > rules.drop + 1e-9:
                warnings.append(EarlyWarning("drop", factor, score.mean, previous=before.mean))
    for factor in current.factors:
        cells = [(p.factors[factor].mean, p.partner) for p in current.partners
                 if factor in p.factors]
        if len(cells) < 2:
            continue
        high, low = max(cells), min(cells)
        if high[0] - low[0] >= rules.divergence - 1e-9:
            warnings.append(EarlyWarning("divergence", factor, high[0] - low[0],
                                         high_partner=high[1], low_partner=low[1]))
    benefit = current.factors.get(benefit_factor)
    if benefit is not None and benefit.mean < rules.low_benefit:
        warnings.append(EarlyWarning("low_benefit", benefit_factor, benefit.mean))
    for partner in current.partners:
        cell = partner.factors.get(benefit_factor)
        if cell is not None and cell.mean < rules.low_benefit:
            warnings.append(EarlyWarning("low_benefit", benefit_factor, cell.mean,
                                         partner=partner.partner))
    return warnings
