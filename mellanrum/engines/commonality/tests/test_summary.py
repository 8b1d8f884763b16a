"""Concept summaries: confidences computed per distinct name agree with the direct cosine."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from mellanrum.engines.commonality.activity import Activity
from mellanrum.engines.commonality.summary import build_concepts


def _direct_confidence(dense: np.ndarray, rows: list[int], clusters: list[int]) -> list[float]:
    """Cosine of each activity's row to its cluster's centroid, one activity at a time."""
    result = []
    for row, cluster in zip(rows, clusters, strict=True):
        members = [r for r, c in zip(rows, clusters, strict=True) if c == cluster]
        centroid = dense[members].sum(axis=0)
        centroid = centroid / np.linalg.norm(centroid)
        result.append(round(min(1.0, float(dense[row] @ centroid)), 4))
    return result


def test_confidence_is_each_members_cosine_to_its_concept_centroid() -> None:
    rng = np.random.default_rng(7)
    dense = rng.random((6, 9)) * (rng.random((6, 9)) < 0.5)
    dense[:, 0] += 0.1  # no empty row
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    # Names repeat within a concept and the same name (row 2) sits in two concepts.
    rows = [0, 0, 1, 2, 2, 3, 2, 4, 5, 5]
    clusters = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    items = [Activity(f"a{i}", f"org{i}", f"namn {rows[i]}") for i in range(len(rows))]
    columns = [f"w:{c}" for c in range(dense.shape[1])]
    labels = [{col: col[2:] for col in columns} for _ in range(dense.shape[0])]

    concepts = build_concepts(
        items, np.array(rows), clusters, sp.csr_matrix(dense), columns, labels, {}, {}
    )

    expected = dict(
        zip((a.id for a in items), _direct_confidence(dense, rows, clusters), strict=True)
    )
    got = {m.activity_id: m.confidence for c in concepts for m in c.members}
    assert got == expected
    assert got["a3"] != got["a4"]  # one name in two concepts: two confidences
    assert got["a4"] == got["a6"]  # one name twice in one concept: one confidence
