"""The whole grouping on a Dask cluster, partitioned, with the single-process result.

Design (every stage is a set of Dask futures; the client only holds counts,
boundaries and small samples):

1. **Read** - each input partition (a list of activities, or a function that
   makes one) is read on a worker: names are normalised into text keys, a
   sample of keys goes to the client, activity ids are hashed into buckets
   (duplicate ids are found per bucket).
2. **Texts** - keys are range-partitioned by sampled boundaries, so text
   partition *j* holds a contiguous range of the globally sorted distinct
   texts; rows are numbered by offsets (as ``sorted(set(keys))`` does in one
   process).  Every distinct text is analysed once (the cache is the
   de-duplication).  Feature statistics are reduced on one worker into the
   vocabulary (columns, idf), the only structure every worker holds; it
   grows with the number of distinct terms, not with the activities.
3. **Vectors and nodes** - each text partition builds its TF-IDF row block
   and its clustering nodes (activities sharing text, pin and exclusions).
4. **Neighbours** - block x block sparse products keep each row's top k per
   column block; a merge per row block keeps the top k of the union (the
   same total order, so the same neighbours).
5. **Grouping** - the merge only ever joins nodes along edges, so it is done
   per connected component: each edge partition is reduced to a spanning
   forest (union-find), forests are merged pairwise in a tree, and the
   components are dealt to groups; each group runs the constrained greedy
   merge over its components in the global edge order.  Further rounds
   compute cluster means per group, search neighbours between all clusters
   (step 4 again), find components and merge again.
6. **Summaries** - each input partition is read again and its activities are
   sent to the summary task of their concept (a group far above its share of
   the activities gets several tasks); each group's rows are split the same
   way, so a task gets only its own concepts' rows, and builds their concepts
   (figures, evidence, labels).

Node, row and cluster numbers are the single-process ones, and every
comparison that breaks ties compares them, so the concepts are identical to
:func:`~mellanrum.engines.commonality.group_activities`.  One connected
component of the neighbour graph must fit in one worker.
"""

from __future__ import annotations

import bisect
import itertools
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from mellanrum.engines.commonality import cannot_link
from mellanrum.engines.commonality.activity import Activity
from mellanrum.engines.commonality.clustering import Node, constrained_merge
from mellanrum.engines.commonality.concept import Concept
from mellanrum.engines.commonality.decisions import Decision, PinnedState, resolve_decisions
from mellanrum.engines.commonality.executor import ClusterError, translate_cluster_failure
from mellanrum.engines.commonality.grouping import TextKey, analyse_text, text_of
from mellanrum.engines.commonality.settings import GroupingSettings
from mellanrum.engines.commonality.summary import build_concepts
from mellanrum.engines.commonality.vectors import feature_rows, weigh_rows
from mellanrum.engines.textmatch.analyser import Analyser
from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["ClusterError", "ClusterRun", "group_on_cluster", "group_partitions_on_cluster"]

Source = Callable[[], list[Activity]]
Record = tuple[TextKey, str, str, int]  # (text, organisation, activity id, input partition)
Edges = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # low, high, sim, from_low
MANY = "\x00many"
SAMPLE = 64


class _Everyone:
    """A collection that holds every id (decisions are resolved once, on the client)."""

    def __contains__(self, item: object) -> bool:
        return True

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


# --- 1. Read ---------------------------------------------------------------------------------


@dataclass
class _Read:
    count: int
    sample: list[TextKey]
    records: list[Record]
    id_buckets: list[list[str]]
    error: str | None


def _materialise(source: Any) -> list[Activity]:
    return list(source()) if callable(source) else list(source)


def _read(source: Any, number: int, language: str, buckets: int) -> _Read:
    activities = _materialise(source)
    records: list[Record] = []
    id_buckets: list[list[str]] = [[] for _ in range(buckets)]
    error = None
    for activity in activities:
        if error is None and not normalise(activity.name):
            error = f"activity {activity.id!r} has an empty name"
        key = text_of(activity, language)
        records.append((key, activity.organisation, activity.id, number))
        id_buckets[zlib.crc32(activity.id.encode()) % buckets].append(activity.id)
    keys = sorted({r[0] for r in records})
    step = max(1, len(keys) // SAMPLE)
    return _Read(len(records), keys[::step], records, id_buckets, error)


def _count(read: _Read) -> tuple[int, list[TextKey], str | None]:
    return read.count, read.sample, read.error


def _duplicate(*parts: _Read, bucket: int) -> str | None:
    seen: set[str] = set()
    for part in parts:
        for activity_id in part.id_buckets[bucket]:
            if activity_id in seen:
                return f"duplicate activity id {activity_id!r}"
            seen.add(activity_id)
    return None


def _split_records(read: _Read, boundaries: list[TextKey]) -> list[list[Record]]:
    pieces: list[list[Record]] = [[] for _ in range(len(boundaries) + 1)]
    for record in read.records:
        pieces[bisect.bisect_right(boundaries, record[0])].append(record)
    return pieces


def _piece(pieces: Sequence[Any], index: int) -> Any:
    return pieces[index]


# --- 2. Texts --------------------------------------------------------------------------------


@dataclass
class _Texts:
    keys: list[TextKey]
    counts: list[int]
    features: list[dict[str, float]]
    labels: list[dict[str, str]]
    records: list[Record]
    stats: dict[str, tuple[float, int, str]]  # feature -> (activities, names, owner)
    nodes: int


def _texts(
    *pieces: list[Record],
    synonyms: list[tuple[str, ...]],
    cfg: GroupingSettings,
    pins: dict[str, str],
    excluded: dict[str, set[str]],
    marks: cannot_link.Marks | None = None,
) -> _Texts:
    records = [r for piece in pieces for r in piece]
    counts: Counter[TextKey] = Counter()
    owners: dict[TextKey, str] = {}
    for key, organisation, _, _ in records:
        counts[key] += 1
        owner = owners.get(key)
        if owner is None:
            owners[key] = organisation
        elif owner != organisation:
            owners[key] = MANY
    keys = sorted(counts)
    analysers: dict[str, Analyser] = {}
    features: list[dict[str, float]] = []
    labels: list[dict[str, str]] = []
    stats: dict[str, tuple[float, int, str]] = {}
    for key in keys:
        if key[0] not in analysers:
            analysers[key[0]] = Analyser(
                key[0],
                extra_synonyms=synonyms,
                weights=cfg.weights,
                verbal_nouns=True,
                compound_variants=True,
                service_titles=cfg.service_titles,
                service_neighbours=cfg.service_neighbours,
            )
        row_features, row_labels = analyse_text(analysers[key[0]], key, cfg.description_weight)
        features.append(row_features)
        labels.append(row_labels)
        owner = owners[key]
        for feature, value in row_features.items():
            df, names, seen = stats.get(feature, (0.0, 0, owner))
            stats[feature] = (
                df + (counts[key] if value > 0 else 0),
                names + 1,
                seen if seen == owner else MANY,
            )
    nodes: set[tuple[TextKey, str, tuple[str, ...], int]] = set()
    occurrences: Counter[tuple[TextKey, str, tuple[str, ...], str]] = Counter()
    for key, organisation, activity_id, _ in records:
        pin = pins.get(activity_id, "")
        out = cannot_link.exclusions(excluded, activity_id, key[1], marks or {})
        occurrence = occurrences[(key, pin, out, organisation)]
        occurrences[(key, pin, out, organisation)] += 1
        nodes.add((key, pin, out, occurrence))
    return _Texts(keys, [counts[k] for k in keys], features, labels, records, stats, len(nodes))


def _text_size(texts: _Texts) -> int:
    return len(texts.keys)


def _stats(texts: _Texts) -> dict[str, tuple[float, int, str]]:
    return texts.stats


@dataclass
class _Vocabulary:
    index: dict[str, int]
    idf: np.ndarray


def _vocabulary(
    *stats: dict[str, tuple[float, int, str]], activities: int, cfg: GroupingSettings
) -> _Vocabulary:
    merged: dict[str, tuple[float, int, str]] = {}
    for part in stats:
        for feature, (df, names, owner) in part.items():
            if feature in merged:
                m_df, m_names, m_owner = merged[feature]
                merged[feature] = (
                    m_df + df,
                    m_names + names,
                    m_owner if m_owner == owner else MANY,
                )
            else:
                merged[feature] = (df, names, owner)
    if cfg.local_feature_min_names > 0:
        for feature in [
            f
            for f, (_, names, owner) in merged.items()
            if owner != MANY and names >= cfg.local_feature_min_names
        ]:
            del merged[feature]
    columns = sorted(merged)
    df_arr = np.array([merged[c][0] for c in columns], dtype=np.float64)
    idf = np.log((1.0 + float(activities)) / (1.0 + df_arr)) + 1.0
    max_df = max(cfg.max_feature_share * activities, cfg.max_feature_floor)
    idf[df_arr > max_df] = 0.0
    return _Vocabulary({c: i for i, c in enumerate(columns)}, idf)


# --- 3. Vectors and nodes --------------------------------------------------------------------


@dataclass
class _NodeSet:
    """Clustering units with their text rows: the payload that moves between groups.

    ``vector_rows`` (sorted global text rows) align with the rows of
    ``vectors`` and with ``labels`` (readable label per column number).
    """

    ids: np.ndarray  # global node numbers, sorted
    rows: np.ndarray  # global text row of each node
    sizes: np.ndarray
    organisations: list[frozenset[str]]
    pins: list[str | None]
    excluded: list[frozenset[str]]
    vector_rows: np.ndarray
    vectors: sp.csr_matrix
    labels: list[dict[str, str]]

    def take(self, mask: np.ndarray) -> _NodeSet:
        picked = np.flatnonzero(mask)
        rows = self.rows[picked]
        wanted = np.flatnonzero(np.isin(self.vector_rows, rows))
        return _NodeSet(
            self.ids[picked],
            rows,
            self.sizes[picked],
            [self.organisations[i] for i in picked.tolist()],
            [self.pins[i] for i in picked.tolist()],
            [self.excluded[i] for i in picked.tolist()],
            self.vector_rows[wanted],
            self.vectors[wanted],
            [self.labels[i] for i in wanted.tolist()],
        )

    @staticmethod
    def join(parts: Sequence[_NodeSet]) -> _NodeSet:
        parts = [p for p in parts if p.ids.size]
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return _NodeSet(empty, empty, empty, [], [], [], empty, sp.csr_matrix((0, 0)), [])
        ids = np.concatenate([p.ids for p in parts])
        order = np.argsort(ids, kind="stable")
        organisations = [o for p in parts for o in p.organisations]
        pins = [x for p in parts for x in p.pins]
        excluded = [x for p in parts for x in p.excluded]
        vector_rows = np.concatenate([p.vector_rows for p in parts])
        unique_rows, first = np.unique(vector_rows, return_index=True)
        vectors = sp.vstack([p.vectors for p in parts], format="csr")[first]
        labels = [lab for p in parts for lab in p.labels]
        return _NodeSet(
            ids[order],
            np.concatenate([p.rows for p in parts])[order],
            np.concatenate([p.sizes for p in parts])[order],
            [organisations[i] for i in order.tolist()],
            [pins[i] for i in order.tolist()],
            [excluded[i] for i in order.tolist()],
            unique_rows,
            vectors,
            [labels[i] for i in first.tolist()],
        )

    def matrix_of(self, rows: Sequence[int]) -> sp.csr_matrix:
        """The vectors of `rows` (sorted global rows), stacked in that order."""
        return sp.csr_matrix(self.vectors[np.searchsorted(self.vector_rows, np.asarray(rows))])


@dataclass
class _Block:
    """One text partition: its rows' vectors, its nodes and where each activity is."""

    first_row: int
    matrix: sp.csr_matrix
    nodes: _NodeSet
    first_node_of_row: np.ndarray
    nodes_per_row: np.ndarray
    activities: list[list[tuple[str, int, int]]]  # per input partition: (id, node, row)


def _block(
    texts: _Texts,
    vocabulary: _Vocabulary,
    first_row: int,
    first_node: int,
    pins: dict[str, str],
    excluded: dict[str, set[str]],
    sources: int,
    marks: cannot_link.Marks | None = None,
) -> _Block:
    index = vocabulary.index
    features = [{f: v for f, v in row.items() if f in index} for row in texts.features]
    matrix = weigh_rows(feature_rows(features, index), vocabulary.idf)
    local_row = {key: i for i, key in enumerate(texts.keys)}
    members: dict[tuple[int, str, tuple[str, ...], int], list[tuple[str, str, int]]] = defaultdict(
        list
    )
    seen: Counter[tuple[int, str, tuple[str, ...], str]] = Counter()
    for key, organisation, activity_id, source in sorted(texts.records, key=lambda r: (r[1], r[2])):
        row = local_row[key]
        pin = pins.get(activity_id, "")
        out = cannot_link.exclusions(excluded, activity_id, key[1], marks or {})
        occurrence = seen[(row, pin, out, organisation)]
        seen[(row, pin, out, organisation)] += 1
        members[(row, pin, out, occurrence)].append((organisation, activity_id, source))
    node_keys = sorted(members)
    activities: list[list[tuple[str, int, int]]] = [[] for _ in range(sources)]
    for n, node_key in enumerate(node_keys):
        for _, activity_id, source in members[node_key]:
            activities[source].append((activity_id, first_node + n, first_row + node_key[0]))
    rows = np.array([k[0] for k in node_keys], dtype=np.int64)
    nodes_per_row = np.bincount(rows, minlength=len(texts.keys)).astype(np.int64)
    first_node_of_row = first_node + np.concatenate([[0], np.cumsum(nodes_per_row)[:-1]])
    column_name = {i: f for f, i in index.items()}
    labels: list[dict[str, str]] = []
    for r in range(matrix.shape[0]):
        lo, hi = matrix.indptr[r], matrix.indptr[r + 1]
        text_labels = texts.labels[r]
        labels.append(
            {
                str(col): text_labels[column_name[col]]
                for col in matrix.indices[lo:hi].tolist()
                if column_name[col] in text_labels
            }
        )
    nodes = _NodeSet(
        ids=first_node + np.arange(len(node_keys), dtype=np.int64),
        rows=first_row + rows,
        sizes=np.array([len(members[k]) for k in node_keys], dtype=np.int64),
        organisations=[frozenset(o for o, _, _ in members[k]) for k in node_keys],
        pins=[k[1] or None for k in node_keys],
        excluded=[frozenset(k[2]) for k in node_keys],
        vector_rows=first_row + np.arange(matrix.shape[0], dtype=np.int64),
        vectors=matrix,
        labels=labels,
    )
    return _Block(
        first_row, matrix, nodes, first_node_of_row.astype(np.int64), nodes_per_row, activities
    )


@dataclass
class _RowIndex:
    """Where each text row's nodes are: ``first_node[r] .. + count[r]``."""

    first_row: int
    first_node: np.ndarray
    count: np.ndarray


def _row_index(block: _Block) -> _RowIndex:
    return _RowIndex(block.first_row, block.first_node_of_row, block.nodes_per_row)


def _pins(block: _Block) -> list[tuple[str, int]]:
    return [
        (pin, node)
        for node, pin in zip(block.nodes.ids.tolist(), block.nodes.pins, strict=True)
        if pin is not None
    ]


def _node_count(texts: _Texts) -> int:
    return texts.nodes


# --- 4. Neighbours ---------------------------------------------------------------------------


@dataclass
class _Vectors:
    """Unit rows to search: ``ids`` are global numbers (ties break on them)."""

    ids: np.ndarray
    matrix: sp.csr_matrix


def _block_vectors(block: _Block) -> _Vectors:
    ids = block.first_row + np.arange(block.matrix.shape[0], dtype=np.int64)
    return _Vectors(ids, block.matrix)


def _top_k(
    me: np.ndarray, other: np.ndarray, sim: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per `me`, the k best (sim descending, other ascending)."""
    order = np.lexsort((other, -sim, me))
    me, other, sim = me[order], other[order], sim[order]
    if me.size == 0:
        return me, other, sim
    starts = np.flatnonzero(np.r_[True, me[1:] != me[:-1]])
    rank = np.arange(me.size) - np.repeat(starts, np.diff(np.r_[starts, me.size]))
    keep = rank < k
    return me[keep], other[keep], sim[keep]


def _candidates(
    left: _Vectors, right: _Vectors, k: int, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if left.ids.size == 0 or right.ids.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    product = sp.csr_matrix(left.matrix @ right.matrix.T)
    product.sort_indices()
    counts = np.diff(product.indptr)
    me = np.repeat(left.ids, counts)
    other = right.ids[product.indices]
    sim = np.round(product.data, 12)
    keep = (sim >= threshold) & (other != me)
    return _top_k(me[keep], other[keep], sim[keep], k)


def _best(
    *parts: tuple[np.ndarray, np.ndarray, np.ndarray], k: int, boundaries: np.ndarray
) -> list[Edges]:
    """Top k over all column blocks, as undirected edges split by the block of their low end."""
    me = np.concatenate([p[0] for p in parts])
    other = np.concatenate([p[1] for p in parts])
    sim = np.concatenate([p[2] for p in parts])
    me, other, sim = _top_k(me, other, sim, k)
    low, high = np.minimum(me, other), np.maximum(me, other)
    from_low = me == low
    target = np.searchsorted(boundaries, low, side="right")
    return [
        (low[target == t], high[target == t], sim[target == t], from_low[target == t])
        for t in range(boundaries.size + 1)
    ]


def _dedupe(*parts: Edges) -> Edges:
    """One edge per pair; the one seen from its low end wins (as the one-process search)."""
    low = np.concatenate([p[0] for p in parts])
    high = np.concatenate([p[1] for p in parts])
    sim = np.concatenate([p[2] for p in parts])
    from_low = np.concatenate([p[3] for p in parts])
    order = np.lexsort((~from_low, high, low))
    low, high, sim = low[order], high[order], sim[order]
    first = np.ones(low.size, dtype=bool)
    first[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
    return low[first], high[first], sim[first], np.ones(int(first.sum()), dtype=bool)


def _neighbours(
    client: Any, vectors: Sequence[Any], k: int, threshold: float, boundaries: np.ndarray
) -> list[Any]:
    """Edge futures, one per partition of `boundaries` (by low end)."""
    per_row_block = []
    for left in vectors:
        candidates = [
            client.submit(_candidates, left, right, k, threshold, pure=False) for right in vectors
        ]
        per_row_block.append(client.submit(_best, *candidates, k=k, boundaries=boundaries))
    parts = boundaries.size + 1
    return [
        client.submit(_dedupe, *[client.submit(_piece, split, t) for split in per_row_block])
        for t in range(parts)
    ]


# --- 5. Grouping -----------------------------------------------------------------------------


Forest = tuple[np.ndarray, np.ndarray]  # child, root


def _forest(a: np.ndarray, b: np.ndarray) -> Forest:
    """A spanning forest of the graph with edges (a, b): each node and its smallest node."""
    from scipy.sparse.csgraph import connected_components  # only needed on workers

    if a.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    nodes, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    graph = sp.coo_matrix(
        (np.ones(a.size), (inverse[: a.size], inverse[a.size :])), shape=(nodes.size,) * 2
    )
    _, label = connected_components(graph, directed=False)
    smallest = np.full(label.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, label, nodes)
    root = smallest[label]
    keep = root != nodes
    return nodes[keep], root[keep]


def _edge_forest(edges: Edges, extra: Forest | None = None) -> Forest:
    a, b = edges[0], edges[1]
    if extra is not None:
        a, b = np.concatenate([a, extra[0]]), np.concatenate([b, extra[1]])
    return _forest(a, b)


def _join_forests(*forests: Forest) -> Forest:
    return _forest(np.concatenate([f[0] for f in forests]), np.concatenate([f[1] for f in forests]))


def _tree(client: Any, futures: list[Any], fn: Callable[..., Any], fan_in: int = 4) -> Any:
    while len(futures) > 1:
        futures = [
            client.submit(fn, *futures[i : i + fan_in]) for i in range(0, len(futures), fan_in)
        ]
    return futures[0]


def _group_of(ids: np.ndarray, forest: Forest, groups: int) -> np.ndarray:
    """Group of each node: by its component's smallest node."""
    child, root = forest
    roots = ids.copy()
    if child.size:
        order = np.argsort(child)
        child, root = child[order], root[order]
        at = np.minimum(np.searchsorted(child, ids), child.size - 1)
        found = child[at] == ids
        roots[found] = root[at[found]]
    return ((roots % 2**31) * 2654435761 % 2**31) % groups


def _split_nodes(nodes: _NodeSet, forest: Forest, groups: int) -> list[_NodeSet]:
    group = _group_of(nodes.ids, forest, groups)
    return [nodes.take(group == g) for g in range(groups)]


def _split_edges(edges: Edges, forest: Forest, groups: int) -> list[Edges]:
    group = _group_of(edges[0], forest, groups)
    return [
        (edges[0][group == g], edges[1][group == g], edges[2][group == g], edges[3][group == g])
        for g in range(groups)
    ]


def _local(ids: np.ndarray, global_ids: np.ndarray) -> np.ndarray:
    return np.searchsorted(ids, global_ids)


@dataclass
class _Group:
    """Clusters of one group: ``cluster`` per node (the cluster's smallest node number)."""

    nodes: _NodeSet
    cluster: np.ndarray
    changed: bool


def _first_merge(*parts: Any, sources: int, cfg: GroupingSettings) -> _Group:
    nodes = _NodeSet.join(parts[:sources])
    edge_parts: Sequence[Edges] = parts[sources:]
    low = np.concatenate([e[0] for e in edge_parts])
    high = np.concatenate([e[1] for e in edge_parts])
    sim = np.concatenate([e[2] for e in edge_parts])
    rows = sorted(set(nodes.rows.tolist()))
    local_row = {r: i for i, r in enumerate(rows)}
    vectors = nodes.matrix_of(rows) if rows else sp.csr_matrix((0, 0))
    engine_nodes = [
        Node(local_row[int(r)], int(s), o, p, x)
        for r, s, o, p, x in zip(
            nodes.rows.tolist(),
            nodes.sizes.tolist(),
            nodes.organisations,
            nodes.pins,
            nodes.excluded,
            strict=True,
        )
    ]
    merged = constrained_merge(
        engine_nodes,
        vectors,
        (_local(nodes.ids, low), _local(nodes.ids, high), sim),
        merge_threshold=cfg.merge_threshold,
        allow_same_organisation=cfg.allow_same_organisation,
        lone_merge_threshold=cfg.lone_merge_threshold,
    )
    cluster = nodes.ids[np.array(merged, dtype=np.int64)] if merged else nodes.ids.copy()
    return _Group(nodes, cluster, True)


def _node_edges(edges: Edges, low_block: _RowIndex, *high_blocks: _RowIndex) -> Edges:
    """Map text-row edges to node edges (every node of one row to every node of the other).

    Nodes of one row are also linked to each other (similarity 1), as in one process.
    """
    e_a: list[np.ndarray] = []
    e_b: list[np.ndarray] = []
    e_s: list[np.ndarray] = []
    firsts = np.concatenate([b.first_node for b in high_blocks])
    counts = np.concatenate([b.count for b in high_blocks])
    starts = np.array([b.first_row for b in high_blocks], dtype=np.int64)
    offsets = np.cumsum([0] + [b.count.size for b in high_blocks])
    low, high, sim = edges[0], edges[1], edges[2]
    which = np.searchsorted(starts, high, side="right") - 1
    high_local = offsets[which] + (high - starts[which])
    low_local = low - low_block.first_row
    for r, c, s in zip(low_local.tolist(), high_local.tolist(), sim.tolist(), strict=True):
        x0, nx = int(low_block.first_node[r]), int(low_block.count[r])
        y0, ny = int(firsts[c]), int(counts[c])
        if nx == 1 and ny == 1:
            e_a.append(np.array([min(x0, y0)]))
            e_b.append(np.array([max(x0, y0)]))
            e_s.append(np.array([s]))
            continue
        xs = np.repeat(np.arange(x0, x0 + nx), ny)
        ys = np.tile(np.arange(y0, y0 + ny), nx)
        e_a.append(np.minimum(xs, ys))
        e_b.append(np.maximum(xs, ys))
        e_s.append(np.full(xs.size, s))
    for r in np.flatnonzero(low_block.count > 1).tolist():
        n = int(low_block.count[r])
        first = int(low_block.first_node[r])
        xs, ys = np.triu_indices(n, 1)
        e_a.append(first + xs)
        e_b.append(first + ys)
        e_s.append(np.ones(xs.size))
    if not e_a:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), np.zeros(0, dtype=bool)
    a = np.concatenate(e_a).astype(np.int64)
    return a, np.concatenate(e_b).astype(np.int64), np.concatenate(e_s), np.ones(a.size, bool)


def _pin_forest(*pinned: list[tuple[str, int]]) -> Forest:
    first: dict[str, int] = {}
    a: list[int] = []
    b: list[int] = []
    for part in pinned:
        for pin, node in part:
            if pin in first:
                a.append(first[pin])
                b.append(node)
            else:
                first[pin] = node
    return _forest(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))


@dataclass
class _Clusters:
    """A group's clusters as units of the next round (``ids`` are cluster numbers, sorted)."""

    ids: np.ndarray
    means: sp.csr_matrix
    unit: sp.csr_matrix


def _cluster_means(group: _Group) -> _Clusters:
    nodes = group.nodes
    clusters = np.unique(group.cluster)
    rows = sorted(set(nodes.rows.tolist()))
    if not rows:
        empty = sp.csr_matrix((0, 0))
        return _Clusters(clusters, empty, empty)
    local_row = {r: i for i, r in enumerate(rows)}
    vectors = nodes.matrix_of(rows)
    column = _local(clusters, group.cluster)
    member_rows = np.array([local_row[int(r)] for r in nodes.rows.tolist()], dtype=np.int64)
    # One entry per activity, as the one-process round builds it (the sums are exact integers).
    assign = sp.csr_matrix(
        (
            np.ones(int(nodes.sizes.sum())),
            (np.repeat(column, nodes.sizes), np.repeat(member_rows, nodes.sizes)),
        ),
        shape=(clusters.size, len(rows)),
    )
    sizes = np.asarray(assign.sum(axis=1)).ravel()
    means = sp.csr_matrix(sp.diags(1.0 / sizes) @ (assign @ vectors))
    norms = np.sqrt(np.asarray(means.multiply(means).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    unit = sp.csr_matrix(sp.diags(1.0 / norms) @ means)
    return _Clusters(clusters, means, unit)


def _cluster_vectors(clusters: _Clusters) -> _Vectors:
    return _Vectors(clusters.ids, clusters.unit)


def _split_group(group: _Group, forest: Forest, groups: int) -> list[_Group]:
    target = _group_of(group.cluster, forest, groups)
    return [
        _Group(group.nodes.take(target == g), group.cluster[target == g], False)
        for g in range(groups)
    ]


def _split_means(clusters: _Clusters, forest: Forest, groups: int) -> list[_Clusters]:
    target = _group_of(clusters.ids, forest, groups)
    return [
        _Clusters(
            clusters.ids[target == g],
            clusters.means[np.flatnonzero(target == g)],
            clusters.unit[np.flatnonzero(target == g)],
        )
        for g in range(groups)
    ]


def _round_merge(*parts: Any, groups: int, cfg: GroupingSettings) -> _Group:
    group_parts: Sequence[_Group] = parts[:groups]
    mean_parts: Sequence[_Clusters] = parts[groups : 2 * groups]
    edge_parts: Sequence[Edges] = parts[2 * groups :]
    nodes = _NodeSet.join([g.nodes for g in group_parts])
    cluster_of_node = dict(
        zip(
            np.concatenate([g.nodes.ids for g in group_parts]).tolist(),
            np.concatenate([g.cluster for g in group_parts]).tolist(),
            strict=True,
        )
    )
    cluster = np.array([cluster_of_node[i] for i in nodes.ids.tolist()], dtype=np.int64)
    mean_parts = [m for m in mean_parts if m.ids.size]
    if not mean_parts:
        return _Group(nodes, cluster, False)
    ids = np.concatenate([m.ids for m in mean_parts])
    order = np.argsort(ids)
    ids = ids[order]
    means = sp.vstack([m.means for m in mean_parts], format="csr")[order]
    organisations: dict[int, set[str]] = defaultdict(set)
    pin_of: dict[int, str | None] = {}
    excluded_of: dict[int, set[str]] = defaultdict(set)
    sizes: Counter[int] = Counter()
    for c, o, p, x, s in zip(
        cluster.tolist(),
        nodes.organisations,
        nodes.pins,
        nodes.excluded,
        nodes.sizes.tolist(),
        strict=True,
    ):
        organisations[c] |= o
        if p is not None:
            pin_of[c] = p
        excluded_of[c] |= x
        sizes[c] += s
    engine_nodes = [
        Node(i, sizes[c], frozenset(organisations[c]), pin_of.get(c), frozenset(excluded_of[c]))
        for i, c in enumerate(ids.tolist())
    ]
    low = np.concatenate([e[0] for e in edge_parts])
    high = np.concatenate([e[1] for e in edge_parts])
    sim = np.concatenate([e[2] for e in edge_parts])
    merged = constrained_merge(
        engine_nodes,
        means,
        (_local(ids, low), _local(ids, high), sim),
        merge_threshold=cfg.merge_threshold,
        allow_same_organisation=cfg.allow_same_organisation,
    )
    new_of = ids[np.array(merged, dtype=np.int64)]
    regrouped = new_of[_local(ids, cluster)]
    return _Group(nodes, regrouped, bool((regrouped != cluster).any()))


def _changed(group: _Group) -> bool:
    return group.changed


# --- 6. Summaries ----------------------------------------------------------------------------


def _assignment(
    group: _Group, index: int, boundaries: np.ndarray
) -> list[dict[int, tuple[int, int]]]:
    """node -> (cluster, group), split by text block (`boundaries` are first node numbers)."""
    target = np.searchsorted(boundaries, group.nodes.ids, side="right")
    result: list[dict[int, tuple[int, int]]] = [{} for _ in range(boundaries.size + 1)]
    for node, c, t in zip(
        group.nodes.ids.tolist(), group.cluster.tolist(), target.tolist(), strict=True
    ):
        result[t][node] = (c, index)
    return result


def _block_places(
    block: _Block, *assignments: dict[int, tuple[int, int]]
) -> list[dict[str, tuple[int, int, int]]]:
    """activity -> (cluster, group, row), split by input partition."""
    place: dict[int, tuple[int, int]] = {}
    for part in assignments:
        place.update(part)
    return [
        {activity_id: (*place[node], row) for activity_id, node, row in part}
        for part in block.activities
    ]


def _group_activities(group: _Group) -> int:
    return int(group.nodes.sizes.sum())


def _summary_parts(sizes: Sequence[int]) -> list[int]:
    """How many summary tasks each group gets, so that no task holds much more than its share.

    Concepts never span groups but one group (one large connected component of
    the neighbour graph) can hold most activities; its concepts are summarised
    in several tasks, so that every worker takes a part.
    """
    share = max(1, -(-sum(sizes) // max(1, len(sizes))))
    return [max(1, -(-size // share)) for size in sizes]


def _route(
    source: Any, *places: dict[str, tuple[int, int, int]], parts: Sequence[int]
) -> list[list[tuple[Activity, int, int]]]:
    """Read an input partition again and send each activity to its concept's summary task.

    Group g's concepts go to tasks ``first[g] .. first[g] + parts[g]``, by concept number.
    """
    found: dict[str, tuple[int, int, int]] = {}
    for part in places:
        found.update(part)
    first = [0, *itertools.accumulate(parts)]
    result: list[list[tuple[Activity, int, int]]] = [[] for _ in range(first[-1])]
    for activity in _materialise(source):
        cluster, group, row = found[activity.id]
        result[first[group] + cluster % parts[group]].append((activity, cluster, row))
    return result


@dataclass
class _Share:
    """The text rows (vectors and labels) of one summary task's concepts, and no others."""

    rows: np.ndarray  # sorted global text rows
    vectors: sp.csr_matrix
    labels: list[dict[str, str]]


def _summary_shares(group: _Group, parts: int) -> list[_Share]:
    """Split a group's rows by summary task (concept ``c`` goes to task ``c % parts``).

    A task then needs only its own concepts' rows, not the whole group, so it can
    run on any worker without fetching (or holding) the group.
    """
    part = group.cluster % parts
    shares = []
    for k in range(parts):
        rows = np.unique(group.nodes.rows[part == k])
        at = np.searchsorted(group.nodes.vector_rows, rows)
        shares.append(
            _Share(
                rows,
                sp.csr_matrix(group.nodes.vectors[at]),
                [group.nodes.labels[i] for i in at.tolist()],
            )
        )
    return shares


class _Columns:
    """Column numbers as names: the labels carried with the rows are keyed by them."""

    def __getitem__(self, col: int) -> str:
        return str(col)


def _summaries(
    share: _Share, *pieces: list[tuple[Activity, int, int]], state: PinnedState
) -> list[Concept]:
    members = sorted(
        (m for piece in pieces for m in piece), key=lambda m: (m[0].organisation, m[0].id)
    )
    if not members:
        return []
    rows = sorted({m[2] for m in members})
    local_row = {r: i for i, r in enumerate(rows)}
    at = np.searchsorted(share.rows, np.asarray(rows))
    return build_concepts(
        [m[0] for m in members],
        np.array([local_row[m[2]] for m in members], dtype=np.int64),
        [m[1] for m in members],
        sp.csr_matrix(share.vectors[at]),
        cast(Sequence[str], _Columns()),
        [share.labels[i] for i in at.tolist()],
        state.pin,
        state.labels,
    )


# --- Orchestration ---------------------------------------------------------------------------


@dataclass
class ClusterRun:
    """Futures of concept partitions on the cluster, and what the run counted."""

    client: Any
    partitions: list[Any]
    activities: int

    def gather(self) -> list[Concept]:
        """All concepts on the client, sorted as :func:`group_activities` sorts them."""
        concepts = [c for part in _gather(self.client, self.partitions) for c in part]
        concepts.sort(key=lambda k: (-k.organisations, k.label.casefold(), k.id))
        return concepts


def _on_cluster(call: Callable[[], Any]) -> Any:
    """``call()``, with Dask's failures (a lost scheduler, a dead worker) as ClusterError."""
    try:
        return call()
    except Exception as exc:
        failure = translate_cluster_failure(exc)
        if failure is None:
            raise
        raise failure from exc


def _gather(client: Any, futures: Any) -> Any:
    return _on_cluster(lambda: client.gather(futures))


def _trim_workers_memory(client: Any) -> None:
    """Every worker of the cluster, and any that joins, trims its freed memory from now on."""
    from mellanrum.engines.commonality.worker_memory import TrimFreedMemory

    plugin = TrimFreedMemory()
    _on_cluster(lambda: client.register_plugin(plugin, name=plugin.name))


def group_on_cluster(
    client: Any,
    sources: Sequence[Any],
    *,
    language: str = "sv",
    extra_synonyms: Iterable[Sequence[str]] = (),
    decisions: Sequence[Decision] = (),
    settings: GroupingSettings | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    must_not_link: Iterable[tuple[str, str]] = (),
) -> ClusterRun:
    """Group the activities of `sources` on the cluster behind `client`.

    Parameters
    ----------
    client : distributed.Client
    sources : sequence
        Input partitions: lists of activities, futures of such lists, or
        picklable functions that return one (read twice: once for names,
        once for the summaries).
    progress : callable, optional
        Called with (stage, done, total) as the stages finish.
    must_not_link : iterable of (str, str)
        Pairs of activity names never linked by similarity (as in
        :func:`~mellanrum.engines.commonality.group_activities`).

    Returns
    -------
    ClusterRun
        Futures of the concepts; the same concepts as :func:`group_activities`.

    Raises
    ------
    ValueError
        On duplicate ids or empty names (as the one-process run).
    ClusterError
        When a worker dies, memory runs out, or the scheduler goes away.
    """
    cfg = settings if settings is not None else GroupingSettings()
    _trim_workers_memory(client)
    state = resolve_decisions(decisions, _Everyone())
    synonyms = [tuple(s) for s in extra_synonyms]
    marks = cannot_link.marks_of(must_not_link)
    report = progress or (lambda stage, done, total: None)
    steps = 5 + max(0, cfg.rounds - 1)
    report("reading", 0, steps)
    parts = max(1, len(sources))
    reads = [
        client.submit(_read, s, number, language, parts, pure=False)
        for number, s in enumerate(sources)
    ]
    counts = _gather(client, [client.submit(_count, r) for r in reads])
    for _, _, error in counts:
        if error:
            raise ValueError(error)
    duplicates = _gather(
        client, [client.submit(_duplicate, *reads, bucket=b) for b in range(parts)]
    )
    for error in duplicates:
        if error:
            raise ValueError(error)
    activities = sum(c[0] for c in counts)
    samples = sorted({key for c in counts for key in c[1]})
    boundaries = sorted(
        {samples[len(samples) * j // parts] for j in range(1, parts)} if samples else set()
    )
    text_parts = len(boundaries) + 1
    splits = [client.submit(_split_records, r, boundaries) for r in reads]
    texts = [
        client.submit(
            _texts,
            *[client.submit(_piece, s, j) for s in splits],
            synonyms=synonyms,
            cfg=cfg,
            pins=state.pin,
            excluded=state.excluded,
            marks=marks,
        )
        for j in range(text_parts)
    ]
    del reads, splits
    report("analysing", 1, steps)
    pins, excluded = state.pin, state.excluded
    vocabulary = client.submit(
        _vocabulary, *[client.submit(_stats, t) for t in texts], activities=activities, cfg=cfg
    )
    sizes = _gather(client, [client.submit(_text_size, t) for t in texts])
    node_counts = _gather(client, [client.submit(_node_count, t) for t in texts])
    first_rows = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    first_nodes = np.concatenate([[0], np.cumsum(node_counts)[:-1]]).astype(np.int64)
    blocks = [
        client.submit(_block, t, vocabulary, int(r), int(n), pins, excluded, len(sources), marks)
        for t, r, n in zip(texts, first_rows, first_nodes, strict=True)
    ]
    del texts
    report("neighbours", 2, steps)
    row_edges = _neighbours(
        client,
        [client.submit(_block_vectors, b) for b in blocks],
        cfg.neighbours,
        cfg.threshold,
        first_rows[1:],
    )
    row_indexes = [client.submit(_row_index, b) for b in blocks]
    node_edges = [
        client.submit(_node_edges, e, row_indexes[i], *row_indexes[i:])
        for i, e in enumerate(row_edges)
    ]
    pin_forest = client.submit(_pin_forest, *[client.submit(_pins, b) for b in blocks])
    forests = [client.submit(_edge_forest, e) for e in node_edges]
    forest = _tree(client, [*forests, pin_forest], _join_forests)
    groups = text_parts
    node_splits = [
        client.submit(_split_nodes, client.submit(_block_nodes, b), forest, groups) for b in blocks
    ]
    edge_splits = [client.submit(_split_edges, e, forest, groups) for e in node_edges]
    report("grouping", 3, steps)
    current = [
        client.submit(
            _first_merge,
            *[client.submit(_piece, s, g) for s in node_splits],
            *[client.submit(_piece, s, g) for s in edge_splits],
            sources=len(node_splits),
            cfg=cfg,
        )
        for g in range(groups)
    ]
    del node_splits, edge_splits, node_edges, row_edges
    for round_number in range(cfg.rounds - 1):
        means = [client.submit(_cluster_means, g) for g in current]
        edges = _neighbours(
            client,
            [client.submit(_cluster_vectors, m) for m in means],
            cfg.neighbours,
            cfg.merge_threshold,
            first_nodes[1:],
        )
        forest = _tree(client, [client.submit(_edge_forest, e) for e in edges], _join_forests)
        group_splits = [client.submit(_split_group, g, forest, groups) for g in current]
        mean_splits = [client.submit(_split_means, m, forest, groups) for m in means]
        edge_splits = [client.submit(_split_edges, e, forest, groups) for e in edges]
        regrouped = [
            client.submit(
                _round_merge,
                *[client.submit(_piece, s, g) for s in group_splits],
                *[client.submit(_piece, s, g) for s in mean_splits],
                *[client.submit(_piece, s, g) for s in edge_splits],
                groups=len(group_splits),
                cfg=cfg,
            )
            for g in range(groups)
        ]
        changed = _gather(client, [client.submit(_changed, g) for g in regrouped])
        report("grouping", 4 + round_number, steps)
        if not any(changed):
            break
        current = regrouped
    # Only `current` is needed from here on: the last round's futures would keep a second
    # copy of every group (and the edges and means) on the workers through the summaries.
    means = edges = group_splits = mean_splits = edge_splits = regrouped = []
    forest = None
    assignments = [
        client.submit(_assignment, g, index, first_nodes[1:]) for index, g in enumerate(current)
    ]
    places = [
        client.submit(_block_places, b, *[client.submit(_piece, a, i) for a in assignments])
        for i, b in enumerate(blocks)
    ]
    del assignments, blocks, row_indexes, pin_forest, forests
    summary_parts = _summary_parts(
        _gather(client, [client.submit(_group_activities, g) for g in current])
    )
    shares = [
        client.submit(_summary_shares, g, n) for g, n in zip(current, summary_parts, strict=True)
    ]
    del current
    # Dask places the routing and the summary tasks itself.  Dealing them out evenly
    # (workers=..., allow_other_workers=True) was measured and dropped: work stealing undid
    # the deal (12 of 14 summary tasks on one worker; the stage took 37 and 44 s against 27
    # and 29 s), and without stealing the even spread took as long as Dask's own placement:
    # on one machine the stage is bound by moving pickled activities (docs/benchmarks.md).
    routed = [
        client.submit(
            _route,
            s,
            *[client.submit(_piece, p, number) for p in places],
            parts=summary_parts,
            pure=False,
        )
        for number, s in enumerate(sources)
    ]
    del places
    first_part = [0, *itertools.accumulate(summary_parts)]
    concepts = [
        client.submit(
            _summaries,
            client.submit(_piece, shares[index], k),
            *[client.submit(_piece, r, first_part[index] + k) for r in routed],
            state=state,
        )
        for index in range(len(shares))
        for k in range(summary_parts[index])
    ]
    del routed, shares
    _gather(client, [client.submit(len, c) for c in concepts])
    report("summaries", steps, steps)
    return ClusterRun(client, concepts, activities)


def _block_nodes(block: _Block) -> _NodeSet:
    return block.nodes


def group_partitions_on_cluster(
    client: Any,
    activities: Sequence[Activity],
    *,
    partition_size: int = 50_000,
    language: str = "sv",
    extra_synonyms: Iterable[Sequence[str]] = (),
    decisions: Sequence[Decision] = (),
    settings: GroupingSettings | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    must_not_link: Iterable[tuple[str, str]] = (),
) -> list[Concept]:
    """Scatter `activities` in partitions, group them on the cluster, gather the concepts."""
    items = list(activities)
    chunks = [items[i : i + partition_size] for i in range(0, len(items), partition_size)] or [[]]
    sources = _on_cluster(lambda: client.scatter(chunks))
    run = group_on_cluster(
        client,
        sources,
        language=language,
        extra_synonyms=extra_synonyms,
        decisions=decisions,
        settings=settings,
        progress=progress,
        must_not_link=must_not_link,
    )
    return run.gather()
