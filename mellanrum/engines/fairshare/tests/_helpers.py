"""Helpers for the fair-sharing tests: game strategies and checks written independently of
the engine (brute-force Shapley over all orders, LP core test, Kohlberg's criterion)."""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import linprog

from mellanrum.engines.fairshare import Game
from mellanrum.engines.fairshare.game import GameKind

FloatArray = np.ndarray


def make_game(kind: GameKind, values: list[float], players: tuple[str, ...] | None = None) -> Game:
    """A table game from ``2**n - 1`` values in bitmask order (mask 1 first)."""
    n = int(round(math.log2(len(values) + 1)))
    ids = players or tuple("ABCDEFGH"[:n])
    return Game(kind=kind, players=ids, values=np.array([0.0, *values]))


@st.composite
def table_games(
    draw: st.DrawFn,
    min_n: int = 2,
    max_n: int = 5,
    kind: GameKind | None = None,
    low: int = -5,
    high: int = 10,
) -> Game:
    """Small integer-valued games: many ties, so nucleoli often need several LP levels."""
    n = draw(st.integers(min_n, max_n))
    kinds: tuple[GameKind, ...] = ("cost", "value")
    chosen: GameKind = kind if kind is not None else draw(st.sampled_from(kinds))
    values = draw(st.lists(st.integers(low, high), min_size=2**n - 1, max_size=2**n - 1))
    return make_game(chosen, [float(v) for v in values])


def brute_force_shapley(game: Game) -> FloatArray:
    """Average marginal contribution over all n! orders (independent of the engine)."""
    n = game.n
    v = game.table()
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        mask = 0
        for i in order:
            phi[i] += v[mask | 1 << i] - v[mask]
            mask |= 1 << i
    return phi / math.factorial(n)


def value_orientation(game: Game) -> FloatArray:
    v = game.table()
    return v if game.kind == "value" else -v


def core_is_nonempty(game: Game, tol: float = 1e-7) -> bool:
    """Solve ``max 0`` over the core polytope with an LP (independent of the engine)."""
    n = game.n
    w = value_orientation(game)
    rows = [[(m >> i) & 1 for i in range(n)] for m in range(1, 2**n - 1)]
    res = linprog(
        np.zeros(n),
        A_ub=-np.array(rows, dtype=float) if rows else None,
        b_ub=-w[1:-1] + tol if rows else None,
        A_eq=np.ones((1, n)),
        b_eq=[w[-1]],
        bounds=[(None, None)] * n,
        method="highs",
    )
    return bool(res.status == 0)


def _balanced(masks: list[int], n: int) -> bool:
    """Whether the collection has positive weights covering every player equally."""
    a = np.array([[(m >> i) & 1 for m in masks] + [-1] for i in range(n)], dtype=float)
    res = linprog(
        np.zeros(len(masks) + 1),
        A_eq=a,
        b_eq=np.zeros(n),
        bounds=[(1, None)] * len(masks) + [(0, None)],
        method="highs",
    )
    return bool(res.status == 0)


def satisfies_kohlberg(game: Game, x_amounts: FloatArray, tol: float = 1e-6) -> bool:
    """Kohlberg (1971): an efficient x is the prenucleolus iff every collection of
    proper coalitions with excess >= alpha is balanced, for every alpha."""
    n = game.n
    w = value_orientation(game)
    x = x_amounts if game.kind == "value" else -x_amounts
    if abs(x.sum() - w[-1]) > tol:
        return False
    excess = {m: w[m] - sum(x[i] for i in range(n) if m >> i & 1) for m in range(1, 2**n - 1)}
    levels = sorted(set(excess.values()), reverse=True)
    for alpha in levels:
        collection = [m for m, e in excess.items() if e >= alpha - tol]
        if not _balanced(collection, n):
            return False
    return True
