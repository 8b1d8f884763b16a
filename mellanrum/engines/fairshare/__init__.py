"""Fair sharing of joint costs or savings between partners (cooperative game theory).

Plain Python (numpy and scipy only). Build a :class:`Game` with :func:`game_from_dict`
(the JSON format of ``mellanrum share``), :func:`game_from_values`,
:func:`game_from_model` (a :class:`CostModel` or :class:`AirportModel`, optionally with
identical players) or :func:`game_from_function`, then call :func:`solve` with one of
:data:`METHODS` and check the result with :func:`check_core`.

Examples
--------
>>> from mellanrum.engines.fairshare import check_core, game_from_dict, solve
>>> g = game_from_dict({"kind": "cost", "players": ["A", "B"],
...                     "values": {"A": 4, "B": 6, "A,B": 8}})
>>> a = solve(g, "shapley")
>>> {p: round(x, 9) for p, x in a.as_dict().items()}, check_core(g, a).in_core
({'A': 3.0, 'B': 5.0}, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mellanrum.engines.fairshare.airport import (
    AirportModel,
    airport_nucleolus_per_unit,
    airport_shapley_per_unit,
)
from mellanrum.engines.fairshare.allocation import Allocation
from mellanrum.engines.fairshare.core import BlockingCoalition, CoreCheck, check_core
from mellanrum.engines.fairshare.game import (
    MAX_TABLE_PLAYERS,
    MEMORY_LIMIT_ENV,
    CostModel,
    FunctionModel,
    Game,
    GameError,
    game_from_function,
    game_from_model,
    game_from_values,
    memory_limit,
    require_table_memory,
    table_bytes,
)
from mellanrum.engines.fairshare.least_core import least_core
from mellanrum.engines.fairshare.nucleolus import nucleolus
from mellanrum.engines.fairshare.parse import game_from_dict, game_from_json
from mellanrum.engines.fairshare.scrb import scrb
from mellanrum.engines.fairshare.shapley import shapley_values
from mellanrum.engines.fairshare.shapley_sample import shapley_sample
from mellanrum.engines.fairshare.simple import equal_split, fixed_variable, proportional

__all__ = [
    "MAX_TABLE_PLAYERS",
    "MEMORY_LIMIT_ENV",
    "METHODS",
    "AirportModel",
    "Allocation",
    "BlockingCoalition",
    "CoreCheck",
    "CostModel",
    "FunctionModel",
    "Game",
    "GameError",
    "airport_nucleolus_per_unit",
    "airport_shapley_per_unit",
    "check_core",
    "equal_split",
    "fixed_variable",
    "game_from_dict",
    "game_from_function",
    "game_from_json",
    "game_from_model",
    "game_from_values",
    "memory_limit",
    "require_table_memory",
    "table_bytes",
    "least_core",
    "nucleolus",
    "proportional",
    "scrb",
    "shapley_sample",
    "shapley_values",
    "solve",
]

#: Method names accepted by :func:`solve`; ``proportional:`` takes an attribute name
#: (or ``standalone``) after the colon; ``fixed-variable:`` the fixed share in percent,
#: optionally followed by ``:ATTRIBUTE`` (population by default).
METHODS = (
    "shapley",
    "shapley-sample",
    "nucleolus",
    "least-core",
    "scrb",
    "equal",
    "proportional:",
    "fixed-variable:",
)


def solve(game: Game, method: str, **options: Any) -> Allocation:
    """Share a game's cost or value by the named method.

    Parameters
    ----------
    game : Game
        The game.
    method : str
        ``"shapley"``, ``"shapley-sample"``, ``"nucleolus"``, ``"least-core"``,
        ``"scrb"``, ``"equal"``, ``"proportional:ATTRIBUTE"`` (``ATTRIBUTE`` a player
        attribute or ``standalone``) or ``"fixed-variable:PERCENT[:ATTRIBUTE]"`` (the
        Swedish "fast del + rörlig del" key: ``PERCENT`` split equally, the rest by
        population or ``ATTRIBUTE``).
    **options
        Passed to the method: ``samples``, ``seed``, ``confidence`` for
        ``shapley-sample``; ``domain``, ``tol`` for ``nucleolus`` and ``least-core``.

    Returns
    -------
    Allocation

    Raises
    ------
    GameError
        For an unknown method, bad options or a game the method cannot handle.

    Examples
    --------
    >>> g = game_from_values("value", ["A", "B"], {"A": 0, "B": 2, "A,B": 6})
    >>> solve(g, "nucleolus").as_dict()
    {'A': 2.0, 'B': 4.0}
    """
    name, _, arg = method.partition(":")
    if name == "proportional":
        if not arg:
            raise GameError('method "proportional" needs an attribute: proportional:population')
        return proportional(game, arg, **options)
    if name == "fixed-variable":
        percent, _, attribute = arg.partition(":")
        try:
            fixed = float(percent.replace(",", "."))
        except ValueError:
            raise GameError(
                'method "fixed-variable" needs the fixed share in percent: fixed-variable:30'
            ) from None
        return fixed_variable(game, fixed, attribute or "population")
    if arg:
        raise GameError(f'unknown method "{method}"')
    solvers: dict[str, Callable[..., Allocation]] = {
        "shapley": shapley_values,
        "shapley-sample": shapley_sample,
        "nucleolus": nucleolus,
        "least-core": least_core,
        "scrb": scrb,
        "equal": equal_split,
    }
    if name not in solvers:
        args = {"proportional:": "ATTRIBUTE", "fixed-variable:": "PERCENT"}
        choices = ", ".join(m + args.get(m, "") for m in METHODS)
        raise GameError(f'unknown method "{method}" (choose from {choices})')
    try:
        return solvers[name](game, **options)
    except TypeError as exc:
        raise GameError(f'method "{method}": {exc}') from None
