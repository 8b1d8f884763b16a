"""Simple keys: equal split and shares proportional to an attribute or to stand-alone cost."""

from __future__ import annotations

import numpy as np

from mellanrum.engines.fairshare.allocation import Allocation, with_per_unit
from mellanrum.engines.fairshare.game import Game, GameError

__all__ = ["equal_split", "fixed_variable", "proportional"]

STANDALONE = "standalone"


def equal_split(game: Game) -> Allocation:
    """Share the grand coalition's cost (or value) equally.

    Parameters
    ----------
    game : Game
        Any game; only ``v(N)`` is used. With identical players (counts) every player gets
        the same, so an id gets ``count`` shares.

    Returns
    -------
    Allocation
        ``method="equal"``.

    Notes
    -----
    The simplest key. It ignores how much each partner uses or would pay alone, so it is
    often outside the core when partners differ in size.

    References
    ----------
    .. [1] H. P. Young, *Equity: In Theory and Practice*, Princeton University Press, 1994.

    Examples
    --------
    >>> from mellanrum.engines.fairshare.game import game_from_values
    >>> g = game_from_values("cost", ["A", "B"], {"A": 4, "B": 6, "A,B": 8})
    >>> equal_split(g).as_dict()
    {'A': 4.0, 'B': 4.0}
    """
    per_unit = game.grand / game.units
    return with_per_unit(game, "equal", per_unit * game.unit_counts().astype(np.float64), {})


def proportional(game: Game, attribute: str) -> Allocation:
    """Share the grand coalition's cost (or value) in proportion to a player attribute.

    Parameters
    ----------
    game : Game
        Any game.
    attribute : str
        A numeric attribute every player has (``"population"``, ``"demand"``, ...), or
        ``"standalone"`` for each player's stand-alone cost (value) ``v({i})``. With
        identical players (counts) an attribute is that of one player, so an id weighs
        ``count * attribute``.

    Returns
    -------
    Allocation
        ``method="proportional:<attribute>"``; ``details["weights"]`` per player.

    Raises
    ------
    GameError
        When a player lacks the attribute, a weight is negative or all weights are zero.

    Notes
    -----
    ``x_i = v(N) * a_i / sum_j a_j``. Proportional keys (per inhabitant, per case) are the
    usual practice in Swedish inter-municipal agreements; proportional to stand-alone
    cost is the "alternative cost" key of the cost-allocation literature [1]_.

    References
    ----------
    .. [1] H. P. Young, "Cost allocation", in R. J. Aumann and S. Hart (eds.), *Handbook of
       Game Theory with Economic Applications* vol. 2, Elsevier, 1994, pp. 1193-1235.

    Examples
    --------
    >>> from mellanrum.engines.fairshare.parse import game_from_dict
    >>> g = game_from_dict({"kind": "cost",
    ...     "players": [{"id": "A", "population": 3}, {"id": "B", "population": 1}],
    ...     "values": {"A": 4, "B": 6, "A,B": 8}})
    >>> proportional(g, "population").as_dict(), proportional(g, "standalone").as_dict()
    ({'A': 6.0, 'B': 2.0}, {'A': 3.2, 'B': 4.8})
    """
    method = f"proportional:{attribute}"
    try:
        weights = game.standalone() if attribute == STANDALONE else game.attribute(attribute)
        if attribute != STANDALONE:
            weights = weights * game.unit_counts()
    except GameError as exc:
        raise GameError(f"{method}: {exc}") from None
    if not np.all(np.isfinite(weights)):
        raise GameError(f"{method}: weights must be finite numbers")
    if np.any(weights < 0):
        who = game.players[int(np.flatnonzero(weights < 0)[0])]
        raise GameError(f'{method}: the weight of "{who}" is negative')
    total = float(weights.sum())
    if total <= 0.0:
        raise GameError(f"{method}: the weights add up to zero")
    amounts = game.grand * weights / total
    return with_per_unit(
        game, method, amounts, {"weights": dict(zip(game.players, weights.tolist(), strict=True))}
    )


def fixed_variable(game: Game, fixed_percent: float, attribute: str = "population") -> Allocation:
    """The Swedish key "fast del + rörlig del per invånare": a fixed part shared equally, the
    rest in proportion to an attribute (population by default).

    Parameters
    ----------
    game : Game
        Any game; only ``v(N)`` and the attribute are used.
    fixed_percent : float
        The share of ``v(N)`` split equally, in percent (0-100). 0 gives
        ``proportional:<attribute>``, 100 gives ``equal``.
    attribute : str
        A numeric attribute every player has (``"population"`` by default).

    Returns
    -------
    Allocation
        ``method="fixed-variable:<percent>"`` (with ``:<attribute>`` when not population);
        ``details`` gives ``fixed`` and ``variable`` per player and ``fixed_percent``.

    Raises
    ------
    GameError
        When the percent is outside 0-100 or not finite, or the attribute is missing,
        negative or adds up to zero.

    Notes
    -----
    ``x_i = f v(N) k_i / K + (1 - f) v(N) k_i a_i / sum_j k_j a_j`` with ``f`` the fixed
    share, ``k_i`` the count of identical players (1 unless counts are given) and ``K`` the
    number of players. Most Swedish inter-municipal agreements (e.g. shared
    överförmyndare, räddningstjänst, IT) use such a key, often with 10-40 % fixed.

    References
    ----------
    .. [1] SKR, *Avtalssamverkan mellan kommuner*, Sveriges Kommuner och Regioner, 2020.

    Examples
    --------
    >>> from mellanrum.engines.fairshare.parse import game_from_dict
    >>> g = game_from_dict({"kind": "cost",
    ...     "players": [{"id": "A", "population": 3}, {"id": "B", "population": 1}],
    ...     "values": {"A": 4, "B": 6, "A,B": 8}})
    >>> fixed_variable(g, 50).as_dict()
    {'A': 5.0, 'B': 3.0}
    """
    suffix = "" if attribute == "population" else f":{attribute}"
    method = f"fixed-variable:{fixed_percent:g}{suffix}"
    if not np.isfinite(fixed_percent) or not 0.0 <= fixed_percent <= 100.0:
        raise GameError(f"{method}: the fixed share must be between 0 and 100 percent")
    fixed_total = game.grand * fixed_percent / 100.0
    counts = game.unit_counts().astype(np.float64)
    fixed = fixed_total * counts / game.units
    try:
        weights = game.attribute(attribute) * counts
    except GameError as exc:
        raise GameError(f"{method}: {exc}") from None
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise GameError(f"{method}: every {attribute} must be a number of at least 0")
    total = float(weights.sum())
    if total <= 0.0:
        raise GameError(f"{method}: the weights add up to zero")
    variable = (game.grand - fixed_total) * weights / total
    return with_per_unit(
        game,
        method,
        fixed + variable,
        {
            "fixed_percent": float(fixed_percent),
            "fixed": dict(zip(game.players, fixed.tolist(), strict=True)),
            "variable": dict(zip(game.players, variable.tolist(), strict=True)),
        },
    )
