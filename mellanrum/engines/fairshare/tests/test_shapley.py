"""Tests for the exact Shapley value (shapley.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mellanrum.engines.fairshare import (
    CostModel,
    Game,
    game_from_model,
    game_from_values,
    shapley_values,
)
from mellanrum.engines.fairshare.tests._helpers import brute_force_shapley, make_game, table_games


def airport(costs: list[float]) -> Game:
    """Airport cost game: c(S) is the runway cost of the largest aircraft in S."""
    ids = [chr(ord("A") + i) for i in range(len(costs))]
    values = {}
    for mask in range(1, 2 ** len(costs)):
        members = [ids[i] for i in range(len(costs)) if mask >> i & 1]
        values[",".join(members)] = max(costs[i] for i in range(len(costs)) if mask >> i & 1)
    return game_from_values("cost", ids, values, completion="none")


def test_airport_game_matches_littlechild_owen() -> None:
    """Littlechild & Owen (1973), "A simple expression for the Shapley value in a special
    case", Management Science 20(3); worked example on Wikipedia's "Airport problem": runway
    costs 8, 11, 13, 18 give landing charges 2, 3, 4, 9."""
    result = shapley_values(airport([8, 11, 13, 18]))
    assert result.as_dict() == pytest.approx({"A": 2, "B": 3, "C": 4, "D": 9})


def test_glove_game() -> None:
    """Glove game (Maschler, Solan & Zamir, Game Theory, 2013, ch. 18): one left glove (A),
    two right gloves; the Shapley value is (2/3, 1/6, 1/6)."""
    g = game_from_values(
        "value", ["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,C": 1, "A,B,C": 1}
    )
    assert shapley_values(g).amounts == pytest.approx([2 / 3, 1 / 6, 1 / 6])


def test_two_player_cost_game_splits_the_saving_equally() -> None:
    """With two players each pays its stand-alone cost minus half the joint saving."""
    g = game_from_values("cost", ["A", "B"], {"A": 21.95, "B": 17.08, "A,B": 34.5})
    saving = 21.95 + 17.08 - 34.5
    assert shapley_values(g).as_dict() == pytest.approx(
        {"A": 21.95 - saving / 2, "B": 17.08 - saving / 2}
    )


@settings(max_examples=40, deadline=None)
@given(table_games(min_n=1, max_n=5))
def test_it_matches_the_average_over_all_orders(game: Game) -> None:
    assert shapley_values(game).amounts == pytest.approx(brute_force_shapley(game), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(table_games(min_n=1, max_n=6))
def test_efficiency(game: Game) -> None:
    assert shapley_values(game).total == pytest.approx(game.grand, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(table_games(min_n=2, max_n=6), st.data())
def test_symmetric_players_get_the_same(game: Game, data: st.DataObject) -> None:
    n = game.n
    i, j = data.draw(st.permutations(range(n)))[:2]
    u = game.table()

    def swap(mask: int) -> int:
        bi, bj = mask >> i & 1, mask >> j & 1
        return mask & ~(1 << i | 1 << j) | bi << j | bj << i

    sym = np.array([u[m] + u[swap(m)] for m in range(2**n)])
    result = shapley_values(Game(game.kind, game.players, sym))
    assert result.amounts[i] == pytest.approx(result.amounts[j], abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(table_games(min_n=2, max_n=6), st.data())
def test_null_player_gets_nothing(game: Game, data: st.DataObject) -> None:
    n = game.n
    k = data.draw(st.integers(0, n - 1))
    u = game.table()
    null = np.array([u[m & ~(1 << k)] for m in range(2**n)])  # k adds nothing anywhere
    result = shapley_values(Game(game.kind, game.players, null))
    assert result.amounts[k] == pytest.approx(0.0, abs=1e-9)
    assert result.total == pytest.approx(null[-1], abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(-100, 100), min_size=2**n - 1, max_size=2**n - 1),
            st.lists(st.floats(-100, 100), min_size=2**n - 1, max_size=2**n - 1),
        )
    )
)
def test_additivity(pair: tuple[list[float], list[float]]) -> None:
    first, second = pair
    both = [a + b for a, b in zip(first, second, strict=True)]
    total = shapley_values(make_game("value", both)).amounts
    separate = (
        shapley_values(make_game("value", first)).amounts
        + shapley_values(make_game("value", second)).amounts
    )
    assert total == pytest.approx(separate, abs=1e-9)


def test_fair_benchmark_game_at_18_players_matches_the_closed_form() -> None:
    """c(S) = (sum c_i) |S|^-a is linear in the costs, so
    phi_i = 1/n sum_s [(s m_i + c_i)(s+1)^-a - s m_i s^-a] with m_i = (C - c_i)/(n-1)."""
    rng = np.random.default_rng(7)
    n, a = 18, 0.25
    costs = rng.uniform(10, 100, n)
    model = CostModel(volume=np.zeros(n), own=costs, size_exponent=a)
    result = shapley_values(game_from_model([f"P{i}" for i in range(n)], model))
    s = np.arange(n)[:, None]
    mean_other = (costs.sum() - costs) / (n - 1)
    marg = (s * mean_other + costs) * (s + 1.0) ** -a - s * mean_other * np.where(
        s > 0, s, 1.0
    ) ** -a
    assert result.amounts == pytest.approx(marg.mean(axis=0), rel=1e-9)
