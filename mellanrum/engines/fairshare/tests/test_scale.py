"""Games of every size: the sampler on Python functions and models, and the memory tables
need (refusal with the amount, and the peak of the exact Shapley value and the core check)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from mellanrum.engines.fairshare import (
    AirportModel,
    CostModel,
    GameError,
    check_core,
    game_from_function,
    game_from_model,
    game_from_values,
    require_table_memory,
    shapley_sample,
    shapley_values,
    solve,
    table_bytes,
)


def test_sampler_takes_a_python_function_and_covers_the_exact_value() -> None:
    costs = {"A": 3.0, "B": 5.0, "C": 9.0, "D": 2.0, "E": 7.0, "F": 4.0}
    calls: list[tuple[str, ...]] = []

    def cost(members: tuple[str, ...]) -> float:
        calls.append(members)
        return float(sum(costs[p] for p in members) ** 0.7 + 1.0)

    game = game_from_function(list(costs), cost)
    est = shapley_sample(game, samples=3000, seed=5)
    assert len(calls) == 3000 * 6  # only the prefixes of each sampled order
    exact = shapley_values(game).amounts  # the same function over its 2**6 - 1 coalitions
    assert est.total == pytest.approx(cost(tuple(costs)))
    inside = [
        est.details["confidence_interval"][p][0]
        <= exact[i]
        <= est.details["confidence_interval"][p][1]
        for i, p in enumerate(game.players)
    ]
    assert sum(inside) >= 5  # 95 % intervals: all six, or rarely five


def test_sampler_on_a_function_of_many_players_matches_the_airport_closed_form() -> None:
    rng = np.random.default_rng(11)
    costs = rng.uniform(1, 100, 60)
    ids = [f"P{i}" for i in range(60)]
    index = {p: i for i, p in enumerate(ids)}
    game = game_from_function(ids, lambda s: max(costs[index[p]] for p in s))
    est = shapley_sample(game, samples=600, seed=1)
    exact = shapley_values(game_from_model(ids, AirportModel(costs))).amounts
    half = est.details["half_width"]
    assert np.all(half > 0)
    assert np.mean(np.abs(est.amounts - exact) <= half) >= 0.85
    assert check_core(game, est).in_core is None  # 2**60 coalitions are never tried


def test_sampler_on_a_cost_model_beyond_any_table() -> None:
    n = 200
    model = CostModel(volume=np.ones(n), own=np.full(n, 10.0), fixed=50.0, exponent=0.5)
    game = game_from_model([f"K{i}" for i in range(n)], model)
    est = solve(game, "shapley-sample", samples=2000, seed=3)
    assert est.total == pytest.approx(game.grand)
    exact = game.grand / n  # identical players share equally
    low, high = est.amounts - est.details["half_width"], est.amounts + est.details["half_width"]
    assert np.mean((low <= exact) & (exact <= high)) >= 0.85
    assert check_core(game, est).in_core is None


def test_a_function_that_fails_is_reported() -> None:
    game = game_from_function(["A", "B"], lambda s: float("nan"))
    with pytest.raises(GameError, match='function: coalition "A" gave nan'):
        shapley_values(game)


def test_memory_needed_is_stated_in_the_refusal() -> None:
    require_table_memory(26, 2.0, "shapley", limit=2 << 30)  # 0.5 GiB x 2 fits in 2 GiB
    with pytest.raises(GameError) as info:
        require_table_memory(28, 2.0, "shapley", limit=2 << 30)
    assert str(info.value).startswith(
        "shapley: 28 players need a table of 2^28 coalition values: 2.0 GiB, 4.0 GiB with"
        " working memory, but only 2.0 GiB is available"
    )


def test_tables_are_limited_by_memory_not_by_a_number_of_players(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The old hard limit of 25 players is gone: what fits in the limit works, and beyond it
    the refusal states the amount (here 26 players of values need 0.8 GiB, and Shapley on
    a 22-player model 64 MiB while 23 players would need 128 MiB)."""
    ids = [f"P{i}" for i in range(26)]
    values = {**{p: 1.0 for p in ids}, ",".join(ids): 20.0}
    monkeypatch.setenv("MELLANRUM_FAIRSHARE_MAX_MEMORY", "700MiB")
    with pytest.raises(GameError, match="0.5 GiB, 0.8 GiB with working memory"):
        game_from_values("cost", ids, values)
    monkeypatch.setenv("MELLANRUM_FAIRSHARE_MAX_MEMORY", "100MiB")
    rng = np.random.default_rng(1)
    for n, fits in ((22, True), (23, False)):
        model = CostModel(volume=np.zeros(n), own=rng.uniform(10, 100, n), size_exponent=0.25)
        game = game_from_model([f"P{i}" for i in range(n)], model)
        if fits:
            assert shapley_values(game).total == pytest.approx(game.grand)
        else:
            with pytest.raises(GameError, match="23 players need .* 0.1 GiB with working"):
                shapley_values(game)


def test_exact_shapley_and_core_check_peak_at_two_tables() -> None:
    n = 22
    rng = np.random.default_rng(2026)
    model = CostModel(volume=np.zeros(n), own=rng.uniform(10, 100, n), size_exponent=0.25)
    game = game_from_model([f"P{i}" for i in range(n)], model)
    tracemalloc.start()
    try:
        game.table()
        _, built = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        allocation = shapley_values(game)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        check = check_core(game, allocation)
        _, peak_check = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    table = table_bytes(n)
    slack = 8 << 20  # a dozen chunks of 2**16 coalitions and small vectors
    assert built <= table + slack
    assert peak <= 2 * table + slack
    assert peak_check <= table + slack
    assert check.in_core is True
