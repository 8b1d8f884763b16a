"""Exact Shapley value, vectorised over coalition bitmasks."""

from __future__ import annotations

import math

import numpy as np

from mellanrum.engines.fairshare.allocation import Allocation
from mellanrum.engines.fairshare.game import FloatArray, Game, popcounts

__all__ = ["shapley_values"]

_CHUNK = 1 << 20


def _weights(n: int) -> FloatArray:
    """``w[s] = s! (n-1-s)! / n!`` for ``s = 0 .. n-1`` and ``w[n] = 0``."""
    w = np.zeros(n + 1, dtype=np.float64)
    for s in range(n):
        w[s] = math.exp(math.lgamma(s + 1) + math.lgamma(n - s) - math.lgamma(n + 1))
    return w


def shapley_values(game: Game) -> Allocation:
    """Return the exact Shapley value of a game with at most 25 players.

    Each player gets its marginal contribution ``v(S + i) - v(S)`` averaged over all
    orders in which the players could join the grand coalition.

    Parameters
    ----------
    game : Game
        A cost or value game; its table is built from the model if needed.

    Returns
    -------
    Allocation
        ``method="shapley"``; what each player pays (cost game) or receives (value game).

    Notes
    -----
    With ``w(s) = s! (n-1-s)! / n!`` and ``w(n) = 0``,
    ``phi_i = sum_{T contains i} (w(|T|-1) + w(|T|)) v(T) - sum_S w(|S|) v(S)``.
    The first sum is taken for every ``i`` at once by folding the weighted table in
    halves (bit ``n-1`` first), so the work is ``O(2**n)`` after one weighted pass and the
    memory two tables of ``2**n`` floats (256 MB each at 25 players).
    The Shapley value is linear, so it applies unchanged to costs and to values.

    References
    ----------
    .. [1] L. S. Shapley, "A value for n-person games", in *Contributions to the Theory of
       Games II*, Annals of Mathematics Studies 28, Princeton University Press, 1953,
       pp. 307-317.

    Examples
    --------
    The glove game: player A holds a left glove, B and C right gloves; a pair is worth 1.

    >>> from mellanrum.engines.fairshare.game import game_from_values
    >>> g = game_from_values("value", ["A", "B", "C"],
    ...     {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,C": 1, "B,C": 0, "A,B,C": 1})
    >>> {p: round(x, 4) for p, x in shapley_values(g).as_dict().items()}
    {'A': 0.6667, 'B': 0.1667, 'C': 0.1667}
    """
    v = game.table()
    n = game.n
    w = _weights(n)
    coef = w.copy()
    coef[1:] += w[:-1]  # w(|T|) + w(|T| - 1)
    pcs = popcounts(n)
    size = 1 << n
    weighted = np.empty(size, dtype=np.float64)
    total_q = 0.0
    for start in range(0, size, _CHUNK):
        part = v[start : start + _CHUNK]
        pc = pcs[start : start + _CHUNK]
        np.multiply(part, coef[pc], out=weighted[start : start + _CHUNK])
        total_q += float(np.dot(part, w[pc]))
    del pcs
    phi = np.empty(n, dtype=np.float64)
    folded = weighted
    for k in range(n, 0, -1):
        half = 1 << (k - 1)
        phi[k - 1] = float(folded[half:].sum()) - total_q
        folded = folded[:half] + folded[half:]
    return Allocation("shapley", game.kind, game.players, phi)
