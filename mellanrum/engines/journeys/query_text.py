"""A finder query made ready for matching: filler words dropped, colloquial Swedish and
everyday phrases spelled out (plain Python, no Django)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from mellanrum.engines.textmatch import stop_words

__all__ = ["FILLER_WORDS", "clean_query", "rewrite", "spell_out"]

# English function words are dropped before matching, except those that are also Swedish
# words ("by" is a village, "under" and "i" are Swedish too).
_EN_STOP = stop_words("en") - {"by", "under", "i", "for"}
_SV_STOP = stop_words("sv") | {"går", "igår", "idag", "snart", "nu"}

# Words that say who is concerned, not what happened ("mamma" must not pull towards "bli
# mamma" when the sentence is about mamma's memory), verbs that carry no need ("fått",
# "ska", "vill") and words of price and age.  They are dropped before matching unless
# nothing else is left.
FILLER_WORDS = frozenset(
    "mamma mamman mammas pappa pappan pappas farsan morsan mor far mormor morfar farmor "
    "farfar son sonen dotter dottern bror brorsan syster systern man mannen maken fru "
    "frun frugan hustru sambo sambon partner kille killen tjej tjejen pojkvän flickvän "
    "make maka jag vi min mitt mina vårt våra han hon de mig oss "
    "tonåring tonåringen tonåringar lillkillen lillkille lillan lillebror lillasyster "
    "storebror storasyster kompis kompisen kompisar bästis vän vännen väninna "
    "svärmor svärfar kusin kusinen moster morbror faster farbror kollega kollegan "
    "grabben grabb grabbarna syrran syrra brorsa tjejerna killarna "
    "teenager teen friend mate "
    "få får fått fick har hade blivit bli blir blev ska skall vill kan måste gör göra "
    "mother mum mom father dad grandmother grandfather husband wife daughter brother "
    "sister partner want need got get "
    # Words of price and age: "billigare" stems to "bil" (car), and "år" is in many texts.
    "billig billiga billigt billigare billigaste dyr dyra dyrt dyrare år åren året "
    # Words of asking for help, which every life event answers ("vart vänder vi oss?",
    # "what help can I get?", "nån som har tips?"), spoken fillers and the remains of
    # English contractions ("I've", "can't", "I'm").
    "hjälp hjälpa hjälpen help helps tips tipsa vart vänder vända begin "
    "nån nåt några vet veta göra gör gjort typ asså alltså liksom ba fan jävla "
    "ve ll re m t d s".split()
)
_WORD = re.compile(r"[\w-]+")


# Everyday phrases whose words alone would mean something else: "bli svensk" is citizenship
# (but "svenska" alone is the language), "become Swedish" too.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:bli|blir|blev|blivit|become|becoming|became)\s+(?:svensk|swedish)\b"
                r"|\bär\s+svensk\s+nu\b", re.IGNORECASE), "bli svensk medborgare"),
)


COLLOQUIAL_FILE = Path(__file__).resolve().parent / "data" / "colloquial_sv.txt"


@lru_cache(maxsize=1)
def _colloquial() -> tuple[re.Pattern[str], dict[str, str]]:
    """The colloquial words of :data:`COLLOQUIAL_FILE`: a pattern that finds them (longest
    first, whole words) and their standard words."""
    meaning: dict[str, str] = {}
    for line in COLLOQUIAL_FILE.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#") and key.strip() and value.strip():
            key = key.strip()
            meaning[key if key.isupper() else key.lower()] = value.strip()
    keys = sorted(meaning, key=len, reverse=True)
    # A key in capitals ("PUT", which is also an English word) matches only as written.
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(
        f"(?-i:{re.escape(k)})" if k.isupper() else re.escape(k) for k in keys)
        + r")(?![\w-])", re.IGNORECASE)
    return pattern, meaning


def spell_out(text: str) -> str:
    """`text` with the standard words after each colloquial word or abbreviation.

    >>> spell_out("fick sparken, ringde fk")
    'fick sparken uppsagd, ringde fk försäkringskassan'
    >>> spell_out("fick PUT igår"), spell_out("can I put a sauna here")
    ('fick PUT permanent uppehållstillstånd igår', 'can I put a sauna here')
    """
    pattern, meaning = _colloquial()
    return pattern.sub(lambda m: f"{m.group(0)} "
                       f"{meaning.get(m.group(0)) or meaning[m.group(0).lower()]}", text)


def rewrite(text: str) -> str:
    """`text` with the everyday phrases of :data:`_REWRITES` spelled out.

    >>> rewrite("kan jag bli svensk nu?")
    'kan jag bli svensk medborgare nu?'
    """
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


def clean_query(text: str) -> str:
    """`text` without English function words and the filler words above.

    Examples
    --------
    >>> clean_query("pappa känner inte igen mig längre")
    'känner inte igen längre'
    >>> clean_query("we had a baby")
    'baby'
    >>> clean_query("bli mamma")
    'bli mamma'
    """
    words = _WORD.findall(text)
    kept = [w for w in words if w.lower() not in FILLER_WORDS and w.lower() not in _EN_STOP]
    # When only function words would be left ("vi fick en dotter i går"), the person words
    # are the content: keep the text as it is.
    if not any(w.lower() not in _SV_STOP for w in kept):
        return " ".join(words)
    return " ".join(kept)
