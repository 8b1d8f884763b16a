"""Unicode and case normalisation that keeps å, ä and ö as distinct letters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["normalise"]

_KEEP = frozenset("åäö")
_FOLD = {"æ": "ä", "ø": "ö", "ß": "ss"}
# Any dash or hyphen-like character; handled specially below.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_RE = re.compile(f"[{_DASHES}]")
_NON_WORD_RE = re.compile(r"[^0-9a-zåäö\-]+")
_SPACE_RE = re.compile(r"\s+")


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each character once, on first sight."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in _KEEP:
            folded = char
        elif char in _FOLD:
            folded = _FOLD[char]
        else:
            decomposed = unicodedata.normalize("NFD", char)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def normalise(text: str) -> str:
    """Return `text` lower-cased, accent-folded and with punctuation removed.

    The Swedish letters å, ä and ö are kept as distinct letters (``får`` and
    ``far`` are different words); other diacritics are removed (``é`` becomes
    ``e``).  Dashes and hyphens are handled as follows:

    * a hyphen after a single letter is removed (``e-tjänst`` → ``etjänst``);
    * a hyphen between two words splits them (``LSS-insats`` → ``lss insats``);
    * a free-standing dash (``Bygglov – ansökan``) becomes a space;
    * a trailing hyphen of a suspended compound (``vård- och omsorgsboende``)
      is dropped, leaving the first part as a word of its own.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        Words separated by single spaces.

    Examples
    --------
    >>> normalise("Bygglov – Ansökan!")
    'bygglov ansökan'
    >>> normalise("E-tjänst för LSS-insatser, café")
    'etjänst för lss insatser cafe'
    >>> normalise("Får") == normalise("far")
    False
    """
    return _normalise(text)


@lru_cache(maxsize=262_144)
def _normalise(text: str) -> str:
    lowered = unicodedata.normalize("NFC", text).lower()
    folded = lowered.translate(_FOLD_TABLE)
    folded = _DASH_RE.sub("-", folded)
    folded = _NON_WORD_RE.sub(" ", folded)
    words: list[str] = []
    for chunk in folded.split():
        pieces = [p for p in chunk.split("-") if p]
        if not pieces:
            continue
        merged: list[str] = []
        for piece in pieces:
            if merged and len(merged[-1]) == 1 and merged[-1].isalpha():
                merged[-1] += piece
            else:
                merged.append(piece)
        words.extend(merged)
    return _SPACE_RE.sub(" ", " ".join(words)).strip()
