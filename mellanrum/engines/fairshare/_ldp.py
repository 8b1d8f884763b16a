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

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.optimize import nnls

from mellanrum.engines.fairshare._lp import ScaledTable, violations
from mellanrum.engines.fairshare.game import FloatArray, GameError

__all__ = ["nearest_in_least_core"]

#: Up to this many players every coalition's row is in the first projection.
ALL_ROWS_PLAYERS = 0
_K_START = 4.0
_K_GROWTH = 64.0
_K_TRIES = 6


@lru_cache(maxsize=64)
def _basis(n: int) -> FloatArray:
    """An orthonormal ``n x (n - 1)`` basis of ``{d : sum(d) = 0}``."""
    q, _ = np.linalg.qr(np.eye(n) - 1.0 / n)
    basis = np.asarray(q[:, : n - 1], dtype=np.float64)
    basis.setflags(write=False)
    return basis


@lru_cache(maxsize=16)
def _all_masks(n: int) -> npt.NDArray[np.int64]:
    masks = np.arange(1, (1 << n) - 1, dtype=np.int64)
    masks.setflags(write=False)
    return masks


def _bits(masks: npt.NDArray[np.int64], n: int) -> FloatArray:
    return ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)


def nearest_in_least_core(
    w: ScaledTable,
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
    allowed = np.ones(1 << n, dtype=bool)
    allowed[0] = allowed[full] = False
    if n <= ALL_ROWS_PLAYERS:
        masks = np.asarray(_all_masks(n))
    else:
        singles = np.array([1 << i for i in range(n)], dtype=np.int64)
        masks = np.unique(np.concatenate([singles, full ^ singles]))
    bounded = [i for i, lo in enumerate(lower) if lo is not None]
    # Bound rows: B_i y >= lower_i - target_i (no eps).
    bound_rows = np.hstack([basis[bounded], np.zeros((len(bounded), 1))])
    bound_rhs = np.array([lower[i] for i in bounded], dtype=np.float64) - target[bounded]
    k_far = _K_START
    for _ in range(_K_TRIES):
        while True:
            bits = _bits(masks, n)
            rows = np.vstack([np.hstack([bits @ basis, np.ones((len(masks), 1))]), bound_rows])
            rhs = np.concatenate([w[masks] - bits @ target, bound_rhs])
            y, eps, slack = _project(rows, rhs, k_far)
            x = target + basis @ y
            new = violations(w, x, allowed, np.sort(masks), eps + tol)
            if new.size == 0:
                break
            masks = np.union1d(masks, np.concatenate([new, full ^ new]))
            masks = masks[allowed[masks]]
        tight = rows[slack <= tol]
        goal = np.zeros(n)
        goal[-1] = 1.0
        if tight.size and nnls(tight.T, goal)[1] <= 1e-9:
            return x, eps
        k_far *= _K_GROWTH
    raise GameError("least core: the nearest point could not be certified; use nucleolus")


def _project(
    rows: FloatArray, rhs: FloatArray, k_far: float
) -> tuple[FloatArray, float, FloatArray]:
    """Project ``(0, -k_far)`` onto ``rows @ z >= rhs``; return ``y``, ``eps`` and the slacks.

    Lawson and Hanson's least-distance program: with ``q = z - centre`` and
    ``h = rhs - rows @ centre``, solve ``min ||E u - f||, u >= 0`` for ``E = [rows^T; h^T]``
    and ``f = (0, ..., 0, 1)``; then ``q = -r[:-1] / r[-1]`` with ``r = E u - f``.
    """
    k = rows.shape[1]
    h = rhs + k_far * rows[:, -1]
    e = np.vstack([rows.T, h])
    f = np.zeros(k + 1)
    f[-1] = 1.0
    u, _ = nnls(e, f, maxiter=50 * (k + 1) + 3 * len(rhs))
    r = e @ u - f
    if abs(r[-1]) < 1e-14:
        raise GameError("least core: the linear program is infeasible")
    q = -r[:-1] / r[-1]
    z = q.copy()
    z[-1] -= k_far
    slack = rows @ z - rhs
    return z[:-1], float(z[-1]), slack
