"""The result of every sharing method: an amount per player."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mellanrum.engines.fairshare.game import FloatArray, Game, GameKind

__all__ = ["Allocation", "from_units", "with_per_unit"]


@dataclass(frozen=True, eq=False)
class Allocation:
    """Amounts assigned to players by one sharing method.

    Parameters
    ----------
    method : str
        Method name as given to :func:`mellanrum.engines.fairshare.solve`.
    kind : {"cost", "value"}
        For a cost game the amounts are what each player pays; for a value game what each
        player receives.
    players : tuple of str
        Player ids, in the game's order.
    amounts : numpy.ndarray
        One amount per player.
    details : mapping
        Method-specific extras (confidence intervals, epsilon, LP levels, ...).

    Examples
    --------
    >>> a = Allocation("equal", "cost", ("A", "B"), np.array([1.5, 1.5]))
    >>> a.as_dict(), a.total, a["B"]
    ({'A': 1.5, 'B': 1.5}, 3.0, 1.5)
    """

    method: str
    kind: GameKind
    players: tuple[str, ...]
    amounts: FloatArray
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """Sum of the amounts."""
        return float(np.sum(self.amounts))

    def as_dict(self) -> dict[str, float]:
        """Return ``{player id: amount}``."""
        return {p: float(a) for p, a in zip(self.players, self.amounts, strict=True)}

    def __getitem__(self, player: str) -> float:
        return float(self.amounts[self.players.index(player)])


def with_per_unit(
    game: Game, method: str, totals: FloatArray, details: Mapping[str, Any]
) -> Allocation:
    """Return an allocation of each id's total, adding ``details["per_unit"]`` (a total divided
    by the id's count) when the game has identical players."""
    extra = dict(details)
    if game.counts is not None:
        per = np.asarray(totals, dtype=np.float64) / game.counts
        extra["per_unit"] = dict(zip(game.players, per.tolist(), strict=True))
    return Allocation(method, game.kind, game.players, np.asarray(totals, np.float64), extra)


def from_units(game: Game, unit_allocation: Allocation) -> Allocation:
    """Sum an allocation of a game's individual players (its ``unit_game()``) per id.

    Examples
    --------
    >>> from mellanrum.engines.fairshare.game import AirportModel, game_from_model
    >>> g = game_from_model(["A", "B"], AirportModel(np.array([2.0, 5.0])), counts=[2, 1])
    >>> units = Allocation("x", "cost", g.unit_game().players, np.array([0.5, 0.5, 4.0]))
    >>> a = from_units(g, units)
    >>> a.as_dict(), a.details["per_unit"]
    ({'A': 1.0, 'B': 4.0}, {'A': 0.5, 'B': 4.0})
    """
    counts = game.unit_counts()
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    totals = np.add.reduceat(np.asarray(unit_allocation.amounts, np.float64), starts)
    return with_per_unit(game, unit_allocation.method, totals, unit_allocation.details)
