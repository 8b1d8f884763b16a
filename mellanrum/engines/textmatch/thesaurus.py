"""Synonym and abbreviation sets ("concepts") for matching service names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from types import MappingProxyType

from mellanrum.engines.textmatch._data import read_data_lines
from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["Thesaurus"]

_ID_RE = re.compile(r"[^0-9a-zåäö]+")


class Thesaurus:
    """Concepts, each a set of terms (phrases or abbreviations) that mean the same.

    A thesaurus is immutable; :meth:`extended` returns a new one with extra
    synonym sets, e.g. the ones users added in the web interface.

    Parameters
    ----------
    concepts : mapping of str to sequence of str
        Concept id → terms.  The first term is the concept's readable name.

    Examples
    --------
    >>> thesaurus = Thesaurus({"hemtjanst": ["hemtjänst", "stöd i hemmet"]})
    >>> thesaurus.name("hemtjanst")
    'hemtjänst'
    >>> bigger = thesaurus.extended([["hemtjänst", "hemhjälp"], ["dagis", "förskola"]])
    >>> bigger.concepts["hemtjanst"]
    ('hemtjänst', 'stöd i hemmet', 'hemhjälp')
    >>> bigger.concepts["user:dagis"]
    ('dagis', 'förskola')
    """

    def __init__(self, concepts: Mapping[str, Sequence[str]]) -> None:
        cleaned: dict[str, tuple[str, ...]] = {}
        for concept_id in sorted(concepts):
            terms = tuple(dict.fromkeys(t.strip() for t in concepts[concept_id] if t.strip()))
            if terms:
                cleaned[concept_id] = terms
        self.concepts: Mapping[str, tuple[str, ...]] = MappingProxyType(cleaned)

    @classmethod
    def default(cls, language: str = "sv") -> Thesaurus:
        """Return the thesaurus shipped for `language` (``data/thesaurus_<language>.txt``).

        Examples
        --------
        >>> Thesaurus.default("sv").name("lss")
        'lag om stöd och service till vissa funktionshindrade'
        """
        return _default_thesaurus(language)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Thesaurus:
        """Parse lines of the form ``concept-id = term | term | ...``.

        Examples
        --------
        >>> Thesaurus.from_lines(["dagis = förskola | dagis"]).concepts["dagis"]
        ('förskola', 'dagis')
        """
        concepts: dict[str, list[str]] = {}
        for number, line in enumerate(lines, start=1):
            if "=" not in line:
                raise ValueError(f"thesaurus line {number}: expected 'id = term | term'")
            concept_id, terms = line.split("=", 1)
            concepts.setdefault(concept_id.strip(), []).extend(terms.split("|"))
        return cls(concepts)

    def name(self, concept_id: str) -> str:
        """Return the readable name (first term) of a concept."""
        return self.concepts[concept_id][0]

    def extended(self, synonym_sets: Iterable[Sequence[str]]) -> Thesaurus:
        """Return a new thesaurus with extra synonym sets added.

        A set that shares a term (compared after normalisation) with existing
        concepts is merged into them (into the concept with the smallest id
        when it touches several, which are then merged too).  Otherwise it
        becomes a new concept with id ``user:<first term>``.  The result does
        not depend on the order of the sets' terms except for readable names.

        Parameters
        ----------
        synonym_sets : iterable of sequence of str
            Each inner sequence lists terms meaning the same thing.

        Returns
        -------
        Thesaurus
        """
        concepts = {cid: list(terms) for cid, terms in self.concepts.items()}
        index: dict[str, str] = {}
        for cid, terms in concepts.items():
            for term in terms:
                index.setdefault(normalise(term), cid)
        for raw_set in synonym_sets:
            terms = [t for t in (s.strip() for s in raw_set) if normalise(t)]
            if not terms:
                continue
            hits = sorted({index[normalise(t)] for t in terms if normalise(t) in index})
            if hits:
                target = hits[0]
                for other in hits[1:]:
                    concepts[target].extend(concepts.pop(other))
            else:
                target = "user:" + _ID_RE.sub("_", normalise(terms[0])).strip("_")
                concepts.setdefault(target, [])
            concepts[target].extend(terms)
            for term in concepts[target]:
                index[normalise(term)] = target
        return Thesaurus(concepts)


@cache
def _default_thesaurus(language: str) -> Thesaurus:
    if language not in ("sv", "en"):
        raise ValueError(f"unsupported language {language!r}")
    return Thesaurus.from_lines(read_data_lines(f"thesaurus_{language}.txt"))
