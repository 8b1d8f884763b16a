"""TF-IDF sparse vectors from analyser features."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["feature_rows", "tfidf_matrix", "weigh_rows"]


def tfidf_matrix(
    features: Sequence[Mapping[str, float]],
    counts: Sequence[int],
    *,
    max_df: float | None = None,
) -> tuple[sp.csr_matrix, list[str]]:
    """Return L2-normalised TF-IDF rows for distinct texts and the column names.

    Document frequencies count every activity, so a name used by 200
    organisations weighs as 200 documents.  ``idf = ln((1 + N) / (1 + df)) + 1``
    (smoothed, as scikit-learn's default).  Columns are sorted by feature key
    so the matrix does not depend on input order.

    Parameters
    ----------
    features : sequence of mapping of str to float
        Weighted features per distinct text.
    counts : sequence of int
        Number of activities carrying each text.
    max_df : float, optional
        Drop features found in more than this many activities (they carry
        almost no information and make the neighbour search dense).

    Returns
    -------
    matrix : scipy.sparse.csr_matrix of float64, shape (len(features), n_columns)
    columns : list of str

    Examples
    --------
    >>> m, cols = tfidf_matrix([{"w:a": 1.0}, {"w:a": 1.0, "w:b": 1.0}], [1, 1])
    >>> cols
    ['w:a', 'w:b']
    >>> [round(float(x), 3) for x in m.toarray()[1]]
    [0.58, 0.815]
    """
    columns = sorted({key for row in features for key in row})
    index = {key: i for i, key in enumerate(columns)}
    matrix = feature_rows(features, index)
    weights = np.asarray(counts, dtype=np.float64)
    df = np.asarray((matrix > 0).T @ weights).ravel()
    total = weights.sum()
    idf = np.log((1.0 + total) / (1.0 + df)) + 1.0
    if max_df is not None:
        idf[df > max_df] = 0.0
    return weigh_rows(matrix, idf), columns


def feature_rows(
    features: Sequence[Mapping[str, float]], index: Mapping[str, int]
) -> sp.csr_matrix:
    """Raw feature weights as CSR rows; `index` gives each feature's column.

    Every feature of `features` must be in `index`; the matrix has
    ``len(index)`` columns, so row blocks built with one index stack.
    """
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in features:
        keys = sorted(row, key=index.__getitem__)
        indices.extend(index[k] for k in keys)
        data.extend(row[k] for k in keys)
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
        shape=(len(features), len(index)),
    )


def weigh_rows(matrix: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Multiply columns by `idf` and L2-normalise each row (row by row, so blocks agree)."""
    matrix = matrix @ sp.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
    matrix.eliminate_zeros()
    return matrix
