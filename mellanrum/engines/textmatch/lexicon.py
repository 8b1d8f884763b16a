"""The word list that drives compound splitting and base forms."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from mellanrum.engines.textmatch._data import read_data_words
from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["Lexicon"]

# Swedish inflection endings tried (longest first) when a word is not in the
# lexicon: definite forms, plurals and the genitive s.
_SV_ENDINGS = (
    "arnas",
    "ernas",
    "ornas",
    "arna",
    "erna",
    "orna",
    "ena",
    "ens",
    "ets",
    "ans",
    "na",
    "en",
    "et",
    "an",
    "ar",
    "er",
    "or",
    "n",
    "t",
    "s",
    "a",
    "e",
)


class Lexicon:
    """A set of known base-form words.

    Parameters
    ----------
    words : iterable of str
        Words in any case; they are normalised.

    Examples
    --------
    >>> lexicon = Lexicon(["förskola", "hem", "tjänst"])
    >>> "hem" in lexicon
    True
    >>> lexicon.base_form("förskolan"), lexicon.base_form("hemmet")
    ('förskola', 'hem')
    >>> lexicon.base_form("okänt") is None
    True
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words: frozenset[str] = frozenset(
            w for w in (normalise(word) for word in words) if w and " " not in w
        )

    @classmethod
    def default(cls, language: str = "sv") -> Lexicon:
        """Return the lexicon shipped for `language` (empty for English).

        Examples
        --------
        >>> "bygglov" in Lexicon.default("sv")
        True
        >>> len(Lexicon.default("en").words)
        0
        """
        return _default_lexicon(language)

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __len__(self) -> int:
        return len(self.words)

    def base_form(self, word: str) -> str | None:
        """Return the lexicon word that `word` is an inflected form of, if any.

        Tries the word itself, then the word without a common Swedish ending
        (also with a final ``a`` restored or a doubled consonant undone, as in
        ``hemmet`` → ``hem``).
        """
        if word in self.words:
            return word
        for ending in _SV_ENDINGS:
            if len(word) - len(ending) < 3 or not word.endswith(ending):
                continue
            stem = word[: -len(ending)]
            if stem in self.words:
                return stem
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in self.words:
                return stem[:-1]
            for candidate in (stem + "a", stem + "e"):
                if candidate in self.words:
                    return candidate
        return None


@cache
def _default_lexicon(language: str) -> Lexicon:
    if language == "sv":
        return Lexicon(read_data_words("lexicon_sv.txt"))
    if language == "en":
        return Lexicon(())
    raise ValueError(f"unsupported language {language!r}")
