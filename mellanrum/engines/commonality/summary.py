"""Turn a clustering of activities into Concept records with figures and evidence."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp

from mellanrum.engines.commonality.activity import Activity
from mellanrum.engines.commonality.concept import Concept, Member
from mellanrum.engines.commonality.distribution import Distribution
from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["build_concepts"]

EVIDENCE_TERMS = 4


def build_concepts(
    items: Sequence[Activity],
    rows: np.ndarray,
    cluster_of_activity: Sequence[int],
    matrix: sp.csr_matrix,
    columns: Sequence[str],
    labels: Sequence[Mapping[str, str]],
    pins: Mapping[str, str],
    pinned_labels: Mapping[str, str],
) -> list[Concept]:
    """Return one Concept per cluster, sorted by organisations, label and id.

    `rows` gives each activity's row in `matrix` (L2-normalised TF-IDF rows
    with column names `columns`); `labels` gives readable feature labels per
    row.  Confidence is the cosine of a member's row to its cluster centroid;
    evidence lists its labelled features shared with another member, by
    contribution to that cosine.
    """
    clusters = sorted(set(cluster_of_activity))
    column = {c: i for i, c in enumerate(clusters)}
    member_clusters = np.array([column[c] for c in cluster_of_activity], dtype=np.int64)
    assign = sp.csr_matrix(
        (np.ones(len(items)), (member_clusters, rows)),
        shape=(len(clusters), matrix.shape[0]),
    )
    centroids = sp.csr_matrix(assign @ matrix)
    norms = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    centroids = sp.csr_matrix(sp.diags(1.0 / norms) @ centroids)
    confidence = _confidence(matrix, centroids, np.asarray(rows, dtype=np.int64), member_clusters)
    by_cluster: dict[int, list[int]] = defaultdict(list)
    for index, c in enumerate(cluster_of_activity):
        by_cluster[column[c]].append(index)
    row_of: list[int] = np.asarray(rows, dtype=np.int64).tolist()
    concepts = []
    for c, indices in by_cluster.items():
        concepts.append(
            _concept(
                items,
                indices,
                row_of,
                confidence,
                matrix,
                centroids[c],
                columns,
                labels,
                pins,
                pinned_labels,
            )
        )
    concepts.sort(key=lambda k: (-k.organisations, k.label.casefold(), k.id))
    return concepts


def _confidence(
    matrix: sp.csr_matrix, centroids: sp.csr_matrix, rows: np.ndarray, clusters: np.ndarray
) -> list[float]:
    """Each activity's rounded cosine to its cluster's centroid.

    Computed once per distinct (cluster, text) pair, not per activity: the
    rows of a product per activity would hold a copy of the centroid each.
    """
    if rows.size == 0:
        return []
    n_rows = max(1, matrix.shape[0])
    pairs, pair_of = np.unique(clusters * n_rows + rows, return_inverse=True)
    cosines = np.asarray(
        matrix[pairs % n_rows].multiply(centroids[pairs // n_rows]).sum(axis=1)
    ).ravel()
    rounded = [round(min(1.0, c), 4) for c in cosines.tolist()]
    return [rounded[p] for p in pair_of.ravel().tolist()]


def _concept(
    items: Sequence[Activity],
    indices: Sequence[int],
    rows: Sequence[int],
    confidence: Sequence[float],
    matrix: sp.csr_matrix,
    centroid: sp.csr_matrix,
    columns: Sequence[str],
    labels: Sequence[Mapping[str, str]],
    pins: Mapping[str, str],
    pinned_labels: Mapping[str, str],
) -> Concept:
    members_act = [items[i] for i in indices]
    weight = dict(zip(centroid.indices.tolist(), centroid.data.tolist(), strict=True))
    row_count = Counter(rows[i] for i in indices)
    support: Counter[int] = Counter()
    for row, count in row_count.items():
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        for col in matrix.indices[lo:hi].tolist():
            support[col] += count
    evidence_of: dict[int, tuple[str, ...]] = {}
    for row in row_count:
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        ranked = sorted(
            (-value * weight.get(col, 0.0), col)
            for col, value in zip(
                matrix.indices[lo:hi].tolist(), matrix.data[lo:hi].tolist(), strict=True
            )
            if support[col] > 1
        )
        evidence_of[row] = _readable(ranked, labels[row], columns)
    members = [
        Member(
            activity_id=items[i].id,
            organisation=items[i].organisation,
            name=items[i].name,
            confidence=confidence[i],
            evidence=evidence_of[rows[i]],
        )
        for i in indices
    ]
    pin_ids = sorted({pins[a.id] for a in members_act if a.id in pins})
    if pin_ids:
        concept_id, pinned = pin_ids[0], True
    else:
        anchor = members_act[0]
        digest = hashlib.sha1(f"{anchor.organisation}\x1f{anchor.id}".encode()).hexdigest()
        concept_id, pinned = f"c-{digest[:12]}", False
    label = pinned_labels.get(concept_id) or _representative_name(members_act, members)
    top = sorted(((-v, col) for col, v in weight.items() if support[col] > 1))
    terms: list[str] = []
    for _, col in top:
        for row in row_count:
            text_label = labels[row].get(columns[col], "")
            if text_label:
                if text_label not in terms:
                    terms.append(text_label)
                break
        if len(terms) >= EVIDENCE_TERMS:
            break
    return Concept(
        id=concept_id,
        label=label,
        members=tuple(members),
        organisations=len({a.organisation for a in members_act}),
        pinned=pinned,
        terms=tuple(terms),
        systems=_systems(members_act),
        cost_per_inhabitant=Distribution.of(
            {
                a.id: a.annual_cost_sek / a.population
                for a in members_act
                if a.annual_cost_sek is not None and a.population
            }
        ),
        cost_per_case=Distribution.of(
            {
                a.id: a.annual_cost_sek / a.volume
                for a in members_act
                if a.annual_cost_sek is not None and a.volume
            }
        ),
        lead_time_days=Distribution.of(
            {a.id: a.lead_time_days for a in members_act if a.lead_time_days is not None}
        ),
        total_cost_sek=float(sum(a.annual_cost_sek or 0.0 for a in members_act)),
        total_volume=float(sum(a.volume or 0.0 for a in members_act)),
    )


def _readable(
    ranked: Sequence[tuple[float, int]], text_labels: Mapping[str, str], columns: Sequence[str]
) -> tuple[str, ...]:
    found: list[str] = []
    for _, col in ranked:
        label = text_labels.get(columns[col], "")
        if label and label not in found:
            found.append(label)
        if len(found) >= EVIDENCE_TERMS:
            break
    return tuple(found)


def _representative_name(members_act: Sequence[Activity], members: Sequence[Member]) -> str:
    score: dict[str, float] = defaultdict(float)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for activity, member in zip(members_act, members, strict=True):
        key = normalise(activity.name)
        score[key] += member.confidence
        surfaces[key][activity.name.strip()] += 1
    best = min(score, key=lambda k: (-round(score[k], 9), len(k), k))
    return min(surfaces[best].items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _systems(members_act: Sequence[Activity]) -> Mapping[str, int]:
    organisations: dict[str, set[str]] = defaultdict(set)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for activity in members_act:
        for system in activity.systems:
            name = system.strip()
            if name:
                organisations[name.casefold()].add(activity.organisation)
                spellings[name.casefold()][name] += 1
    result = {
        min(spellings[k].items(), key=lambda kv: (-kv[1], kv[0]))[0]: len(orgs)
        for k, orgs in organisations.items()
    }
    return MappingProxyType(dict(sorted(result.items(), key=lambda kv: (-kv[1], kv[0]))))
