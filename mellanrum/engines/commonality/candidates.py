"""Concepts that may be the same thing under different names ("kanske samma som").

After a run, each concept is compared with every other by its names, read by
the engine's own analyser (words, compound parts, base forms, thesaurus
concepts including people's synonyms, character n-grams).  A pair is
proposed when the names are alike; it ranks higher when the organisations
that do the one rarely do the other: an organisation seldom does the same
thing twice under two names, so complementary organisations are strong
evidence of one thing named differently.  Pairs that people declared
different (must-not-link names) are never proposed.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mellanrum.engines.commonality.cannot_link import conflict, marks_of
from mellanrum.engines.commonality.concept import Concept
from mellanrum.engines.commonality.neighbours import nearest_neighbours
from mellanrum.engines.commonality.vectors import tfidf_matrix
from mellanrum.engines.textmatch.analyser import Analyser
from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["Candidate", "maybe_same"]


@dataclass(frozen=True)
class Candidate:
    """A concept that may be the same as `concept_id`, with the evidence.

    Attributes
    ----------
    concept_id, other_id : str
        The concept and its candidate.
    score : float
        0–1: name similarity, raised by complementary organisations.
    similarity : float
        Cosine of the two concepts' name vectors (0–1).
    shared_terms : tuple of str
        Words and synonyms both concepts' names have, strongest first.
    organisations, other_organisations, both : int
        How many organisations do each, and how many do both.
    reason_sv, reason_en : str
        The evidence in plain Swedish and English.
    """

    concept_id: str
    other_id: str
    score: float
    similarity: float
    shared_terms: tuple[str, ...]
    organisations: int
    other_organisations: int
    both: int
    reason_sv: str
    reason_en: str


def _percent(value: float) -> int:
    return round(100 * value)


def _organisations_sv(count: int) -> str:
    return f"{count} organisation" if count == 1 else f"{count} organisationer"


def _organisations_en(count: int) -> str:
    return f"{count} organisation" if count == 1 else f"{count} organisations"


def _reasons(similarity: float, terms: Sequence[str], a: int, b: int, both: int
             ) -> tuple[str, str]:
    sv = [f"Namnen liknar varandra (likhet {_percent(similarity)} %)."]
    en = [f"The names are alike (similarity {_percent(similarity)}%)."]
    if terms:
        sv.append(f"Gemensamma ord och synonymer: {', '.join(terms)}.")
        en.append(f"Shared words and synonyms: {', '.join(terms)}.")
    counts_sv = (f"Den ena görs av {_organisations_sv(a)}, den andra av "
                 f"{_organisations_sv(b)}")
    counts_en = f"The one is done by {_organisations_en(a)}, the other by {_organisations_en(b)}"
    if both == 0:
        sv.append(f"{counts_sv}, och ingen gör båda: de kompletterar varandra, "
                  "som samma sak med olika namn brukar.")
        en.append(f"{counts_en}, and none does both: they complement each other, "
                  "as the same thing under different names does.")
    elif both < min(a, b):
        sv.append(f"{counts_sv}, och bara {both} gör båda.")
        en.append(f"{counts_en}, and only {both} {'does' if both == 1 else 'do'} both.")
    else:
        everyone_sv = "Den enda organisation" if both == 1 else f"Alla {both} organisationer"
        everyone_en = "The one organisation" if both == 1 else f"All {both} organisations"
        sv.append(f"{everyone_sv} som gör den ena gör också den andra, så det kan "
                  "vara olika saker.")
        en.append(f"{everyone_en} that {'does' if both == 1 else 'do'} the one also "
                  f"{'does' if both == 1 else 'do'} the other, so they may be different things.")
    return " ".join(sv), " ".join(en)


def maybe_same(
    concepts: Sequence[Concept],
    *,
    language: str = "sv",
    extra_synonyms: Iterable[Sequence[str]] = (),
    must_not_link: Iterable[tuple[str, str]] = (),
    per_concept: int = 5,
    min_similarity: float = 0.12,
    names_per_concept: int = 5,
) -> list[Candidate]:
    """Return, for each concept, up to `per_concept` candidates, best first.

    A concept reads as its label and its `names_per_concept` most common
    member names, weighted by how many members use them.  The similarity is
    the cosine of the TF-IDF vectors of the concepts' analyser features
    (document frequencies over concepts): the mean of the cosine over all
    features and the cosine over character n-grams alone (so names that
    share letters but no whole word still meet).  With ``n_a``, ``n_b``
    organisations and ``both`` doing both,
    ``complement = 1 - both / min(n_a, n_b)`` and
    ``score = similarity * (0.3 + 0.7 * complement)``.  Both directions of a
    pair are returned (each concept lists its own candidates).

    Parameters
    ----------
    concepts : sequence of Concept
        The concepts of a run.
    language : {"sv", "en"}
        Language of the names.
    extra_synonyms : iterable of sequence of str
        The synonym sets the run used.
    must_not_link : iterable of (str, str)
        Names declared different: concepts holding such a pair are not proposed.
    per_concept : int
        Candidates kept per concept.
    min_similarity : float
        Name similarity below which nothing is proposed.
    names_per_concept : int
        Distinct member names read per concept.

    Returns
    -------
    list of Candidate
        Sorted by concept id, then score (descending) and candidate id.

    Examples
    --------
    >>> from mellanrum.engines.commonality.concept import Member
    >>> def concept(cid, org, name):
    ...     return Concept(cid, name, (Member(cid, org, name, 1.0, ()),), 1, False, (), {},
    ...                    None, None, None, 0.0, 0.0)
    >>> found = maybe_same([concept("a", "Alfa", "Arkivering"),
    ...                     concept("b", "Beta", "Arkivhantering"),
    ...                     concept("c", "Gamma", "Hemtjänst")])
    >>> [(c.concept_id, c.other_id) for c in found]
    [('a', 'b'), ('b', 'a')]
    >>> maybe_same([concept("a", "Alfa", "Arkivering"), concept("b", "Beta", "Arkivhantering")],
    ...            must_not_link=[("arkivering", "arkivhantering")])
    []
    """
    if len(concepts) < 2:
        return []
    analyser = Analyser(
        language,
        extra_synonyms=[tuple(s) for s in extra_synonyms],
        verbal_nouns=True,
        compound_variants=True,
        service_titles="all",
    )
    marks = marks_of(must_not_link)
    features: list[dict[str, float]] = []
    labels: dict[str, str] = {}
    names_of: list[set[str]] = []
    organisations: list[frozenset[str]] = []
    for concept in concepts:
        counts = Counter(normalise(m.name) for m in concept.members)
        counts[normalise(concept.label)] += 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:names_per_concept]
        bag: dict[str, float] = defaultdict(float)
        for name, count in top:
            if not name:
                continue
            analysis = analyser.analyse(name)
            for feature, value in analysis.features.items():
                bag[feature] += value * count
            for feature, label in analysis.labels.items():
                labels.setdefault(feature, label)
        features.append(dict(bag))
        names_of.append(set(counts))
        organisations.append(frozenset(m.organisation for m in concept.members))
    matrix, columns = tfidf_matrix(features, [1] * len(features))
    grams, _ = tfidf_matrix([{f: v for f, v in row.items() if f.startswith("g:")}
                             for row in features], [1] * len(features))
    # Half words, half spelling: the cosine of the joined unit vectors is the mean of the two
    # cosines, so "Arkivering" and "Arkivhantering" meet on their letters, synonyms on words.
    both_ways = sp.csr_matrix(sp.hstack([matrix, grams]) * math.sqrt(0.5))
    rows, cols, sims = nearest_neighbours(both_ways, k=per_concept * 2, threshold=min_similarity)
    tokens = [frozenset(t for name in names if name in marks for t in marks[name])
              for names in names_of]
    found: dict[int, list[Candidate]] = defaultdict(list)
    for i, j, similarity in zip(rows.tolist(), cols.tolist(), sims.tolist(), strict=True):
        if conflict(tokens[i], tokens[j]):
            continue
        product = matrix[i].multiply(matrix[j]).tocoo()
        order = np.argsort(-product.data, kind="stable")
        shared = []
        for col in product.col[order].tolist():
            column = columns[col]
            if column[:2] in {"w:", "c:"} and column in labels and labels[column] not in shared:
                shared.append(labels[column])
            if len(shared) == 5:
                break
        a, b = organisations[i], organisations[j]
        both = len(a & b)
        smaller = min(len(a), len(b)) or 1
        score = round(similarity * (0.3 + 0.7 * (1 - both / smaller)), 6)
        for x, y in ((i, j), (j, i)):
            sv, en = _reasons(similarity, shared, len(organisations[x]),
                              len(organisations[y]), both)
            found[x].append(Candidate(
                concept_id=concepts[x].id, other_id=concepts[y].id, score=score,
                similarity=round(similarity, 6), shared_terms=tuple(shared),
                organisations=len(organisations[x]), other_organisations=len(organisations[y]),
                both=both, reason_sv=sv, reason_en=en,
            ))
    result: list[Candidate] = []
    for x in sorted(found, key=lambda n: concepts[n].id):
        result.extend(sorted(found[x], key=lambda c: (-c.score, c.other_id))[:per_concept])
    return result
