"""Linear programs over coalition excesses, shared by the nucleolus and the least core.

Every game is taken in value orientation ``w`` (costs negated). The excess of coalition
``S`` at allocation ``x`` is ``e(S) = w(S) - x(S)``: what ``S`` would gain by leaving.
The programs have one row per coalition, ``2**n`` of them, so they are solved by
constraint generation: solve with a few rows, add the most violated coalitions (found by
computing every excess at once with :func:`subset_sums`), repeat until none is violated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack, vstack

from mellanrum.engines.fairshare.game import FloatArray, GameError, subset_sums

_MAX_ADD = 200


def membership(masks: npt.NDArray[np.int64], n: int) -> csr_matrix:
    """Return the 0/1 matrix with one row per coalition mask and one column per player."""
    bits = (masks[:, None] >> np.arange(n, dtype=np.int64)) & 1
    return csr_matrix(bits.astype(np.float64))


def all_excesses(w: FloatArray, x: FloatArray) -> FloatArray:
    """Return ``w(S) - x(S)`` for every coalition mask."""
    return w - subset_sums(x)


@dataclass
class LevelResult:
    """Solution of one level: allocation, its max excess and the duals of the active rows."""

    x: FloatArray
    eps: float
    active: npt.NDArray[np.int64]
    duals: FloatArray
    lps: int


def _initial_rows(n: int, free: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    full = (1 << n) - 1
    singles = [1 << i for i in range(n)]
    rows = np.array(sorted(set(singles) | {full ^ s for s in singles}), dtype=np.int64)
    return rows[free[rows]]


def _with_complements(masks: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    full = (1 << n) - 1
    return np.concatenate([masks, full ^ masks])


def _check(res: object, what: str) -> None:
    status = getattr(res, "status", 1)
    if status != 0:
        raise GameError(f"{what}: the linear program failed ({getattr(res, 'message', '')})")


def solve_level(
    w: FloatArray,
    n: int,
    free: npt.NDArray[np.bool_],
    fixed: Sequence[int],
    fixed_excess: Sequence[float],
    lower: Sequence[float | None],
    tol: float,
    start: npt.NDArray[np.int64] | None = None,
) -> LevelResult:
    """Minimise the largest excess over the free coalitions, keeping fixed ones fixed.

    ``min eps`` subject to ``w(S) - x(S) <= eps`` for free ``S``, ``x(S) = w(S) - e_S``
    for fixed ``S``, ``x(N) = w(N)`` and ``x_i >= lower_i``.
    """
    full = (1 << n) - 1
    active = _initial_rows(n, free) if start is None else start[free[start]]
    if active.size == 0:
        active = np.flatnonzero(free)[:1].astype(np.int64)
    eq_masks = np.array([full, *fixed], dtype=np.int64)
    a_eq = hstack([membership(eq_masks, n), csr_matrix((len(eq_masks), 1))]).tocsr()
    b_eq = np.concatenate([[w[full]], w[eq_masks[1:]] - np.asarray(fixed_excess, dtype=float)])
    bounds = [(lo, None) for lo in lower] + [(None, None)]
    cost = np.zeros(n + 1)
    cost[n] = 1.0
    lps = 0
    while True:
        a_ub = hstack([-membership(active, n), csr_matrix(-np.ones((len(active), 1)))]).tocsr()
        res = linprog(
            cost,
            A_ub=a_ub,
            b_ub=-w[active],
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=bounds,
            method="highs",
        )
        lps += 1
        _check(res, "nucleolus")
        x, eps = res.x[:n], float(res.x[n])
        exc = all_excesses(w, x)
        exc[~free] = -np.inf
        exc[active] = -np.inf  # satisfied up to the solver's tolerance; never re-added
        violated = np.flatnonzero(exc > eps + tol)
        if violated.size == 0:
            duals = -np.asarray(res.ineqlin.marginals, dtype=np.float64)
            return LevelResult(x=x, eps=eps, active=active, duals=duals, lps=lps)
        if violated.size > _MAX_ADD:
            top = np.argpartition(-exc[violated], _MAX_ADD)[:_MAX_ADD]
            violated = violated[top]
        new = _with_complements(violated.astype(np.int64), n)
        new = new[free[new]]
        active = np.unique(np.concatenate([active, new]))


def closest_in_least_core(
    w: FloatArray,
    n: int,
    eps: float,
    target: FloatArray,
    lower: Sequence[float | None],
    tol: float,
) -> FloatArray:
    """Return the point with every proper excess ``<= eps`` closest to ``target``.

    "Closest" is lexicographic: the largest deviation ``|x_i - target_i|`` is made as small as
    possible, then the next largest, and so on, which makes the point unique (unlike the
    nearest point in L1, which can depend on the order of the players). Each round is one LP
    ``min t`` subject to ``+-(x_i - target_i) <= t`` for the players not yet fixed; players
    whose deviation row has a positive dual price are at that deviation in every optimum and
    are fixed, as in the nucleolus.
    """
    full = (1 << n) - 1
    rows_ok = np.ones(1 << n, dtype=bool)
    rows_ok[0] = rows_ok[full] = False
    active = _initial_rows(n, rows_ok)
    bounds = [(lo, None) for lo in lower] + [(None, None)]
    cost = np.zeros(n + 1)
    cost[n] = 1.0
    fixed: dict[int, float] = {}
    x = np.asarray(target, dtype=np.float64).copy()
    while len(fixed) < n - 1:
        open_players = [i for i in range(n) if i not in fixed]
        k = len(open_players)
        dev = np.zeros((2 * k, n + 1))
        for r, i in enumerate(open_players):
            dev[2 * r, i], dev[2 * r + 1, i] = 1.0, -1.0
        dev[:, n] = -1.0
        b_dev = np.repeat(target[open_players], 2) * np.tile([1.0, -1.0], k)
        eq_rows = np.zeros((1 + len(fixed), n + 1))
        eq_rows[0, :n] = 1.0
        b_eq = [w[full]]
        for r, (i, value) in enumerate(fixed.items(), start=1):
            eq_rows[r, i] = 1.0
            b_eq.append(value)
        while True:
            a_core = hstack([-membership(active, n), csr_matrix((len(active), 1))])
            res = linprog(
                cost,
                A_ub=vstack([csr_matrix(dev), a_core]).tocsr(),
                b_ub=np.concatenate([b_dev, eps - w[active]]),
                A_eq=csr_matrix(eq_rows),
                b_eq=b_eq,
                bounds=bounds,
                method="highs",
            )
            _check(res, "least core")
            x = res.x[:n]
            exc = all_excesses(w, x)
            exc[~rows_ok] = -np.inf
            exc[active] = -np.inf
            violated = np.flatnonzero(exc > eps + tol)
            if violated.size == 0:
                break
            if violated.size > _MAX_ADD:
                violated = violated[np.argpartition(-exc[violated], _MAX_ADD)[:_MAX_ADD]]
            active = np.unique(np.concatenate([active, _with_complements(violated, n)]))
            active = active[rows_ok[active]]
        t = float(res.x[n])
        duals = -np.asarray(res.ineqlin.marginals[: 2 * k], dtype=np.float64)
        tight = np.flatnonzero(duals > 1e-9)
        if tight.size == 0:  # cannot happen for a bounded LP; guard against solver noise
            tight = np.array([int(np.argmax(duals))])
        for r in tight.tolist():
            i = open_players[r // 2]
            fixed[i] = float(target[i] + (t if r % 2 == 0 else -t))
    for i, value in fixed.items():
        x[i] = value
    rest = [i for i in range(n) if i not in fixed]
    if rest:
        x[rest[0]] = w[full] - sum(fixed.values())
    return np.asarray(x, dtype=np.float64)
