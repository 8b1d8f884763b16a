"""The least core of a small game (4 to :data:`FAST_PLAYERS` players) in about 25 numpy calls.

The same certified least-distance program as :func:`._ldp.nearest_in_least_core` -- the
least-core point nearest to the Shapley value, by one projection in scipy's compiled NNLS,
returned only with a dual certificate that its ``eps`` is the least -- arranged for games
of a few players, where a solve takes a few microseconds and every numpy call about half
of one, so that the number of calls is the running time.

Everything that depends only on the number of players is built once per size and domain
(:func:`_plan`). Every constraint is a row: each proper coalition ``S`` (``x(S) + eps >=
v(S)``) and, for imputations, each player's bound (``x_i >= v(i)``). Their right-hand sides
at the Shapley value ``phi = P v`` are linear in the table (``v(S) - 1_S P v``), so up to
:data:`_ONE_PRODUCT` players ``phi`` and every right-hand side come out of one matrix
product with the raw table; above, from ``phi`` in two. The first projection has only the
complements of the players (the groups of all but one, which bind in games with economies
of scale); the excesses of all rows are then checked in one product, violated rows are
added and the projection repeated. The certificate uses every row tight at the result.
Should the solver not converge, the caller falls back to the general routine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

try:  # the compiled core of scipy.optimize.nnls (as in _ldp.py)
    from scipy.optimize._nnls import _nnls as _compiled_nnls
except ImportError:  # pragma: no cover - another scipy
    _compiled_nnls = None

from mellanrum.engines.fairshare._ldp import (
    _K_GROWTH,
    _K_START,
    _K_TRIES,
    _MAX_NEW,
    _basis,
    _goal,
    _small,
)
from mellanrum.engines.fairshare.game import FloatArray, GameError

__all__ = ["FAST_PLAYERS", "small_least_core"]

#: The fast path serves 4 up to this many players (its matrices for 12 players take about
#: 1.7 MB, and 3.4 MB for all sizes, per domain; above, the fixed costs it saves are small
#: against the work).
FAST_PLAYERS = 12
#: Up to this many players one product with a ``(2**n + 2n) x 2**n`` matrix gives every
#: right-hand side (0.14 MB at 7 players; at 8 the product alone costs more than two small ones).
_ONE_PRODUCT = 7
_CERTIFIED = 1e-9


@dataclass(frozen=True)
class _Plan:
    """What one size and domain need, built once.

    Rows are ordered: the complements of the players (the first projection's rows), the
    other proper coalitions, then (imputations) the players' bounds. ``rows`` is every row
    ``(1_S B, 1)`` or ``(B_i, 0)`` in the coordinates ``z = (y, eps)`` of ``x = phi + B y``,
    ``rows_t`` the same transposed, ``far`` 1 on coalition rows and 0 on bounds.
    ``linear @ table`` gives ``phi`` (first ``n`` entries), the stand-alone surplus
    ``sum v(i) - v(N)`` (entry ``n``), ``sum v(N - i) - (n - 1) v(N)`` (entry ``n + 1``) and,
    when ``order`` is ``None``, every row's
    right-hand side; otherwise those are ``table[order] - members @ phi``. ``lift`` maps
    ``z`` to ``B y``.
    """

    linear: FloatArray
    order: npt.NDArray[np.int64] | None
    members: FloatArray
    rows: FloatArray
    rows_t: FloatArray
    first_t: FloatArray
    far: FloatArray
    lift: FloatArray
    goal: FloatArray
    certificate_goal: FloatArray


@lru_cache(maxsize=2 * FAST_PLAYERS)
def _plan(n: int, imputation: bool) -> _Plan:
    full = (1 << n) - 1
    small = _small(n)
    singles = np.array([1 << i for i in range(n)], dtype=np.int64)
    complements = full ^ singles
    others = np.setdiff1d(np.arange(1, full, dtype=np.int64), complements)
    coalitions = np.concatenate([complements, others])
    lift = np.hstack([_basis(n), np.zeros((n, 1))])
    rows = small.rows[coalitions - 1]
    order = coalitions  # the coalition whose value is each row's v(S) (a bound: v(i))
    if imputation:
        rows = np.vstack([rows, lift])
        order = np.concatenate([coalitions, singles])
    members = small.bits[order - 1]  # a bound's members: its player, as for {i}
    far = np.concatenate([np.ones(len(coalitions)), np.zeros(len(order) - len(coalitions))])
    unit = np.eye(full + 1)
    # n * the two lower bounds on eps (see small_least_core).
    singles_bound = unit[singles].sum(axis=0) - unit[full]
    complements_bound = unit[complements].sum(axis=0) - (n - 1) * unit[full]
    head = np.vstack([small.shapley, singles_bound, complements_bound])
    one_product = n <= _ONE_PRODUCT
    linear = np.vstack([head, unit[order] - members @ small.shapley]) if one_product else head
    rows_t = np.ascontiguousarray(rows.T)
    first_t = np.ascontiguousarray(rows_t[:, :n])
    for a in (linear, order, members, rows, rows_t, first_t, far, lift):
        a.setflags(write=False)
    return _Plan(
        linear,
        None if one_product else order,
        members,
        rows,
        rows_t,
        first_t,
        far,
        lift,
        _goal(n + 1),
        _goal(n),
    )


def small_least_core(
    table: FloatArray, n: int, sign: float, imputation: bool, tol: float | None
) -> tuple[FloatArray, float] | None:
    """Return the least-core point nearest to the Shapley value and the least-core value, in
    the game's own units and orientation, or ``None`` when the solver did not converge (the
    caller then uses the general routine).

    ``table`` is the raw ``2**n`` table, ``sign`` +1 for a value game and -1 for a cost game;
    ``tol`` is the absolute tolerance on excesses (default ``1e-9 * max |v(S)|``).
    """
    if _compiled_nnls is None:  # pragma: no cover - another scipy
        return None
    plan = _plan(n, imputation)
    # Solve on values scaled to at most 1 (the solver's tolerances are absolute).
    size = np.abs(table)
    scale = float(size[size.argmax()]) or 1.0
    tol = 1e-9 if tol is None else tol / scale
    unit = sign / scale
    raw = plan.linear @ table
    if imputation and raw[n] * unit > tol:
        raise GameError(
            "least core: no allocation gives every player at least its stand-alone"
            " outcome; use shapley"
        )
    phi = raw[:n]
    # Two lower bounds on eps that hold for every game: summing x(S) + eps >= v(S) over the
    # players (x(N) = v(N)) gives n eps >= sum v(i) - v(N), and over the groups of all but
    # one (each player in n - 1 of them) n eps >= sum v(N - i) - (n - 1) v(N). An eps that
    # meets either is the least, with that sum as the dual certificate (weights 1/n).
    lower = max(float(raw[n]) * unit, float(raw[n + 1]) * unit) / n
    if plan.order is None:
        rhs = raw[n + 2 :] * unit
    else:
        rhs = (table[plan.order] - plan.members @ phi) * unit
    active: npt.NDArray[np.int64] | None = None  # None: the first n rows
    k_far = _K_START
    for _ in range(_K_TRIES):
        while True:
            if active is None:
                e = np.concatenate((plan.first_t, (rhs[:n] + k_far)[None, :]))
            else:
                h = rhs[active] + k_far * plan.far[active]
                e = np.concatenate((plan.rows_t[:, active], h[None, :]))
            u, _, info = _compiled_nnls(e, plan.goal, 50 * (n + 1) + 3 * e.shape[1])
            if info == 3:
                return None
            r = e @ u
            d = 1.0 - float(r[-1])
            if abs(d) < 1e-14:
                raise GameError("least core: the linear program is infeasible")
            z = r[:-1] / d  # the projection relative to (0, -k_far) ...
            z[-1] -= k_far  # ... and absolute: (y, eps)
            slack = plan.rows @ z - rhs  # of every row, listed or not
            worst = slack.argmin()
            if slack[worst] >= -tol:
                break
            new = np.flatnonzero(slack < -tol)
            if new.size > _MAX_NEW:
                new = new[np.argpartition(slack[new], _MAX_NEW)[:_MAX_NEW]]
            listed = np.arange(n) if active is None else active
            new = new[~np.isin(new, listed)]
            if new.size == 0:  # only listed rows, off by the solver's rounding
                break
            active = np.concatenate([listed, new])
        eps = float(z[-1])
        if eps <= lower + tol or _certified(
            plan.rows_t.compress(slack <= tol, axis=1), plan.certificate_goal
        ):
            return phi + (plan.lift @ z) * (sign * scale), eps * scale
        k_far *= _K_GROWTH
    raise GameError("least core: the nearest point could not be certified; use nucleolus")


def _certified(tight_t: FloatArray, goal: FloatArray) -> bool:
    """Whether ``(0, ..., 0, 1)`` is a non-negative combination of the tight rows: the dual
    certificate that no smaller ``eps`` is feasible."""
    if not tight_t.size:
        return False
    solved: Any = _compiled_nnls(tight_t, goal, 3 * tight_t.shape[1])
    return bool(solved[2] != 3 and solved[1] <= _CERTIFIED)
