"""The least-core point nearest to a target, as one least-distance program (Lawson-Hanson).

Every game is taken in value orientation ``w`` (costs negated) and scaled to at most 1.
On the plane ``x(N) = w(N)`` write ``x = target + B y`` with ``B`` an orthonormal basis of
the directions that sum to zero (the target, a Shapley value, is on the plane), and add
the excess bound ``eps``: the least core is the polyhedron ``x(S) + eps >= w(S)`` for every
proper coalition (and ``x_i >= lower_i`` for imputations) at the smallest ``eps``.

Projecting the point ``(y, eps) = (0, -K)`` onto that polyhedron is minimising
``eps + ||y||^2 / (2K)`` up to a constant; for ``K`` large enough (a finite threshold:
Mangasarian and Meyer, "Nonlinear perturbation of linear programs", SIAM J. Control
Optim. 17(6), 1979) the projection lies on the least core and is the least-core point
nearest to the target. One projection is one non-negative least squares problem
(Lawson and Hanson, *Solving Least Squares Problems*, 1974, ch. 23), solved in compiled
code by :func:`scipy.optimize.nnls`. ``K`` is certified, not guessed: the projection is
returned only when the coalitions tight at it carry a dual certificate that its ``eps``
is the smallest possible (another NNLS with zero residual); otherwise ``K`` grows.
Rows are generated: start with every coalition (small games) or the players and their
complements, add the most violated coalitions (chunked search over all ``2**n``) and
project again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import nnls

try:  # the compiled core of scipy.optimize.nnls (scipy 1.15+, pinned): its argument checks
    # cost three times the solve on these small problems
    from scipy.optimize._nnls import _nnls as _compiled_nnls
except ImportError:  # pragma: no cover - another scipy
    _compiled_nnls = None

from mellanrum.engines.fairshare._lp import ScaledTable, violations
from mellanrum.engines.fairshare.game import FloatArray, GameError

__all__ = ["SMALL_PLAYERS", "nearest_in_least_core", "small_shapley"]

#: Up to this many players the coalition rows and the Shapley weights are kept as
#: matrices (at most ``2**12 x 12`` floats each, built once per size).
SMALL_PLAYERS = 12
_K_START = 1.0
_K_GROWTH = 16.0
_K_TRIES = 8


@lru_cache(maxsize=64)
def _basis(n: int) -> FloatArray:
    """An orthonormal ``n x (n - 1)`` basis of ``{d : sum(d) = 0}``."""
    q, _ = np.linalg.qr(np.eye(n) - 1.0 / n)
    basis = np.asarray(q[:, : n - 1], dtype=np.float64)
    basis.setflags(write=False)
    return basis


_MAX_NEW = 200
#: Up to this many players the first projection has every coalition's row.
ALL_ROWS_PLAYERS = 4


@dataclass(frozen=True)
class _Small:
    """Matrices for one small size: the 0/1 membership of every proper coalition (row
    ``S - 1``), its row ``(1_S B, 1)`` of the projection, and the Shapley weights."""

    bits: FloatArray
    rows: FloatArray
    shapley: FloatArray


@lru_cache(maxsize=SMALL_PLAYERS + 1)
def _small(n: int) -> _Small:
    full = (1 << n) - 1
    bits = _bits(np.arange(1, full, dtype=np.int64), n)
    rows = np.hstack([bits @ _basis(n), np.ones((full - 1, 1))])
    # phi_i = sum over S without i of s! (n-1-s)! / n! * (v(S + i) - v(S)).
    every = _bits(np.arange(0, full + 1, dtype=np.int64), n)
    size = every.sum(axis=1).astype(np.int64)
    weight = np.array(
        [math.factorial(s) * math.factorial(n - 1 - s) / math.factorial(n) for s in range(n)]
        + [0.0]
    )
    shapley = np.zeros((n, full + 1))
    for i in range(n):
        without = np.flatnonzero(every[:, i] == 0)
        shapley[i, without | (1 << i)] += weight[size[without]]
        shapley[i, without] -= weight[size[without]]
    for a in (bits, rows, shapley):
        a.setflags(write=False)
    return _Small(bits, rows, shapley)


@lru_cache(maxsize=64)
def _first_rows(n: int) -> npt.NDArray[np.int64]:
    """Every proper coalition up to :data:`ALL_ROWS_PLAYERS` players, else the players and
    their complements."""
    full = (1 << n) - 1
    if n <= ALL_ROWS_PLAYERS:
        masks = np.arange(1, full, dtype=np.int64)
    else:
        singles = np.array([1 << i for i in range(n)], dtype=np.int64)
        masks = np.unique(np.concatenate([singles, full ^ singles]))
    masks.setflags(write=False)
    return masks


def small_shapley(values: FloatArray, n: int) -> FloatArray:
    """The Shapley value of a table of at most :data:`SMALL_PLAYERS` players, one product."""
    return np.asarray(_small(n).shapley @ values, dtype=np.float64)


def _bits(masks: npt.NDArray[np.int64], n: int) -> FloatArray:
    return ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)


def nearest_in_least_core(
    w: ScaledTable | Any,
    n: int,
    target: FloatArray,
    lower: Sequence[float | None],
    tol: float,
) -> tuple[FloatArray, float]:
    """Return the least-core point nearest to ``target`` (Euclidean) and the least-core value.

    ``target`` must satisfy ``sum(target) == w(N)``; ``lower`` is each player's lower bound
    (``None``: none).
    """
    full = (1 << n) - 1
    basis = _basis(n)
    small = _small(n) if n <= SMALL_PLAYERS else None
    allowed: npt.NDArray[np.bool_] | None = None
    masks = _first_rows(n)
    bounded = [i for i, lo in enumerate(lower) if lo is not None]
    # Bound rows: B_i y >= lower_i - target_i (no eps).
    bound_rows = _bound_rows(n)[bounded]
    bound_rhs = np.array([lower[i] for i in bounded], dtype=np.float64) - target[bounded]
    first = _first_matrix(n, tuple(bounded))
    k_far = _K_START
    for _ in range(_K_TRIES):
        while True:
            if small is None:
                bits = _bits(masks, n)
                coalition_rows = np.hstack([bits @ basis, np.ones((len(masks), 1))])
                rows = np.vstack([coalition_rows, bound_rows])
            elif masks is first.masks:
                bits, rows = first.bits, first.rows
            else:
                bits = small.bits[masks - 1]
                rows = np.vstack([small.rows[masks - 1], bound_rows])
            rhs = np.concatenate([w[masks] - bits @ target, bound_rhs])
            y, eps, slack = _project(rows, rhs, k_far, len(masks))
            x = target + basis @ y
            if small is None:
                if allowed is None:
                    allowed = np.ones(1 << n, dtype=bool)
                    allowed[0] = allowed[full] = False
                new = violations(w, x, allowed, np.sort(masks), eps + tol)
            else:  # every excess at once; the listed rows hold up to the solver's rounding
                excess = w[1:full] - small.bits @ x
                excess[masks - 1] = -np.inf
                new = np.flatnonzero(excess > eps + tol) + 1
                if new.size > _MAX_NEW:
                    new = new[np.argpartition(-excess[new - 1], _MAX_NEW)[:_MAX_NEW]]
            if new.size == 0:
                break
            masks = np.union1d(masks, np.concatenate([new, full ^ new]))
            masks = masks[(masks > 0) & (masks < full)]
        tight = rows[slack <= tol]
        if tight.size and _solve_nnls(tight.T, _goal(n), 3 * len(tight))[1] <= 1e-9:
            return x, eps
        k_far *= _K_GROWTH
    raise GameError("least core: the nearest point could not be certified; use nucleolus")


def _project(
    rows: FloatArray, rhs: FloatArray, k_far: float, coalitions: int
) -> tuple[FloatArray, float, FloatArray]:
    """Project ``(0, -k_far)`` onto ``rows @ z >= rhs`` (the first ``coalitions`` rows have
    ``eps``, the others are bounds); return ``y``, ``eps`` and the slacks.

    Lawson and Hanson's least-distance program: with ``q = z - centre`` and
    ``h = rhs - rows @ centre``, solve ``min ||E u - f||, u >= 0`` for ``E = [rows^T; h^T]``
    and ``f = (0, ..., 0, 1)``; then ``q = -r[:-1] / r[-1]`` with ``r = E u - f``.
    """
    k = rows.shape[1]
    h = rhs.copy()
    h[:coalitions] += k_far
    e = np.vstack([rows.T, h])
    u, _ = _solve_nnls(e, _goal(k + 1), 50 * (k + 1) + 3 * len(rhs))
    r = e @ u
    r[-1] -= 1.0
    if abs(r[-1]) < 1e-14:
        raise GameError("least core: the linear program is infeasible")
    z = r[:-1] / -r[-1]
    z[-1] -= k_far
    return z[:-1], float(z[-1]), rows @ z - rhs


def _solve_nnls(a: FloatArray, b: FloatArray, maxiter: int) -> tuple[FloatArray, float]:
    """``argmin ||a u - b||, u >= 0`` and the residual norm (:func:`scipy.optimize.nnls`)."""
    if _compiled_nnls is None:  # pragma: no cover - another scipy
        u, norm = nnls(a, b, maxiter=maxiter)
        return np.asarray(u, dtype=np.float64), float(norm)
    u, norm, info = _compiled_nnls(np.ascontiguousarray(a, dtype=np.float64), b, maxiter)
    if info == 3:
        raise GameError("least core: the least-distance program did not converge")
    return np.asarray(u, dtype=np.float64), float(norm)


@lru_cache(maxsize=64)
def _goal(k: int) -> FloatArray:
    goal = np.zeros(k)
    goal[-1] = 1.0
    goal.setflags(write=False)
    return goal


@lru_cache(maxsize=64)
def _bound_rows(n: int) -> FloatArray:
    rows = np.hstack([_basis(n), np.zeros((n, 1))])
    rows.setflags(write=False)
    return rows


@dataclass(frozen=True)
class _First:
    """The first round's coalitions and rows (coalitions, then bounds) for one small size."""

    masks: npt.NDArray[np.int64]
    bits: FloatArray
    rows: FloatArray


@lru_cache(maxsize=4 * SMALL_PLAYERS)
def _first_matrix(n: int, bounded: tuple[int, ...]) -> _First:
    masks = _first_rows(n)
    if n > SMALL_PLAYERS:
        return _First(masks, np.zeros((0, n)), np.zeros((0, n)))
    small = _small(n)
    rows = np.vstack([small.rows[masks - 1], _bound_rows(n)[list(bounded)]])
    bits = small.bits[masks - 1]
    for a in (bits, rows):
        a.setflags(write=False)
    return _First(masks, bits, rows)
