"""Completion of missing coalition values from the best partition into known coalitions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from mellanrum.engines.fairshare.bitmask import popcounts
from mellanrum.engines.fairshare.errors import GameError

__all__ = ["complete_values"]

FloatArray = npt.NDArray[np.float64]
GameKind = Literal["cost", "value"]
Completion = Literal["subadditive", "superadditive", "none"]


def complete_values(
    n: int,
    known: Mapping[int, float],
    completion: Completion,
    kind: GameKind,
    players: Sequence[str] | None = None,
) -> FloatArray:
    """Fill in missing coalition values from the best partition into known coalitions.

    Parameters
    ----------
    n : int
        Number of players.
    known : mapping of int to float
        Given values by coalition bitmask; must include the grand coalition.
    completion : {"subadditive", "superadditive", "none"}
        ``"subadditive"``: a missing ``c(S)`` is the cheapest partition of ``S`` into
        coalitions whose value is known; ``"superadditive"``: a missing ``v(S)`` is the best
        partition; ``"none"``: every coalition must be known.
    kind : {"cost", "value"}
        Used only in error messages.
    players : sequence of str, optional
        Player ids, used only in error messages (default: player numbers).

    Returns
    -------
    numpy.ndarray
        ``2**n`` values in bitmask order.

    Raises
    ------
    GameError
        When a coalition is missing and cannot be built from known coalitions.

    Notes
    -----
    Dynamic programming over subsets, layer by coalition size: a missing ``S`` takes the
    best ``value(T) + value(S - T)`` over known coalitions ``T`` inside ``S``, where
    ``S - T`` is smaller and already completed. With ``K`` known coalitions this costs
    ``O(K * 2**n)`` vectorised operations. Subadditive completion is the natural reading of
    a cost table: a group can always do at least as well as its cheapest split into groups
    whose cost is known (Young 1985, ch. 1).

    Examples
    --------
    >>> complete_values(3, {1: 5.0, 2: 6.0, 4: 7.0, 3: 9.0, 7: 15.0}, "subadditive", "cost")
    array([ 0.,  5.,  6.,  9.,  7., 12., 13., 15.])
    """
    size = 1 << n
    full = size - 1
    if full not in known:
        raise GameError("values: the grand coalition (all players together) is missing")
    if completion == "none":
        if len(known) < size - 1:
            missing = next(m for m in range(1, size) if m not in known)
            raise GameError(
                f"values: coalition {_mask_label(missing, players)} is missing and completion is"
                ' "none" (give every coalition or use "subadditive"/"superadditive")'
            )
        out = np.zeros(size, dtype=np.float64)
        for mask, value in known.items():
            out[mask] = value
        return out
    minimise = completion == "subadditive"
    bad = np.inf if minimise else -np.inf
    out = np.full(size, bad, dtype=np.float64)
    out[0] = 0.0
    known_masks = np.array(sorted(known), dtype=np.int64)
    known_vals = np.array([known[m] for m in known_masks.tolist()], dtype=np.float64)
    for mask, value in zip(known_masks.tolist(), known_vals.tolist(), strict=True):
        out[mask] = value
    is_known = np.zeros(size, dtype=bool)
    is_known[known_masks] = True
    known_sizes = popcounts(n)[known_masks]
    pcs = popcounts(n)
    # Layer by coalition size: S \ T is smaller than S, so it is final when S is reached.
    all_masks = np.arange(size, dtype=np.int64)
    for k in range(2, n + 1):
        layer = all_masks[(pcs == k) & ~is_known]
        if layer.size == 0:
            continue
        best = np.full(layer.size, bad)
        for t, vt in zip(
            known_masks[known_sizes < k].tolist(),
            known_vals[known_sizes < k].tolist(),
            strict=True,
        ):
            inside = (layer & t) == t
            if not inside.any():
                continue
            cand = vt + out[layer[inside] ^ t]
            sub = best[inside]
            best[inside] = np.minimum(sub, cand) if minimise else np.maximum(sub, cand)
        out[layer] = best
    if not np.all(np.isfinite(out)):
        missing = int(np.flatnonzero(~np.isfinite(out))[0])
        raise GameError(
            f"values: coalition {_mask_label(missing, players)} is missing and cannot be built from"
            f" given coalitions (give its {'cost' if kind == 'cost' else 'value'} or the"
            " values of its members)"
        )
    return out


def _mask_label(mask: int, players: Sequence[str] | None = None) -> str:
    ids = [players[i] if players else str(i) for i in range(mask.bit_length()) if mask >> i & 1]
    return '"' + ",".join(ids) + '"'
