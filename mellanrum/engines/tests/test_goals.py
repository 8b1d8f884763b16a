"""The goal-status rule: the latest value against a straight path from baseline to target."""

from __future__ import annotations

import datetime as dt
import doctest
from decimal import Decimal as D

from mellanrum.engines import goals
from mellanrum.engines.goals import goal_status, parse_number

START, END = dt.date(2024, 1, 1), dt.date(2028, 1, 1)  # 1461 days; halfway is 2026-01-01
HALF = dt.date(2026, 1, 1)


def test_the_module_examples_run() -> None:
    assert doctest.testmod(goals).failed == 0


def test_reaching_the_path_is_on_track_and_falling_behind_is_risk_then_deviating() -> None:
    # Halfway from 40 to 90 the path expects 65: progress 25.
    assert goal_status(D(40), D(90), START, END, [(HALF, D(65))]).status == "on_track"
    assert goal_status(D(40), D(90), START, END, [(HALF, D(63))]).status == "on_track"
    assert goal_status(D(40), D(90), START, END, [(HALF, D(55))]).status == "at_risk"
    assert goal_status(D(40), D(90), START, END, [(HALF, D(50))]).status == "deviating"
    assert goal_status(D(40), D(90), START, END, [(HALF, D(35))]).status == "deviating"


def test_lower_is_better_when_the_target_is_below_the_baseline() -> None:
    # 14 days down to 7: halfway the path expects 10.5.
    assert goal_status(D(14), D(7), START, END, [(HALF, D(10))]).status == "on_track"
    assert goal_status(D(14), D(7), START, END, [(HALF, D(12))]).status == "at_risk"
    assert goal_status(D(14), D(7), START, END, [(HALF, D(15))]).status == "deviating"


def test_only_the_latest_value_counts_and_a_met_target_is_on_track() -> None:
    values = [(dt.date(2027, 1, 1), D(50)), (dt.date(2025, 1, 1), D(90))]
    status = goal_status(D(40), D(90), START, END, values)
    assert status.latest == D(50) and status.latest_date == dt.date(2027, 1, 1)
    assert status.status == "deviating"
    assert goal_status(D(40), D(90), START, END, [(HALF, D(95))]).status == "on_track"


def test_without_values_or_numbers_there_is_no_status() -> None:
    assert goal_status(D(40), D(90), START, END, []).status == "unknown"
    assert goal_status(None, D(90), START, END, [(HALF, D(50))]).status == "unknown"
    assert goal_status(D(40), D(90), None, END, [(HALF, D(50))]).status == "unknown"


def test_numbers_are_read_from_swedish_text() -> None:
    assert parse_number("45 %") == D(45)
    assert parse_number("1 234,5 kr") == D("1234.5")
    assert parse_number("−3 dagar") == D(-3)
    assert parse_number("–") is None
