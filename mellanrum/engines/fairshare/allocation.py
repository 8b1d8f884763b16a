"""The result of every sharing method: an amount per player."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mellanrum.engines.fairshare.game import FloatArray, GameKind

__all__ = ["Allocation"]


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
