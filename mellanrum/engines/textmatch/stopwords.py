"""Stop-word lists shipped as package data."""

from __future__ import annotations

from functools import cache

from mellanrum.engines.textmatch._data import read_data_words

__all__ = ["stop_words"]

LANGUAGES = ("sv", "en")


@cache
def stop_words(language: str = "sv") -> frozenset[str]:
    """Return the stop words for `language` (``"sv"`` or ``"en"``).

    The lists are package data (``data/stopwords_<language>.txt``), written for
    names of public services: function words only, no domain words.

    Parameters
    ----------
    language : {"sv", "en"}
        Language code.

    Returns
    -------
    frozenset of str
        Normalised (lower-case) stop words.

    Raises
    ------
    ValueError
        If the language is not supported.

    Examples
    --------
    >>> "och" in stop_words("sv"), "bygglov" in stop_words("sv")
    (True, False)
    >>> "the" in stop_words("en")
    True
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    return frozenset(read_data_words(f"stopwords_{language}.txt"))
