"""Vectorised helpers over all ``2**n`` coalitions in bitmask order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["popcounts", "subset_sums"]

FloatArray = npt.NDArray[np.float64]


def popcounts(n: int) -> npt.NDArray[np.uint8]:
    """Return the number of players in every coalition ``0 .. 2**n - 1``.

    Parameters
    ----------
    n : int
        Number of players.

    Returns
    -------
    numpy.ndarray
        ``uint8`` vector of length ``2**n``; entry ``mask`` is the size of coalition ``mask``.

    Examples
    --------
    >>> popcounts(3).tolist()
    [0, 1, 1, 2, 1, 2, 2, 3]
    """
    counts = np.zeros(1 << n, dtype=np.uint8)
    for i in range(n):
        half = 1 << i
        np.add(counts[:half], 1, out=counts[half : 2 * half])
    return counts


def subset_sums(weights: Sequence[float] | FloatArray) -> FloatArray:
    """Return ``sum(weights[i] for i in S)`` for every coalition ``S`` (bitmask order).

    Parameters
    ----------
    weights : sequence of float
        One number per player.

    Returns
    -------
    numpy.ndarray
        ``float64`` vector of length ``2**n``.

    Examples
    --------
    >>> subset_sums([1.0, 10.0]).tolist()
    [0.0, 1.0, 10.0, 11.0]
    """
    w = np.asarray(weights, dtype=np.float64)
    sums = np.zeros(1 << len(w), dtype=np.float64)
    for i, wi in enumerate(w):
        half = 1 << i
        np.add(sums[:half], wi, out=sums[half : 2 * half])
    return sums
