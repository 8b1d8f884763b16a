"""Group activities of many organisations into shared concepts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from mellanrum.engines.commonality import cannot_link
from mellanrum.engines.commonality.activity import Activity
from mellanrum.engines.commonality.clustering import Node, constrained_merge
from mellanrum.engines.commonality.concept import Concept
from mellanrum.engines.commonality.decisions import Decision, resolve_decisions
from mellanrum.engines.commonality.executor import Executor, ProcessExecutor, SerialExecutor
from mellanrum.engines.commonality.neighbours import nearest_neighbours
from mellanrum.engines.commonality.settings import GroupingSettings
from mellanrum.engines.commonality.summary import build_concepts
from mellanrum.engines.commonality.vectors import tfidf_matrix
from mellanrum.engines.textmatch.analyser import Analyser
from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["group_activities"]

TextKey = tuple[str, str, str]


def group_activities(
    activities: Iterable[Activity],
    *,
    language: str = "sv",
    extra_synonyms: Iterable[Sequence[str]] = (),
    decisions: Sequence[Decision] = (),
    settings: GroupingSettings | None = None,
    executor: Executor | None = None,
    must_not_link: Iterable[tuple[str, str]] = (),
) -> list[Concept]:
    """Group `activities` into concepts: the same thing done by different organisations.

    Every activity ends up in exactly one concept (singletons included).
    Distinct texts are analysed once (:class:`~mellanrum.engines.textmatch.Analyser`),
    turned into TF-IDF vectors, linked to their k nearest neighbours by
    chunked sparse products (the heavy step, run on `executor`), and merged
    greedily, strongest link first, under the constraints of
    :func:`~mellanrum.engines.commonality.clustering.constrained_merge`:
    by default a concept never holds two activities of one organisation
    unless a human decision says so.

    Parameters
    ----------
    activities : iterable of Activity
        Ids must be unique and names non-empty.
    language : {"sv", "en"}, default "sv"
        Language of activities that do not set their own.
    extra_synonyms : iterable of sequence of str
        User synonym sets added to the shipped thesaurus.
    decisions : sequence of Decision
        Human decisions, applied in order (see :class:`Decision`).
    settings : GroupingSettings, optional
        Thresholds; the defaults were tuned on the evaluation set's tuning half.
    executor : Executor, optional
        Runs the neighbour search when there are at least
        ``settings.parallel_min_rows`` distinct texts; local processes by default.
    must_not_link : iterable of (str, str)
        Pairs of activity names (normalised here) that people said are
        different things: activities so named are never linked by similarity.

    Returns
    -------
    list of Concept
        Sorted by number of organisations (descending), label and id.  The
        result does not depend on the order of `activities`.

    Raises
    ------
    ValueError
        On duplicate ids or empty names.

    Examples
    --------
    >>> concepts = group_activities([
    ...     Activity("1", "Alfa", "Ansök om bygglov"),
    ...     Activity("2", "Beta", "Bygglovsansökan"),
    ...     Activity("3", "Beta", "Hemtjänst"),
    ...     Activity("4", "Gamma", "Stöd i hemmet"),
    ... ])
    >>> sorted(c.activity_ids for c in concepts)
    [('1', '2'), ('3', '4')]
    """
    cfg = settings if settings is not None else GroupingSettings()
    items = sorted(activities, key=lambda a: (a.organisation, a.id))
    keys = _text_keys(items, language)
    _validate(items, keys)
    state = resolve_decisions(decisions, {a.id for a in items})
    marks = cannot_link.marks_of(must_not_link)
    synonyms = [tuple(s) for s in extra_synonyms]
    analysers: dict[str, Analyser] = {}

    def analyser(lang: str) -> Analyser:
        if lang not in analysers:
            analysers[lang] = Analyser(
                lang,
                extra_synonyms=synonyms,
                weights=cfg.weights,
                verbal_nouns=True,
                compound_variants=True,
                service_titles=cfg.service_titles,
                service_neighbours=cfg.service_neighbours,
            )
        return analysers[lang]

    texts = sorted(set(keys))
    row_of = {key: i for i, key in enumerate(texts)}
    features: list[dict[str, float]] = []
    labels: list[Mapping[str, str]] = []
    for key in texts:
        row_features, row_labels = analyse_text(analyser(key[0]), key, cfg.description_weight)
        features.append(row_features)
        labels.append(row_labels)
    counts = Counter(row_of[k] for k in keys)
    if cfg.local_feature_min_names > 0:
        _drop_local_features(features, items, keys, row_of, cfg.local_feature_min_names)
    max_df = max(cfg.max_feature_share * len(items), cfg.max_feature_floor)
    matrix, columns = tfidf_matrix(features, [counts[i] for i in range(len(texts))], max_df=max_df)

    use_parallel = len(texts) >= cfg.parallel_min_rows
    run = (executor or ProcessExecutor()) if use_parallel else SerialExecutor()
    t_rows, t_cols, t_sims = nearest_neighbours(
        matrix, k=cfg.neighbours, threshold=cfg.threshold, executor=run, chunk_rows=cfg.chunk_rows
    )

    # Nodes: activities with the same text, pin and exclusions; the k-th
    # activity of an organisation with that text goes to the k-th node.
    node_members: dict[tuple[int, str, tuple[str, ...], int], list[int]] = defaultdict(list)
    seen: Counter[tuple[int, str, tuple[str, ...], str]] = Counter()
    exclusions: dict[str, set[str]] = {}
    for index, (activity, text_key) in enumerate(zip(items, keys, strict=True)):
        pin = state.pin.get(activity.id, "")
        excluded = cannot_link.exclusions(state.excluded, activity.id, text_key[1], marks)
        if excluded:
            exclusions[activity.id] = set(excluded)
        base = (row_of[text_key], pin, excluded)
        occurrence = seen[(*base, activity.organisation)]
        seen[(*base, activity.organisation)] += 1
        node_members[(*base, occurrence)].append(index)
    node_keys = sorted(node_members)
    nodes = [
        Node(
            row=key[0],
            size=len(node_members[key]),
            organisations=frozenset(items[i].organisation for i in node_members[key]),
            pin=key[1] or None,
            excluded=frozenset(key[2]),
        )
        for key in node_keys
    ]
    nodes_of_row: dict[int, list[int]] = defaultdict(list)
    for n, node_key in enumerate(node_keys):
        nodes_of_row[node_key[0]].append(n)
    e_a: list[int] = []
    e_b: list[int] = []
    e_s: list[float] = []
    for group in nodes_of_row.values():
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                e_a.append(group[x])
                e_b.append(group[y])
                e_s.append(1.0)
    for r, c, s in zip(t_rows.tolist(), t_cols.tolist(), t_sims.tolist(), strict=True):
        for x in nodes_of_row[r]:
            for y in nodes_of_row[c]:
                e_a.append(min(x, y))
                e_b.append(max(x, y))
                e_s.append(s)
    cluster_of_node = constrained_merge(
        nodes,
        matrix,
        (np.array(e_a, dtype=np.int64), np.array(e_b, dtype=np.int64), np.array(e_s)),
        merge_threshold=cfg.merge_threshold,
        allow_same_organisation=cfg.allow_same_organisation,
        lone_merge_threshold=cfg.lone_merge_threshold,
    )
    cluster_of_activity = [0] * len(items)
    for n, node_key in enumerate(node_keys):
        for index in node_members[node_key]:
            cluster_of_activity[index] = cluster_of_node[n]
    rows = np.array([row_of[k] for k in keys], dtype=np.int64)
    for _ in range(cfg.rounds - 1):
        regrouped = _merge_round(
            items, rows, cluster_of_activity, matrix, state.pin, exclusions, cfg, run
        )
        if regrouped == cluster_of_activity:
            break
        cluster_of_activity = regrouped
    return build_concepts(
        items, rows, cluster_of_activity, matrix, columns, labels, state.pin, state.labels
    )


def text_of(activity: Activity, language: str) -> TextKey:
    """What the analysis reads of an activity: language, normalised name and description."""
    return (
        activity.language or language,
        normalise(activity.name),
        normalise(activity.description or ""),
    )


def _text_keys(items: Sequence[Activity], language: str) -> list[TextKey]:
    """`text_of` every activity, normalising each distinct name and description once."""
    cache: dict[tuple[str | None, str, str | None], TextKey] = {}
    keys: list[TextKey] = []
    for activity in items:
        raw = (activity.language, activity.name, activity.description)
        key = cache.get(raw)
        if key is None:
            key = cache[raw] = text_of(activity, language)
        keys.append(key)
    return keys


def analyse_text(
    analyser: Analyser, key: TextKey, description_weight: float
) -> tuple[dict[str, float], dict[str, str]]:
    """Features and readable labels of one distinct text (name, plus weaker description).

    A name with qualifying words ("Förhandsprövning skolskjuts") is a
    different service from the same name without them: all its features get
    the qualifiers as a suffix (``c:skolskjuts@förhandsprövning``), so its
    name shares no column with names qualified otherwise or not at all, while
    names with the same qualifiers compare as usual.  Only the (weaker)
    description can still bring them together.  A qualifier inside a
    thesaurus term ("tillfälligt serveringstillstånd") is part of that
    concept's name, not a qualifier.

    Examples
    --------
    >>> a = Analyser("sv")
    >>> plain, _ = analyse_text(a, ("sv", "skolskjuts", ""), 0.3)
    >>> check, _ = analyse_text(a, ("sv", "förhandsprövning skolskjuts", ""), 0.3)
    >>> sorted(k for k in check if k.startswith("c:"))
    ['c:skolskjuts@förhandsprövning']
    >>> set(plain).isdisjoint(check)
    True
    """
    _, name, description = key
    result = analyser.analyse(name)
    suffix = "@" + "+".join(result.qualifiers) if result.qualifiers else ""
    merged = {feature + suffix: value for feature, value in result.features.items()}
    merged_labels = {feature + suffix: label for feature, label in result.labels.items()}
    if description:
        extra = analyser.analyse(description)
        for feature, value in extra.features.items():
            merged[feature] = max(merged.get(feature, 0.0), value * description_weight)
        for feature, label in extra.labels.items():
            merged_labels.setdefault(feature, label)
    return merged, merged_labels


def _merge_round(
    items: Sequence[Activity],
    rows: np.ndarray,
    cluster_of_activity: Sequence[int],
    matrix: sp.csr_matrix,
    pins: Mapping[str, str],
    excluded: Mapping[str, set[str]],
    cfg: GroupingSettings,
    run: Executor,
) -> list[int]:
    """Merge whole clusters whose mean vectors are close (a kNN pass over clusters).

    The first pass links each distinct name to its k nearest names only, so
    two large groups of different spellings of one service may never get an
    edge between them; this pass compares the groups themselves.
    """
    clusters = sorted(set(cluster_of_activity))
    column = {c: i for i, c in enumerate(clusters)}
    member_cluster = np.array([column[c] for c in cluster_of_activity], dtype=np.int64)
    assign = sp.csr_matrix(
        (np.ones(len(items)), (member_cluster, rows)), shape=(len(clusters), matrix.shape[0])
    )
    sizes = np.asarray(assign.sum(axis=1)).ravel()
    means = sp.csr_matrix(sp.diags(1.0 / sizes) @ (assign @ matrix))
    norms = np.sqrt(np.asarray(means.multiply(means).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    unit = sp.csr_matrix(sp.diags(1.0 / norms) @ means)
    edges = nearest_neighbours(
        unit,
        k=cfg.neighbours,
        threshold=cfg.merge_threshold,
        executor=run,
        chunk_rows=cfg.chunk_rows,
    )
    organisations: dict[int, set[str]] = defaultdict(set)
    pin_of: dict[int, str | None] = {}
    excluded_of: dict[int, set[str]] = defaultdict(set)
    for activity, c in zip(items, member_cluster.tolist(), strict=True):
        organisations[c].add(activity.organisation)
        if activity.id in pins:
            pin_of[c] = pins[activity.id]
        excluded_of[c] |= excluded.get(activity.id, set())
    nodes = [
        Node(
            row=c,
            size=int(sizes[c]),
            organisations=frozenset(organisations[c]),
            pin=pin_of.get(c),
            excluded=frozenset(excluded_of[c]),
        )
        for c in range(len(clusters))
    ]
    merged = constrained_merge(
        nodes,
        means,
        edges,
        merge_threshold=cfg.merge_threshold,
        allow_same_organisation=cfg.allow_same_organisation,
    )
    return [clusters[merged[c]] for c in member_cluster.tolist()]


def _drop_local_features(
    features: list[dict[str, float]],
    items: Sequence[Activity],
    keys: Sequence[TextKey],
    row_of: Mapping[TextKey, int],
    min_names: int,
) -> None:
    """Remove, in place, features in `min_names`+ texts that all belong to one organisation."""
    organisations_of_row: dict[int, set[str]] = defaultdict(set)
    for activity, key in zip(items, keys, strict=True):
        organisations_of_row[row_of[key]].add(activity.organisation)
    many = object()
    owner: dict[str, object] = {}
    names: Counter[str] = Counter()
    for row, row_features in enumerate(features):
        organisations = organisations_of_row[row]
        single: object = next(iter(organisations)) if len(organisations) == 1 else many
        for feature in row_features:
            names[feature] += 1
            seen = owner.get(feature)
            if seen is None:
                owner[feature] = single
            elif seen is not many and seen != single:
                owner[feature] = many
    local = {f for f, o in owner.items() if o is not many and names[f] >= min_names}
    if local:
        for row_features in features:
            for feature in local.intersection(row_features):
                del row_features[feature]


def _validate(items: Sequence[Activity], keys: Sequence[TextKey]) -> None:
    seen: set[str] = set()
    for activity, key in zip(items, keys, strict=True):
        if activity.id in seen:
            raise ValueError(f"duplicate activity id {activity.id!r}")
        seen.add(activity.id)
        if not key[1]:
            raise ValueError(f"activity {activity.id!r} has an empty name")
