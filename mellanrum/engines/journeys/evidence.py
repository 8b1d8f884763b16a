"""Evidence from worded examples: everyday phrasings with the life event they mean, as
the finder's extra evidence (plain Python, no Django).

Three signals, each taking an event's score a share of the way to 1 (see the weights): the
cosine with the centroid of the event's examples, the word evidence (the share of the
event's examples that have each feature of the query, as a rate) and the pair evidence (the
same for pairs of consecutive content words).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from mellanrum.engines.journeys.query_text import _EN_STOP, _SV_STOP, clean_query
from mellanrum.engines.textmatch import tokenise
from mellanrum.engines.textmatch.stemming import stemmer

__all__ = ["EVIDENCE_MIN", "EVIDENCE_WEIGHT", "EXAMPLES_FILE", "EXAMPLE_WEIGHT", "PAIR_WEIGHT",
           "ExampleEvidence", "lift", "pairs", "shipped_examples"]

# Worded examples: everyday phrasings with the life event they mean (the development tables,
# `data/finder_examples.csv`).  Each event gets the centroid of its examples' vectors, and
# a query's cosine with it, times this weight, takes the event's score that share of the way
# to 1 (a strong match stays strong; an event no text of which has the words can still
# rise on its examples): words that describe
# a situation ("super", "ryggen", "räcker inte") count for the event whose examples use
# them, even when none of the event's own texts has them.
EXAMPLE_WEIGHT = 0.4
# Word evidence from the examples (round 6): a word of the query counts for each event in
# proportion to the share of that event's examples that use it (a rate, so that an event
# with many examples does not win every word), normalised over the events; a query's
# evidence for an event is the sum over its words of (word weight)² × that share, so at most
# 1.  It takes the score EVIDENCE_WEIGHT × evidence of the way to 1.  A word must occur in
# at least EVIDENCE_MIN examples (one example is an accident of wording, not evidence).
# Where the centroid dilutes a rare situation word among an event's many examples ("stroke"
# among all the words of long illness), the rate keeps it strong.
EVIDENCE_WEIGHT = 0.8
EVIDENCE_MIN = 2
# Pairs of consecutive content words (Swedish stems, filler words dropped) are evidence the
# same way ("gått konkurs", "blir av", "tar slut"): the order and the company of words that
# single words lose.  A query's pair evidence for an event is the mean of the event's shares
# of its pairs, and it takes the score PAIR_WEIGHT × that of the way to 1.
PAIR_WEIGHT = 0.6
EXAMPLES_FILE = Path(__file__).resolve().parent / "data" / "finder_examples.csv"


def shipped_examples() -> tuple[tuple[str, str], ...]:
    """The shipped worded examples, as (text, life-event id) pairs."""
    with EXAMPLES_FILE.open(newline="", encoding="utf-8") as handle:
        return tuple((row["text"], row["event"]) for row in csv.DictReader(handle))


def pairs(text: str) -> set[str]:
    """Pairs of consecutive content-word stems of `text` (after filler words are dropped).

    >>> sorted(pairs("firman har gått i konkurs"))
    ['firman gått', 'gått konkur']
    """
    stems = [w for w in stemmer("sv").stemWords(tokenise(clean_query(text)))
             if w not in _SV_STOP and w not in _EN_STOP]
    return {f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)}


class ExampleEvidence:
    """The worded examples of the life events, indexed for scoring queries.

    Parameters
    ----------
    examples : iterable of (str, int)
        Example texts, each with the position of its life event.
    prepare : callable
        The text made ready for matching, as a query is (colloquial words spelled out,
        spelling repaired).
    vector : callable
        The weighted unit vector of a prepared text (the finder's, with the same IDF
        weights as a query).

    Synonym concepts (`c:` features) are left out: the events' own texts carry them, and a
    concept that all of an event's examples share would dominate its centroid
    ("handikappsparkering" became a child with a disability).
    """

    def __init__(self, examples: Iterable[tuple[str, int]], prepare: Callable[[str], str],
                 vector: Callable[[str], dict[str, float]]) -> None:
        sums: dict[int, dict[str, float]] = {}
        counts: dict[str, dict[int, int]] = {}
        sizes: dict[int, int] = {}
        for text, e in examples:
            total = sums.setdefault(e, {})
            sizes[e] = sizes.get(e, 0) + 1
            prepared = prepare(text)
            for pair in pairs(prepared):
                per = counts.setdefault("p:" + pair, {})
                per[e] = per.get(e, 0) + 1
            for key, value in vector(prepared).items():
                if not key.startswith("c:"):
                    total[key] = total.get(key, 0.0) + value
                    per = counts.setdefault(key, {})
                    per[e] = per.get(e, 0) + 1
        # Feature → (event, its share of the feature's evidence; see EVIDENCE_WEIGHT).
        self.evidence: dict[str, list[tuple[int, float]]] = {}
        for key, per in counts.items():
            if sum(per.values()) < EVIDENCE_MIN:
                continue
            rates = {e: n / sizes[e] for e, n in per.items()}
            whole = sum(rates.values())
            self.evidence[key] = [(e, rate / whole) for e, rate in rates.items()]
        # Feature → (event, weight in the event's unit centroid of its examples).
        self.centroids: dict[str, list[tuple[int, float]]] = {}
        for e, total in sums.items():
            norm = math.sqrt(sum(v * v for v in total.values()))
            for key, value in total.items():
                self.centroids.setdefault(key, []).append((e, value / norm))

    def scores(self, query: Mapping[str, float], text: str) -> dict[int, tuple[float, float,
                                                                              float]]:
        """Per event with any evidence: (centroid cosine, word evidence, pair evidence) of a
        query's weighted vector and its prepared text."""
        worded: dict[int, float] = {}
        evidence: dict[int, float] = {}
        for key, q in query.items():
            for e, value in self.centroids.get(key, ()):
                worded[e] = worded.get(e, 0.0) + q * value
            # The word evidence: (word weight)² × the event's share of it.
            for e, share in self.evidence.get(key, ()):
                evidence[e] = evidence.get(e, 0.0) + q * q * share
        # The pair evidence: the mean of the event's shares of the query's pairs.
        keys = ["p:" + p for p in pairs(text)]
        paired: dict[int, float] = {}
        for key in keys:
            for e, share in self.evidence.get(key, ()):
                paired[e] = paired.get(e, 0.0) + share / len(keys)
        return {e: (worded.get(e, 0.0), evidence.get(e, 0.0), paired.get(e, 0.0))
                for e in (*worded, *evidence, *paired)}


def lift(score: float, signals: tuple[float, float, float]) -> float:
    """`score` taken the weighted shares of the way to 1 by the examples' three signals.

    >>> round(lift(0.5, (0.0, 0.0, 0.0)), 3), round(lift(0.5, (1.0, 0.0, 0.0)), 3)
    (0.5, 0.7)
    """
    worded, evidence, paired = signals
    score += EXAMPLE_WEIGHT * worded * (1.0 - score)
    score += EVIDENCE_WEIGHT * evidence * (1.0 - score)
    return score + PAIR_WEIGHT * paired * (1.0 - score)
