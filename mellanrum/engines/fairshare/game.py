"""Cooperative games: coalition values as a table indexed by bitmask, or as a cost model.

A game has players ``0 .. n-1`` (with string ids) and a characteristic function that
gives each coalition ``S`` its value: a *cost* ``c(S)`` (what ``S`` would pay on its own)
or a *value* ``v(S)`` (what ``S`` would earn or save on its own). Coalition ``S`` is the
bitmask with bit ``i`` set for each player ``i`` in ``S``; a table game stores the
``2**n`` values in one numpy vector with ``values[0] == 0``.

The models that give coalition costs without a table are in ``models.py``, the memory
rules for tables in ``memory.py`` and the JSON format of ``mellanrum share`` in
``parse.py``; their public names are re-exported here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from mellanrum.engines.fairshare.airport import AirportModel
from mellanrum.engines.fairshare.bitmask import popcounts, subset_sums
from mellanrum.engines.fairshare.completion import complete_values
from mellanrum.engines.fairshare.errors import GameError
from mellanrum.engines.fairshare.memory import (
    MAX_TABLE_PLAYERS,
    MEMORY_LIMIT_ENV,
    memory_limit,
    require_table_memory,
    table_bytes,
    table_fits,
)
from mellanrum.engines.fairshare.models import (
    CostModel,
    FloatArray,
    FunctionModel,
    IntArray,
    Model,
)

__all__ = [
    "MAX_TABLE_PLAYERS",
    "MEMORY_LIMIT_ENV",
    "AirportModel",
    "CostModel",
    "FloatArray",
    "FunctionModel",
    "Game",
    "GameError",
    "GameKind",
    "IntArray",
    "Model",
    "complete_values",
    "game_from_function",
    "game_from_model",
    "game_from_values",
    "memory_limit",
    "popcounts",
    "require_table_memory",
    "subset_sums",
    "table_bytes",
    "table_fits",
]

GameKind = Literal["cost", "value"]
Completion = Literal["subadditive", "superadditive", "none"]

#: Largest game given by a Python function whose core is checked (``2**n`` calls).
FUNCTION_TABLE_PLAYERS = 16


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
