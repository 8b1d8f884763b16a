"""Simple keys: equal split and shares proportional to an attribute or to stand-alone cost."""

from __future__ import annotations

import numpy as np

from mellanrum.engines.fairshare.allocation import Allocation, with_per_unit
from mellanrum.engines.fairshare.game import Game, GameError

__all__ = ["equal_split", "proportional"]

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
    >>> from mellanrum.engines.fairshare.game import game_from_dict
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
