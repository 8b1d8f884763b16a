"""Least core: the smallest uniform subsidy that keeps every group in the collaboration."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from mellanrum.engines.fairshare._ldp import SMALL_PLAYERS, nearest_in_least_core, small_shapley
from mellanrum.engines.fairshare._ldp_small import FAST_PLAYERS, small_least_core
from mellanrum.engines.fairshare._lp import ScaledTable
from mellanrum.engines.fairshare.allocation import Allocation, from_units
from mellanrum.engines.fairshare.game import FloatArray, Game, GameError, require_table_memory
from mellanrum.engines.fairshare.nucleolus import PEAK_TABLES, Domain
from mellanrum.engines.fairshare.shapley import shapley_values

__all__ = ["least_core"]


def least_core(
    game: Game, *, domain: Domain = "imputation", tol: float | None = None
) -> Allocation:
    """Return the least-core value epsilon and the least-core allocation nearest to Shapley.

    Parameters
    ----------
    game : Game
        A cost or value game whose table fits in memory (with identical players: whose
        individual players' table fits).
    domain : {"imputation", "preimputation"}, default "imputation"
        Whether every player must do at least as well as alone (see :func:`nucleolus`).
    tol : float, optional
        Absolute tolerance on excesses; default ``1e-9 * max |v(S)|``.

    Returns
    -------
    Allocation
        ``method="least-core"``; ``details["epsilon"]`` is the least-core value: the
        largest amount any group would still gain by leaving (``<= 0`` exactly when the
        core is non-empty; ``-epsilon`` is then the margin every group has for staying).

    Notes
    -----
    The least core [1]_ is the set of allocations ``x`` with ``x(N) = v(N)`` and
    ``v(S) - x(S) <= epsilon`` for every proper coalition, for the smallest possible
    ``epsilon`` (one LP). It is usually a set, not a point; this function returns the
    unique point of it nearest to the Shapley value in Euclidean distance: it moves as
    little as possible from the Shapley value while keeping every group's incentive to
    leave at most epsilon, and does not depend on the order or names of the players. Two
    and three players are solved in closed form; larger games by one least-distance
    program (a projection) with a certificate that its epsilon is the least (see
    ``_ldp.py``; from 4 to 12 players the same program in few numpy calls, ``_ldp_small.py``),
    with coalitions added as they are found violated. Cost games are solved as
    the value game ``-c``, so for costs ``epsilon`` is how much a group would save by
    leaving.

    References
    ----------
    .. [1] M. Maschler, B. Peleg and L. S. Shapley, "Geometric properties of the kernel,
       nucleolus, and related solution concepts", *Mathematics of Operations Research*
       4(4), 1979, pp. 303-338.
    .. [2] L. S. Shapley and M. Shubik, "Quasi-cores in a monetary economy with nonconvex
       preferences", *Econometrica* 34(4), 1966, pp. 805-827.

    Examples
    --------
    A three-player majority game has an empty core: any pair gains 1/3 by leaving.

    >>> from mellanrum.engines.fairshare.game import game_from_values
    >>> g = game_from_values("value", ["A", "B", "C"],
    ...     {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,C": 1, "B,C": 1, "A,B,C": 1})
    >>> lc = least_core(g)
    >>> round(lc.details["epsilon"], 6), lc.amounts.round(6).tolist()
    (0.333333, [0.333333, 0.333333, 0.333333])
    """
    if domain not in ("imputation", "preimputation"):
        raise GameError(f'least core: domain "{domain}" must be "imputation" or "preimputation"')
    if game.counts is not None:  # on the individual players, if their table fits
        require_table_memory(game.units, PEAK_TABLES, "least core")
        return from_units(game, least_core(game.unit_game(), domain=domain, tol=tol))
    table = game.table("least core", factor=PEAK_TABLES)
    if 2 <= game.n <= 3:
        return _tiny(game, table, domain == "imputation", tol)
    if 4 <= game.n <= FAST_PLAYERS:
        found = small_least_core(table, game.n, game.sign, domain == "imputation", tol)
        if found is not None:
            x, eps = found
            return Allocation("least-core", game.kind, game.players, x, {"epsilon": eps})
    return _by_lp(game, table, domain, tol)


def _by_lp(game: Game, table: FloatArray, domain: Domain, tol: float | None) -> Allocation:
    """The least core by one certified projection (any size; the route from 13 players, and
    should the small-game path not converge)."""
    n = game.n
    sign = game.sign
    # Solve on values scaled to at most 1 in size: the solver's tolerances are absolute,
    # and municipal costs run to hundreds of millions of kronor.
    scale = float(np.abs(table).max()) or 1.0
    full = (1 << n) - 1
    tol = 1e-9 if tol is None else tol / scale
    if n == 1:
        return Allocation("least-core", game.kind, game.players, table[[full]], {"epsilon": 0.0})
    # Up to SMALL_PLAYERS a scaled copy of the table is small and Shapley is one product.
    w: ScaledTable | FloatArray = (
        table * (sign / scale) if n <= SMALL_PLAYERS else ScaledTable(table, sign / scale)
    )
    alone = w[_singles(n)]
    if domain == "imputation":
        if alone.sum() > w[full] + tol:
            raise GameError(
                "least core: no allocation gives every player at least its stand-alone"
                " outcome; use shapley"
            )
        lower: list[float | None] = alone.tolist()
    else:
        lower = [None] * n
    if isinstance(w, ScaledTable):
        target = sign * shapley_values(game).amounts / scale
    else:
        target = small_shapley(w, n)
    x, eps = nearest_in_least_core(w, n, target, lower, tol)
    return Allocation(
        "least-core", game.kind, game.players, (sign * scale) * x, {"epsilon": scale * eps}
    )


@lru_cache(maxsize=64)
def _singles(n: int) -> npt.NDArray[np.int64]:
    return np.array([1 << i for i in range(n)], dtype=np.int64)


def _tiny(game: Game, table: FloatArray, imputation: bool, tol: float | None) -> Allocation:
    """The least core of a game with two or three players, in closed form.

    With ``n <= 3`` every proper coalition is a player or the complement of one, so at a
    given ``epsilon`` the least core is a box cut by the plane ``x(N) = w(N)``: player
    ``i`` gets at least ``max(w(i) - epsilon, lower_i)`` and at most
    ``w(N) - w(N - i) + epsilon``. Each bound moves monotonically with ``epsilon``, so the
    least-core value is the largest of the ``epsilon`` at which a lower bound meets its
    upper bound or the bounds' sums meet ``w(N)``. In a box cut by that plane, the point
    lexicographically closest to the Shapley value ``phi`` is ``clip(phi + delta)`` for
    the ``delta`` that makes the sum right (the same point minimises every ``p``-norm of
    the difference).
    """
    sign = game.sign
    n = game.n
    full = (1 << n) - 1
    w = [sign * v for v in table.tolist()]
    grand = w[full]
    alone = [w[1 << i] for i in range(n)]
    rest = [w[full ^ (1 << i)] for i in range(n)]  # w(N - i)
    if (
        imputation
        and sum(alone) > grand
        and sum(alone) > grand + (1e-9 * (max(abs(v) for v in w) or 1.0) if tol is None else tol)
    ):
        raise GameError(
            "least core: no allocation gives every player at least its stand-alone"
            " outcome; use shapley"
        )
    # Shapley value in closed form (w(N - i) is w(j) for two players).
    if n == 2:
        gain = (grand - alone[0] - alone[1]) / 2
        phi = [alone[0] + gain, alone[1] + gain]
    else:
        phi = [
            (alone[i] + grand - rest[i]) / 3
            + (w[(1 << i) | (1 << j)] - alone[j] + w[(1 << i) | (1 << k)] - alone[k]) / 6
            for i, j, k in ((0, 1, 2), (1, 0, 2), (2, 0, 1))
        ]
    # epsilon*: sum of upper bounds >= w(N); each lower bound <= its upper bound; sum of
    # lower bounds <= w(N) (for imputations it is then w(N) - sum(alone) >= 0 at eps >= 0).
    candidates = [(sum(rest) - (n - 1) * grand) / n, (sum(alone) - grand) / n]
    candidates += [(alone[i] + rest[i] - grand) / 2 for i in range(n)]
    if imputation:
        candidates += [alone[i] + rest[i] - grand for i in range(n)]
    eps = max(candidates)
    low = [max(alone[i] - eps, alone[i]) if imputation else alone[i] - eps for i in range(n)]
    high = [grand - rest[i] + eps for i in range(n)]
    high = [max(h, lo) for h, lo in zip(high, low, strict=True)]  # rounding at eps*

    # Bitran and Hax: put every open player at phi_i + delta with the delta that makes the
    # sum right; if the players pushed below their lower bounds outweigh those above their
    # upper bounds, delta can only fall further, so the former stay at their lower bounds
    # (and the other way round); repeat with the rest (at most n rounds).
    x = list(phi)
    open_ = list(range(n))
    budget = grand
    while open_:
        delta = (budget - sum(phi[i] for i in open_)) / len(open_)
        under = over = 0.0
        for i in open_:
            y = phi[i] + delta
            x[i] = y
            if y < low[i]:
                under += low[i] - y
            elif y > high[i]:
                over += y - high[i]
        if under == over == 0.0:
            break
        if under >= over:
            stuck = [i for i in open_ if x[i] < low[i]]
            bound = low
        else:
            stuck = [i for i in open_ if x[i] > high[i]]
            bound = high
        for i in stuck:
            x[i] = bound[i]
            budget -= bound[i]
        open_ = [i for i in open_ if i not in stuck]
    x[-1] += grand - sum(x)  # exact efficiency
    return Allocation("least-core", game.kind, game.players, sign * np.array(x), {"epsilon": eps})
