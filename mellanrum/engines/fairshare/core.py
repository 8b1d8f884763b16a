"""Core check: would any group of players be better off on its own?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mellanrum.engines.fairshare.airport import AirportModel, airport_core_gains
from mellanrum.engines.fairshare.allocation import Allocation
from mellanrum.engines.fairshare.bitmask import chunked_subset_sums
from mellanrum.engines.fairshare.game import FloatArray, Game, GameError

__all__ = ["BlockingCoalition", "CoreCheck", "check_core"]


@dataclass(frozen=True)
class BlockingCoalition:
    """A group that would gain ``excess`` (kronor) by leaving the grand coalition."""

    coalition: tuple[str, ...]
    excess: float


@dataclass(frozen=True)
class CoreCheck:
    """Result of :func:`check_core`.

    Attributes
    ----------
    in_core : bool or None
        Whether the allocation is in the core; ``None`` when the game is too large to
        check every coalition (a model game whose table does not fit in memory, or with
        identical players; airport games are always checked, in closed form).
    efficiency_gap : float
        ``sum(x) - v(N)``; non-zero (beyond the tolerance) means the allocation does not
        share exactly the grand coalition's cost or value, and is then not in the core.
    blocking : tuple of BlockingCoalition
        Groups that would gain by leaving, largest gain first (at most ``max_blocking``).
    blocking_count : int
        Number of blocking groups in total (for an airport game checked in closed form:
        the number of runway lengths at which some group would gain, one group each).
    savings_vs_alone : dict
        Per player: cost game ``c({i}) - x_i``; value game ``x_i - v({i})``.
    """

    in_core: bool | None
    efficiency_gap: float
    blocking: tuple[BlockingCoalition, ...]
    blocking_count: int
    savings_vs_alone: dict[str, float]


def check_core(
    game: Game,
    allocation: Allocation | Mapping[str, float] | Sequence[float] | FloatArray,
    *,
    tol: float | None = None,
    max_blocking: int | None = 50,
) -> CoreCheck:
    """Check whether an allocation is in the core and list the groups that would leave.

    Parameters
    ----------
    game : Game
        A cost or value game.
    allocation : Allocation, mapping or sequence
        Amount per player (by id, or in the game's player order).
    tol : float, optional
        Absolute tolerance; default ``1e-7 * max(1, max |v(S)|)``, so rounding errors of
        the solvers never make a core allocation look blocked.
    max_blocking : int or None, default 50
        Largest number of blocking coalitions to return (``None``: all).

    Returns
    -------
    CoreCheck

    Notes
    -----
    For a cost game ``x`` is in the core iff ``sum x = c(N)`` and ``x(S) <= c(S)`` for
    every coalition ``S``; for a value game iff ``sum x = v(N)`` and ``x(S) >= v(S)``
    [1]_. The excess reported for a blocking coalition is what it would gain by leaving:
    ``x(S) - c(S)`` (cost) or ``v(S) - x(S)`` (value). All ``x(S)`` are computed over the
    ``2**n`` bitmasks in chunks of ``2**16``, so the check needs the table and a few MB.
    Airport games with identical players or too large for a table are checked in closed
    form (:func:`airport_core_gains`): among the coalitions whose longest runway is ``L``,
    the one that gains most is known, so one group per runway length is tried.

    References
    ----------
    .. [1] D. B. Gillies, "Solutions to general non-zero-sum games", in *Contributions to
       the Theory of Games IV*, Annals of Mathematics Studies 40, Princeton University
       Press, 1959, pp. 47-85.

    Examples
    --------
    >>> from mellanrum.engines.fairshare.game import game_from_values
    >>> g = game_from_values("cost", ["A", "B", "C"],
    ...     {"A": 10, "B": 10, "C": 10, "A,B": 12, "A,C": 20, "B,C": 20, "A,B,C": 24})
    >>> r = check_core(g, {"A": 8, "B": 8, "C": 8})
    >>> r.in_core, r.blocking, r.savings_vs_alone
    (False, (BlockingCoalition(coalition=('A', 'B'), excess=4.0),), {'A': 2.0, 'B': 2.0, 'C': 2.0})
    """
    x = _amounts(game, allocation)
    sign = game.sign
    alone = game.standalone()
    savings = sign * (x - alone)
    savings_d = dict(zip(game.players, savings.tolist(), strict=True))
    gap = float(x.sum() - game.grand)
    if isinstance(game.model, AirportModel) and not game.has_table():
        return _airport_check(game, game.model, x, gap, savings_d, tol, max_blocking)
    if not game.has_table():
        return CoreCheck(None, gap, (), 0, savings_d)
    table = game.table("core check", factor=1.0)
    n = game.n
    if tol is None:
        tol = 1e-7 * max(1.0, float(table.max()), -float(table.min()))
    full = (1 << n) - 1
    count = 0
    masks: list[np.ndarray] = []
    found: list[np.ndarray] = []
    for start, sums in chunked_subset_sums(sign * x):
        gains = sign * table[start : start + len(sums)]
        gains -= sums
        if start == 0:
            gains[0] = -np.inf
        if start + len(sums) > full:
            gains[full - start] = -np.inf
        idx = np.flatnonzero(gains > tol)
        count += int(idx.size)
        if idx.size == 0:
            continue
        if max_blocking is not None and idx.size > max_blocking:
            idx = idx[np.lexsort((idx, -gains[idx]))[:max_blocking]]
        masks.append(idx.astype(np.int64) + start)
        found.append(gains[idx])
    all_masks = np.concatenate(masks) if masks else np.zeros(0, dtype=np.int64)
    all_gains = np.concatenate(found) if found else np.zeros(0)
    order = np.lexsort((all_masks, -all_gains))
    if max_blocking is not None:
        order = order[:max_blocking]
    blocking = tuple(
        BlockingCoalition(game.members_of(int(all_masks[i])), float(all_gains[i]))
        for i in order.tolist()
    )
    in_core = bool(abs(gap) <= tol and count == 0)
    return CoreCheck(in_core, gap, blocking, count, savings_d)


def _airport_check(
    game: Game,
    model: AirportModel,
    x: FloatArray,
    gap: float,
    savings: dict[str, float],
    tol: float | None,
    max_blocking: int | None,
) -> CoreCheck:
    counts = game.unit_counts()
    groups, largest = airport_core_gains(model.costs, counts, x / counts)
    if tol is None:
        tol = 1e-7 * max(1.0, largest)
    blocked = sorted(
        ((g, ids) for ids, g in groups if g > tol), key=lambda item: (-item[0], sorted(item[1]))
    )
    shown = blocked if max_blocking is None else blocked[:max_blocking]
    blocking = tuple(
        BlockingCoalition(tuple(game.players[i] for i in sorted(ids)), float(g)) for g, ids in shown
    )
    in_core = bool(abs(gap) <= tol and not blocked)
    return CoreCheck(in_core, gap, blocking, len(blocked), savings)


def _amounts(
    game: Game, allocation: Allocation | Mapping[str, float] | Sequence[float] | FloatArray
) -> FloatArray:
    if isinstance(allocation, Allocation):
        if allocation.players != game.players:
            raise GameError("allocation: its players differ from the game's")
        return np.asarray(allocation.amounts, dtype=np.float64)
    if isinstance(allocation, Mapping):
        missing = [p for p in game.players if p not in allocation]
        extra = [p for p in allocation if p not in game.players]
        if missing or extra:
            problem = (
                f'no amount for player "{missing[0]}"'
                if missing
                else (f'unknown player "{extra[0]}"')
            )
            raise GameError(f"allocation: {problem}")
        return np.array([float(allocation[p]) for p in game.players], dtype=np.float64)
    out = np.asarray(allocation, dtype=np.float64)
    if out.shape != (game.n,):
        raise GameError(f"allocation: expected {game.n} amounts, got {out.size}")
    return out
