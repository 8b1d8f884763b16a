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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from mellanrum.engines.fairshare.bitmask import popcounts, subset_sums
from mellanrum.engines.fairshare.completion import complete_values
from mellanrum.engines.fairshare.errors import GameError

__all__ = [
    "MAX_TABLE_PLAYERS",
    "CostModel",
    "Game",
    "GameError",
    "complete_values",
    "game_from_dict",
    "game_from_json",
    "game_from_model",
    "game_from_values",
    "popcounts",
    "subset_sums",
]

FloatArray = npt.NDArray[np.float64]
GameKind = Literal["cost", "value"]
Completion = Literal["subadditive", "superadditive", "none"]

#: Largest number of players for which all ``2**n`` coalition values are stored (256 MB).
MAX_TABLE_PLAYERS = 25

_CHUNK_BITS = 20


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

    def cost(self, members: npt.NDArray[np.bool_]) -> FloatArray:
        """Return the cost of each coalition given as a row of a boolean membership matrix."""
        m = np.asarray(members, dtype=bool)
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
        """Return the cost of every coalition in bitmask order (``n <= 25``)."""
        n = self.n
        if n > MAX_TABLE_PLAYERS:
            raise GameError(f"a table of {n} players is too large (at most {MAX_TABLE_PLAYERS})")
        low_bits = min(n, _CHUNK_BITS)
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
    model : CostModel or None
        The formula of a cost game too large for a table.

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
    model: CostModel | None = None

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.players)

    @property
    def sign(self) -> float:
        """``+1`` for a value game, ``-1`` for a cost game (value orientation = sign * values)."""
        return 1.0 if self.kind == "value" else -1.0

    def has_table(self) -> bool:
        """Whether every coalition value is available (stored or computable) as a table."""
        return self.values is not None or self.n <= MAX_TABLE_PLAYERS

    def table(self) -> FloatArray:
        """Return the ``2**n`` coalition values, building them from the model if needed."""
        if self.values is not None:
            return self.values
        assert self.model is not None
        if self.n > MAX_TABLE_PLAYERS:
            raise GameError(
                f"this method needs every coalition's value, which is impossible for {self.n}"
                f" players (at most {MAX_TABLE_PLAYERS}); use shapley-sample, equal or"
                " proportional"
            )
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
        row = np.array([[(mask >> i) & 1 for i in range(self.n)]], dtype=bool)
        return float(self.model.cost(row)[0])

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
        return float(self.model.cost(np.ones((1, self.n), dtype=bool))[0])

    def standalone(self) -> FloatArray:
        """Return each player's stand-alone value ``v({i})`` (or cost ``c({i})``)."""
        if self.values is not None:
            return np.array([self.values[1 << i] for i in range(self.n)], dtype=np.float64)
        assert self.model is not None
        return self.model.cost(np.eye(self.n, dtype=bool))

    def values_of_members(self, members: npt.NDArray[np.bool_]) -> FloatArray:
        """Return the values of coalitions given as rows of a boolean membership matrix."""
        m = np.asarray(members, dtype=bool)
        if self.values is None:
            assert self.model is not None
            return self.model.cost(m)
        masks = m.astype(np.int64) @ (np.int64(1) << np.arange(self.n, dtype=np.int64))
        return self.values[masks]

    def prefix_values(self, orders: npt.NDArray[np.intp]) -> FloatArray:
        """Return the values of all prefixes (sizes ``0 .. n``) of each ordering of players."""
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
    if n > MAX_TABLE_PLAYERS:
        raise GameError(
            f"players: {n} players are too many for a table of coalition values (at most"
            f" {MAX_TABLE_PLAYERS}); describe the game with a model"
        )
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
    model: CostModel,
    *,
    attributes: Mapping[str, Mapping[str, float]] | None = None,
) -> Game:
    """Build a cost game from a :class:`CostModel` (any number of players).

    Parameters
    ----------
    players : sequence of str
        Unique player ids.
    model : CostModel
        The cost formula; its vectors have one entry per player.
    attributes : mapping, optional
        Per player id, numeric attributes.

    Returns
    -------
    Game
        With ``values`` ``None``; the table is built on demand for at most 25 players.

    Examples
    --------
    >>> m = CostModel(volume=np.array([1.0, 3.0]), own=np.zeros(2), fixed=10, exponent=0.5)
    >>> g = game_from_model(["A", "B"], m)
    >>> g.standalone().round(3).tolist(), g.grand
    ([11.0, 11.732], 12.0)
    """
    ids = _check_players(list(players))
    if len(model.own) != len(ids) or len(model.volume) != len(ids):
        raise GameError("model: needs one volume and one own cost per player")
    attrs = {p: dict((attributes or {}).get(p, {})) for p in ids}
    return Game(kind="cost", players=ids, values=None, attributes=attrs, model=model)


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
    for pos, entry in enumerate(raw_players):
        if isinstance(entry, str):
            entry = {"id": entry}
        if not isinstance(entry, Mapping) or "id" not in entry:
            raise GameError(f"players[{pos}]: must be an object with an id")
        pid = entry["id"]
        if not isinstance(pid, str):
            raise GameError(f"players[{pos}]: id {json.dumps(pid)} must be a string")
        ids.append(pid)
        attrs: dict[str, float] = {}
        for name, raw in entry.items():
            if name == "id" or raw is None or isinstance(raw, str):
                continue  # names and other labels are allowed but are not attributes
            attrs[name] = _number(raw, f'players: attribute "{name}" of "{pid}"')
        attributes[pid] = attrs
    _check_players(ids)
    if "model" in data:
        if "values" in data:
            raise GameError('give either "values" or "model", not both')
        if kind != "cost":
            raise GameError("model: only cost games can be given by a model")
        spec = data["model"]
        if not isinstance(spec, Mapping):
            raise GameError("model: must be an object")
        bad = set(spec) - _MODEL_KEYS
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
        model = CostModel(volume=vectors["volume"], own=vectors["own"], **coeffs)
        return game_from_model(ids, model, attributes=attributes)
    values = data.get("values")
    if not isinstance(values, Mapping):
        raise GameError('values: must be an object mapping "A,B" to a number')
    completion = data.get("completion")
    return game_from_values(kind, ids, values, attributes=attributes, completion=completion)


def game_from_json(text: str) -> Game:
    """Parse a game from JSON text (see :func:`game_from_dict`).

    Examples
    --------
    >>> game_from_json('{"kind": "value", "players": ["A"], "values": {"A": 2}}').grand
    2.0
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GameError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    return game_from_dict(data)
