"""Tests for the core check, blocking coalitions and savings against going alone (core.py)."""

from __future__ import annotations

import numpy as np
import pytest

from mellanrum.engines.fairshare import GameError, check_core, game_from_values
from mellanrum.engines.fairshare.tests.test_shapley import airport

COSTS = {"A": 10, "B": 10, "C": 10, "A,B": 12, "A,C": 20, "B,C": 20, "A,B,C": 22}


def test_blocking_coalition_and_its_gain() -> None:
    g = game_from_values("cost", ["A", "B", "C"], COSTS)
    result = check_core(g, {"A": 7, "B": 7, "C": 8})
    assert result.in_core is False
    assert [(b.coalition, b.excess) for b in result.blocking] == [(("A", "B"), 2.0)]
    assert result.savings_vs_alone == {"A": 3.0, "B": 3.0, "C": 2.0}


def test_an_allocation_in_the_core() -> None:
    g = game_from_values("cost", ["A", "B", "C"], COSTS)
    result = check_core(g, [6, 6, 10])
    assert result.in_core is True
    assert result.blocking == ()
    assert result.savings_vs_alone == {"A": 4.0, "B": 4.0, "C": 0.0}


def test_value_game_savings_and_blocking() -> None:
    g = game_from_values(
        "value", ["A", "B", "C"], {"A": 1, "B": 0, "C": 0, "A,B": 5, "A,C": 1, "B,C": 0, "A,B,C": 6}
    )
    result = check_core(g, {"A": 1, "B": 2, "C": 3})
    assert result.in_core is False
    assert result.blocking[0].coalition == ("A", "B")
    assert result.blocking[0].excess == pytest.approx(2)
    assert result.savings_vs_alone == {"A": 0.0, "B": 2.0, "C": 3.0}


def test_rounding_noise_does_not_block() -> None:
    """Airport game: (8, 3, 2, 5) is on the core's boundary (A, A+B and A+B+C pay
    exactly their stand-alone costs); 1e-12 of noise must not push it out, 1e-3 must."""
    g = airport([8, 11, 13, 18])
    x = np.array([8.0, 3.0, 2.0, 5.0])
    assert check_core(g, x).in_core is True
    assert check_core(g, x + [1e-12, 0, 0, -1e-12]).in_core is True
    result = check_core(g, x + [1e-3, 0, 0, -1e-3])
    assert result.in_core is False
    assert {b.coalition for b in result.blocking} == {("A",), ("A", "B"), ("A", "B", "C")}


def test_inefficient_allocation_is_not_in_the_core() -> None:
    g = game_from_values("cost", ["A", "B", "C"], COSTS)
    result = check_core(g, [5, 5, 10])
    assert result.in_core is False
    assert result.efficiency_gap == pytest.approx(-2)


def test_allocation_with_a_missing_player() -> None:
    g = game_from_values("cost", ["A", "B", "C"], COSTS)
    with pytest.raises(GameError, match='no amount for player "C"'):
        check_core(g, {"A": 12, "B": 12})
