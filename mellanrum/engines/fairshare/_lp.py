"""Linear programs over coalition excesses, shared by the nucleolus and the least core.

Every game is taken in value orientation ``w`` (costs negated). The excess of coalition
``S`` at allocation ``x`` is ``e(S) = w(S) - x(S)``: what ``S`` would gain by leaving.
The programs have one row per coalition, ``2**n`` of them, so they are solved by
constraint generation: solve with a few rows, add the most violated coalitions (found by
computing every excess in chunks), repeat until none is violated. They are solved with
HiGHS through its own Python interface (``highspy``), one solver object per computation:
rows are added and bounds changed in place, so every later solve starts from the last
optimal basis (a warm start), which is what makes small games fast.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import highspy
import numpy as np
import numpy.typing as npt

from mellanrum.engines.fairshare.bitmask import chunked_subset_sums
from mellanrum.engines.fairshare.game import FloatArray, GameError

_MAX_ADD = 200


class ScaledTable:
    """The coalition values ``factor * table`` in value orientation, scaled when indexed.

    The LPs need the values divided by their largest size (HiGHS's tolerances are absolute)
    and negated for cost games; scaling on access instead of copying keeps a ``2**n``
    table out of memory.

    Examples
    --------
    >>> w = ScaledTable(np.array([0.0, 2.0, 4.0]), -0.5)
    >>> float(w[2]), w[1:].tolist()
    (-2.0, [-1.0, -2.0])
    """

    def __init__(self, table: FloatArray, factor: float) -> None:
        self.table = table
        self.factor = factor

    def __getitem__(self, index: Any) -> Any:
        return self.table[index] * self.factor


_INF = highspy.kHighsInf


class Rows(NamedTuple):
    """Constraint rows in the compressed-row arrays HiGHS takes (``starts`` per row)."""

    starts: npt.NDArray[np.int32]
    columns: npt.NDArray[np.int32]
    value: FloatArray


def membership(masks: npt.NDArray[np.int64], n: int, extra: float | None = None) -> Rows:
    """Return the 0/1 rows of the coalition masks, one column per player (and a last column
    of ``extra`` when given and non-zero), built with numpy in one go.

    Examples
    --------
    >>> r = membership(np.array([0b101, 0b010]), 3, 1.0)
    >>> r.starts.tolist(), r.columns.tolist(), r.value.tolist()
    ([0, 3], [0, 2, 3, 1, 3], [1.0, 1.0, 1.0, 1.0, 1.0])
    """
    bits = (np.asarray(masks, dtype=np.int64)[:, None] >> np.arange(n, dtype=np.int64)) & 1
    if extra:
        bits = np.hstack([bits, np.ones((len(masks), 1), dtype=np.int64)])
    rows, cols = np.nonzero(bits)
    starts = np.searchsorted(rows, np.arange(len(masks))).astype(np.int32)
    value = np.ones(len(cols))
    if extra:
        value[cols == n] = extra
    return Rows(starts, cols.astype(np.int32), value)


def _deviation_rows(n: int) -> Rows:
    """Rows ``2i``: ``x_i - t`` and ``2i + 1``: ``x_i + t`` (``t`` in column ``n``)."""
    index = np.ravel(np.column_stack([np.repeat(np.arange(n), 2), np.full(2 * n, n)]))
    value = np.ravel(np.column_stack([np.ones(2 * n), np.tile([-1.0, 1.0], n)]))
    return Rows(np.arange(0, 4 * n, 2, dtype=np.int32), index.astype(np.int32), value)


_LOCAL = threading.local()


def _highs() -> Any:
    """Return this thread's HiGHS object, emptied (creating one costs more than a small LP)."""
    h = getattr(_LOCAL, "highs", None)
    if h is None:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        # Presolve costs more than it saves on these narrow LPs (n + 1 columns), and every
        # re-solve starts from the last basis anyway.
        h.setOptionValue("presolve", "off")
        _LOCAL.highs = h
    else:
        h.clearModel()
    return h


class _Solver:
    """A HiGHS model over the columns ``x_0 .. x_{n-1}, t`` that is grown and re-solved."""

    def __init__(self, n: int, lower: Sequence[float | None], t_lower: float | None) -> None:
        h = _highs()
        lows = np.array(
            [-_INF if lo is None else lo for lo in lower] + [-_INF if t_lower is None else t_lower]
        )
        h.addVars(n + 1, lows, np.full(n + 1, _INF))
        cost = np.zeros(n + 1)
        cost[n] = 1.0
        h.changeColsCost(n + 1, np.arange(n + 1, dtype=np.int32), cost)
        self.h = h
        self.n = n
        self.rows = 0

    def add_rows(self, rows: Rows, lower: FloatArray, upper: FloatArray) -> int:
        """Add rows ``lower <= rows @ (x, t) <= upper``; return the index of the first."""
        first = self.rows
        k = len(rows.starts)
        if k:
            self.h.addRows(
                k,
                np.asarray(lower, dtype=np.float64),
                np.asarray(upper, dtype=np.float64),
                len(rows.columns),
                rows.starts,
                rows.columns,
                rows.value,
            )
            self.rows += k
        return first

    def solve(self, what: str) -> tuple[FloatArray, FloatArray]:
        """Solve; return the column values and the row duals (``>= 0`` on a tight lower
        bound, ``<= 0`` on a tight upper bound, as HiGHS reports them for a minimisation)."""
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise GameError(
                f"{what}: the linear program failed ({self.h.modelStatusToString(status)})"
            )
        sol = self.h.getSolution()
        return np.asarray(sol.col_value, dtype=np.float64), np.asarray(
            sol.row_dual, dtype=np.float64
        )


def violations(
    w: ScaledTable,
    x: FloatArray,
    allowed: npt.NDArray[np.bool_],
    active: npt.NDArray[np.int64],
    threshold: float,
    limit: int = _MAX_ADD,
) -> npt.NDArray[np.int64]:
    """Return up to ``limit`` allowed coalitions not in ``active`` (sorted) whose excess
    ``w(S) - x(S)`` exceeds ``threshold``, the largest first.

    The excesses are computed in chunks of ``2**16`` coalitions, so the search needs no
    memory beyond the tables it is given.
    """
    found: list[npt.NDArray[np.int64]] = []
    values: list[FloatArray] = []
    for start, sums in chunked_subset_sums(x):
        stop = start + len(sums)
        exc = w[start:stop] - sums
        exc[~allowed[start:stop]] = -np.inf
        lo, hi = np.searchsorted(active, [start, stop])
        exc[active[lo:hi] - start] = -np.inf  # satisfied up to the solver's tolerance
        idx = np.flatnonzero(exc > threshold)
        if idx.size > limit:
            idx = idx[np.argpartition(-exc[idx], limit)[:limit]]
        if idx.size:
            found.append(idx.astype(np.int64) + start)
            values.append(exc[idx])
    if not found:
        return np.zeros(0, dtype=np.int64)
    masks, exc_all = np.concatenate(found), np.concatenate(values)
    if masks.size > limit:
        masks = masks[np.argpartition(-exc_all, limit)[:limit]]
    return masks


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


def solve_level(
    w: ScaledTable,
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
    solver = _Solver(n, lower, None)
    eq_masks = np.array([full, *fixed], dtype=np.int64)
    b_eq = np.concatenate([[w[full]], w[eq_masks[1:]] - np.asarray(fixed_excess, dtype=float)])
    solver.add_rows(membership(eq_masks, n, 0.0), b_eq, b_eq)
    first = solver.rows
    rows = [active]
    new = active
    lps = 0
    while True:
        # x(S) + eps >= w(S) for each active S.
        solver.add_rows(membership(new, n, 1.0), w[new], np.full(len(new), _INF))
        values, row_duals = solver.solve("nucleolus")
        lps += 1
        x, eps = values[:n], float(values[n])
        active = np.concatenate(rows)
        order = np.argsort(active, kind="stable")
        violated = violations(w, x, free, active[order], eps + tol)
        if violated.size == 0:
            return LevelResult(x=x, eps=eps, active=active, duals=row_duals[first:], lps=lps)
        new = _with_complements(violated, n)
        new = np.setdiff1d(new[free[new]], active)
        rows.append(new)


def closest_in_least_core(
    w: ScaledTable,
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
    whose deviation row has a non-zero dual price are at that deviation in every optimum and
    are fixed, as in the nucleolus. Every round re-solves the same HiGHS model from the last
    basis: a fixed player's column bounds are set to its value and its deviation rows
    relaxed.
    """
    full = (1 << n) - 1
    rows_ok = np.ones(1 << n, dtype=bool)
    rows_ok[0] = rows_ok[full] = False
    active = _initial_rows(n, rows_ok)
    solver = _Solver(n, lower, None)  # t free, so its dual lands on the deviation rows
    solver.add_rows(membership(np.array([full]), n, 0.0), w[[full]], w[[full]])
    # Deviation rows 1 + 2i: x_i - t <= target_i; 2 + 2i: x_i + t >= target_i.
    dev_lo = np.ravel(np.column_stack([np.full(n, -_INF), target]))
    dev_hi = np.ravel(np.column_stack([target, np.full(n, _INF)]))
    dev_first = solver.add_rows(_deviation_rows(n), dev_lo, dev_hi)
    solver.add_rows(membership(active, n, 0.0), w[active] - eps, np.full(len(active), _INF))
    fixed: dict[int, float] = {}
    x = np.asarray(target, dtype=np.float64).copy()
    while len(fixed) < n - 1:
        while True:
            values, row_duals = solver.solve("least core")
            x = values[:n]
            violated = violations(w, x, rows_ok, np.sort(active), eps + tol)
            if violated.size == 0:
                break
            new = np.setdiff1d(_with_complements(violated, n), active)
            new = new[rows_ok[new]]
            solver.add_rows(membership(new, n, 0.0), w[new] - eps, np.full(len(new), _INF))
            active = np.concatenate([active, new])
        t = float(values[n])
        duals = np.abs(row_duals[dev_first : dev_first + 2 * n])
        for i in fixed:
            duals[2 * i] = duals[2 * i + 1] = 0.0
        tight = np.flatnonzero(duals > 1e-9)
        if tight.size == 0:  # cannot happen for a bounded LP; guard against solver noise
            open_rows = [r for r in range(2 * n) if r // 2 not in fixed]
            tight = np.array([max(open_rows, key=lambda r: duals[r])])
        for r in tight.tolist():
            i = r // 2
            if i in fixed:
                continue
            value = float(target[i] + (t if r % 2 == 0 else -t))
            fixed[i] = value
            solver.h.changeColBounds(i, value, value)
            solver.h.changeRowBounds(dev_first + 2 * i, -_INF, _INF)
            solver.h.changeRowBounds(dev_first + 2 * i + 1, -_INF, _INF)
    for i, value in fixed.items():
        x[i] = value
    rest = [i for i in range(n) if i not in fixed]
    if rest:
        x[rest[0]] = w[full] - sum(fixed.values())
    return np.asarray(x, dtype=np.float64)
