"""Coalition costs without a table: a cost formula, or a Python function of the coalition.

Both give the cost of any coalition on demand (``cost``), the costs of every prefix of
player orders (``prefix_costs``, for sampling) and, for small games, the whole table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from mellanrum.engines.fairshare.airport import AirportModel
from mellanrum.engines.fairshare.bitmask import popcounts, subset_sums
from mellanrum.engines.fairshare.errors import GameError

__all__ = ["CostModel", "FloatArray", "FunctionModel", "IntArray", "Model"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MODEL_CHUNK_BITS = 16


@dataclass(frozen=True)
class FunctionModel:
    """A game given by a Python function of the coalition (a tuple of player ids).

    Parameters
    ----------
    players : tuple of str
        Player ids, in the game's order.
    function : callable
        ``function(("A", "C")) -> float``: the cost (or value) of a coalition; it is called
        once per coalition needed, never for the empty coalition.

    Examples
    --------
    >>> m = FunctionModel(("A", "B"), lambda s: 10.0 * len(s) ** 0.5)
    >>> m.cost(np.array([[True, False], [True, True]])).round(3).tolist()
    [10.0, 14.142]
    """

    players: tuple[str, ...]
    function: Callable[[tuple[str, ...]], float]

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.players)

    def _call(self, members: tuple[str, ...]) -> float:
        if not members:
            return 0.0
        try:
            value = float(self.function(members))
        except (TypeError, ValueError) as exc:
            raise GameError(f'function: coalition "{",".join(members)}": {exc}') from None
        if not math.isfinite(value):
            raise GameError(f'function: coalition "{",".join(members)}" gave {value}')
        return value

    def cost(self, members: npt.NDArray[np.generic]) -> FloatArray:
        """Return the function of each coalition given as a row of a membership matrix."""
        rows = np.asarray(members) > 0
        ids = self.players
        return np.array(
            [self._call(tuple(ids[i] for i in np.flatnonzero(row))) for row in rows],
            dtype=np.float64,
        )

    def prefix_costs(self, orders: npt.NDArray[np.intp]) -> FloatArray:
        """Return the function of all prefixes (sizes ``0 .. n``) of each ordering."""
        k, n = orders.shape
        out = np.zeros((k, n + 1), dtype=np.float64)
        ids = self.players
        for r in range(k):
            names = [ids[i] for i in orders[r]]
            for s in range(1, n + 1):
                out[r, s] = self._call(tuple(names[:s]))
        return out

    def table(self) -> FloatArray:
        """Return the function of every coalition in bitmask order."""
        n = self.n
        out = np.zeros(1 << n, dtype=np.float64)
        for mask in range(1, 1 << n):
            out[mask] = self._call(tuple(p for i, p in enumerate(self.players) if mask >> i & 1))
        return out


@dataclass(frozen=True)
class CostModel:
    """A cost game given by a formula instead of a table.

    For every non-empty coalition ``S``::

        c(S) = fixed + unit_cost * (sum of volume_i over S) ** exponent
               + (sum of own_i over S) * |S| ** -size_exponent

    ``fixed`` is a shared part paid once by any group (a licence, a platform); the volume
    part has economies of scale when ``exponent < 1``; ``own`` are stand-alone costs that
    shrink with the size of the group when ``size_exponent > 0``.

    Parameters
    ----------
    volume : numpy.ndarray
        Volume (for example cases per year) of each player; zeros for none.
    own : numpy.ndarray
        Stand-alone cost of each player that scales with group size; zeros for none.
    fixed, unit_cost, exponent, size_exponent : float
        Coefficients of the formula above.

    Examples
    --------
    >>> m = CostModel(volume=np.zeros(2), own=np.array([10.0, 30.0]), size_exponent=0.5)
    >>> m.cost(np.array([[True, False], [True, True]])).round(3).tolist()
    [10.0, 28.284]
    """

    volume: FloatArray
    own: FloatArray
    fixed: float = 0.0
    unit_cost: float = 1.0
    exponent: float = 1.0
    size_exponent: float = 0.0

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.own)

    def cost_from_sums(
        self, sizes: npt.NDArray[Any], volumes: FloatArray, owns: FloatArray
    ) -> FloatArray:
        """Return the costs of coalitions given their sizes and summed attributes."""
        sizes_f = np.asarray(sizes, dtype=np.float64)
        nonempty = sizes_f > 0
        safe = np.where(nonempty, sizes_f, 1.0)
        cost = owns * safe ** (-self.size_exponent)
        if self.unit_cost != 0.0:
            cost = cost + self.unit_cost * np.maximum(volumes, 0.0) ** self.exponent
        cost = cost + self.fixed
        return np.where(nonempty, cost, 0.0)

    def cost(self, members: npt.NDArray[np.generic]) -> FloatArray:
        """Return the cost of each coalition given as a row of member counts (or booleans)."""
        m = np.asarray(members, dtype=np.float64)
        return self.cost_from_sums(
            m.sum(axis=1), m @ self.volume.astype(np.float64), m @ self.own.astype(np.float64)
        )

    def prefix_costs(self, orders: npt.NDArray[np.intp]) -> FloatArray:
        """Return the costs of all prefixes (sizes ``0 .. n``) of each ordering of players."""
        k, n = orders.shape
        out = np.zeros((k, n + 1), dtype=np.float64)
        vol = np.cumsum(self.volume[orders], axis=1)
        own = np.cumsum(self.own[orders], axis=1)
        sizes = np.broadcast_to(np.arange(1, n + 1), (k, n))
        out[:, 1:] = self.cost_from_sums(sizes, vol, own)
        return out

    def table(self) -> FloatArray:
        """Return the cost of every coalition in bitmask order (one ``2**n`` table)."""
        n = self.n
        low_bits = min(n, _MODEL_CHUNK_BITS)  # a dozen temporaries of this size per chunk
        low_vol, low_own = subset_sums(self.volume[:low_bits]), subset_sums(self.own[:low_bits])
        low_pc = popcounts(low_bits).astype(np.int64)
        high_vol, high_own = subset_sums(self.volume[low_bits:]), subset_sums(self.own[low_bits:])
        high_pc = popcounts(n - low_bits).astype(np.int64)
        out = np.empty(1 << n, dtype=np.float64)
        step = 1 << low_bits
        for h in range(len(high_vol)):
            out[h * step : (h + 1) * step] = self.cost_from_sums(
                low_pc + high_pc[h], low_vol + high_vol[h], low_own + high_own[h]
            )
        return out


#: Anything that gives coalition costs: a formula, the airport game or a Python function.
Model = CostModel | AirportModel | FunctionModel
