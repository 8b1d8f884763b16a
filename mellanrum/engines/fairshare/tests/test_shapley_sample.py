"""Tests for the sampled Shapley value and its confidence intervals (shapley_sample.py)."""

from __future__ import annotations

import numpy as np
import pytest

from mellanrum.engines.fairshare import (
    CostModel,
    Game,
    GameError,
    game_from_model,
    shapley_sample,
    shapley_values,
)
from mellanrum.engines.fairshare.tests._helpers import make_game


def _model_game(n: int, seed: int) -> Game:
    rng = np.random.default_rng(seed)
    model = CostModel(
        volume=rng.uniform(0, 10, n),
        own=rng.uniform(10, 100, n),
        fixed=20.0,
        exponent=0.6,
        size_exponent=0.25,
    )
    return game_from_model([f"P{i}" for i in range(n)], model)


def test_confidence_intervals_cover_the_exact_value_for_most_seeds() -> None:
    game = _model_game(8, seed=2)
    exact = shapley_values(game).amounts
    covered = 0
    for seed in range(40):
        result = shapley_sample(game, samples=200, seed=seed)
        half = result.details["half_width"]
        assert np.all(half > 0)
        covered += int(np.sum(np.abs(result.amounts - exact) <= half))
    rate = covered / (40 * 8)
    assert 0.88 <= rate <= 0.995  # nominal 95%; deterministic for these seeds


def test_intervals_shrink_with_more_samples() -> None:
    game = _model_game(10, seed=3)
    few = shapley_sample(game, samples=100, seed=1).details["half_width"]
    many = shapley_sample(game, samples=1600, seed=1).details["half_width"]
    assert many.mean() == pytest.approx(few.mean() / 4, rel=0.35)


def test_it_is_reproducible_and_efficient() -> None:
    game = make_game("value", [0, 1, 3, 0, 2, 2, 7])
    a = shapley_sample(game, samples=50, seed=9)
    b = shapley_sample(game, samples=50, seed=9)
    assert a.amounts.tolist() == b.amounts.tolist()
    assert a.total == pytest.approx(7)
    assert a.details["samples"] == 50


def test_it_handles_290_municipalities() -> None:
    game = _model_game(290, seed=4)
    result = shapley_sample(game, samples=200, seed=0)
    assert result.total == pytest.approx(game.grand)
    low, high = result.details["confidence_interval"]["P0"]
    assert low < result["P0"] < high


def test_too_few_samples() -> None:
    with pytest.raises(GameError, match="at least 2"):
        shapley_sample(make_game("value", [1, 1, 3]), samples=1)
