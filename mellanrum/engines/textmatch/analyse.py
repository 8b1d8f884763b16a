"""One-call analysis with a cached analyser per language and synonym set."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from mellanrum.engines.textmatch.analyser import Analyser
from mellanrum.engines.textmatch.analysis import Analysis

__all__ = ["analyse"]


@lru_cache(maxsize=16)
def _analyser(language: str, extra: tuple[tuple[str, ...], ...]) -> Analyser:
    return Analyser(language, extra_synonyms=extra)


def analyse(
    text: str, language: str = "sv", extra_synonyms: Iterable[Sequence[str]] = ()
) -> Analysis:
    """Analyse `text` with the shipped data plus `extra_synonyms`.

    Analysers are cached per (language, synonym sets); build an
    :class:`Analyser` yourself to control weights or the lexicon.

    Examples
    --------
    >>> analyse("Stöd i hemmet").concepts
    ('hemtjanst',)
    >>> analyse("Trygg hemgång", extra_synonyms=[["trygg hemgång", "hemtjänst"]]).concepts
    ('hemtjanst',)
    >>> analyse("Home care", language="en").concepts
    ('hemtjanst',)
    """
    extra = tuple(tuple(s) for s in extra_synonyms)
    return _analyser(language, extra).analyse(text)
