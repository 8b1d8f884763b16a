"""Exact nucleolus by a sequence of linear programs."""

from __future__ import annotations

from typing import Literal

import numpy as np

from mellanrum.engines.fairshare._lp import ScaledTable, solve_level
from mellanrum.engines.fairshare.airport import AirportModel, airport_nucleolus_per_unit
from mellanrum.engines.fairshare.allocation import Allocation, from_units, with_per_unit
from mellanrum.engines.fairshare.bitmask import chunked_popcounts, chunked_subset_sums
from mellanrum.engines.fairshare.game import Game, GameError, require_table_memory

__all__ = ["PEAK_TABLES", "nucleolus"]

#: Peak memory of the LP methods, in tables of ``2**n`` floats: the values, their scaled
#: copy and (nucleolus) the squared projections used to drop determined coalitions, plus
#: boolean masks; excesses are computed in chunks.
PEAK_TABLES = 3.3

Domain = Literal["imputation", "preimputation"]

_DUAL_TOL = 1e-9


def nucleolus(game: Game, *, domain: Domain = "imputation", tol: float | None = None) -> Allocation:
    """Return the nucleolus: the allocation that makes the most dissatisfied group as happy
    as possible, then the next most dissatisfied, and so on.

    Parameters
    ----------
    game : Game
        A cost or value game whose table fits in memory, or an airport game of any size.
    domain : {"imputation", "preimputation"}, default "imputation"
        ``"imputation"``: no player pays more than its stand-alone cost (cost game) or
        gets less than its stand-alone value (value game), as in Schmeidler's definition;
        ``"preimputation"``: no such bound (the prenucleolus).
    tol : float, optional
        Absolute tolerance on excesses; default ``1e-9 * max |v(S)|``.

    Returns
    -------
    Allocation
        ``method="nucleolus"``; ``details`` holds ``"levels"`` (the excess fixed at each LP
        level) and ``"linear_programs"`` (number of LPs solved).

    Raises
    ------
    GameError
        When the imputation set is empty (stand-alone values exceed the grand coalition's).

    Notes
    -----
    Sequential LPs as in [2]_: level ``k`` minimises the largest excess
    ``e(S) = v(S) - x(S)`` over the coalitions not yet fixed. Coalitions whose dual
    price is positive are tight in *every* optimal solution, so they are fixed at that
    excess; fixing all coalitions tight in one optimal solution is a known mistake that
    gives wrong answers on games needing several levels [4]_. Coalitions whose indicator
    vector lies in the span of the fixed ones have a determined excess and are dropped.
    The loop stops when the fixed coalitions determine ``x``. Each LP is solved with HiGHS
    through constraint generation over the ``2**n`` coalitions. Cost games are solved as
    the value game ``-c``.

    An airport game (:class:`AirportModel`) of any size, with or without identical
    players, uses Littlechild's sequential rule instead (:func:`airport_nucleolus_per_unit`)
    [5]_; its core is never empty, so both domains give the same point. Any other game with
    identical players is solved on its individual players.

    References
    ----------
    .. [1] D. Schmeidler, "The nucleolus of a characteristic function game", *SIAM Journal
       on Applied Mathematics* 17(6), 1969, pp. 1163-1170.
    .. [2] M. Maschler, B. Peleg and L. S. Shapley, "Geometric properties of the kernel,
       nucleolus, and related solution concepts", *Mathematics of Operations Research*
       4(4), 1979, pp. 303-338.
    .. [3] E. Kohlberg, "On the nucleolus of a characteristic function game", *SIAM
       Journal on Applied Mathematics* 20(1), 1971, pp. 62-66.
    .. [4] M. Guajardo and K. Jörnsten, "Common mistakes in computing the nucleolus",
       *European Journal of Operational Research* 241(3), 2015, pp. 931-935.
    .. [5] S. C. Littlechild, "A simple expression for the nucleolus in a special case",
       *International Journal of Game Theory* 3(1), 1974, pp. 21-29.

    Examples
    --------
    The glove game with one left glove (A) and two right gloves: A takes everything.

    >>> from mellanrum.engines.fairshare.game import game_from_values
    >>> g = game_from_values("value", ["A", "B", "C"],
    ...     {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,C": 1, "B,C": 0, "A,B,C": 1})
    >>> {p: round(x, 6) + 0.0 for p, x in nucleolus(g).as_dict().items()}
    {'A': 1.0, 'B': 0.0, 'C': 0.0}
    """
    if domain not in ("imputation", "preimputation"):
        raise GameError(f'nucleolus: domain "{domain}" must be "imputation" or "preimputation"')
    if isinstance(game.model, AirportModel):
        counts = game.unit_counts()
        per_unit = airport_nucleolus_per_unit(game.model.costs, counts)
        return with_per_unit(game, "nucleolus", per_unit * counts, {})
    if game.counts is not None:  # on the individual players, if their table fits
        require_table_memory(game.units, PEAK_TABLES, "nucleolus")
        return from_units(game, nucleolus(game.unit_game(), domain=domain, tol=tol))
    n = game.n
    table = game.table("nucleolus", factor=PEAK_TABLES)
    # Solve on values scaled to at most 1 in size: HiGHS's tolerances are absolute, and
    # municipal costs run to hundreds of millions of kronor.
    scale = max(float(table.max()), -float(table.min())) or 1.0
    w = ScaledTable(table, game.sign / scale)
    full = (1 << n) - 1
    tol = 1e-9 if tol is None else tol / scale
    alone = np.array([w[1 << i] for i in range(n)])
    if domain == "imputation":
        if alone.sum() > w[full] + tol:
            raise GameError(
                "nucleolus: no allocation gives every player at least its stand-alone"
                " outcome (the stand-alone outcomes together beat the grand coalition);"
                " use least-core or shapley"
            )
        lower: list[float | None] = [float(a) for a in alone]
    else:
        lower = [None] * n
    if n == 1:
        return Allocation(
            "nucleolus",
            game.kind,
            game.players,
            game.sign * scale * w[[full]],
            {"levels": [], "linear_programs": 0},
        )
    free = np.ones(1 << n, dtype=bool)
    free[0] = free[full] = False
    fixed: list[int] = []
    fixed_excess: list[float] = []
    basis = np.ones((n, 1)) / np.sqrt(n)  # orthonormal basis of the span of fixed rows and N
    proj_sq = np.empty(1 << n, dtype=np.float64)  # |projection of S on the span|^2
    for start, sums in chunked_subset_sums(basis[:, 0]):
        proj_sq[start : start + len(sums)] = sums**2
    levels: list[float] = []
    lps = 0
    active = None
    x = np.zeros(n)
    while free.any():
        level = solve_level(w, n, free, fixed, fixed_excess, lower, tol, active)
        lps += level.lps
        x = level.x
        levels.append(level.eps)
        tight = level.active[level.duals > _DUAL_TOL]
        if tight.size == 0:  # cannot happen for a bounded LP; guard against solver noise
            tight = level.active[[int(np.argmax(level.duals))]]
        for mask in tight.tolist():
            free[mask] = False
            fixed.append(int(mask))
            fixed_excess.append(level.eps)
            vec = np.array([(mask >> i) & 1 for i in range(n)], dtype=np.float64)
            vec -= basis @ (basis.T @ vec)
            norm = float(np.linalg.norm(vec))
            if norm > 1e-7:
                vec /= norm
                basis = np.hstack([basis, vec[:, None]])
                for start, sums in chunked_subset_sums(vec):
                    proj_sq[start : start + len(sums)] += sums**2
        if basis.shape[1] >= n:
            break
        # Coalitions in the span of the fixed ones have a determined excess.
        for start, sizes in chunked_popcounts(n):
            stop = start + len(sizes)
            free[start:stop] &= sizes - proj_sq[start:stop] > 1e-7
        active = level.active
    if basis.shape[1] < n:
        raise GameError("nucleolus: the linear programs did not determine a unique allocation")
    return Allocation(
        "nucleolus",
        game.kind,
        game.players,
        game.sign * scale * x,
        {"levels": [scale * e for e in levels], "linear_programs": lps},
    )
