"""Core check: would any group of players be better off on its own?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mellanrum.engines.fairshare.allocation import Allocation
from mellanrum.engines.fairshare.game import FloatArray, Game, GameError, subset_sums

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
        check every coalition (more than 25 players in a model game).
    efficiency_gap : float
        ``sum(x) - v(N)``; non-zero (beyond the tolerance) means the allocation does not
        share exactly the grand coalition's cost or value, and is then not in the core.
    blocking : tuple of BlockingCoalition
        Groups that would gain by leaving, largest gain first (at most ``max_blocking``).
    blocking_count : int
        Number of blocking groups in total.
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
    ``x(S) - c(S)`` (cost) or ``v(S) - x(S)`` (value). All ``x(S)`` are computed at once
    over the ``2**n`` bitmasks.

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
    if not game.has_table():
        return CoreCheck(None, gap, (), 0, savings_d)
    w = sign * game.table()
    if tol is None:
        tol = 1e-7 * max(1.0, float(np.max(np.abs(w))))
    gains = w - subset_sums(sign * x)
    gains[0] = gains[-1] = -np.inf
    blocked = np.flatnonzero(gains > tol)
    order = blocked[np.lexsort((blocked, -gains[blocked]))]
    if max_blocking is not None:
        order = order[:max_blocking]
    blocking = tuple(
        BlockingCoalition(game.members_of(int(m)), float(gains[m])) for m in order.tolist()
    )
    in_core = bool(abs(gap) <= tol and blocked.size == 0)
    return CoreCheck(in_core, gap, blocking, int(blocked.size), savings_d)


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
