"""Text similarity of steps, queries and activity names, on top of ``textmatch``."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType

from mellanrum.engines.journeys.model import ActivityRef
from mellanrum.engines.textmatch import Analyser

__all__ = ["ACTIVITY_THRESHOLD", "NameWeights", "TextMatcher", "text_matcher"]

# A hint and an activity name are taken to mean the same service from this cosine on, when
# they also share an anchor (a whole content word or a thesaurus concept).
ACTIVITY_THRESHOLD = 0.5
# Feature weight from which a word counts as content rather than a "how" word (textmatch
# gives weak words 0.15 of a word's weight).
STRONG_WORD = 0.25
Vector = Mapping[str, float]


class NameWeights:
    """Inverse document frequency of features over a set of activity names.

    A word found in many names of an organisation ("hem", "arbete", "ansökan") says little
    about which of them a hint means, so it weighs less.  Weighted vectors are cached.
    """

    def __init__(self, matcher: TextMatcher, names: Iterable[str]) -> None:
        self.matcher = matcher
        frequency: Counter[str] = Counter()
        count = 0
        for name in dict.fromkeys(names):
            count += 1
            frequency.update(matcher.vector(name).keys())
        self.default = math.log(1 + max(count, 1))
        self.idf = {k: math.log(1 + count / df) for k, df in frequency.items()}
        self._cache: dict[str, Vector] = {}

    def vector(self, text: str) -> Vector:
        """The unit vector of `text` with features weighted by their IDF."""
        cached = self._cache.get(text)
        if cached is None:
            raw = {k: w * self.idf.get(k, self.default)
                   for k, w in self.matcher.vector(text).items()}
            norm = math.sqrt(sum(w * w for w in raw.values()))
            cached = {k: w / norm for k, w in raw.items()} if norm else {}
            self._cache[text] = cached
        return cached


class TextMatcher:
    """Unit-length feature vectors of Swedish texts and their cosine similarity.

    Texts are analysed by :class:`mellanrum.engines.textmatch.Analyser` (base forms,
    compounds, synonyms, one-letter typos, character trigrams) with the catalogue's
    everyday synonym sets added to its thesaurus.  Vectors are cached per text.

    Parameters
    ----------
    synonyms : iterable of sequence of str
        Extra synonym sets (``["äldreboende", "särskilt boende"]``).
    known_words : iterable of str, optional
        Texts whose words count as spelled right (see ``Analyser``).

    Examples
    --------
    >>> matcher = TextMatcher([["fik", "kafé"]])
    >>> round(matcher.similarity("Fik", "Kafé"), 2) > 0.3
    True
    >>> same = matcher.similarity("Hemtjänst", "Stöd i hemmet")
    >>> same > matcher.similarity("Hemtjänst", "Bygglov")
    True
    """

    def __init__(
        self, synonyms: Iterable[Sequence[str]] = (), known_words: Iterable[str] = ()
    ) -> None:
        self.analyser = Analyser(
            "sv", extra_synonyms=[tuple(s) for s in synonyms], known_words=known_words
        )
        self._vectors: dict[str, Vector] = {}
        self._anchors: dict[str, frozenset[str]] = {}

    def vector(self, text: str) -> Vector:
        """Return the unit-length feature vector of `text` (empty for a text without words)."""
        cached = self._vectors.get(text)
        if cached is None:
            features = self.analyser.analyse(text).features
            norm = math.sqrt(sum(w * w for w in features.values()))
            cached = MappingProxyType(
                {k: w / norm for k, w in features.items()} if norm else {}
            )
            if len(self._vectors) < 200_000:
                self._vectors[text] = cached
        return cached

    def anchors(self, text: str) -> frozenset[str]:
        """Whole content words (as stems) and thesaurus concepts of `text`.

        Words that only say how a service is reached ("ansök", "anmälan") are left out, and
        so are parts of compounds: "Budgetarbete" has the anchor ``budgetarbet``, not
        ``arbet``, so a hint "stöd till arbete" does not match it.

        Examples
        --------
        >>> sorted(TextMatcher().anchors("Ansök om bygglov"))
        ['bygglov', 'c:bygglov']
        """
        cached = self._anchors.get(text)
        if cached is None:
            analysis = self.analyser.analyse(text)
            strong = {
                stem for stem in self.analyser.term_key(text)
                if analysis.features.get("w:" + stem, 0.0) >= STRONG_WORD
            }
            cached = frozenset(strong | {"c:" + c for c in analysis.concepts})
            self._anchors[text] = cached
        return cached

    def concepts(self, text: str) -> tuple[str, ...]:
        """Thesaurus concepts found in `text`."""
        return self.analyser.analyse(text).concepts

    @staticmethod
    def cosine(a: Vector, b: Vector) -> float:
        """Cosine of two unit vectors."""
        if len(a) > len(b):
            a, b = b, a
        return sum(w * b[k] for k, w in a.items() if k in b)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts, in [0, 1]."""
        return self.cosine(self.vector(a), self.vector(b))

    def best_activity(
        self,
        hints: Sequence[str],
        activities: Sequence[ActivityRef],
        threshold: float = ACTIVITY_THRESHOLD,
        weights: NameWeights | None = None,
    ) -> tuple[ActivityRef | None, float]:
        """Return the activity whose name best matches one of `hints`, and the score.

        A hint and a name must share an anchor (:meth:`anchors`); their score is the cosine
        of their vectors weighted by the inverse frequency of features among the activities'
        names (`weights`, computed from `activities` when not given), so that a shared common
        word ("hem", "arbete") does not make a match.  Earlier hints are
        preferred: hint *i* counts with factor 1 − 0.03 i.  Ties go to the activity with the
        smaller id, so the result does not depend on input order.

        Examples
        --------
        >>> from mellanrum.engines.journeys.model import OrganisationRef
        >>> nacka = OrganisationRef("0182", "Nacka kommun", "municipality", "01")
        >>> acts = [ActivityRef("1", "Ansök om förskoleplats", nacka),
        ...         ActivityRef("2", "Bygglov", nacka), ActivityRef("3", "Familjehem", nacka)]
        >>> found, score = TextMatcher().best_activity(["förskoleplats"], acts)
        >>> found.name
        'Ansök om förskoleplats'
        >>> TextMatcher().best_activity(["larm i hemmet"], acts)[0] is None
        True
        """
        if weights is None:
            weights = NameWeights(self, (a.name for a in activities))
        hint_vectors = [
            (weights.vector(h), self.anchors(h), 1.0 - 0.03 * i) for i, h in enumerate(hints)
        ]
        best: ActivityRef | None = None
        best_score = 0.0
        for activity in activities:
            name = weights.vector(activity.name)
            anchors = self.anchors(activity.name)
            score = max(
                (self.cosine(v, name) * f for v, a, f in hint_vectors if a & anchors),
                default=0.0,
            )
            if score > best_score + 1e-9 or (
                best is not None and abs(score - best_score) <= 1e-9 and activity.id < best.id
            ):
                best, best_score = activity, score
        if best is None or best_score < threshold:
            return None, best_score
        return best, best_score


@lru_cache(maxsize=8)
def text_matcher(
    synonyms: tuple[tuple[str, ...], ...] = (), known_words: tuple[str, ...] = ()
) -> TextMatcher:
    """Return a shared :class:`TextMatcher` for a set of synonym sets and known words (one
    per process)."""
    return TextMatcher(synonyms, known_words)
