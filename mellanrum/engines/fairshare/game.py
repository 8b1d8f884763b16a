"""Cooperative games: coalition values as a table indexed by bitmask, or as a cost model.

A game has players ``0 .. n-1`` (with string ids) and a characteristic function that
gives each coalition ``S`` its value: a *cost* ``c(S)`` (what ``S`` would pay on its own)
or a *value* ``v(S)`` (what ``S`` would earn or save on its own). Coalition ``S`` is the
bitmask with bit ``i`` set for each player ``i`` in ``S``; a table game stores the
``2**n`` values in one numpy vector with ``values[0] == 0``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from mellanrum.engines.fairshare.airport import AirportModel
from mellanrum.engines.fairshare.bitmask import popcounts, subset_sums
from mellanrum.engines.fairshare.completion import complete_values
from mellanrum.engines.fairshare.errors import GameError

__all__ = [
    "MAX_TABLE_PLAYERS",
    "MEMORY_LIMIT_ENV",
    "AirportModel",
    "CostModel",
    "FunctionModel",
    "Game",
    "GameError",
    "complete_values",
    "game_from_dict",
    "game_from_function",
    "game_from_json",
    "game_from_model",
    "game_from_values",
    "memory_limit",
    "popcounts",
    "require_table_memory",
    "subset_sums",
    "table_bytes",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GameKind = Literal["cost", "value"]
Completion = Literal["subadditive", "superadditive", "none"]

#: Absolute cap on the players of a table (bitmasks are int64); the memory limit
#: (:func:`memory_limit`) usually refuses a table long before.
MAX_TABLE_PLAYERS = 40

#: Environment variable that sets the memory a table may use, in bytes or with a unit
#: (``"4GiB"``, ``"512MiB"``); default: the memory available on the machine.
MEMORY_LIMIT_ENV = "MELLANRUM_FAIRSHARE_MAX_MEMORY"

_CHUNK_BITS = 20
_MODEL_CHUNK_BITS = 16
#: Largest game given by a Python function whose core is checked (``2**n`` calls).
FUNCTION_TABLE_PLAYERS = 16
_GIB = float(1 << 30)
#: Tables needing at most this much (with working memory) are never refused (16 MiB).
_ALWAYS_ALLOWED = 16 << 20
_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}


def table_bytes(n: int) -> int:
    """Return the bytes of one table of ``2**n`` float64 coalition values.

    Examples
    --------
    >>> table_bytes(25) / 2**20, table_bytes(28) / 2**30
    (256.0, 2.0)
    """
    return 8 << n


def _available_bytes() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def memory_limit() -> int:
    """Return the bytes a table method may use.

    The environment variable ``MELLANRUM_FAIRSHARE_MAX_MEMORY`` (bytes, or a number with
    ``KiB``, ``MiB``, ``GiB``, ``TiB``) sets it; otherwise it is the memory the operating
    system reports as available (``MemAvailable`` in ``/proc/meminfo``).

    Raises
    ------
    GameError
        When the environment variable is not a positive amount.
    """
    raw = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if not raw:
        return _available_bytes()
    number = raw.rstrip("KMGTiBkmgtib ")  # noqa: B005 - strips any unit letters
    unit = raw[len(number) :].strip().lower()
    try:
        amount = float(number) * _UNITS[unit]
    except (ValueError, KeyError):
        amount = -1.0
    if not math.isfinite(amount) or amount <= 0:
        raise GameError(
            f'{MEMORY_LIMIT_ENV}: "{raw}" must be a positive amount such as 4GiB or 512MiB'
        )
    return int(amount)


def require_table_memory(n: int, factor: float, what: str, limit: int | None = None) -> None:
    """Refuse a method whose ``2**n`` tables would not fit in memory, saying how much it needs.

    Parameters
    ----------
    n : int
        Number of players of the table.
    factor : float
        Peak memory of the method in tables (2 for the exact Shapley value).
    what : str
        The method, for the message.
    limit : int, optional
        Bytes allowed; default :func:`memory_limit`.

    Raises
    ------
    GameError
        ``"shapley: 30 players need a table of 2^30 coalition values: 8.0 GiB, 16.0 GiB
        with working memory, but only 7.5 GiB is available ..."``.

    Examples
    --------
    >>> require_table_memory(20, 2.0, "shapley", limit=1 << 30)
    >>> try:
    ...     require_table_memory(28, 2.0, "shapley", limit=1 << 30)
    ... except GameError as exc:
    ...     print(str(exc)[:75])
    shapley: 28 players need a table of 2^28 coalition values: 2.0 GiB, 4.0 GiB
    """
    table = table_bytes(n) if n <= MAX_TABLE_PLAYERS else math.inf
    needed = factor * table
    if limit is None and needed <= _ALWAYS_ALLOWED:
        return  # small tables: not worth reading /proc/meminfo for
    allowed = memory_limit() if limit is None else limit
    if n > MAX_TABLE_PLAYERS:
        raise GameError(
            f"{what}: {n} players need a table of 2^{n} coalition values, far more than any"
            " memory; use shapley-sample, scrb, equal or proportional"
        )
    if needed > allowed:
        raise GameError(
            f"{what}: {n} players need a table of 2^{n} coalition values:"
            f" {table / _GIB:.1f} GiB, {needed / _GIB:.1f} GiB with working memory, but only"
            f" {allowed / _GIB:.1f} GiB is available ({MEMORY_LIMIT_ENV}); use"
            " shapley-sample, scrb, equal or proportional"
        )


def table_fits(n: int, factor: float = 2.0) -> bool:
    """Whether a table method with the given peak (in tables) fits in memory."""
    try:
        require_table_memory(n, factor, "table")
    except GameError:
        return False
    return True


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


@dataclass(frozen=True, eq=False)
class Game:
    """A transferable-utility game with named players.

    Parameters
    ----------
    kind : {"cost", "value"}
        ``"cost"``: ``values[S]`` is what coalition ``S`` would pay alone (lower is
        better). ``"value"``: what ``S`` would earn or save alone (higher is better).
    players : tuple of str
        Player ids; player ``i`` is bit ``i`` of a coalition mask.
    values : numpy.ndarray or None
        ``2**n`` coalition values in bitmask order, ``values[0] == 0``; ``None`` when the
        game is given by ``model``.
    attributes : mapping
        Per player id, numeric attributes (population, demand, ...) for proportional keys.
    model : CostModel, AirportModel, FunctionModel or None
        The formula (or function) of the game, when it is not given as a table.
    counts : numpy.ndarray or None
        Number of identical players behind each id (``None``: one each). The game is then
        played by the individual players; allocations give each id's total.

    Examples
    --------
    >>> g = game_from_values("cost", ["A", "B"], {"A": 4, "B": 6, "A,B": 8})
    >>> g.grand, g.standalone().tolist()
    (8.0, [4.0, 6.0])
    """

    kind: GameKind
    players: tuple[str, ...]
    values: FloatArray | None
    attributes: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    model: Model | None = None
    counts: IntArray | None = None

    @property
    def n(self) -> int:
        """Number of players (ids; see :attr:`units` for identical players)."""
        return len(self.players)

    @property
    def units(self) -> int:
        """Number of individual players (the sum of the counts)."""
        return self.n if self.counts is None else int(self.counts.sum())

    def unit_counts(self) -> IntArray:
        """Return the count of every id (ones when the game has no counts)."""
        return np.ones(self.n, dtype=np.int64) if self.counts is None else self.counts

    def unit_game(self) -> Game:
        """Return the game of the individual players, each count expanded into ``A#1 .. A#k``."""
        if self.counts is None:
            return self
        k = self.counts
        ids = tuple(
            f"{p}#{j + 1}" for p, c in zip(self.players, k.tolist(), strict=True) for j in range(c)
        )
        attrs = {
            u: self.attributes.get(p, {})
            for p, c in zip(self.players, k.tolist(), strict=True)
            for u in (f"{p}#{j + 1}" for j in range(c))
        }
        model: Model
        if isinstance(self.model, AirportModel):
            model = AirportModel(np.repeat(self.model.costs, k))
        elif isinstance(self.model, CostModel):
            m = self.model
            model = CostModel(
                volume=np.repeat(m.volume, k),
                own=np.repeat(m.own, k),
                fixed=m.fixed,
                unit_cost=m.unit_cost,
                exponent=m.exponent,
                size_exponent=m.size_exponent,
            )
        else:
            raise GameError("count: only games given by a model may have identical players")
        return Game(kind=self.kind, players=ids, values=None, attributes=attrs, model=model)

    @property
    def sign(self) -> float:
        """``+1`` for a value game, ``-1`` for a cost game (value orientation = sign * values)."""
        return 1.0 if self.kind == "value" else -1.0

    def has_table(self, factor: float = 1.0) -> bool:
        """Whether every coalition value is available as a table (stored, or fits in memory
        with ``factor`` tables of working memory)."""
        if self.counts is not None:
            return False
        if self.values is not None:
            return True
        if isinstance(self.model, FunctionModel) and self.n > FUNCTION_TABLE_PLAYERS:
            return False  # 2**n Python calls: only on request (table())
        return table_fits(self.n, factor)

    def table(self, what: str = "this method", factor: float = 1.0) -> FloatArray:
        """Return the ``2**n`` coalition values, building them from the model if needed.

        Raises
        ------
        GameError
            When the game has identical players (solve :meth:`unit_game` instead) or the
            table with ``factor`` tables of working memory would not fit in memory.
        """
        if self.values is not None:
            return self.values
        assert self.model is not None
        if self.counts is not None:
            raise GameError(f"{what}: a game with counts is solved on its unit_game()")
        require_table_memory(self.n, factor, what)
        table = self.model.table()
        object.__setattr__(self, "values", table)
        return table

    def value_orientation(self) -> FloatArray:
        """Return the table as a value game (costs negated), which every solver uses."""
        t = self.table()
        return t if self.kind == "value" else -t

    def value_of(self, members: Iterable[str]) -> float:
        """Return the value of the coalition with the given player ids."""
        mask = self.mask_of(members)
        if self.values is not None or self.model is None:
            return float(self.table()[mask])
        row = np.array([[(mask >> i) & 1 for i in range(self.n)]], dtype=np.int64)
        return float(self.model.cost(row * self.unit_counts())[0])

    def mask_of(self, members: Iterable[str]) -> int:
        """Return the bitmask of a coalition given by player ids."""
        index = {p: i for i, p in enumerate(self.players)}
        mask = 0
        for p in members:
            if p not in index:
                raise GameError(f'unknown player "{p}"')
            mask |= 1 << index[p]
        return mask

    def members_of(self, mask: int) -> tuple[str, ...]:
        """Return the player ids of a coalition bitmask."""
        return tuple(p for i, p in enumerate(self.players) if (mask >> i) & 1)

    @property
    def grand(self) -> float:
        """Value of the grand coalition ``N``."""
        if self.values is not None:
            return float(self.values[-1])
        assert self.model is not None
        return float(self.model.cost(self.unit_counts()[None, :])[0])

    def unit_standalone(self) -> FloatArray:
        """Return the stand-alone value ``v({i})`` (or cost) of one player of each id."""
        if self.values is not None:
            return np.array([self.values[1 << i] for i in range(self.n)], dtype=np.float64)
        assert self.model is not None
        return self.model.cost(np.eye(self.n, dtype=np.int64))

    def standalone(self) -> FloatArray:
        """Return each id's stand-alone value ``v({i})`` (or cost ``c({i})``), times its count:
        what its players would pay (or get) each on its own."""
        return self.unit_standalone() * self.unit_counts()

    def values_of_members(self, members: npt.NDArray[np.generic]) -> FloatArray:
        """Return the values of coalitions given as rows of member counts per id (or booleans;
        a table game takes booleans only)."""
        if self.values is None:
            assert self.model is not None
            return self.model.cost(np.asarray(members))
        m = np.asarray(members, dtype=bool)
        masks = m.astype(np.int64) @ (np.int64(1) << np.arange(self.n, dtype=np.int64))
        return self.values[masks]

    def prefix_values(self, orders: npt.NDArray[np.intp]) -> FloatArray:
        """Return the values of all prefixes (sizes ``0 .. n``) of each ordering of players."""
        if self.counts is not None:
            raise GameError("prefix values: a game with counts is sampled on its unit_game()")
        if self.values is None:
            assert self.model is not None
            return self.model.prefix_costs(orders)
        masks = np.zeros((orders.shape[0], orders.shape[1] + 1), dtype=np.int64)
        masks[:, 1:] = np.cumsum(np.left_shift(1, orders.astype(np.int64)), axis=1)
        return self.values[masks]

    def attribute(self, name: str) -> FloatArray:
        """Return a numeric attribute of every player, or raise GameError naming who lacks it."""
        out = np.empty(self.n, dtype=np.float64)
        for i, p in enumerate(self.players):
            attrs = self.attributes.get(p, {})
            if name not in attrs:
                raise GameError(f'player "{p}" has no attribute "{name}"')
            out[i] = attrs[name]
        return out


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GameError(f"{where}: {json.dumps(value)} is not a number")
    out = float(value)
    if not math.isfinite(out):
        raise GameError(f"{where}: {value} is not a finite number")
    return out


def _check_players(ids: Sequence[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    for p in ids:
        if not isinstance(p, str) or not p.strip():
            raise GameError(f"players: id {json.dumps(p)} must be a non-empty string")
        if "," in p:
            raise GameError(f'players: id "{p}" must not contain a comma')
        if p in seen:
            raise GameError(f'players: duplicate id "{p}"')
        seen.add(p)
    if not ids:
        raise GameError("players: at least one player is needed")
    return tuple(ids)


def game_from_values(
    kind: GameKind,
    players: Sequence[str],
    values: Mapping[str, Any] | Mapping[tuple[str, ...], Any],
    *,
    attributes: Mapping[str, Mapping[str, float]] | None = None,
    completion: Completion | None = None,
) -> Game:
    """Build a table game from values keyed by comma-joined player ids (or tuples of ids).

    Parameters
    ----------
    kind : {"cost", "value"}
        Cost or value (savings, revenue) game.
    players : sequence of str
        Unique player ids, in the order used for bitmasks.
    values : mapping
        Coalition value by key ``"A,B"`` (any order, spaces tolerated) or tuple of ids.
    attributes : mapping, optional
        Per player id, numeric attributes.
    completion : {"subadditive", "superadditive", "none"}, optional
        How to fill in missing coalitions; default ``"subadditive"`` for cost games and
        ``"superadditive"`` for value games.

    Returns
    -------
    Game

    Raises
    ------
    GameError
        On unknown or duplicate players, bad numbers, a missing grand coalition, too many
        players or a coalition that cannot be completed.

    Examples
    --------
    >>> g = game_from_values("value", ["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A, B": 4,
    ...                      "A,B,C": 6})
    >>> g.table().tolist()
    [0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 6.0]
    """
    if kind not in ("cost", "value"):
        raise GameError(f'kind: {json.dumps(kind)} must be "cost" or "value"')
    ids = _check_players(list(players))
    n = len(ids)
    # The completed table, its mask of given values and one layer of masks at a time.
    require_table_memory(n, 1.5, "values")
    if completion is None:
        completion = "subadditive" if kind == "cost" else "superadditive"
    if completion not in ("subadditive", "superadditive", "none"):
        raise GameError(
            f'completion: {json.dumps(completion)} must be "subadditive", "superadditive" or "none"'
        )
    index = {p: i for i, p in enumerate(ids)}
    known: dict[int, float] = {}
    key_of: dict[int, str] = {}
    for key, raw in values.items():
        if isinstance(key, str):
            names = [part.strip() for part in key.split(",")]
            label = key
        else:
            names = [str(part).strip() for part in key]
            label = ",".join(names)
        if not names or any(not part for part in names):
            raise GameError(f'values: coalition "{label}" has an empty player id')
        mask = 0
        for part in names:
            if part not in index:
                raise GameError(f'values: coalition "{label}" names unknown player "{part}"')
            bit = 1 << index[part]
            if mask & bit:
                raise GameError(f'values: coalition "{label}" names player "{part}" twice')
            mask |= bit
        if mask in known:
            raise GameError(
                f'values: coalitions "{key_of[mask]}" and "{label}" are the same coalition'
            )
        known[mask] = _number(raw, f'values: coalition "{label}"')
        key_of[mask] = label
    table = complete_values(n, known, completion, kind, ids)
    attrs = {p: dict(attributes.get(p, {})) for p in ids} if attributes else {p: {} for p in ids}
    return Game(kind=kind, players=ids, values=table, attributes=attrs)


def game_from_model(
    players: Sequence[str],
    model: Model,
    *,
    attributes: Mapping[str, Mapping[str, float]] | None = None,
    counts: Sequence[int] | None = None,
) -> Game:
    """Build a cost game from a :class:`CostModel` or :class:`AirportModel` (any size).

    Parameters
    ----------
    players : sequence of str
        Unique player ids.
    model : CostModel or AirportModel
        The cost formula; its vectors have one entry per player id.
    attributes : mapping, optional
        Per player id, numeric attributes (of one player of that id).
    counts : sequence of int, optional
        Number of identical players behind each id (positive integers).

    Returns
    -------
    Game
        With ``values`` ``None``; the table is built on demand when it fits in memory.

    Examples
    --------
    >>> m = CostModel(volume=np.array([1.0, 3.0]), own=np.zeros(2), fixed=10, exponent=0.5)
    >>> g = game_from_model(["A", "B"], m)
    >>> g.standalone().round(3).tolist(), g.grand
    ([11.0, 11.732], 12.0)
    """
    ids = _check_players(list(players))
    if isinstance(model, CostModel):
        if len(model.own) != len(ids) or len(model.volume) != len(ids):
            raise GameError("model: needs one volume and one own cost per player")
    elif isinstance(model, AirportModel):
        if len(model.costs) != len(ids):
            raise GameError("model: needs one cost per player")
        if np.any(~np.isfinite(model.costs)) or np.any(model.costs < 0):
            raise GameError("model: costs must be finite and not negative")
    elif model.players != ids:
        raise GameError("function: its players differ from the game's")
    count_array: IntArray | None = None
    if counts is not None:
        if isinstance(model, FunctionModel):
            raise GameError("count: a game given by a function cannot have identical players")
        count_array = np.array([int(c) for c in counts], dtype=np.int64)
        if len(count_array) != len(ids) or np.any(count_array < 1):
            raise GameError("count: one positive integer per player is needed")
    attrs = {p: dict((attributes or {}).get(p, {})) for p in ids}
    return Game(
        kind="cost", players=ids, values=None, attributes=attrs, model=model, counts=count_array
    )


def game_from_function(
    players: Sequence[str],
    function: Callable[[tuple[str, ...]], float],
    *,
    kind: GameKind = "cost",
    attributes: Mapping[str, Mapping[str, float]] | None = None,
) -> Game:
    """Build a game from a Python function of the coalition (any number of players).

    Parameters
    ----------
    players : sequence of str
        Unique player ids.
    function : callable
        ``function(("A", "B")) -> float``, the cost (cost game) or value (value game) of
        a coalition given as a tuple of ids in no particular order.
    kind : {"cost", "value"}, default "cost"
    attributes : mapping, optional
        Per player id, numeric attributes.

    Returns
    -------
    Game
        Solved without a table by ``shapley-sample``, ``scrb``, ``equal`` and
        ``proportional``; the table methods call the function for all ``2**n - 1``
        coalitions.

    Examples
    --------
    >>> g = game_from_function(["A", "B", "C"], lambda s: max(len(s), 2.0))
    >>> g.grand, g.standalone().tolist()
    (3.0, [2.0, 2.0, 2.0])
    """
    if kind not in ("cost", "value"):
        raise GameError(f'kind: {json.dumps(kind)} must be "cost" or "value"')
    ids = _check_players(list(players))
    attrs = {p: dict((attributes or {}).get(p, {})) for p in ids}
    model = FunctionModel(ids, function)
    return Game(kind=kind, players=ids, values=None, attributes=attrs, model=model)


_MODEL_KEYS = {"fixed", "unit_cost", "exponent", "size_exponent", "volume", "own"}


def game_from_dict(data: Mapping[str, Any]) -> Game:
    """Build a game from the JSON structure used by ``mellanrum share``.

    Parameters
    ----------
    data : mapping
        ``{"kind": "cost"|"value", "players": [{"id": ..., attribute: number, ...}],
        "values": {"A,B": number, ...}, "completion": ...}``. Instead of ``values`` a cost
        game may give ``"model": {"fixed", "unit_cost", "exponent", "size_exponent",
        "volume": ATTRIBUTE, "own": ATTRIBUTE}`` (see :class:`CostModel`).

    Returns
    -------
    Game

    Raises
    ------
    GameError
        With a message naming the field and the problem.

    Examples
    --------
    >>> g = game_from_dict({"kind": "cost",
    ...     "players": [{"id": "A", "population": 85000}, {"id": "B", "population": 30000}],
    ...     "values": {"A": 21.95, "B": 17.08, "A,B": 34.5}})
    >>> g.players, g.grand, g.attributes["B"]["population"]
    (('A', 'B'), 34.5, 30000.0)
    """
    if not isinstance(data, Mapping):
        raise GameError("the game must be a JSON object")
    _no_duplicates(data, "the game", "field")
    unknown = set(data) - {"kind", "players", "values", "completion", "model", "name"}
    if unknown:
        raise GameError(f'unknown field "{sorted(unknown)[0]}"')
    kind = data.get("kind")
    if kind not in ("cost", "value"):
        raise GameError(f'kind: {json.dumps(kind)} must be "cost" or "value"')
    raw_players = data.get("players")
    if not isinstance(raw_players, list) or not raw_players:
        raise GameError("players: must be a non-empty list of objects with an id")
    ids: list[str] = []
    attributes: dict[str, dict[str, float]] = {}
    counts: list[int] = []
    for pos, entry in enumerate(raw_players):
        if isinstance(entry, str):
            entry = {"id": entry}
        if not isinstance(entry, Mapping) or "id" not in entry:
            raise GameError(f"players[{pos}]: must be an object with an id")
        pid = entry["id"]
        if not isinstance(pid, str):
            raise GameError(f"players[{pos}]: id {json.dumps(pid)} must be a string")
        _no_duplicates(entry, f'players: "{pid}"', "field")
        ids.append(pid)
        counts.append(_count(entry.get("count", 1), pid))
        attrs: dict[str, float] = {}
        for name, raw in entry.items():
            if name in ("id", "count") or raw is None or isinstance(raw, str):
                continue  # names and other labels are allowed but are not attributes
            attrs[name] = _number(raw, f'players: attribute "{name}" of "{pid}"')
        attributes[pid] = attrs
    _check_players(ids)
    has_counts = any("count" in e for e in raw_players if isinstance(e, Mapping))
    if has_counts and "model" not in data:
        raise GameError(
            'players: "count" (identical players) needs a "model"; a table of "values" names'
            " every player separately"
        )
    if "model" in data:
        if "values" in data:
            raise GameError('give either "values" or "model", not both')
        if kind != "cost":
            raise GameError("model: only cost games can be given by a model")
        spec = data["model"]
        if not isinstance(spec, Mapping):
            raise GameError("model: must be an object")
        _no_duplicates(spec, "model", "field")
        model_type = spec.get("type", "formula")
        counts_or_none = counts if has_counts else None
        if model_type == "airport":
            airport = _airport_model(spec, ids, attributes)
            return game_from_model(ids, airport, attributes=attributes, counts=counts_or_none)
        if model_type != "formula":
            raise GameError(
                f'model: type {json.dumps(model_type)} must be "formula" (the default) or "airport"'
            )
        bad = set(spec) - _MODEL_KEYS - {"type"}
        if bad:
            raise GameError(f'model: unknown field "{sorted(bad)[0]}"')
        game0 = Game(kind="cost", players=tuple(ids), values=None, attributes=attributes)
        vectors: dict[str, FloatArray] = {}
        for name in ("volume", "own"):
            attr = spec.get(name)
            if attr is None:
                vectors[name] = np.zeros(len(ids))
            elif isinstance(attr, str):
                try:
                    vectors[name] = game0.attribute(attr)
                except GameError as exc:
                    raise GameError(f"model: {name}: {exc}") from None
            else:
                raise GameError(f"model: {name} must name a player attribute")
        coeffs = {
            k: _number(spec[k], f"model: {k}")
            for k in ("fixed", "unit_cost", "exponent", "size_exponent")
            if k in spec
        }
        for name, vector in vectors.items():
            if np.any(vector < 0):
                who = ids[int(np.flatnonzero(vector < 0)[0])]
                raise GameError(f'model: {name}: the {spec[name]} of "{who}" is negative')
        model = CostModel(volume=vectors["volume"], own=vectors["own"], **coeffs)
        return game_from_model(ids, model, attributes=attributes, counts=counts_or_none)
    values = data.get("values")
    if not isinstance(values, Mapping):
        raise GameError('values: must be an object mapping "A,B" to a number')
    _no_duplicates(values, "values", "coalition")
    completion = data.get("completion")
    return game_from_values(kind, ids, values, attributes=attributes, completion=completion)


class _Pairs(dict[str, Any]):
    """A JSON object that remembers keys given more than once (``json`` keeps the last)."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _Pairs:
    out = _Pairs(pairs)
    if len(out) < len(pairs):
        seen: set[str] = set()
        twice: list[str] = []
        for key, _ in pairs:
            if key in seen:
                twice.append(key)
            seen.add(key)
        out.duplicates = tuple(twice)
    return out


def _no_duplicates(obj: Mapping[str, Any], where: str, what: str) -> None:
    dup = getattr(obj, "duplicates", ())
    if dup:
        raise GameError(f'{where}: {what} "{dup[0]}" is listed twice')


def _count(raw: Any, pid: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise GameError(
            f'players: count of "{pid}" must be a positive integer, not {json.dumps(raw)}'
        )
    return int(raw)


def _airport_model(
    spec: Mapping[str, Any], ids: Sequence[str], attributes: Mapping[str, Mapping[str, float]]
) -> AirportModel:
    bad = set(spec) - {"type", "cost"}
    if bad:
        raise GameError(f'model: unknown field "{sorted(bad)[0]}" for type "airport"')
    raw = spec.get("cost")
    cost = np.empty(len(ids), dtype=np.float64)
    if isinstance(raw, str):
        for i, p in enumerate(ids):
            if raw not in attributes[p]:
                raise GameError(f'model: cost: player "{p}" has no attribute "{raw}"')
            cost[i] = attributes[p][raw]
    elif isinstance(raw, Mapping):
        _no_duplicates(raw, "model: cost", "player")
        unknown = [p for p in raw if p not in set(ids)]
        if unknown:
            raise GameError(f'model: cost: unknown player "{unknown[0]}"')
        for i, p in enumerate(ids):
            if p not in raw:
                raise GameError(f'model: cost: the cost of "{p}" is missing')
            cost[i] = _number(raw[p], f'model: cost of "{p}"')
    else:
        raise GameError(
            'model: an airport model needs "cost": {"A": 8, "B": 11, ...} (each player\'s'
            " stand-alone cost) or the name of a player attribute"
        )
    if np.any(cost < 0):
        who = ids[int(np.flatnonzero(cost < 0)[0])]
        raise GameError(f'model: cost of "{who}" is negative ({cost[ids.index(who)]:g})')
    return AirportModel(cost)


def game_from_json(text: str) -> Game:
    """Parse a game from JSON text (see :func:`game_from_dict`).

    Examples
    --------
    >>> game_from_json('{"kind": "value", "players": ["A"], "values": {"A": 2}}').grand
    2.0
    """
    try:
        data = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise GameError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    return game_from_dict(data)
