"""Scoring one survey round: factor means with 95 % intervals, and partner breakdowns that
never expose a group smaller than the anonymity threshold."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scipy import stats

from mellanrum.engines.health.errors import HealthError
from mellanrum.engines.health.instrument import SCALE_MAX, SCALE_MIN, Instrument

__all__ = [
    "MIN_GROUP",
    "FactorScore",
    "PartnerScores",
    "ResponseData",
    "RoundScores",
    "mean_interval",
    "release_counts",
    "score_round",
]

# The smallest number of respondents whose answers are ever shown as a group.
MIN_GROUP = 3


@dataclass(frozen=True)
class ResponseData:
    """One anonymous response: the partner it came from and one answer per statement.

    ``None`` is "vet ej" (don't know); a statement left out counts the same.
    """

    partner: str
    answers: Mapping[str, int | None]


@dataclass(frozen=True)
class FactorScore:
    factor: str
    n: int  # respondents who answered at least one statement of the factor
    mean: float
    low: float | None  # None when n < 2: no interval from one answer
    high: float | None
    dont_know: int  # "vet ej" answers to the factor's statements


@dataclass(frozen=True)
class PartnerScores:
    partner: str
    responses: int
    factors: dict[str, FactorScore]  # only the cells that may be shown


@dataclass(frozen=True)
class RoundScores:
    threshold: int
    responses: int
    responses_by_partner: dict[str, int]
    factors: dict[str, FactorScore]  # empty when fewer than ``threshold`` responded
    partners: list[PartnerScores]  # partners with at least one cell shown
    suppressed: tuple[str, ...] = field(default=())  # partners withheld from the breakdown
    # The number of respondents per partner that may be shown; None where withheld.
    released_counts: dict[str, int | None] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.responses >= self.threshold

    @property
    def released_responses(self) -> int | None:
        """The number of respondents, or None when it is below the threshold."""
        return self.responses if self.shown else None

    def released_count(self, partner: str) -> int | None:
        """A partner's number of respondents, or None when withheld (or none answered)."""
        return self.released_counts.get(partner)


def release_counts(counts: Mapping[str, int], threshold: int = MIN_GROUP
                   ) -> dict[str, int | None]:
    """The per-partner respondent counts that may be shown; ``None`` where withheld.

    A count below ``threshold`` is never shown. Since the total is shown, the withheld
    counts together must not be 1 to ``threshold - 1`` either (the total minus the shown
    counts would give them), so while they are, the smallest shown count is withheld too.

    Examples
    --------
    >>> release_counts({"A": 5, "B": 4, "C": 1})
    {'A': 5, 'B': None, 'C': None}
    >>> release_counts({"A": 3, "B": 0})
    {'A': 3, 'B': None}
    """
    if threshold < 1:
        raise HealthError("the anonymity threshold must be at least 1")
    shown = {p: n for p, n in counts.items() if n >= threshold}
    hidden = sum(n for p, n in counts.items() if p not in shown)
    while 0 < hidden < threshold and shown:
        smallest = min(shown, key=lambda p: (shown[p], p))
        hidden += shown.pop(smallest)
    return {p: shown.get(p) for p in counts}


def mean_interval(values: Sequence[float], confidence: float = 0.95
                  ) -> tuple[float, float | None, float | None]:
    """Mean with a two-sided Student-t confidence interval, clipped to the 1–5 scale.

    Parameters
    ----------
    values : sequence of float
        One score per respondent.
    confidence : float
        The interval's confidence level.

    Returns
    -------
    tuple
        ``(mean, low, high)``; ``low`` and ``high`` are ``None`` for a single value.

    Notes
    -----
    ``mean ± t(1 - α/2, n - 1) · s / √n`` with the sample standard deviation ``s``. The
    respondents' factor scores are treated as a simple random sample of the partner staff,
    which a small invited group only approximates; the interval shows the uncertainty from
    the number of answers, not from who chose to answer.

    Examples
    --------
    >>> m, lo, hi = mean_interval([3, 4, 5])
    >>> m, round(lo, 3), round(hi, 3)
    (4.0, 1.516, 5.0)
    >>> mean_interval([4])
    (4.0, None, None)
    """
    n = len(values)
    if n == 0:
        raise HealthError("no values to average")
    mean = math.fsum(values) / n
    if n < 2:
        return mean, None, None
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return mean, max(float(SCALE_MIN), mean - half), min(float(SCALE_MAX), mean + half)


def _validate(instrument: Instrument, responses: Sequence[ResponseData]) -> None:
    known = set(instrument.item_keys)
    for index, response in enumerate(responses, start=1):
        unknown = set(response.answers) - known
        if unknown:
            raise HealthError(f"response {index}: unknown statements {sorted(unknown)[:3]}")
        for key, value in response.answers.items():
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not (
                SCALE_MIN <= value <= SCALE_MAX
            ):
                raise HealthError(
                    f"response {index}: {key} must be {SCALE_MIN}–{SCALE_MAX} or don't know"
                )


def _factor_values(instrument: Instrument, responses: Sequence[ResponseData],
                   factor: str) -> tuple[list[float], int]:
    """Each respondent's factor score (mean of the answered statements) and the don't-knows."""
    keys = [i.key for i in instrument.items_of(factor)]
    values: list[float] = []
    dont_know = 0
    for response in responses:
        answered = [response.answers[k] for k in keys if response.answers.get(k) is not None]
        dont_know += len(keys) - len(answered)
        if answered:
            values.append(math.fsum(a for a in answered if a is not None) / len(answered))
    return values, dont_know


def _score(instrument: Instrument, responses: Sequence[ResponseData], factor: str,
           confidence: float) -> FactorScore | None:
    values, dont_know = _factor_values(instrument, responses, factor)
    if not values:
        return None
    mean, low, high = mean_interval(values, confidence)
    return FactorScore(factor, len(values), mean, low, high, dont_know)


def score_round(
    instrument: Instrument,
    responses: Sequence[ResponseData],
    *,
    threshold: int = MIN_GROUP,
    confidence: float = 0.95,
) -> RoundScores:
    """Score a round overall and per partner, withholding every group below ``threshold``.

    Parameters
    ----------
    instrument : Instrument
        The statements and factors the round used.
    responses : sequence of ResponseData
        The anonymous responses.
    threshold : int
        The smallest group shown: the whole round below it shows no scores at all, a partner
        below it is left out of the breakdown, and every factor (overall or per partner)
        answered by fewer respondents is left out too.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    RoundScores

    Notes
    -----
    A respondent's factor score is the mean of their answers to the factor's statements,
    "vet ej" left out; a respondent who answered none of them does not count for the factor.
    The factor score is the mean of these respondent scores with a Student-t interval
    (:func:`mean_interval`).

    A withheld group could still be recovered by subtraction: with partners A (5 answers,
    shown) and B (2 answers, withheld), B's sum is the round total minus A's. So cells are
    withheld *complementarily*: for each factor, while the respondents of the withheld cells
    together number between 1 and ``threshold - 1``, the smallest shown cell is withheld too.
    What can then be derived by subtraction is only the pooled mean of at least ``threshold``
    respondents from withheld partners. The respondent counts per partner follow the same
    rule (:func:`release_counts`), and a partner whose count is withheld shows no cells.

    Examples
    --------
    >>> from mellanrum.engines.health.instrument import get_instrument
    >>> v1 = get_instrument()
    >>> answers = {"trust_promises": 4, "trust_raise": None}
    >>> r = score_round(v1, [ResponseData("A", answers)] * 3 + [ResponseData("B", answers)] * 2)
    >>> r.factors["trust"].mean, [p.partner for p in r.partners], r.suppressed
    (4.0, [], ('A', 'B'))
    """
    if threshold < 1:
        raise HealthError("the anonymity threshold must be at least 1")
    if not 0 < confidence < 1:
        raise HealthError("the confidence level must be between 0 and 1")
    _validate(instrument, responses)
    by_partner: dict[str, list[ResponseData]] = {}
    for response in responses:
        by_partner.setdefault(response.partner, []).append(response)
    counts = {p: len(rs) for p, rs in sorted(by_partner.items())}
    total = len(responses)
    released = release_counts(counts, threshold)
    if total < threshold:
        return RoundScores(threshold, total, counts, {}, [], tuple(counts),
                           dict.fromkeys(counts))

    overall: dict[str, FactorScore] = {}
    cells: dict[str, dict[str, FactorScore]] = {p: {} for p in counts}
    for factor in (f.key for f in instrument.factors):
        score = _score(instrument, responses, factor, confidence)
        if score is None or score.n < threshold:
            continue
        overall[factor] = score
        candidates = {}
        for partner in counts:
            cell = _score(instrument, by_partner[partner], factor, confidence)
            if cell is not None and counts[partner] >= threshold and cell.n >= threshold:
                candidates[partner] = cell
        hidden = score.n - sum(c.n for c in candidates.values())
        while 0 < hidden < threshold and candidates:
            smallest = min(candidates, key=lambda p: (candidates[p].n, p))
            hidden += candidates.pop(smallest).n
        for partner, cell in candidates.items():
            cells[partner][factor] = cell

    # A partner whose count is withheld shows no cells either: a cell's n would give the
    # count away. Dropping whole partners only adds groups of at least ``threshold`` to what
    # is hidden, so the complementary rule above still holds.
    partners = [PartnerScores(p, counts[p], cells[p]) for p in counts
                if cells[p] and released[p] is not None]
    shown = {p.partner for p in partners}
    return RoundScores(threshold, total, counts, overall, partners,
                       tuple(p for p in counts if p not in shown), released)
