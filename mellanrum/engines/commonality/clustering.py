"""Greedy average-linkage merging over a sparse graph, with constraints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mellanrum.engines.commonality.cannot_link import conflict

__all__ = ["Node", "constrained_merge"]


@dataclass(frozen=True)
class Node:
    """Activities that share a text and constraints, clustered as one unit.

    Attributes
    ----------
    row : int
        Row of the node's text in the vector matrix.
    size : int
        Number of activities.
    organisations : frozenset of str
        Their organisations.
    pin : str or None
        Pinned concept id.
    excluded : frozenset of str
        Concept ids the activities must stay out of.
    """

    row: int
    size: int
    organisations: frozenset[str]
    pin: str | None
    excluded: frozenset[str]


class _Cluster:
    __slots__ = ("centroid", "excluded", "names", "norm2", "organisations", "pin")

    def __init__(self, node: Node, vector: dict[int, float]) -> None:
        self.centroid = {col: value * node.size for col, value in vector.items()}
        self.norm2 = sum(v * v for v in self.centroid.values())
        self.organisations = set(node.organisations)
        self.pin = node.pin
        self.excluded = set(node.excluded)
        self.names = 1  # nodes absorbed, this one included

    def cosine(self, other: _Cluster) -> float:
        small, large = sorted((self.centroid, other.centroid), key=len)
        dot = sum(value * large.get(col, 0.0) for col, value in small.items())
        denominator = (self.norm2 * other.norm2) ** 0.5
        return dot / denominator if denominator else 0.0

    def absorb(self, other: _Cluster) -> None:
        for col, value in other.centroid.items():
            self.centroid[col] = self.centroid.get(col, 0.0) + value
        self.norm2 = sum(v * v for v in self.centroid.values())
        self.organisations |= other.organisations
        self.pin = self.pin or other.pin
        self.excluded |= other.excluded
        self.names += other.names


def constrained_merge(
    nodes: Sequence[Node],
    vectors: sp.csr_matrix,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    merge_threshold: float,
    allow_same_organisation: bool = False,
    lone_merge_threshold: float | None = None,
) -> list[int]:
    """Cluster `nodes` by merging along `edges`, strongest first.

    Nodes with the same pin start in one cluster.  An edge ``(a, b, s)``
    merges the clusters of a and b when all hold:

    * they are not two different pinned concepts;
    * neither holds activities excluded from the other's pinned concept;
    * they share no organisation (unless `allow_same_organisation`);
    * they hold no must-not-link pair of names (see ``cannot_link``);
    * the cosine of their centroids (activity-weighted sums of the
      vectors) is at least `merge_threshold`, which stops chains of
      pairwise-similar names from drifting into one blob; when one of the
      two holds a single node, `lone_merge_threshold` instead (if given).

    Edges are visited by decreasing similarity, ties by node indices, so the
    result depends only on the nodes' order, which the caller fixes.  Edges
    between a pinned and an unpinned node are visited first: a confirmed
    concept takes in similar new activities before they can form groups of
    their own.

    Returns
    -------
    list of int
        Cluster number per node (the smallest node index in the cluster).

    Examples
    --------
    >>> v = sp.csr_matrix(np.eye(2))
    >>> nodes = [Node(0, 1, frozenset({"A"}), None, frozenset()),
    ...          Node(1, 1, frozenset({"A"}), None, frozenset())]
    >>> edges = (np.array([0]), np.array([1]), np.array([0.9]))
    >>> constrained_merge(nodes, v, edges, merge_threshold=0.0)
    [0, 1]
    """
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    clusters: dict[int, _Cluster] = {}
    pin_root: dict[str, int] = {}
    for i, node in enumerate(nodes):
        lo, hi = vectors.indptr[node.row], vectors.indptr[node.row + 1]
        vector = dict(
            zip(vectors.indices[lo:hi].tolist(), vectors.data[lo:hi].tolist(), strict=True)
        )
        cluster = _Cluster(node, vector)
        if node.pin is not None and node.pin in pin_root:
            root = pin_root[node.pin]
            clusters[root].absorb(cluster)
            parent[i] = root
        else:
            clusters[i] = cluster
            if node.pin is not None:
                pin_root[node.pin] = i

    a_arr, b_arr, s_arr = edges
    order = np.lexsort((b_arr, a_arr, -s_arr))
    ordered = list(zip(a_arr[order].tolist(), b_arr[order].tolist(), strict=True))
    touches_pin = [(nodes[a].pin is not None) != (nodes[b].pin is not None) for a, b in ordered]
    first_pass = [edge for edge, flag in zip(ordered, touches_pin, strict=True) if flag]
    for a, b in first_pass + ordered:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ca, cb = clusters[ra], clusters[rb]
        if ca.pin is not None and cb.pin is not None:
            continue
        if (ca.pin is not None and ca.pin in cb.excluded) or (
            cb.pin is not None and cb.pin in ca.excluded
        ):
            continue
        if not allow_same_organisation and not ca.organisations.isdisjoint(cb.organisations):
            continue
        if conflict(ca.excluded, cb.excluded):  # a must-not-link pair of names
            continue
        guard = merge_threshold
        if lone_merge_threshold is not None and min(ca.names, cb.names) == 1:
            guard = lone_merge_threshold
        if ca.cosine(cb) < guard:
            continue
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        clusters[keep].absorb(clusters.pop(drop))
        parent[drop] = keep
    return [find(i) for i in range(len(nodes))]
