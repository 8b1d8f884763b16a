"""Tests for SCRB, least core, the simple keys, the solve() dispatcher and properties every
method must have (efficiency, invariance to the order and names of players)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mellanrum.engines.fairshare import (
    CostModel,
    Game,
    GameError,
    check_core,
    equal_split,
    game_from_dict,
    game_from_model,
    game_from_values,
    least_core,
    nucleolus,
    proportional,
    scrb,
    solve,
)
from mellanrum.engines.fairshare.least_core import _by_lp
from mellanrum.engines.fairshare.nucleolus import Domain
from mellanrum.engines.fairshare.tests._helpers import table_games, value_orientation

EXACT_METHODS = ["shapley", "nucleolus", "least-core", "scrb", "equal", "proportional:standalone"]


def test_scrb_three_players_by_hand() -> None:
    """James & Lee (1971) SCRB on c(A)=10, c(B)=20, c(C)=30, c(AB)=25, c(AC)=35, c(BC)=42,
    c(ABC)=50: separable costs 50-42=8, 50-35=15, 50-25=25; remaining benefits 2, 5, 5;
    the non-separable 2 is split 2:5:5."""
    g = game_from_values(
        "cost",
        ["A", "B", "C"],
        {"A": 10, "B": 20, "C": 30, "A,B": 25, "A,C": 35, "B,C": 42, "A,B,C": 50},
    )
    result = scrb(g)
    assert result.amounts == pytest.approx([8 + 4 / 12, 15 + 10 / 12, 25 + 10 / 12])
    assert result.details["separable"] == pytest.approx({"A": 8, "B": 15, "C": 25})
    assert result.details["remaining_benefit"] == pytest.approx({"A": 2, "B": 5, "C": 5})


def test_scrb_value_game_mirrors_the_cost_game() -> None:
    costs = {"A": 10, "B": 20, "C": 30, "A,B": 25, "A,C": 35, "B,C": 42, "A,B,C": 50}
    values = {k: -v for k, v in costs.items()}
    as_cost = scrb(game_from_values("cost", ["A", "B", "C"], costs)).amounts
    as_value = scrb(game_from_values("value", ["A", "B", "C"], values)).amounts
    assert as_value == pytest.approx(-as_cost)


def test_scrb_works_for_a_large_model_game() -> None:
    n = 290
    rng = np.random.default_rng(1)
    model = CostModel(volume=np.zeros(n), own=rng.uniform(10, 100, n), size_exponent=0.25)
    g = game_from_model([f"K{i}" for i in range(n)], model)
    assert scrb(g).total == pytest.approx(g.grand)


def test_least_core_of_the_majority_game() -> None:
    """Three-player majority game: empty core, least-core value 1/3 at (1/3, 1/3, 1/3)
    (Maschler, Peleg & Shapley 1979)."""
    g = game_from_values(
        "value", ["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,C": 1, "B,C": 1, "A,B,C": 1}
    )
    result = least_core(g)
    assert result.details["epsilon"] == pytest.approx(1 / 3)
    assert result.amounts == pytest.approx([1 / 3] * 3)


def _min_max_excess(game: Game) -> float:
    """Smallest possible largest proper excess (independent LP over all coalitions)."""
    n = game.n
    w = value_orientation(game)
    rows = [[-((m >> i) & 1) for i in range(n)] + [-1] for m in range(1, 2**n - 1)]
    res = linprog(
        np.r_[np.zeros(n), 1.0],
        A_ub=np.array(rows, float),
        b_ub=-w[1:-1],
        A_eq=np.r_[np.ones(n), 0.0][None, :],
        b_eq=[w[-1]],
        bounds=[(None, None)] * (n + 1),
        method="highs",
    )
    return float(res.fun)


@settings(max_examples=40, deadline=None)
@given(table_games(min_n=2, max_n=5))
def test_least_core_allocation_has_the_smallest_largest_excess(game: Game) -> None:
    result = least_core(game, domain="preimputation")
    eps = result.details["epsilon"]
    assert eps == pytest.approx(_min_max_excess(game), abs=1e-7)
    w = value_orientation(game)
    x = game.sign * result.amounts
    for mask in range(1, 2**game.n - 1):
        members = [i for i in range(game.n) if mask >> i & 1]
        assert w[mask] - x[members].sum() <= eps + 1e-7
    assert result.total == pytest.approx(game.grand, abs=1e-7)


def test_proportional_to_population_and_to_standalone() -> None:
    g = game_from_dict(
        {
            "kind": "cost",
            "players": [{"id": "A", "population": 85000}, {"id": "B", "population": 30000}],
            "values": {"A": 21.95, "B": 17.08, "A,B": 34.5},
        }
    )
    assert proportional(g, "population").amounts == pytest.approx(
        [34.5 * 85 / 115, 34.5 * 30 / 115]
    )
    assert proportional(g, "standalone").amounts == pytest.approx(
        [34.5 * 21.95 / 39.03, 34.5 * 17.08 / 39.03]
    )
    assert equal_split(g).amounts == pytest.approx([17.25, 17.25])


def test_proportional_errors_name_the_problem() -> None:
    g = game_from_dict(
        {
            "kind": "value",
            "players": [{"id": "A", "w": 0}, {"id": "B", "w": 0}],
            "values": {"A": 0, "B": 0, "A,B": 10},
        }
    )
    with pytest.raises(GameError, match='player "A" has no attribute "population"'):
        proportional(g, "population")
    with pytest.raises(GameError, match="add up to zero"):
        proportional(g, "w")
    with pytest.raises(GameError, match="add up to zero"):
        proportional(g, "standalone")


def test_solve_rejects_unknown_methods() -> None:
    g = game_from_values("cost", ["A", "B"], {"A": 1, "B": 1, "A,B": 1.5})
    with pytest.raises(GameError, match='unknown method "banzhaf"'):
        solve(g, "banzhaf")
    with pytest.raises(GameError, match="needs an attribute"):
        solve(g, "proportional")
    with pytest.raises(GameError, match='method "shapley"'):
        solve(g, "shapley", samples=3)


@st.composite
def model_cost_games(draw: st.DrawFn) -> Game:
    """Cost games with economies of scale (subadditive, so every method applies)."""
    n = draw(st.integers(2, 6))
    own = np.array(draw(st.lists(st.integers(10, 100), min_size=n, max_size=n)), float)
    volume = np.array(draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)), float)
    model = CostModel(
        volume=volume,
        own=own,
        fixed=draw(st.integers(0, 50)),
        exponent=draw(st.sampled_from([0.5, 0.8, 1.0])),
        size_exponent=draw(st.sampled_from([0.0, 0.25])),
    )
    return game_from_model([f"P{i}" for i in range(n)], model)


@settings(max_examples=25, deadline=None)
@given(model_cost_games())
def test_every_method_shares_exactly_the_grand_coalition_cost(game: Game) -> None:
    for method in [*EXACT_METHODS, "shapley-sample"]:
        assert solve(game, method).total == pytest.approx(game.grand, rel=1e-9), method


@settings(max_examples=20, deadline=None)
@given(table_games(min_n=2, max_n=5, kind="value", low=0, high=8), st.data())
def test_renaming_and_reordering_players_changes_nothing(game: Game, data: st.DataObject) -> None:
    # The grand coalition beats going alone, so the nucleolus and least core are defined.
    table = game.table().copy()
    table[-1] = max(table.max(), table[[1 << i for i in range(game.n)]].sum()) + 1
    game = Game(game.kind, game.players, table)
    order = data.draw(st.permutations(range(game.n)))
    names = {p: f"org-{ord(p) * 7 % 13}-{p.lower()}" for p in game.players}
    values = {
        ",".join(names[p] for p in reversed(game.members_of(m))): game.table()[m]
        for m in range(1, 2**game.n)
    }
    renamed = game_from_values(
        game.kind, [names[game.players[i]] for i in order], values, completion="none"
    )
    for method in EXACT_METHODS:
        if method == "proportional:standalone" and game.standalone().sum() == 0:
            continue
        before = solve(game, method).as_dict()
        after = solve(renamed, method).as_dict()
        for p, amount in before.items():
            assert after[names[p]] == pytest.approx(amount, abs=1e-7), method


def test_core_shares_beat_going_alone_for_the_fair_benchmark_game() -> None:
    rng = np.random.default_rng(0)
    n = 8
    model = CostModel(volume=np.zeros(n), own=rng.uniform(10, 100, n), size_exponent=0.25)
    g = game_from_model([f"P{i}" for i in range(n)], model)
    result = check_core(g, nucleolus(g))
    assert result.in_core
    assert min(result.savings_vs_alone.values()) > 0


def test_fixed_variable_key_matches_a_hand_computation() -> None:
    # 1 000 000 kr, 30 % fixed: 300 000 split by 3 = 100 000 each; 700 000 by population
    # 50 000 / 30 000 / 20 000 = 350 000 / 210 000 / 140 000.
    g = game_from_dict(
        {
            "kind": "cost",
            "players": [
                {"id": "A", "population": 50_000},
                {"id": "B", "population": 30_000},
                {"id": "C", "population": 20_000},
            ],
            "values": {"A": 600_000, "B": 500_000, "C": 400_000, "A,B,C": 1_000_000},
        }
    )
    a = solve(g, "fixed-variable:30")
    assert a.method == "fixed-variable:30"
    assert a.as_dict() == pytest.approx({"A": 450_000, "B": 310_000, "C": 240_000})
    assert a.details["fixed"] == pytest.approx({"A": 100_000, "B": 100_000, "C": 100_000})
    assert a.details["variable"]["A"] == pytest.approx(350_000)


def test_fixed_variable_key_at_its_ends_is_proportional_and_equal() -> None:
    g = game_from_dict(
        {
            "kind": "cost",
            "players": [{"id": "A", "population": 3}, {"id": "B", "population": 1}],
            "values": {"A": 4, "B": 6, "A,B": 8},
        }
    )
    assert solve(g, "fixed-variable:0").amounts == pytest.approx(
        proportional(g, "population").amounts
    )
    assert solve(g, "fixed-variable:100").as_dict() == pytest.approx({"A": 4.0, "B": 4.0})


def test_fixed_variable_key_refuses_a_share_outside_0_to_100_and_missing_population() -> None:
    g = game_from_dict(
        {
            "kind": "cost",
            "players": [{"id": "A", "population": 3}, "B"],
            "values": {"A": 4, "B": 6, "A,B": 8},
        }
    )
    with pytest.raises(GameError, match="between 0 and 100"):
        solve(g, "fixed-variable:120")
    with pytest.raises(GameError, match="percent"):
        solve(g, "fixed-variable:lots")
    with pytest.raises(GameError, match="B"):
        solve(g, "fixed-variable:30")


@settings(max_examples=150, deadline=None)
@given(table_games(min_n=2, max_n=3), st.sampled_from(["imputation", "preimputation"]))
def test_least_core_closed_form_for_three_players_agrees_with_the_projection(
    game: Game, domain: Domain
) -> None:
    """Two and three players are solved in closed form; the projection (used from four players)
    must find the same least-core value and the same point nearest to the Shapley value."""
    table = game.table()
    try:
        by_lp = _by_lp(game, table, domain, None)
    except GameError:
        with pytest.raises(GameError, match="stand-alone"):
            least_core(game, domain=domain)
        return
    closed = least_core(game, domain=domain)
    size = max(1.0, float(np.abs(table).max()))
    assert closed.details["epsilon"] == pytest.approx(by_lp.details["epsilon"], abs=1e-9 * size)
    assert closed.amounts == pytest.approx(by_lp.amounts, abs=1e-9 * size)


@settings(max_examples=40, deadline=None)
@given(table_games(min_n=4, max_n=6), st.sampled_from(["imputation", "preimputation"]))
def test_least_core_point_is_the_nearest_to_shapley(game: Game, domain: Domain) -> None:
    """x is the Euclidean projection of the Shapley value phi onto the least core exactly when
    (phi - x) . (y - x) <= 0 for every y in it; check it at least-core vertices that an
    independent LP (scipy's linprog) finds for random directions."""
    try:
        result = least_core(game, domain=domain)
    except GameError:
        return  # no imputation (checked elsewhere)
    n, eps = game.n, result.details["epsilon"]
    w = value_orientation(game)
    x = game.sign * result.amounts
    phi = game.sign * solve(game, "shapley").amounts
    rows = [[-float((m >> i) & 1) for i in range(n)] for m in range(1, 2**n - 1)]
    lower = [w[1 << i] for i in range(n)] if domain == "imputation" else [None] * n
    size = max(1.0, float(np.abs(w).max()))
    rng = np.random.default_rng(n)
    for _ in range(8):
        res = linprog(
            rng.normal(size=n),
            A_ub=np.array(rows),
            b_ub=-(w[1:-1] - eps) + 1e-9 * size,
            A_eq=np.ones((1, n)),
            b_eq=[w[-1]],
            bounds=[(lo, None) for lo in lower],
            method="highs",
        )
        assert res.status == 0
        assert float(np.dot(phi - x, res.x - x)) <= 1e-6 * size**2
