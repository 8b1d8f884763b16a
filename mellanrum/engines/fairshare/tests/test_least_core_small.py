"""The least core's small-game path (4 to 12 players) against the general projection and an
independent LP: the same least-core value and the same point nearest to the Shapley value,
also for empty cores, ties and values of hundreds of millions."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mellanrum.engines.fairshare import CostModel, Game, GameError, game_from_model, least_core
from mellanrum.engines.fairshare._ldp_small import FAST_PLAYERS, small_least_core
from mellanrum.engines.fairshare.least_core import _by_lp
from mellanrum.engines.fairshare.nucleolus import Domain
from mellanrum.engines.fairshare.tests._helpers import table_games, value_orientation

DOMAINS: list[Domain] = ["imputation", "preimputation"]


def _ids(n: int) -> tuple[str, ...]:
    return tuple(f"P{i}" for i in range(n))


def lp_epsilon(game: Game, domain: Domain) -> float:
    """The least-core value by scipy's linprog: min eps, x(S) + eps >= v(S), x(N) = v(N)."""
    n, w = game.n, value_orientation(game)
    full = (1 << n) - 1
    rows = [[-float((m >> i) & 1) for i in range(n)] + [-1.0] for m in range(1, full)]
    lower = [w[1 << i] for i in range(n)] if domain == "imputation" else [None] * n
    res = linprog(
        [0.0] * n + [1.0],
        A_ub=np.array(rows),
        b_ub=-w[1:full],
        A_eq=np.array([[1.0] * n + [0.0]]),
        b_eq=[w[full]],
        bounds=[(lo, None) for lo in lower] + [(None, None)],
        method="highs",
    )
    assert res.status == 0
    return float(res.fun)


def assert_same_as_general(game: Game, domain: Domain) -> None:
    """The small-game path and the general projection agree (or refuse alike)."""
    table = game.table()
    size = max(1.0, float(np.abs(table).max()))
    try:
        general = _by_lp(game, table, domain, None)
    except GameError as exc:
        with pytest.raises(GameError, match="stand-alone"):
            small_least_core(table, game.n, game.sign, domain == "imputation", None)
        assert "stand-alone" in str(exc)
        return
    found = small_least_core(table, game.n, game.sign, domain == "imputation", None)
    assert found is not None, "the small-game path fell back to the general routine"
    x, eps = found
    assert eps == pytest.approx(general.details["epsilon"], abs=1e-9 * size)
    assert x == pytest.approx(general.amounts, abs=1e-8 * size)
    assert eps == pytest.approx(lp_epsilon(game, domain), abs=1e-8 * size)
    assert float(np.sum(x)) == pytest.approx(float(table[-1]), abs=1e-9 * size)


@settings(max_examples=120, deadline=None)
@given(table_games(min_n=4, max_n=7), st.sampled_from(DOMAINS))
def test_small_path_matches_the_general_projection_on_games_with_ties(
    game: Game, domain: Domain
) -> None:
    """Integer values from -5 to 10: many equal excesses, often an empty core."""
    assert_same_as_general(game, domain)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(4, 7),
    st.sampled_from(["cost", "value"]),
    st.sampled_from(DOMAINS),
    st.integers(0, 2**32 - 1),
)
def test_small_path_matches_the_general_projection_on_random_real_games(
    n: int, kind: str, domain: Domain, seed: int
) -> None:
    values = np.random.default_rng(seed).normal(0.0, 100.0, 1 << n)
    values[0] = 0.0
    assert_same_as_general(Game("cost" if kind == "cost" else "value", _ids(n), values), domain)


@pytest.mark.parametrize("n", [4, 5, 6, 7])
@pytest.mark.parametrize("domain", DOMAINS)
def test_small_path_on_majority_games_with_an_empty_core(n: int, domain: Domain) -> None:
    """v(S) = 1 for a majority: every majority gains by leaving, so eps > 0; by symmetry the
    point is the equal split."""
    values = np.array([1.0 if bin(m).count("1") > n / 2 else 0.0 for m in range(1 << n)])
    game = Game("value", _ids(n), values)
    result = least_core(game, domain=domain)
    assert result.details["epsilon"] > 0
    assert result.details["epsilon"] == pytest.approx(lp_epsilon(game, domain), abs=1e-9)
    assert result.amounts == pytest.approx([1.0 / n] * n, abs=1e-9)
    assert_same_as_general(game, domain)


@pytest.mark.parametrize("n", [4, 5, 6, 7])
def test_small_path_on_fully_degenerate_games(n: int) -> None:
    """Every coalition costs the same: every proper coalition is tight at the equal split, so
    the certificate must cope with all 2**n - 2 rows tied."""
    values = np.full(1 << n, 6.0)
    values[0] = 0.0
    game = Game("cost", _ids(n), values)
    result = least_core(game, domain="preimputation")
    assert result.amounts == pytest.approx([6.0 / n] * n)
    assert result.details["epsilon"] == pytest.approx(lp_epsilon(game, "preimputation"))
    assert_same_as_general(game, "preimputation")
    assert_same_as_general(game, "imputation")


@pytest.mark.parametrize("n", [4, 6, 8, 10, 12])
def test_small_path_scales_with_the_money(n: int) -> None:
    """A cost model in kronor of hundreds of millions gives the same answer as the same model
    in millions, times a million (the path solves on scaled values)."""
    own = np.random.default_rng(n).uniform(10, 100, n)
    small = game_from_model(_ids(n), CostModel(np.zeros(n), own, size_exponent=0.25))
    large = game_from_model(_ids(n), CostModel(np.zeros(n), own * 1e6, size_exponent=0.25))
    a, b = least_core(small), least_core(large)
    assert b.amounts == pytest.approx(a.amounts * 1e6, rel=1e-9)
    assert b.details["epsilon"] == pytest.approx(a.details["epsilon"] * 1e6, rel=1e-9)
    assert_same_as_general(large, "imputation")


@pytest.mark.parametrize("n", list(range(4, FAST_PLAYERS + 1)))
def test_least_core_uses_the_small_path_up_to_twelve_players(
    n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On random games of every size the path serves, least_core answers without the general
    routine and with what that routine would give."""
    values = np.random.default_rng(n).uniform(0.0, 10.0, 1 << n) * np.array(
        [bin(m).count("1") ** 0.8 for m in range(1 << n)]
    )
    game = Game("cost", _ids(n), values)
    general = _by_lp(game, values, "preimputation", None)
    module = sys.modules["mellanrum.engines.fairshare.least_core"]

    def refuse(*args: object) -> None:
        raise AssertionError("the general routine was used")

    monkeypatch.setattr(module, "_by_lp", refuse)
    result = least_core(game, domain="preimputation")
    assert result.details["epsilon"] == pytest.approx(general.details["epsilon"], abs=1e-8)
    assert result.amounts == pytest.approx(general.amounts, abs=1e-7)


def test_small_path_refuses_games_without_imputations_like_the_general_one() -> None:
    values = np.array([0.0, 5, 5, 12, 5, 12, 12, 20, 5, 12, 12, 20, 12, 20, 20, 8])
    game = Game("value", _ids(4), values)  # stand-alone 20 > v(N) = 8
    with pytest.raises(GameError, match="stand-alone"):
        least_core(game)
    assert least_core(game, domain="preimputation").amounts.sum() == pytest.approx(8.0)
