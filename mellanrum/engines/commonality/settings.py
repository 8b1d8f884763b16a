"""Tuning knobs of the grouping engine."""

from __future__ import annotations

from dataclasses import dataclass

from mellanrum.engines.textmatch.weights import FeatureWeights

__all__ = ["GroupingSettings"]


@dataclass(frozen=True)
class GroupingSettings:
    """Thresholds and sizes used by :func:`group_activities`.

    Attributes
    ----------
    threshold : float
        Minimum cosine similarity of two names for an edge of the
        neighbour graph.
    merge_threshold : float
        Minimum cosine similarity between the centroids of two groups for
        them to merge (average-linkage guard against chaining).
    lone_merge_threshold : float or None
        The guard, in the pass over distinct names, when one side is a single
        name: a long title ("Korttidsvistelse utanför hemmet enligt LSS, lagen
        om …") has a neighbour above `threshold` but a centroid pulled away by
        its extra words.  Two groups still need `merge_threshold`, which keeps
        two established services from joining through a shared broad word.
        None uses `merge_threshold` throughout.
    neighbours : int
        Neighbours kept per distinct name (k of the kNN graph).
    rounds : int
        Clustering passes: the first over distinct names, the others over
        whole clusters (stops early when nothing changes).
    allow_same_organisation : bool
        If False (default) a concept never holds two activities of one
        organisation unless a human decision puts them together.
    description_weight : float
        Factor for features that come from descriptions.
    chunk_rows : int
        Rows per task of the neighbour search.
    parallel_min_rows : int
        Below this many distinct names the search runs in-process.
    max_feature_share, max_feature_floor : float, int
        Features found in more than ``max(max_feature_share * activities,
        max_feature_floor)`` activities are ignored (as scikit-learn's
        ``max_df``).
    local_feature_min_names : int
        A feature found in at least this many distinct names, all of one
        organisation, is ignored: it is that organisation's own word (its
        name, a local system or jargon), cannot show what organisations have
        in common, and would pull its activities away from their
        counterparts.  0 disables the rule.
    weights : FeatureWeights
        Analyser feature weights.
    service_titles : {"all", "learn", "score", "off"}
        Which real titles per service the Swedish analyser learns as thesaurus terms
        (``Analyser(service_titles=...)``): all shipped ones; for measuring, only the learn or
        score part of them; or none.
    service_neighbours : bool
        With `service_titles` on, a Swedish name that names no concept gets the service its
        nearest real titles agree on (``Analyser(service_neighbours=...)``).

    Examples
    --------
    >>> GroupingSettings().allow_same_organisation
    False
    """

    threshold: float = 0.5
    merge_threshold: float = 0.45
    lone_merge_threshold: float | None = 0.3
    neighbours: int = 30
    rounds: int = 3
    allow_same_organisation: bool = False
    description_weight: float = 0.3
    chunk_rows: int = 2000
    parallel_min_rows: int = 4000
    max_feature_share: float = 0.05
    max_feature_floor: int = 500
    local_feature_min_names: int = 5
    weights: FeatureWeights = FeatureWeights()
    service_titles: str = "all"
    service_neighbours: bool = True
