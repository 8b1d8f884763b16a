"""Vectorised helpers over all ``2**n`` coalitions in bitmask order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["CHUNK_BITS", "chunked_popcounts", "chunked_subset_sums", "popcounts", "subset_sums"]

#: Coalitions per chunk (as a power of two) in the chunked helpers: 512 KB of float64.
CHUNK_BITS = 16

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


def chunked_subset_sums(
    weights: Sequence[float] | FloatArray, bits: int = CHUNK_BITS
) -> Iterator[tuple[int, FloatArray]]:
    """Yield ``(start, sums)``: :func:`subset_sums` in chunks of ``2**bits`` coalitions.

    The whole vector is never held, so a caller can combine it with a ``2**n`` table
    chunk by chunk in ``O(2**bits)`` extra memory.

    Examples
    --------
    >>> [(s, c.tolist()) for s, c in chunked_subset_sums([1.0, 10.0, 100.0], bits=2)]
    [(0, [0.0, 1.0, 10.0, 11.0]), (4, [100.0, 101.0, 110.0, 111.0])]
    """
    w = np.asarray(weights, dtype=np.float64)
    low_bits = min(len(w), bits)
    low = subset_sums(w[:low_bits])
    high = subset_sums(w[low_bits:])
    for h, extra in enumerate(high.tolist()):
        yield h << low_bits, low + extra


def chunked_popcounts(n: int, bits: int = CHUNK_BITS) -> Iterator[tuple[int, npt.NDArray[np.intp]]]:
    """Yield ``(start, sizes)``: :func:`popcounts` in chunks of ``2**bits`` coalitions.

    Examples
    --------
    >>> [(s, c.tolist()) for s, c in chunked_popcounts(3, bits=2)]
    [(0, [0, 1, 1, 2]), (4, [1, 2, 2, 3])]
    """
    low_bits = min(n, bits)
    low = popcounts(low_bits).astype(np.intp)
    for h in range(1 << (n - low_bits)):
        yield h << low_bits, low + h.bit_count()
