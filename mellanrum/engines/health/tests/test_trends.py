"""Trends and early warnings on hand-built rounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from mellanrum.engines.health import (
    HealthError,
    ResponseData,
    RoundScores,
    WarningRules,
    early_warnings,
    factor_trend,
    get_instrument,
    score_round,
)

V1 = get_instrument()


def round_of(**groups: Sequence[Mapping[str, int | None]]) -> RoundScores:
    return score_round(V1, [ResponseData(p, a) for p, rs in groups.items() for a in rs])


def test_trend_follows_rounds_and_leaves_gaps_where_withheld() -> None:
    first = round_of(A=[{"resources_enough": 4}] * 3)
    second = round_of(A=[{"resources_enough": 3}] * 3)
    third = round_of(A=[{"resources_enough": 5}] * 2)
    trend = factor_trend([first, second, third], ["resources", "trust"])
    assert trend == {"resources": [4.0, 3.0, None], "trust": [None, None, None]}


def test_a_fall_of_more_than_half_a_point_warns() -> None:
    before = round_of(A=[{"resources_enough": 4, "trust_raise": 4}] * 4)
    after = round_of(A=[{"resources_enough": 3, "trust_raise": 4}] * 2
                     + [{"resources_enough": 4, "trust_raise": 3}] * 2)
    warnings = early_warnings(after, before, benefit_factor="own_benefit")
    # resources: 4 -> 3.5 (a fall of exactly 0.5: no warning); trust 4 -> 3.5 neither.
    assert warnings == []
    after = round_of(A=[{"resources_enough": 3}] * 4)
    [warning] = early_warnings(after, before, benefit_factor="own_benefit")
    assert (warning.kind, warning.factor, warning.value, warning.previous) == (
        "drop", "resources", 3.0, 4.0)


def test_first_round_has_no_drop_warnings() -> None:
    only = round_of(A=[{"resources_enough": 1}] * 3)
    assert early_warnings(only, None, benefit_factor="own_benefit") == []


def test_diverging_partners_warn_with_highest_and_lowest() -> None:
    current = round_of(A=[{"vision_agree": 5}] * 3, B=[{"vision_agree": 4}] * 3,
                       C=[{"vision_agree": 3}] * 4)
    [warning] = early_warnings(current, None, benefit_factor="own_benefit")
    assert warning.kind == "divergence"
    assert (warning.high_partner, warning.low_partner, warning.value) == ("A", "C", 2.0)
    narrow = round_of(A=[{"vision_agree": 4}] * 3, B=[{"vision_agree": 3}] * 2
                      + [{"vision_agree": 4}])
    # 4.0 vs 3.33: a spread of 0.67, below the 1.0 rule.
    assert early_warnings(narrow, None, benefit_factor="own_benefit") == []


def test_partner_below_threshold_never_triggers_a_warning() -> None:
    current = round_of(A=[{"benefit_visible": 5}] * 3, B=[{"benefit_visible": 1}] * 2,
                       C=[{"benefit_visible": 5}] * 3)
    warnings = early_warnings(current, None, benefit_factor="own_benefit")
    assert all(w.partner != "B" and w.low_partner != "B" for w in warnings)


def test_low_own_benefit_warns_overall_and_per_partner() -> None:
    current = round_of(A=[{"benefit_more_out": 2}] * 3, B=[{"benefit_more_out": 4}] * 3)
    kinds = [(w.kind, w.partner) for w in early_warnings(current, None,
                                                         benefit_factor="own_benefit")]
    # Overall 3.0 is not below 3.0; A (2.0) is; and A and B diverge by 2 points.
    assert kinds == [("divergence", None), ("low_benefit", "A")]


def test_rules_are_adjustable_and_validated() -> None:
    before = round_of(A=[{"trust_raise": 4}] * 3)
    after = round_of(A=[{"trust_raise": 3}] * 3)
    assert early_warnings(after, before, benefit_factor="own_benefit",
                          rules=WarningRules(drop=1.0)) == []
    with pytest.raises(HealthError):
        WarningRules(drop=-1)
