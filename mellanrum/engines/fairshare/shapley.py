"""Exact Shapley value, vectorised over coalition bitmasks."""

from __future__ import annotations

import math

import numpy as np

from mellanrum.engines.fairshare.airport import AirportModel, airport_shapley_per_unit
from mellanrum.engines.fairshare.allocation import Allocation, from_units, with_per_unit
from mellanrum.engines.fairshare.bitmask import chunked_popcounts
from mellanrum.engines.fairshare.game import FloatArray, Game, require_table_memory

__all__ = ["PEAK_TABLES", "shapley_values"]

#: Peak memory of the exact Shapley value, in tables of ``2**n`` floats: the coalition
#: values and one weighted copy folded in place (plus chunks of 2**16 popcounts).
PEAK_TABLES = 2.0


def _weights(n: int) -> FloatArray:
    """``w[s] = s! (n-1-s)! / n!`` for ``s = 0 .. n-1`` and ``w[n] = 0``."""
    w = np.zeros(n + 1, dtype=np.float64)
    for s in range(n):
        w[s] = math.exp(math.lgamma(s + 1) + math.lgamma(n - s) - math.lgamma(n + 1))
    return w


def shapley_values(game: Game) -> Allocation:
    """Return the exact Shapley value: in closed form for airport games, else from the table.

    Each player gets its marginal contribution ``v(S + i) - v(S)`` averaged over all
    orders in which the players could join the grand coalition.

    Parameters
    ----------
    game : Game
        A cost or value game; its table is built from the model if needed.

    Returns
    -------
    Allocation
        ``method="shapley"``; what each player pays (cost game) or receives (value game).
        With identical players (counts), each id's total, and ``details["per_unit"]``.

    Raises
    ------
    GameError
        When the table does not fit in memory (the message says how much it needs).

    Notes
    -----
    An airport game (:class:`AirportModel`, any number of players and counts) uses
    Littlechild and Owen's closed form (:func:`airport_shapley_per_unit`) [2]_. Any other
    game with counts is solved on its individual players. Otherwise:

    With ``w(s) = s! (n-1-s)! / n!`` and ``w(n) = 0``,
    ``phi_i = sum_{T contains i} (w(|T|-1) + w(|T|)) v(T) - sum_S w(|S|) v(S)``.
    The first sum is taken for every ``i`` at once by folding the weighted table in
    halves (bit ``n-1`` first), so the work is ``O(2**n)`` after one weighted pass and the
    memory two tables of ``2**n`` floats (256 MB each at 25 players, 2 GiB at 28): the
    fold is done in place and popcounts are made per chunk of ``2**16`` coalitions.
    The Shapley value is linear, so it applies unchanged to costs and to values.

    References
    ----------
    .. [1] L. S. Shapley, "A value for n-person games", in *Contributions to the Theory of
       Games II*, Annals of Mathematics Studies 28, Princeton University Press, 1953,
       pp. 307-317.
    .. [2] S. C. Littlechild and G. Owen, "A simple expression for the Shapley value in a
       special case", *Management Science* 20(3), 1973, pp. 370-372.

    Examples
    --------
    The glove game: player A holds a left glove, B and C right gloves; a pair is worth 1.

    >>> from mellanrum.engines.fairshare.game import game_from_values
    >>> g = game_from_values("value", ["A", "B", "C"],
    ...     {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,C": 1, "B,C": 0, "A,B,C": 1})
    >>> {p: round(x, 4) for p, x in shapley_values(g).as_dict().items()}
    {'A': 0.6667, 'B': 0.1667, 'C': 0.1667}
    """
    if isinstance(game.model, AirportModel):
        counts = game.unit_counts()
        per_unit = airport_shapley_per_unit(game.model.costs, counts)
        return with_per_unit(game, "shapley", per_unit * counts, {})
    if game.counts is not None:  # on the individual players, if their table fits
        require_table_memory(game.units, PEAK_TABLES, "shapley")
        return from_units(game, shapley_values(game.unit_game()))
    v = game.table("shapley", factor=PEAK_TABLES)
    n = game.n
    w = _weights(n)
    coef = w.copy()
    coef[1:] += w[:-1]  # w(|T|) + w(|T| - 1)
    size = 1 << n
    weighted = np.empty(size, dtype=np.float64)
    total_q = 0.0
    scratch = np.empty(min(size, 1 << 16), dtype=np.float64)
    for start, pc in chunked_popcounts(n):
        stop = start + len(pc)
        part = v[start:stop]
        np.multiply(part, coef[pc], out=weighted[start:stop])
        # Multiply and sum rather than np.dot: BLAS threads cost more than they save here.
        np.multiply(part, w[pc], out=scratch[: stop - start])
        total_q += float(scratch[: stop - start].sum())
    phi = np.empty(n, dtype=np.float64)
    length = size
    for k in range(n, 0, -1):
        half = length >> 1
        phi[k - 1] = float(weighted[half:length].sum()) - total_q
        np.add(weighted[:half], weighted[half:length], out=weighted[:half])
        length = half
    return Allocation("shapley", game.kind, game.players, phi)
