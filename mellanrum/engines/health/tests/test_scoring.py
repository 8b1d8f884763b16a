"""Scoring on hand-computed fixtures: means, don't know, intervals and anonymity."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from mellanrum.engines.health import (
    HealthError,
    ResponseData,
    get_instrument,
    mean_interval,
    release_counts,
    score_round,
)

V1 = get_instrument("2026.1")


def resp(partner: str, **answers: int | None) -> ResponseData:
    return ResponseData(partner, answers)


def test_factor_score_is_mean_of_respondent_means() -> None:
    # Respondent 1: trust items 4 and 2 -> 3.0; respondent 2: 5 -> 5.0; respondent 3: 4, 4, 4.
    rs = [resp("A", trust_promises=4, trust_raise=2), resp("A", trust_promises=5),
          resp("A", trust_promises=4, trust_raise=4, trust_expertise=4)]
    score = score_round(V1, rs).factors["trust"]
    assert score.n == 3
    assert score.mean == pytest.approx(4.0)
    # Sample sd of (3, 5, 4) is 1; half width t(0.975, 2) / sqrt(3).
    half = stats.t.ppf(0.975, 2) / math.sqrt(3)
    assert half == pytest.approx(2.4841, abs=1e-4)
    assert score.low == pytest.approx(max(1.0, 4 - half))
    assert score.high == pytest.approx(min(5.0, 4 + half))


def test_dont_know_is_excluded_not_counted_as_a_low_score() -> None:
    rs = [resp("A", roles_who=5, roles_decisions=None, roles_kept=None),
          resp("A", roles_who=5, roles_decisions=5),
          resp("A", roles_who=5)]
    score = score_round(V1, rs).factors["roles"]
    assert score.mean == 5.0
    # 2 explicit don't-knows plus 1 + 2 statements left out.
    assert score.dont_know == 2 + 1 + 2
    assert score.low == score.high == 5.0


def test_respondent_with_only_dont_know_does_not_count_for_the_factor() -> None:
    rs = [resp("A", leadership_together=None, leadership_progress=None, trust_raise=3)] + [
        resp("A", leadership_together=4, trust_raise=3)] * 3
    round_ = score_round(V1, rs)
    assert round_.factors["leadership"].n == 3
    assert round_.factors["trust"].n == 4


def test_interval_matches_scipy_and_narrows_with_more_answers() -> None:
    values = [2, 3, 3, 4, 4, 4, 5]
    mean, low, high = mean_interval(values)
    expected = stats.t.interval(0.95, len(values) - 1, loc=sum(values) / len(values),
                                scale=stats.sem(values))
    assert (low, high) == pytest.approx(expected)
    _mean, wide_low, wide_high = mean_interval([2, 4, 3, 5])
    assert low is not None and high is not None
    assert wide_low is not None and wide_high is not None
    assert wide_high - wide_low > high - low


def test_interval_is_clipped_to_the_scale() -> None:
    _mean, low, high = mean_interval([1, 1, 2])
    assert low == 1.0 and high is not None and high < 5


def test_answers_outside_the_scale_are_refused() -> None:
    for bad in (0, 6, -1, 3.5, True, "4"):
        with pytest.raises(HealthError, match="1–5"):
            # Deliberately ill-typed answers: the engine must refuse them.
            score_round(V1, [resp("A", trust_raise=bad)] * 3)  # type: ignore[arg-type]
    with pytest.raises(HealthError, match="unknown statements"):
        score_round(V1, [resp("A", not_a_statement=3)])


def test_round_below_threshold_shows_nothing() -> None:
    round_ = score_round(V1, [resp("A", trust_raise=4), resp("B", trust_raise=1)])
    assert not round_.shown
    assert round_.factors == {} and round_.partners == []
    assert round_.responses_by_partner == {"A": 1, "B": 1}


def test_factor_answered_by_fewer_than_threshold_is_withheld_overall() -> None:
    rs = [resp("A", trust_raise=4, vision_agree=2)] * 2 + [resp("A", trust_raise=4)] * 3
    round_ = score_round(V1, rs)
    assert "trust" in round_.factors
    assert "shared_vision" not in round_.factors


def test_partner_with_two_answers_never_appears_in_breakdown() -> None:
    rs = ([resp("A", trust_raise=5)] * 4 + [resp("B", trust_raise=1)] * 2
          + [resp("C", trust_raise=3)] * 3)
    round_ = score_round(V1, rs)
    shown = {p.partner: p for p in round_.partners}
    assert "B" not in shown
    assert "B" in round_.suppressed
    assert shown["A"].factors["trust"].mean == 5.0
    # Showing C too would leave B's pair as the remainder of the total: C is withheld.
    assert "C" not in shown and "C" in round_.suppressed


def test_two_answers_cannot_be_derived_by_subtraction_with_two_partners() -> None:
    rs = [resp("A", trust_raise=5)] * 6 + [resp("B", trust_raise=1)] * 2
    round_ = score_round(V1, rs)
    overall = round_.factors["trust"]
    assert overall.n == 8
    # Showing A alone would let anyone compute B = (8 * overall - 6 * A) / 2 = 1.0.
    assert round_.partners == []
    assert set(round_.suppressed) == {"A", "B"}


def test_withheld_pool_of_three_or_more_lets_the_others_show() -> None:
    rs = ([resp("A", trust_raise=5)] * 4 + [resp("B", trust_raise=1)] * 2
          + [resp("C", trust_raise=2)] * 1 + [resp("D", trust_raise=4)] * 3)
    round_ = score_round(V1, rs)
    # B and C together hide 3 respondents: only their pooled mean can be derived.
    assert {p.partner for p in round_.partners} == {"A", "D"}
    assert set(round_.suppressed) == {"B", "C"}


def test_smallest_shown_partner_is_withheld_to_protect_a_small_one() -> None:
    rs = ([resp("A", trust_raise=5)] * 5 + [resp("B", trust_raise=1)] * 2
          + [resp("C", trust_raise=3)] * 3)
    round_ = score_round(V1, rs)
    assert [p.partner for p in round_.partners] == ["A"]
    assert set(round_.suppressed) == {"B", "C"}


def test_cell_withheld_when_a_shown_partner_has_too_few_answers_on_a_factor() -> None:
    rs = ([resp("A", trust_raise=5, vision_agree=4)] * 2 + [resp("A", trust_raise=5)]
          + [resp("B", trust_raise=2, vision_agree=3)] * 3
          + [resp("C", trust_raise=3, vision_agree=2)] * 3)
    round_ = score_round(V1, rs)
    shown = {p.partner: p for p in round_.partners}
    assert "trust" in shown["A"].factors
    # A's two vision answers are withheld, and so must B's or C's be (2 < 3 left hidden).
    vision = [p for p in shown if "shared_vision" in shown[p].factors]
    assert "A" not in vision
    assert len(vision) == 1
    hidden = round_.factors["shared_vision"].n - sum(
        shown[p].factors["shared_vision"].n for p in vision)
    assert hidden >= 3


@pytest.mark.parametrize("seed", range(30))
def test_no_shown_breakdown_ever_leaves_a_small_remainder(seed: int) -> None:
    import random

    rng = random.Random(seed)
    partners = "ABCD"[: rng.randint(1, 4)]
    rs = []
    for partner in partners:
        for _ in range(rng.randint(0, 6)):
            rs.append(resp(partner, trust_raise=rng.choice([1, 2, 3, 4, 5, None]),
                           vision_agree=rng.choice([1, 5, None])))
    round_ = score_round(V1, rs)
    for factor, overall in round_.factors.items():
        assert overall.n >= 3
        cells = [p.factors[factor] for p in round_.partners if factor in p.factors]
        assert all(c.n >= 3 for c in cells)
        remainder = overall.n - sum(c.n for c in cells)
        assert remainder == 0 or remainder >= 3, (seed, factor, remainder)


def test_threshold_is_configurable_and_validated() -> None:
    rs = [resp("A", trust_raise=4)] * 2 + [resp("B", trust_raise=2)] * 2
    assert {p.partner for p in score_round(V1, rs, threshold=2).partners} == {"A", "B"}
    with pytest.raises(HealthError):
        score_round(V1, rs, threshold=0)


def test_counts_below_three_are_never_released() -> None:
    released = release_counts({"A": 7, "B": 3, "C": 2, "D": 0})
    assert released["C"] is None and released["D"] is None
    # C's two would follow from the total (12) minus the shown counts: B is withheld too.
    assert released == {"A": 7, "B": None, "C": None, "D": None}


def test_a_withheld_pool_of_three_or_more_lets_the_other_counts_show() -> None:
    assert release_counts({"A": 5, "B": 2, "C": 1, "D": 4}) == {
        "A": 5, "B": None, "C": None, "D": 4}
    assert release_counts({"A": 2}) == {"A": None}
    assert release_counts({"A": 0, "B": 3}) == {"A": None, "B": 3}
    with pytest.raises(HealthError):
        release_counts({"A": 3}, threshold=0)


@pytest.mark.parametrize("seed", range(30))
def test_released_counts_never_leave_a_small_remainder(seed: int) -> None:
    import random

    rng = random.Random(seed)
    counts = {p: rng.randint(0, 7) for p in "ABCDE"[: rng.randint(1, 5)]}
    released = release_counts(counts)
    shown = [n for n in released.values() if n is not None]
    assert all(n >= 3 for n in shown)
    total = sum(counts.values())
    if total >= 3:  # below three the total is not shown either (released_responses)
        remainder = total - sum(shown)
        assert remainder == 0 or remainder >= 3, (seed, counts, released)
    else:
        assert shown == []


def test_a_partner_whose_count_is_withheld_shows_no_cells() -> None:
    # C's two answered nothing on trust, so trust alone would show A and B; but the total
    # count (9) minus A's and B's would give C's count away: B is withheld entirely.
    rs = ([resp("A", trust_raise=5)] * 4 + [resp("B", trust_raise=2)] * 3
          + [resp("C", vision_agree=3)] * 2)
    round_ = score_round(V1, rs)
    assert [p.partner for p in round_.partners] == ["A"]
    assert round_.released_counts == {"A": 4, "B": None, "C": None}
    assert round_.released_responses == 9
    assert score_round(V1, rs[:2]).released_responses is None
