"""Shapley value estimated by sampling random orders of the players."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from mellanrum.engines.fairshare.allocation import Allocation, with_per_unit
from mellanrum.engines.fairshare.game import FloatArray, Game, GameError

__all__ = ["shapley_sample"]

_BATCH_CELLS = 1 << 20


def shapley_sample(
    game: Game, samples: int = 2000, *, seed: int = 0, confidence: float = 0.95
) -> Allocation:
    """Estimate the Shapley value from random orders, with a confidence interval per player.

    Parameters
    ----------
    game : Game
        A table game, a model game or a game given by a Python function
        (:func:`game_from_function`), of any size (290 municipalities are fine): only the
        values of the prefixes of each sampled order are computed. With identical players
        (counts) the orders are orders of the individual players, and each id's total is
        estimated with its own interval.
    samples : int, default 2000
        Number of random orders; they are drawn in antithetic pairs (an order and its
        reverse), so an odd number is rounded up.
    seed : int, default 0
        Seed of the random generator; the same seed gives the same result.
    confidence : float, default 0.95
        Coverage of the reported interval.

    Returns
    -------
    Allocation
        ``method="shapley-sample"``. ``details`` holds ``"confidence_interval"``
        (``{player: (low, high)}``), ``"half_width"`` (array), ``"samples"``, ``"seed"``
        and ``"confidence"``; with counts also ``"per_unit"``.

    Notes
    -----
    In every order the marginal contributions add up to ``v(N)``, so the estimate is
    efficient exactly. Each antithetic pair is averaged into one observation; the interval
    is ``mean +/- z * sd / sqrt(pairs)`` with ``z`` the normal quantile, a large-sample
    interval that holds approximately for each player separately [2]_. A player whose
    contribution is the same in every sampled order gets an interval of width zero.

    References
    ----------
    .. [1] L. S. Shapley, "A value for n-person games", 1953.
    .. [2] J. Castro, D. Gomez and J. Tejada, "Polynomial calculation of the Shapley value
       based on sampling", *Computers & Operations Research* 36(5), 2009, pp. 1726-1730.

    Examples
    --------
    >>> from mellanrum.engines.fairshare.game import game_from_values
    >>> g = game_from_values("cost", ["A", "B"], {"A": 4, "B": 6, "A,B": 8})
    >>> a = shapley_sample(g, samples=100, seed=1)
    >>> a.as_dict(), a.details["confidence_interval"]["A"]
    ({'A': 3.0, 'B': 5.0}, (3.0, 3.0))
    """
    if samples < 2:
        raise GameError("samples: at least 2 random orders are needed")
    if not 0.0 < confidence < 1.0:
        raise GameError("confidence: must be between 0 and 1")
    unit = game.unit_game()
    n = unit.n
    starts = np.concatenate([[0], np.cumsum(game.unit_counts())[:-1]])
    pairs = (samples + 1) // 2
    rng = np.random.default_rng(seed)
    batch = max(1, _BATCH_CELLS // max(n, 1) // 2)
    shift: FloatArray | None = None
    total = np.zeros(game.n, dtype=np.float64)
    total_sq = np.zeros(game.n, dtype=np.float64)
    done = 0
    while done < pairs:
        k = min(batch, pairs - done)
        orders = rng.permuted(np.tile(np.arange(n, dtype=np.intp), (k, 1)), axis=1)
        both = np.concatenate([orders, orders[:, ::-1]])
        marginal = np.diff(unit.prefix_values(both), axis=1)
        contrib = np.empty_like(marginal)
        np.put_along_axis(contrib, both, marginal, axis=1)
        obs = 0.5 * (contrib[:k] + contrib[k:])
        if game.counts is not None:  # each id's total over its identical players
            obs = np.add.reduceat(obs, starts, axis=1)
        if shift is None:
            shift = obs.mean(axis=0)
        centred = obs - shift
        total += centred.sum(axis=0)
        total_sq += (centred**2).sum(axis=0)
        done += k
    assert shift is not None
    mean_c = total / pairs
    estimate = shift + mean_c
    var = np.maximum(total_sq / pairs - mean_c**2, 0.0) * (pairs / max(pairs - 1, 1))
    z = float(norm.ppf(0.5 + confidence / 2.0))
    half = z * np.sqrt(var / pairs)
    intervals = {
        p: (float(estimate[i] - half[i]), float(estimate[i] + half[i]))
        for i, p in enumerate(game.players)
    }
    details = {
        "confidence_interval": intervals,
        "half_width": half,
        "samples": 2 * pairs,
        "seed": seed,
        "confidence": confidence,
    }
    return with_per_unit(game, "shapley-sample", estimate, details)
