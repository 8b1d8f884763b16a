"""Airport games: a shared facility sized by the most demanding user, in closed form.

In an *airport game* every player needs a runway of some length, and a group needs the
longest runway any of its members needs: ``c(S) = max_{i in S} cost_i``. The same shape
fits any shared system whose capacity is set by its largest user (a server sized for the
largest municipality, a water main sized for the largest district). A player id may stand
for ``count`` identical players (all movements of one aircraft type), so a game of
thousands of players is described by a handful of costs and counts, and the Shapley value
and the nucleolus follow in ``O(m log m)`` and ``O(m**2)`` for ``m`` ids without any
table of coalition values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mellanrum.engines.fairshare.bitmask import FloatArray

__all__ = [
    "AirportModel",
    "airport_core_gains",
    "airport_nucleolus_per_unit",
    "airport_shapley_per_unit",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class AirportModel:
    """A cost game ``c(S) = max_{i in S} cost_i`` (``c(empty) = 0``).

    Parameters
    ----------
    costs : numpy.ndarray
        Stand-alone cost of one player of each id (non-negative).

    Examples
    --------
    >>> m = AirportModel(np.array([8.0, 11.0, 13.0]))
    >>> m.cost(np.array([[1, 0, 0], [1, 0, 1], [0, 0, 0]])).tolist()
    [8.0, 13.0, 0.0]
    """

    costs: FloatArray

    @property
    def n(self) -> int:
        """Number of player ids."""
        return len(self.costs)

    def cost(self, members: npt.NDArray[np.generic]) -> FloatArray:
        """Return ``c(S)`` for coalitions given as rows of member counts (or booleans) per id."""
        present = np.asarray(members) > 0
        out: FloatArray = np.where(present, self.costs[None, :], 0.0).max(axis=1, initial=0.0)
        return out

    def prefix_costs(self, orders: npt.NDArray[np.intp]) -> FloatArray:
        """Return the costs of all prefixes (sizes ``0 .. n``) of each ordering of players."""
        k, n = orders.shape
        out = np.zeros((k, n + 1), dtype=np.float64)
        out[:, 1:] = np.maximum.accumulate(self.costs[orders], axis=1)
        return out

    def table(self) -> FloatArray:
        """Return the cost of every coalition in bitmask order."""
        n = self.n
        out = np.zeros(1 << n, dtype=np.float64)
        order = np.argsort(self.costs, kind="stable")
        # Coalitions whose highest-cost member is player i are i plus any subset of the
        # players sorted before it; fill them in ascending order of cost.
        below = 0
        for i in order.tolist():
            bit = 1 << i
            subs = _submasks(below)
            out[subs | bit] = self.costs[i]
            below |= bit
        return out


def _submasks(mask: int) -> IntArray:
    """Every submask of ``mask`` (including 0), as an int64 vector."""
    bits = [1 << b for b in range(mask.bit_length()) if (mask >> b) & 1]
    out = np.zeros(1, dtype=np.int64)
    for b in bits:
        out = np.concatenate([out, out | b])
    return out


def _sorted(cost: FloatArray, counts: IntArray) -> tuple[IntArray, FloatArray, IntArray]:
    order = np.argsort(cost, kind="stable").astype(np.int64)
    return order, np.asarray(cost[order], dtype=np.float64), np.asarray(counts[order], np.int64)


def airport_shapley_per_unit(cost: FloatArray, counts: IntArray) -> FloatArray:
    """Return each id's Shapley share per single player of an airport game.

    Parameters
    ----------
    cost : numpy.ndarray
        Stand-alone cost of one player of each id.
    counts : numpy.ndarray
        Number of identical players of each id (positive integers).

    Returns
    -------
    numpy.ndarray
        The share of one player of each id; an id's total is ``count * share``.

    Notes
    -----
    Sort the ids by cost, ``c_(1) <= ... <= c_(m)``. The runway is cut into segments
    ``c_(j) - c_(j-1)``; every player who needs at least segment ``j`` (all players of ids
    ``j .. m``, ``U_j`` of them) shares that segment's cost equally, and nobody else pays
    for it. A player of id ``r`` thus pays ``sum_{j <= r} (c_(j) - c_(j-1)) / U_j`` [1]_.
    Ties (equal costs) give empty segments. ``O(m log m)`` for ``m`` ids, whatever the
    counts.

    References
    ----------
    .. [1] S. C. Littlechild and G. Owen, "A simple expression for the Shapley value in a
       special case", *Management Science* 20(3), 1973, pp. 370-372.

    Examples
    --------
    Runway costs 8, 11, 13, 18 (Littlechild & Owen's example):

    >>> airport_shapley_per_unit(np.array([8.0, 11, 13, 18]), np.ones(4, np.int64)).tolist()
    [2.0, 3.0, 4.0, 9.0]
    """
    order, c, k = _sorted(cost, counts)
    segment = np.diff(c, prepend=0.0)
    users = np.cumsum(k[::-1])[::-1].astype(np.float64)  # U_j: players of ids j..m
    per_sorted = np.cumsum(segment / users)
    out = np.empty_like(per_sorted)
    out[order] = per_sorted
    return out


def airport_nucleolus_per_unit(cost: FloatArray, counts: IntArray) -> FloatArray:
    """Return each id's nucleolus share per single player of an airport game.

    Parameters
    ----------
    cost : numpy.ndarray
        Stand-alone cost of one player of each id (non-negative).
    counts : numpy.ndarray
        Number of identical players of each id (positive integers).

    Returns
    -------
    numpy.ndarray
        The share of one player of each id; an id's total is ``count * share``.

    Notes
    -----
    Littlechild's sequential rule [1]_ on the players sorted by cost,
    ``c_1 <= ... <= c_n`` (each id's players side by side). With ``p`` players already
    settled, paying ``P`` together, the next group pays

    ``t = min_{p < j <= n-1} (c_j - P) / (j - p + 1)``

    each, for players ``p+1 .. j*`` with ``j*`` the largest minimiser; the last player
    pays what is left, ``c_n - P``. The prefix ``{1..j}`` and every coalition "all but one
    settled player" then save the same amount ``t``, the smallest saving still free to
    raise. Only the last player of an id (or player ``n - 1``) can be a largest minimiser,
    so identical players are never split and the work is ``O(m**2)`` for ``m`` ids (the
    minimum is vectorised). The airport game has a non-empty core, so this is both the
    nucleolus and the prenucleolus.

    References
    ----------
    .. [1] S. C. Littlechild, "A simple expression for the nucleolus in a special case",
       *International Journal of Game Theory* 3(1), 1974, pp. 21-29.

    Examples
    --------
    >>> airport_nucleolus_per_unit(np.array([8.0, 11, 13, 18]), np.ones(4, np.int64)).tolist()
    [3.25, 3.25, 3.25, 8.25]
    """
    order, c, k = _sorted(cost, counts)
    m = len(c)
    total = int(k.sum())
    per_sorted = np.zeros(m, dtype=np.float64)
    if total == 1:
        per_sorted[0] = c[0]
        out = np.empty_like(per_sorted)
        out[order] = per_sorted
        return out
    ends = np.cumsum(k)  # 1-based index of each id's last player
    # Candidate j for each id: its last player, but never the very last player n.
    cand_j = np.minimum(ends, total - 1)
    settled, paid, first = 0, 0.0, 0  # players settled, what they pay, first open id
    while first < m:
        js = cand_j[first:]
        ok = js > settled
        if not ok.any():
            break
        ratios = np.where(ok, (c[first:] - paid) / (js - settled + 1), np.inf)
        best = float(ratios.min())
        # Largest minimiser, with a relative tolerance so ties settle whole groups.
        tol = 1e-12 * max(1.0, abs(best), float(c[-1]))
        r = first + int(np.flatnonzero(ratios <= best + tol)[-1])
        j = int(cand_j[r])
        per_sorted[first : r + 1] = best
        paid += best * (j - settled)
        settled = j
        first = r + 1
        if settled >= total - 1:
            break
    # The last id: players settled in the last step of the loop paid ``best`` each; the
    # very last player pays the rest, which equals ``best`` when it shares its id.
    last = m - 1
    if settled == total - 1:
        remainder = c[-1] - paid
        if k[last] == 1:
            per_sorted[last] = remainder
        else:
            settled_in_last = k[last] - 1
            per_sorted[last] = (per_sorted[last] * settled_in_last + remainder) / k[last]
    out = np.empty_like(per_sorted)
    out[order] = per_sorted
    return out


def airport_core_gains(
    cost: FloatArray, counts: IntArray, per_unit: FloatArray
) -> tuple[list[tuple[list[int], float]], float]:
    """Return, for each runway length, the group that would gain most by leaving.

    Parameters
    ----------
    cost, counts : numpy.ndarray
        The airport game (per id).
    per_unit : numpy.ndarray
        Each id's share per single player.

    Returns
    -------
    list of (ids, gain)
        For each distinct cost level ``L``, the coalition (as id positions) whose longest
        runway is ``L`` that gains most by leaving, ``x(S) - c(S)``, and that gain; a
        coalition listing an id contains all its players, except that an id added only to
        reach level ``L`` contributes one player. The members are listed only where the
        gain is positive (elsewhere the list is empty), which keeps the check linear.
    float
        ``max |v(S)|``, the game's largest cost, for tolerances.

    Notes
    -----
    For coalitions whose longest runway is ``L``, ``c(S) = L`` is fixed, so ``x(S) - L``
    is largest for all players of cost ``<= L`` with a positive share, plus (if none at
    level ``L`` has one) the player at level ``L`` with the largest share. The grand
    coalition itself is excluded. ``O(m log m)``.
    """
    order, c, k = _sorted(cost, counts)
    x = np.asarray(per_unit, dtype=np.float64)[order]
    m = len(c)
    total = int(k.sum())
    out: list[tuple[list[int], float]] = []
    positive = x > 0
    start = 0
    running = 0.0
    members: list[int] = []
    while start < m:
        stop = start
        while stop + 1 < m and c[stop + 1] == c[start]:
            stop += 1
        level = range(start, stop + 1)
        for r in level:
            if positive[r]:
                running += x[r] * k[r]
                members.append(r)
        gain = running - c[start]
        extra: list[int] = []
        if not any(positive[r] for r in level):
            best = max(level, key=lambda r: x[r])
            extra = [best]
            gain += x[best]
        group = members + extra if stop == m - 1 else []
        top = stop == m - 1
        if top and len(group) == m and all(positive[r] or k[r] == 1 for r in group):
            # The grand coalition: drop one player with the smallest share instead,
            # keeping at least one player of the longest runway.
            if total == 1:
                break
            alone_on_top = stop == start and k[start] == 1
            candidates = [r for r in range(m) if not (alone_on_top and r == start)]
            drop = min(candidates, key=lambda r: x[r])
            gain -= x[drop]
            if k[drop] == 1:
                group.remove(drop)
        if stop < m - 1:  # the members are listed only for levels that block (below)
            group = members + extra if gain > 0 else []
        out.append(([int(order[r]) for r in group], float(gain)))
        start = stop + 1
    return out, float(c[-1]) if m else 0.0
