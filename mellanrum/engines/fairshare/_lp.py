"""Linear programs over coalition excesses for the nucleolus (the least core uses its search).

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
