"""Least core: the smallest uniform subsidy that keeps every group in the collaboration."""

from __future__ import annotations

import numpy as np

from mellanrum.engines.fairshare._lp import ScaledTable, closest_in_least_core, solve_level
from mellanrum.engines.fairshare.allocation import Allocation, from_units
from mellanrum.engines.fairshare.game import Game, GameError, require_table_memory
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
    unique point of it closest to the Shapley value lexicographically: the largest
    difference from the Shapley value is as small as possible, then the next largest, and
    so on (a few more LPs). The result moves as little as possible from the Shapley value
    while keeping every group's incentive to leave at most epsilon, and does not depend on
    the order or names of the players. Cost games are solved as
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
    n = game.n
    table = game.table("least core", factor=PEAK_TABLES)
    # Solve on values scaled to at most 1 in size: HiGHS's tolerances are absolute, and
    # municipal costs run to hundreds of millions of kronor.
    scale = max(float(table.max()), -float(table.min())) or 1.0
    w = ScaledTable(table, game.sign / scale)
    full = (1 << n) - 1
    tol = 1e-9 if tol is None else tol / scale
    if n == 1:
        return Allocation(
            "least-core", game.kind, game.players, game.sign * scale * w[[full]], {"epsilon": 0.0}
        )
    alone = np.array([w[1 << i] for i in range(n)])
    if domain == "imputation":
        if alone.sum() > w[full] + tol:
            raise GameError(
                "least core: no allocation gives every player at least its stand-alone"
                " outcome; use shapley"
            )
        lower: list[float | None] = [float(a) for a in alone]
    else:
        lower = [None] * n
    # The Shapley value first, so its working table is gone before the masks are made.
    target = game.sign * shapley_values(game).amounts / scale
    free = np.ones(1 << n, dtype=bool)
    free[0] = free[full] = False
    level = solve_level(w, n, free, [], [], lower, tol)
    del free
    x = closest_in_least_core(w, n, level.eps, target, lower, tol)
    return Allocation(
        "least-core", game.kind, game.players, game.sign * scale * x, {"epsilon": scale * level.eps}
    )
