"""Snowball stemmers that are safe to use from several threads.

A snowball stemmer keeps the word it works on in the object, so two threads stemming with the
same one corrupt each other's words (seen under load as ``IndexError`` in ``stemWord``, a 500
from the finder). Each thread gets its own stemmer per language.
"""

from __future__ import annotations

import threading

import snowballstemmer
from snowballstemmer.basestemmer import BaseStemmer

__all__ = ["LANGUAGES", "stemmer"]

_NAMES = {"sv": "swedish", "en": "english"}
LANGUAGES = frozenset(_NAMES)
_PER_THREAD = threading.local()


def stemmer(language: str) -> BaseStemmer:
    """This thread's stemmer for ``language`` ("sv" or "en")."""
    stemmers: dict[str, BaseStemmer] | None = getattr(_PER_THREAD, "by_language", None)
    if stemmers is None:
        stemmers = _PER_THREAD.by_language = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(_NAMES[language])
    return stemmers[language]
