"""Nearest real titles of a service: a statistical bridge for names no concept reaches.

:mod:`~mellanrum.engines.textmatch.service_titles` gives a name a learned service concept only
when the name holds *all* the words of a learned core.  This module tries the looser, statistical
step: each real title of ``data/service_titles_sv.csv`` (``combined`` rows left out) becomes a
TF-IDF vector of the analyser's own word features (stems, compound parts and leaves; the weak
words that only say how a service is reached left out), and a name that names no thesaurus
concept and no learned concept is compared with all of them (cosine).  When its ``K`` nearest
titles agree on one service — the best title at least ``MIN_SIMILARITY`` alike, the service
holding at least ``MIN_SHARE`` of the neighbours' summed similarity, and titles of it from at
least ``MIN_ORGANISATIONS`` organisations among the neighbours — the name gets that service as a
concept feature, by the same path as a learned concept.  A name close to two services gets none
(the share rule); a name naming a concept keeps it and gets nothing from here.

The service is given by its slug (which is a thesaurus concept when the slug is a thesaurus
id), never as another thesaurus concept its titles name: a look-alike service ("Sotningsfrister"
under sotning) would join that concept's service.  The feature weighs ``WEIGHT`` × the learned
concept weight (0.5 against a concept's 2.0): a nudge that joins a name to a service's names
it shares a word with but too little to join on words alone ("Avläsning" and "Mätaravläsning"),
not a join of names that share no word — at a weight that would do that, the bridge's wrong
services cost more pairs than its right ones gave (see "Round 9b" in docs/commonality.md, with
the parameters' sweep on the corpus folds).  A word of the name that no title holds weighs as
much as the rarest word (it says the name may be about something else).  ``GRAMS`` (character
n-grams in the vectors) and ``ALL_NAMES`` (names with a concept get the service as well) were
tried on the folds and are off.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from mellanrum.engines.textmatch.normalise import normalise
from mellanrum.engines.textmatch.service_titles import SLUG_RE, TitleRow, rows_of

if TYPE_CHECKING:
    from mellanrum.engines.textmatch.analyser import Analyser

__all__ = ["NeighbourIndex", "learned_neighbours"]

K = 5
MIN_SIMILARITY = 0.55
MIN_SHARE = 0.8
MIN_ORGANISATIONS = 2
WEIGHT = 0.25
# Weight of the analyser's character n-grams in the vectors (0: words only).
GRAMS = 0.0
# Whether names that already name a concept get the nearest titles' service as well.
ALL_NAMES = False


@dataclass(frozen=True)
class _Title:
    service: str
    organisation: str


class NeighbourIndex:
    """TF-IDF vectors of real titles and the service a name's nearest titles agree on."""

    def __init__(
        self,
        analyser: Analyser,
        rows: Sequence[TitleRow],
        *,
        k: int = K,
        min_similarity: float = MIN_SIMILARITY,
        min_share: float = MIN_SHARE,
        min_organisations: int = MIN_ORGANISATIONS,
    ) -> None:
        self.k = k
        self.min_similarity = min_similarity
        self.min_share = min_share
        self.min_organisations = min_organisations
        self.weight = WEIGHT
        self.all_names = ALL_NAMES
        self._weak = analyser.weak_stems()
        concepts = analyser.thesaurus.concepts
        vectors: list[dict[str, float]] = []
        titles: list[_Title] = []
        services: set[str] = set()
        first_name: dict[str, str] = {}
        for row in rows:
            if row.combined or not row.name or not SLUG_RE.match(row.service):
                continue
            analysis = analyser.analyse(normalise(row.name))
            vector = self._raw(analysis.features)
            if not vector:
                continue
            vectors.append(vector)
            titles.append(_Title(row.service, row.organisation))
            first_name.setdefault(row.service, row.name)
            services.add(row.service)
        df: Counter[str] = Counter(f for v in vectors for f in v)
        n = len(vectors)
        self._idf = {f: math.log((n + 1) / (c + 1)) + 1.0 for f, c in df.items()}
        # A word no title has weighs most: it says the name may be about something else.
        self._unseen_idf = math.log(n + 1) + 1.0
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, vector in enumerate(vectors):
            for f, weight in self._normalised(vector).items():
                self._postings[f].append((i, weight))
        self._titles = titles
        # The concept a service is given as: its slug (a thesaurus concept when the slug is
        # one's id).  A look-alike service whose titles mostly name another service's thesaurus
        # concept is never given that concept (that would join it with the other service).
        self.target: dict[str, str] = {service: service for service in services}
        # Readable names of the services that are no thesaurus concept.
        self.names: Mapping[str, str] = {
            self.target[s]: name
            for s, name in sorted(first_name.items())
            if self.target[s] not in concepts
        }
        self._cache: dict[tuple[tuple[str, float], ...], str | None] = {}

    def _raw(self, features: Mapping[str, float]) -> dict[str, float]:
        raw = {
            key: weight
            for key, weight in features.items()
            if key.startswith("w:") and key[2:] not in self._weak and not key[2:].isdigit()
        }
        if GRAMS:
            raw.update(
                (key, weight * GRAMS) for key, weight in features.items() if key.startswith("g:")
            )
        return raw

    def _normalised(self, vector: Mapping[str, float]) -> dict[str, float]:
        weighted = {f: w * self._idf.get(f, self._unseen_idf) for f, w in vector.items()}
        norm = math.sqrt(sum(w * w for w in weighted.values()))
        return {f: w / norm for f, w in weighted.items() if w} if norm else {}

    def neighbours(self, features: Mapping[str, float]) -> list[tuple[float, str, str]]:
        """The ``k`` nearest titles of a name's features: (cosine, service, organisation)."""
        query = self._normalised(self._raw(features))
        scores: dict[int, float] = defaultdict(float)
        for f, weight in query.items():
            for i, title_weight in self._postings.get(f, ()):
                scores[i] += weight * title_weight
        best = sorted(scores.items(), key=lambda x: (-x[1], x[0]))[: self.k]
        return [(s, self._titles[i].service, self._titles[i].organisation) for i, s in best]

    def service_of(self, features: Mapping[str, float]) -> str | None:
        """The concept the nearest titles agree on, or None (see the module docstring)."""
        key = tuple(sorted(self._raw(features).items()))
        if key in self._cache:
            return self._cache[key]
        found = self._service_of(features)
        if len(self._cache) < 1_000_000:
            self._cache[key] = found
        return found

    def _service_of(self, features: Mapping[str, float]) -> str | None:
        near = self.neighbours(features)
        if not near or near[0][0] < self.min_similarity:
            return None
        votes: dict[str, float] = defaultdict(float)
        organisations: dict[str, set[str]] = defaultdict(set)
        for score, service, organisation in near:
            target = self.target[service]
            votes[target] += score
            organisations[target].add(organisation)
        best = max(votes, key=lambda t: (votes[t], t))
        if votes[best] < self.min_share * sum(votes.values()):
            return None
        if len(organisations[best]) < self.min_organisations:
            return None
        return best


@cache
def learned_neighbours(
    part: str, verbal_nouns: bool, compound_variants: bool
) -> NeighbourIndex:
    """The :class:`NeighbourIndex` of the shipped titles of `part`, built once a process."""
    from mellanrum.engines.textmatch.service_titles import _plain_analyser

    return NeighbourIndex(_plain_analyser(verbal_nouns, compound_variants), rows_of(part))
