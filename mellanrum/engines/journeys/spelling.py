"""Spelling repair of finder queries before they are matched against the life events.

People write without å, ä and ö ("forsakringskassan"), with two letters wrong
("forsäkringkasan"), with compounds the texts do not have ("handikappsparkering",
"jobblös") and with place names that say they are moving ("vi har fått jobb i Umeå").
:class:`QuerySpeller` rewrites each word of a query that the analyser does not know:

1. the same word with å, ä, ö restored, when exactly one vocabulary word folds to it;
2. the vocabulary word of an English inflection ("divorcing" → "divorce");
3. the nearest vocabulary word within a Levenshtein distance that grows with the length
   of the word (``rapidfuzz``; 1 from 6 letters, 2 from 8), ties to the more common word;
4. a compound split on vocabulary words: its head (last part) and modifier, with a
   linking *s* ("handikapp|s|parkering" → "handikapp parkering"); "X-lös" becomes
   "utan X" ("jobblös" → "utan jobb");
5. a municipality or locality name becomes :data:`PLACE_WORD`, a word the moving life
   event knows.

:func:`ages` reads the ages a query states ("16-åring", "mamma är 88"); the finder's cues
(``cues.py``) lift the life events of that age.

Words the analyser knows are left alone, so a right word is never "corrected".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from mellanrum.engines.textmatch import Analyser, stop_words, tokenise
from mellanrum.engines.textmatch.stemming import stemmer

__all__ = ["PLACE_WORD", "QuerySpeller", "ages", "fold"]

PLACE_WORD = "annan ort"
MIN_FUZZY = 6
MIN_MODIFIER = 2
MIN_FUZZY_2 = 8
MIN_PART = 4
MIN_HEAD_ALONE = 6
# From these word frequencies (Zipf: 3 is once per million words) a word is taken as a real
# word and never corrected nor split (see `common_word`); typos are rarer.
COMMON = {"sv": 3.0, "en": 3.5}
_WORD = re.compile(r"[\w-]+")
_FOLD = str.maketrans("åäöéü", "aaoeu")
# Place names that are also Swedish function words ("Bara" in Skåne is "only").
_STOP = stop_words("sv") | {"bara", "mycket", "lite", "alla", "hela"}
# Ages up to twenty are often written in words ("lillan fyller ett", "a three-year-old";
# "treåring" and the like are vocabulary words of their own).
_NUMBERS = {w: n for n, words in enumerate((
    "", "ett en one", "två two", "tre three", "fyra four", "fem five", "sex six", "sju seven",
    "åtta eight", "nio nine", "tio ten", "elva eleven", "tolv twelve", "tretton thirteen",
    "fjorton fourteen", "femton fifteen", "sexton sixteen", "sjutton seventeen", "arton",
    "nitton nineteen", "tjugo twenty")) for w in words.split()}
_NUMBER = "(" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"
_AGE = re.compile(
    r"\b(\d{1,3})\s*-?\s*(?:åring\w*|årig\w*|year-old)\b"
    # "efter 20 år", "jobbat i 45 år", "for 10 years" are durations, not ages.
    r"|(?<!\befter )(?<!\bi )(?<!\bsedan )(?<!\bsen )(?<!\bpå )(?<!\bom )(?<!\bunder )"
    r"(?<!\bför )(?<!\bfor )(?<!\bafter )(?<!\bin )(?<!\bover )(?<!\bnästan )"
    r"\b(\d{1,3})\s*(?:år|years?|yrs?)\b"
    r"|\b(?:fyller|fyllt|är|på|aged|age|turning|turned|i'm|im|i am)\s+(\d{1,3})\b"
    r"(?!\s*(?:%|kr\b|st\b|km\b|mil\b|meter\b|m\b|min\b|minuter|timmar|dagar|veckor"
    r"|månader|kilo|kg\b|procent|gånger))"
    rf"|\b{_NUMBER}[\s-]+(?:year-old|years? old|år gammal)\b"
    rf"|\b(?:fyller|fyllt|aged|turning|turned)\s+{_NUMBER}\b",
    re.IGNORECASE)


def ages(text: str) -> tuple[int, ...]:
    """The ages stated in `text` ("16-åring", "är 88", "turning 65"), up to 120.

    Examples
    --------
    >>> ages("jag är 19 och mamma fyller 65")
    (19, 65)
    >>> ages("a three-year-old"), ages("lillan fyller ett i vår"), ages("I'm 19")
    ((3,), (1,), (19,))
    >>> ages("vi är två"), ages("jag är en pensionär")
    ((), ())
    >>> ages("uppsagd efter 20 år"), ages("har jobbat i 45 år"), ages("20 år och bor hemma")
    ((), (), (20,))
    """
    found = (next(g for g in m.groups() if g).lower() for m in _AGE.finditer(text))
    return tuple(age for age in (int(n) if n.isdigit() else _NUMBERS[n] for n in found)
                 if 0 < age <= 120)



def common_word(token: str, language: str) -> bool:
    """Whether `token` is a common word of `language` ("sv" or "en"; English only in plain
    letters): a word frequency (Zipf) of at least :data:`COMMON` in wordfreq's shipped
    lists.

    Examples
    --------
    >>> common_word("händer", "sv"), common_word("cooking", "en")
    (True, True)
    >>> common_word("färtjänst", "sv"), common_word("hänger", "en")
    (False, False)
    """
    from wordfreq import zipf_frequency

    if language == "en" and not token.isascii():
        return False
    return bool(zipf_frequency(token, language, wordlist="small") >= COMMON[language])


def fold(word: str) -> str:
    """`word` without the Swedish letters' dots and rings.

    Examples
    --------
    >>> fold("försäkringskassan")
    'forsakringskassan'
    """
    return word.translate(_FOLD)


class QuerySpeller:
    """Rewrites the unknown words of queries towards a vocabulary (cached per word).

    Parameters
    ----------
    analyser : Analyser
        Says which words are known (see :meth:`Analyser.knows`).
    texts : iterable of str
        The texts whose words are the vocabulary (the life events' texts).
    places : iterable of str
        Place names (municipalities, localities); one-word names of four letters or more
        that are not known words are recognised.

    Examples
    --------
    >>> from mellanrum.engines.textmatch import Analyser
    >>> words = ["försäkringskassan", "parkering", "jobb"]
    >>> speller = QuerySpeller(Analyser("sv", known_words=words), words, ["Umeå"])
    >>> speller.repair("forsakringskassan")
    'försäkringskassan'
    >>> speller.repair("forsäkringkassan")
    'försäkringskassan'
    >>> speller.repair("handikappsparkering jobblös")
    'parkering utan jobb'
    >>> speller.repair("jobb i umea")
    'jobb i annan ort'
    """

    def __init__(self, analyser: Analyser, texts: Iterable[str], places: Iterable[str] = ()
                 ) -> None:
        self.analyser = analyser
        counts: Counter[str] = Counter(w for t in texts for w in tokenise(t) if len(w) >= 3)
        self._count = counts
        self._vocabulary = sorted(counts, key=lambda w: (-counts[w], w))
        by_fold: dict[str, set[str]] = {}
        for word in counts:
            by_fold.setdefault(fold(word), set()).add(word)
        self._folded = {k: next(iter(v)) for k, v in by_fold.items() if len(v) == 1}
        self._parts = frozenset(w for w in counts if len(w) >= MIN_PART)
        self._by_initial: dict[str, list[str]] = {}
        for word in self._vocabulary:
            self._by_initial.setdefault(word[0], []).append(word)
        # English words of the vocabulary by their English stem ("closed" → "close"), the
        # most common word first, so that "closing" finds "closed".
        self._by_english_stem: dict[str, str] = {}
        for word in self._vocabulary:
            if word.isascii() and word.isalpha():
                self._by_english_stem.setdefault(stemmer("en").stemWord(word), word)
        self._places = frozenset(
            fold(w) for name in places for w in [name.casefold().replace("ae", "ä")
                                                 .replace("oe", "ö")]
            if " " not in w and "-" not in w and len(w) >= MIN_PART
            and not analyser.knows(w) and w not in counts and w not in _STOP
        )
        self._cache: dict[str, str] = {}
        # Load the word-frequency lists now, with the rest of the analyser, rather than on
        # the first query.
        common_word("och", "sv"), common_word("and", "en")

    def repair(self, text: str) -> str:
        """`text` with every unknown word rewritten (punctuation and known words kept)."""
        replace: Callable[[re.Match[str]], str] = lambda m: self.word(m.group(0))  # noqa: E731
        return _WORD.sub(replace, text)

    def word(self, raw: str) -> str:
        """The rewrite of one word (itself when known or when nothing fits)."""
        cached = self._cache.get(raw)
        if cached is not None:
            return cached
        tokens = tokenise(raw)
        result = raw
        if len(tokens) == 1:
            token = tokens[0]
            if fold(token) in self._places:
                result = PLACE_WORD
            elif not token.isdigit() and not self.analyser.knows(token):
                result = self._repair(token) or raw
        if len(self._cache) < 100_000:
            self._cache[raw] = result
        return result

    def _repair(self, token: str) -> str:
        # Missing å, ä and ö are restored only in a word written without them ("här" is not
        # "har").
        folded = self._folded.get(fold(token)) if fold(token) == token else None
        if folded is not None:
            return folded
        if common_word(token, "sv"):
            return ""  # a common word is not a typo ("händer", "beslut", "hans")
        english = self._english(token)
        if english:
            return english
        if common_word(token, "en"):
            return ""  # nor a common English word ("cooking" is not "looking")
        return self._near(token) or self._split(token)

    def _near(self, token: str) -> str:
        """The nearest vocabulary word within the distance for `token`'s length, else ""."""
        if len(token) < MIN_FUZZY:
            return ""
        if len(token) < MIN_FUZZY_2:
            found = process.extractOne(token, self._vocabulary, scorer=Levenshtein.distance,
                                       score_cutoff=1)
            return str(found[0]) if found is not None else ""
        # Two edits only within words of the same first letter: people rarely mistype the
        # first letter, and an unknown English word is otherwise "corrected" into another
        # ("cleaning" → "leaving").
        found = process.extractOne(token, self._by_initial.get(token[0], ()),
                                   scorer=Levenshtein.distance, score_cutoff=2)
        if found is None or found[1] > 1:
            found = process.extractOne(token, self._vocabulary, scorer=Levenshtein.distance,
                                       score_cutoff=1) or found
        return str(found[0]) if found is not None else ""

    def _english(self, token: str) -> str:
        """The vocabulary word of an English inflection ("divorcing" → "divorce",
        "getting" → "get", "retired" → "retire") or with the same English (Snowball) stem
        ("closing" → "closed"), else ""."""
        for ending in ("ing", "ed", "es", "s"):
            if not token.endswith(ending) or len(token) - len(ending) < 3:
                continue
            stem = token[: -len(ending)]
            candidates = [stem, stem + "e"]
            if len(stem) > 3 and stem[-1] == stem[-2]:
                candidates.append(stem[:-1])  # "getting", "stopped"
            for word in candidates:
                if word in self._count:
                    return word
        if token.isascii() and token.isalpha() and len(token) >= MIN_PART:
            return self._by_english_stem.get(stemmer("en").stemWord(token), "")
        return ""

    def _split(self, token: str) -> str:
        if token.endswith("lös") and len(token) > 3 + MIN_PART - 1:
            stem = token[:-3]
            for modifier in (stem, stem[:-1] if stem.endswith("s") else ""):
                if modifier in self._parts or self.analyser.knows(modifier):
                    return f"utan {modifier}"
        best = ""
        for cut in range(MIN_MODIFIER, len(token) - MIN_PART + 1):
            head = token[cut:]
            # A head is an event word or, from five letters, a Swedish word or compound
            # ("last|bilskort") or near an event word ("el|räkningen" → "räkningar"); the
            # longest one wins.
            if head not in self._parts and not (len(head) >= 5 and self.analyser.knows(head)):
                head = self._near(head)
                if not head:
                    continue
            modifier = token[:cut]
            if modifier.endswith("s") and len(modifier) > MIN_PART:
                modifier = modifier[:-1]
            modifier = self._folded.get(fold(modifier), modifier)  # "forlossning"
            if modifier in self._parts or (len(modifier) >= MIN_PART
                                           and self.analyser.knows(modifier)):
                best = f"{modifier} {head}"
            elif len(head) >= MIN_HEAD_ALONE or head in self.analyser.lexicon.words:
                best = head
            else:
                continue  # "frisörsa|long": a short non-Swedish head is no evidence
            break  # the longest head that is a vocabulary word
        return best
