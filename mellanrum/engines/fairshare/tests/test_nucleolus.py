"""Tests for the nucleolus (nucleolus.py), including games that need several LP levels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings

from mellanrum.engines.fairshare import (
    Game,
    GameError,
    check_core,
    game_from_values,
    nucleolus,
)
from mellanrum.engines.fairshare.tests._helpers import (
    core_is_nonempty,
    make_game,
    satisfies_kohlberg,
    table_games,
)
from mellanrum.engines.fairshare.tests.test_shapley import airport


def test_airport_game_matches_littlechild() -> None:
    """Littlechild (1974), "A simple expression for the nucleolus in a special case",
    IJGT 3: the smallest c_k/(k+1) = 13/4 (k = 3) is charged to aircraft 1-3; the largest
    pays the rest. Runway costs 8, 11, 13, 18 (Wikipedia's airport example)."""
    assert nucleolus(airport([8, 11, 13, 18])).amounts == pytest.approx([3.25, 3.25, 3.25, 8.25])


def test_three_player_airport_game() -> None:
    """Costs 8, 11, 13 (Littlechild 1974): c_2/3 = 11/3 is the smallest ratio, so A and B pay
    11/3 each and C pays 13 - 22/3 = 17/3. Checked by hand: every excess pair
    (x(S), c(S) - x(S)) over S inside {A, B} is at least 11/3."""
    result = nucleolus(airport([8, 11, 13]))
    assert result.amounts == pytest.approx([11 / 3, 11 / 3, 17 / 3])


def test_glove_game_gives_the_scarce_glove_everything() -> None:
    """Glove game: the core is the single point (1, 0, 0), so the nucleolus is that point."""
    g = game_from_values(
        "value", ["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,C": 1, "A,B,C": 1}
    )
    assert nucleolus(g).amounts == pytest.approx([1, 0, 0], abs=1e-9)


def test_two_level_game_solved_by_hand() -> None:
    """v(AB) = v(ABC) = 1, all else 0. Level 1: max(e(C), e(AB)) = max(-x_C, x_C) >= 0 fixes
    x_C = 0. Level 2: max(-x_A, -x_B) with x_A + x_B = 1 gives (1/2, 1/2, 0)."""
    g = game_from_values("value", ["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,B,C": 1})
    result = nucleolus(g)
    assert result.amounts == pytest.approx([0.5, 0.5, 0.0], abs=1e-9)
    assert result.details["levels"] == pytest.approx([0.0, -0.5], abs=1e-9)


def test_cost_game_is_the_nucleolus_of_the_savings_game() -> None:
    costs = {"A": 6, "B": 7, "C": 8, "A,B": 10, "A,C": 11, "B,C": 12, "A,B,C": 15}
    cost_game = game_from_values("cost", ["A", "B", "C"], costs)
    single = {"A": 6, "B": 7, "C": 8}
    savings = {k: sum(single[p] for p in k.split(",")) - c for k, c in costs.items()}
    value_game = game_from_values("value", ["A", "B", "C"], savings)
    x_cost = nucleolus(cost_game).amounts
    x_saving = nucleolus(value_game).amounts
    assert x_cost == pytest.approx(np.array([6, 7, 8]) - x_saving, abs=1e-9)


def test_empty_imputation_set_is_an_error() -> None:
    g = game_from_values("value", ["A", "B"], {"A": 3, "B": 3, "A,B": 4})
    with pytest.raises(GameError, match="stand-alone"):
        nucleolus(g)
    assert nucleolus(g, domain="preimputation").amounts == pytest.approx([2, 2])


@settings(max_examples=60, deadline=None)
@given(table_games(min_n=2, max_n=5, low=-3, high=6))
def test_prenucleolus_satisfies_kohlberg_criterion(game: Game) -> None:
    result = nucleolus(game, domain="preimputation")
    assert satisfies_kohlberg(game, result.amounts)


@settings(max_examples=60, deadline=None)
@given(table_games(min_n=2, max_n=5, low=-3, high=6))
def test_nucleolus_is_in_the_core_whenever_the_core_is_non_empty(game: Game) -> None:
    assume(core_is_nonempty(game))
    result = nucleolus(game)
    assert check_core(game, result).in_core
    # In a non-empty core the nucleolus and prenucleolus coincide.
    assert result.amounts == pytest.approx(
        nucleolus(game, domain="preimputation").amounts, abs=1e-7
    )


def test_random_tie_heavy_games_need_several_levels() -> None:
    """Guard that the property tests above exercise multi-level games, not only one LP."""
    rng = np.random.default_rng(3)
    most_levels = 0
    for _ in range(30):
        values = rng.integers(-3, 6, size=31).astype(float).tolist()
        game = make_game("value", values)
        result = nucleolus(game, domain="preimputation")
        assert satisfies_kohlberg(game, result.amounts)
        most_levels = max(most_levels, len(result.details["levels"]))
    assert most_levels >= 3


def test_kronor_scale_costs() -> None:
    """Hundreds of millions of kronor: the LPs are solved on scaled values."""
    result = nucleolus(airport([8e8, 11e8, 13e8, 18e8]))
    assert result.amounts == pytest.approx([3.25e8, 3.25e8, 3.25e8, 8.25e8], rel=1e-9)
