"""The JSON format of ``mellanrum share``: a game as a mapping, checked field by field.

:func:`game_from_dict` and :func:`game_from_json` turn the contract (players with
attributes and counts, coalition ``"values"`` or a ``"model"``) into a :class:`Game`,
with a message naming the field for every mistake.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mellanrum.engines.fairshare.airport import AirportModel
from mellanrum.engines.fairshare.errors import GameError
from mellanrum.engines.fairshare.game import (
    Game,
    _check_players,
    _number,
    game_from_model,
    game_from_values,
)
from mellanrum.engines.fairshare.models import CostModel, FloatArray

__all__ = ["game_from_dict", "game_from_json"]


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
