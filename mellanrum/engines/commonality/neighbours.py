"""Sparse k-nearest-neighbour search by chunked sparse products."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from mellanrum.engines.commonality.executor import Executor, SerialExecutor

__all__ = ["nearest_neighbours"]

Task = tuple[sp.csr_matrix, sp.csr_matrix, int, int, float]
Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]


def _chunk_neighbours(task: Task) -> Pairs:
    """Top-k neighbours (cosine ≥ threshold) of the rows of one chunk."""
    chunk, transposed, start, k, threshold = task
    product = sp.csr_matrix(chunk @ transposed)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    sims: list[np.ndarray] = []
    for local in range(product.shape[0]):
        lo, hi = product.indptr[local], product.indptr[local + 1]
        idx = product.indices[lo:hi]
        val = np.round(product.data[lo:hi], 12)
        me = start + local
        keep = (val >= threshold) & (idx != me)
        idx, val = idx[keep], val[keep]
        if idx.size > k:
            order = np.lexsort((idx, -val))[:k]
            idx, val = idx[order], val[order]
        rows.append(np.full(idx.size, me, dtype=np.int64))
        cols.append(idx.astype(np.int64))
        sims.append(val)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)


def nearest_neighbours(
    matrix: sp.csr_matrix,
    *,
    k: int,
    threshold: float,
    executor: Executor | None = None,
    chunk_rows: int = 2000,
) -> Pairs:
    """Return undirected pairs ``(i, j, cosine)`` with i < j from a kNN graph.

    Rows of `matrix` must be L2-normalised.  Each row keeps its `k` most
    similar other rows with cosine ≥ `threshold` (ties broken by row index);
    a pair is kept when either end keeps it.  Only the non-zero entries of
    each row block's product with the matrix are formed, never all pairs
    densely; row blocks are the tasks given to `executor`.

    Examples
    --------
    >>> m = sp.csr_matrix(np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]]))
    >>> i, j, s = nearest_neighbours(m, k=1, threshold=0.5)
    >>> list(zip(i.tolist(), j.tolist(), s.tolist()))
    [(0, 1, 0.8), (1, 2, 0.6)]
    """
    run = executor if executor is not None else SerialExecutor()
    transposed = sp.csr_matrix(matrix.T)
    n = matrix.shape[0]
    tasks: list[Task] = [
        (matrix[start : start + chunk_rows], transposed, start, k, threshold)
        for start in range(0, n, chunk_rows)
    ]
    results = run.map(_chunk_neighbours, tasks)
    if not results:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    rows = np.concatenate([r[0] for r in results])
    cols = np.concatenate([r[1] for r in results])
    sims = np.concatenate([r[2] for r in results])
    low, high = np.minimum(rows, cols), np.maximum(rows, cols)
    order = np.lexsort((high, low))
    low, high, sims = low[order], high[order], sims[order]
    first = np.ones(low.size, dtype=bool)
    first[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
    return low[first], high[first], sims[first]
