"""Separable costs, remaining benefits (SCRB)."""

from __future__ import annotations

import numpy as np

from mellanrum.engines.fairshare.allocation import Allocation, with_per_unit
from mellanrum.engines.fairshare.game import Game

__all__ = ["scrb"]


def scrb(game: Game) -> Allocation:
    """Return the SCRB allocation: each pays its separable cost plus a share of the rest.

    Parameters
    ----------
    game : Game
        A cost or value game of any size (only ``c(N)``, ``c(N - i)`` and ``c({i})`` are
        used, so model games with hundreds of players work). With identical players
        (counts), ``i`` is one player of an id, and ``separable`` and
        ``remaining_benefit`` are per player.

    Returns
    -------
    Allocation
        ``method="scrb"``; ``details`` holds ``"separable"`` and ``"remaining_benefit"``
        per player.

    Notes
    -----
    For a cost game, player ``i``'s separable cost is ``s_i = c(N) - c(N - i)``, what
    the others save when ``i`` is not served, and its remaining benefit
    ``r_i = c({i}) - s_i``, what ``i`` would still save by joining rather than going alone.
    The non-separable cost ``c(N) - sum s_j`` is shared in proportion to ``r_i``:
    ``x_i = s_i + r_i / sum r_j * (c(N) - sum s_j)``. If every ``r_i`` is zero the
    non-separable cost is shared equally. For a value game the same rule is applied to
    ``c = -v`` (each gets its marginal contribution ``v(N) - v(N - i)`` minus a share of
    the over-commitment in proportion to ``v(N) - v(N - i) - v({i})``). SCRB is the
    classical method of the Tennessee Valley Authority and water-resource planning [1]_ [2]_.
    It is efficient and, with two players, equals the Shapley value and the nucleolus;
    with three or more it need not lie in the core.

    References
    ----------
    .. [1] L. D. James and R. R. Lee, *Economics of Water Resources Planning*, McGraw-Hill,
       1971.
    .. [2] H. P. Young, "Producer incentives in cost allocation", *Econometrica* 53(4),
       1985, pp. 757-765; and H. P. Young (ed.), *Cost Allocation: Methods, Principles,
       Applications*, North-Holland, 1985.

    Examples
    --------
    >>> from mellanrum.engines.fairshare.game import game_from_values
    >>> g = game_from_values("cost", ["A", "B"], {"A": 4, "B": 6, "A,B": 8})
    >>> scrb(g).as_dict()
    {'A': 3.0, 'B': 5.0}
    """
    n = game.n
    c = -game.sign  # work on costs: c(S) = -w(S)
    k = game.unit_counts()
    if game.units == 1:
        return Allocation("scrb", game.kind, game.players, np.array([game.grand]))
    members = k[None, :] - np.eye(n, dtype=np.int64)  # everyone but one player of id i
    without = c * game.values_of_members(members)
    grand = c * game.grand
    alone = c * game.unit_standalone()
    separable = grand - without
    remaining = alone - separable
    nonseparable = grand - float(np.dot(k, separable))
    total_r = float(np.dot(k, remaining))
    if abs(total_r) > 1e-12 * max(1.0, float(np.abs(remaining).max())):
        share = remaining / total_r
    else:
        share = np.full(n, 1.0 / game.units)
    x = separable + share * nonseparable
    details = {
        "separable": dict(zip(game.players, (c * separable).tolist(), strict=True)),
        "remaining_benefit": dict(zip(game.players, remaining.tolist(), strict=True)),
    }
    return with_per_unit(game, "scrb", c * x * k, details)
