"""Suggest how two statements bear on each other: supports, tension or conflict.

Plain Python (no Django). Used for the workshop's tension view, where partners' principles,
goals and budget rules are set against each other and against the shared goals. People set the
stance; this module only suggests one, and says why in plain Swedish (and English).

The text analysis is the one of :mod:`mellanrum.engines.textmatch` (normalisation, stop words,
base forms, Swedish compound splitting, Snowball stems and thesaurus concepts, also on compound
parts), with a few words and synonym sets about money, platforms and digital service added,
and with the words that say *how* rather than *what* ("ansökan", "digitalt" as a word) left
out of the word comparison, so that only concepts and content words relate two texts.

The rules, in order:

1. **Amount over a ceiling.** One text sets a ceiling (an amount with "högst", "max", "tak",
   "överstiga", "upp till", or "över … inte", or any amount in a budget rule) and the other
   names a larger amount it needs: *conflict*. A smaller amount: *supports* (it fits).
2. **Ceiling against a costly choice.** One text sets a ceiling and the other commits to
   something that costs money (a new or reused platform or system, an investment, development,
   procurement, "alla"/"samtliga", "utöka", "dygnet runt"): *tension*. The two need not
   contradict, but the choice must be shown to fit under the ceiling.
3. **Unrelated.** No shared concept or content word: *neutral*.
4. **Negation.** A shared term is negated in one text ("inte", "ej", "icke", "aldrig",
   "ingen", "utan") and not in the other: *conflict*.
5. **Restriction.** A shared term is restricted in one text ("endast", "enbart", "bara"):
   *tension*.
6. Otherwise related: *supports*.

Examples
--------
>>> suggest_tension("Vi återanvänder befintliga e-tjänsteplattformar.",
...                 "Alla ansökningar kan göras digitalt").stance
'supports'
>>> suggest_tension("Återanvänd befintlig plattform.", "Högst 500 000 kr per år.").stance
'tension'
>>> suggest_tension("Bättre kontinuitet i hemtjänsten.", "Högst 500 000 kr per år.").stance
'neutral'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from mellanrum.engines.textmatch import Analyser, FeatureWeights, Lexicon, Thesaurus, normalise

__all__ = ["Amount", "Reason", "Suggestion", "amounts", "negated_words", "suggest_tension"]

# Words about money, platforms and ways of working that municipal statements use; they let the
# compound splitter find "e-tjänste|plattformar" and "handläggnings|tid".
POLICY_WORDS = (
    "plattform", "system", "återanvänd", "återanvändning", "befintlig", "digital", "investering",
    "handläggning", "upphandling", "kostnad", "lösning", "ram", "budgetram", "personuppgift",
    "moln", "molntjänst", "licens", "utveckling", "integration", "leverantör", "drift",
    "förvaltning", "nämnd", "data", "öppen", "källkod", "standard", "process",
    "vägledning",
)
# Synonym sets: each is one concept; the first term is its readable name.
POLICY_CONCEPTS: dict[str, tuple[str, ...]] = {
    "digital": ("digital service", "digital", "digitalt", "digitala", "e-tjänst", "e-tjänster",
                "etjänst", "online", "självservice", "på webben", "digitalisering"),
    "reuse": ("återanvändning", "återanvänd", "återanvända", "återanvänder", "återbruk",
              "befintlig lösning"),
    "platform": ("plattform", "system", "it-system", "verksamhetssystem"),
    "cost": ("kostnad", "kostnader", "utgift", "investering", "investeringar", "budget",
             "budgetram"),
    "casework": ("handläggning", "ärendehantering", "handlägga", "handläggs"),
    "procurement": ("upphandling", "upphandla", "inköp"),
    "personal_data": ("personuppgifter", "personuppgift", "persondata"),
}
# Words too general to relate two statements on their own.
GENERIC = frozenset({
    "gemensam", "gemensamt", "gemensamma", "kommun", "kommuner", "kommunen", "år", "per", "kr",
    "kronor", "tkr", "mkr", "ska", "får", "kan", "bör", "måste", "vill", "görs", "göras", "gör",
    "invånare", "invånarna", "högst", "max", "minst",
})
NEGATIONS = frozenset({"inte", "ej", "icke", "aldrig", "ingen", "inget", "inga", "utan"})
# After these the negation reaches the next few words only (a noun phrase).
SHORT_SCOPE = frozenset({"utan", "ingen", "inget", "inga"})
RESTRICTIONS = frozenset({"endast", "enbart", "bara", "uteslutande"})
CEILING_WORDS = ("högst", "max", "maximalt", "maximum", "tak", "taket", "kostnadstak",
                 "överstiga", "överstiger", "budgetram", "budgetramen", "ram", "ramen")
OVER_WORDS = ("över", "mer än", "överstigande")
# What commits to spending money: whole words or compound parts (stems are compared).
COSTLY_WORDS = ("plattform", "system", "investering", "investera", "utveckla", "utveckling",
                "upphandla", "upphandling", "licens", "integration", "återanvänd", "införa",
                "utöka", "utbyggnad", "bemanning", "anställa")
COSTLY_TOKENS = frozenset({"ny", "nya", "nytt", "alla", "samtliga", "hela", "bygga", "bygger",
                           "byggs", "köpa", "köper", "dygnet"})
LONG_SCOPE = 6
NOUN_SCOPE = 3

_UNIT = r"(?P<unit>miljoner kronor|miljoner kr|miljoner|miljon|mnkr|mkr|msek|tkr|kronor|kr|sek)"
_AMOUNT_RE = re.compile(r"(?P<number>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[,.](?P<dec>\d+))?"
                        rf"\s*{_UNIT}(?![\wåäö])", re.IGNORECASE)
_SCALE = {"tkr": 1000, "mkr": 1_000_000, "mnkr": 1_000_000, "msek": 1_000_000,
          "miljon": 1_000_000, "miljoner": 1_000_000, "miljoner kr": 1_000_000,
          "miljoner kronor": 1_000_000}
_CLAUSE_RE = re.compile(r"[.;:!?]+|,|\bmen\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+(?:[-\u2010\u2011][0-9A-Za-zÀ-ÖØ-öø-ÿ]+)*")


@dataclass(frozen=True)
class Amount:
    """An amount of kronor in a text, and whether the text makes it a ceiling."""

    kronor: Decimal
    text: str  # as written, e.g. "500 000 kr"
    is_ceiling: bool


@dataclass(frozen=True)
class Reason:
    """One reason for a suggestion, in plain Swedish and English."""

    code: str  # "shared", "negation", "restriction", "ceiling", "over_ceiling", "under_ceiling"
    sv: str
    en: str


@dataclass(frozen=True)
class Suggestion:
    """A suggested stance of one text towards another, with its reasons.

    ``stance`` is ``"supports"``, ``"tension"``, ``"conflicts"`` or ``"neutral"``; ``rule``
    names the rule that decided (see the module's docstring); ``shared`` the concepts and
    words the two texts have in common, readable.
    """

    stance: str
    rule: str
    reasons: tuple[Reason, ...]
    shared: tuple[str, ...]

    @property
    def sv(self) -> str:
        return " ".join(r.sv for r in self.reasons)

    @property
    def en(self) -> str:
        return " ".join(r.en for r in self.reasons)


@cache
def _analyser() -> Analyser:
    default = Lexicon.default("sv")
    lexicon = Lexicon(default.words | frozenset(POLICY_WORDS))
    thesaurus = Thesaurus({**Thesaurus.default("sv").concepts, **POLICY_CONCEPTS})
    # Words that say how (weak) get no word feature at all, and a word covered by a concept
    # keeps its own: only presence matters here, not weight.
    return Analyser("sv", thesaurus=thesaurus, lexicon=lexicon,
                    weights=FeatureWeights(weak=0.0, covered=1.0), ngram=0)


@cache
def _stems(words: tuple[str, ...]) -> frozenset[str]:
    analyser = _analyser()
    return frozenset("w:" + stem for word in words for stem in analyser.term_key(word))


def amounts(text: str, *, budget_rule: bool = False) -> tuple[Amount, ...]:
    """The amounts of kronor in `text`; a ceiling when its clause says so.

    Examples
    --------
    >>> amounts("Högst 500 000 kr per år.")
    (Amount(kronor=Decimal('500000'), text='500 000 kr', is_ceiling=True),)
    >>> [a.kronor for a in amounts("Plattformen kostar 2,5 mkr.")]
    [Decimal('2500000.0')]
    >>> amounts("Investeringar över 500 000 kr ryms inte i ramen.")[0].is_ceiling
    True
    """
    found: list[Amount] = []
    for clause in _clauses_raw(text):
        words = f" {normalise(clause)} "
        ceiling = budget_rule or any(f" {w} " in words for w in CEILING_WORDS) or (
            any(f" {w} " in words for w in OVER_WORDS)
            and any(f" {n} " in words for n in NEGATIONS)) or " upp till " in words
        for match in _AMOUNT_RE.finditer(clause):
            number = re.sub(r"\D", "", match["number"])
            value = Decimal(f"{number}.{match['dec']}" if match["dec"] else number)
            value *= _SCALE.get(match["unit"].lower(), 1)
            found.append(Amount(value, match.group(0).strip(), ceiling))
    return tuple(found)


def _clauses_raw(text: str) -> list[str]:
    # A comma between digits is a decimal comma, not a clause boundary.
    marked = re.sub(r"(?<=\d),(?=\d)", "\x00", text)
    return [c.replace("\x00", ",") for c in _CLAUSE_RE.split(marked) if c.strip()]


@dataclass(frozen=True)
class _Word:
    surface: str  # as written
    norm: str  # normalised (one word)
    negated: str | None  # the negation word whose scope it is in
    restricted: str | None
    in_negated_clause: bool


def _words(text: str) -> list[_Word]:
    result: list[_Word] = []
    for clause in _clauses_raw(_AMOUNT_RE.sub(" ", text)):
        pieces = [(m.group(0), n) for m in _WORD_RE.finditer(clause)
                  for n in normalise(m.group(0)).split()]
        negation: list[str | None] = [None] * len(pieces)
        restriction: list[str | None] = [None] * len(pieces)
        for i, (_surface, norm) in enumerate(pieces):
            if norm in NEGATIONS:
                reach = NOUN_SCOPE if norm in SHORT_SCOPE else LONG_SCOPE
                start = i + 1 if norm in SHORT_SCOPE else max(i - 1, 0)
                for j in range(start, min(i + 1 + reach, len(pieces))):
                    if j != i:
                        negation[j] = norm
            elif norm in RESTRICTIONS:
                for j in range(i + 1, min(i + 1 + NOUN_SCOPE, len(pieces))):
                    restriction[j] = norm
        negated_clause = any(n in NEGATIONS for _s, n in pieces)
        result.extend(_Word(s, n, negation[i], restriction[i], negated_clause)
                      for i, (s, n) in enumerate(pieces))
    return result


@dataclass(frozen=True)
class _Text:
    words: tuple[_Word, ...]
    keys: dict[str, list[_Word]]  # feature key -> the words that carry it
    labels: dict[str, str]


def _read(text: str) -> _Text:
    analyser = _analyser()
    words = tuple(_words(text))
    keys: dict[str, list[_Word]] = {}
    labels: dict[str, str] = {}
    for word in words:
        if word.norm in GENERIC or word.norm.isdigit():
            continue
        analysis = analyser.analyse(word.norm)
        for key in analysis.features:
            if key.startswith(("w:", "c:")):
                keys.setdefault(key, []).append(word)
                labels.setdefault(key, analysis.labels.get(key, key[2:]))
    # Concepts of several words ("ekonomiskt bistånd") are found in the whole text only; they
    # are carried by the words whose stems are in one of the concept's terms.
    whole = analyser.analyse(" ".join(w.norm for w in words if w.norm not in GENERIC))
    for concept in whole.concepts:
        key = "c:" + concept
        if key in keys:
            continue
        stems = {"w:" + stem for term in analyser.thesaurus.concepts[concept]
                 for stem in analyser.term_key(term)}
        keys[key] = [w for w in words if w.norm not in GENERIC
                     and not stems.isdisjoint(analyser.analyse(w.norm).features)]
        labels[key] = whole.labels.get(key, concept)
    return _Text(words, keys, labels)


def negated_words(text: str) -> tuple[str, ...]:
    """The words of `text` within the scope of a negation, as written.

    Examples
    --------
    >>> negated_words("Personuppgifter får inte lagras utanför EU.")
    ('får', 'lagras', 'utanför', 'EU')
    >>> negated_words("En lösning utan ny plattform, men med gemensam drift.")
    ('ny', 'plattform')
    """
    return tuple(w.surface for w in _words(text) if w.negated)


def _quote(words: Sequence[str]) -> str:
    return ", ".join(f"”{w}”" for w in dict.fromkeys(words))


def _costly(text: _Text) -> list[str]:
    costly = _stems(COSTLY_WORDS)
    found = [w.surface for key, ws in text.keys.items() if key in costly for w in ws
             if not w.negated]
    found += [w.surface for w in text.words if w.norm in COSTLY_TOKENS and not w.negated]
    return list(dict.fromkeys(found))


def _ceiling_rules(first: str, second: str, a: _Text, b: _Text,
                   first_kind: str, second_kind: str) -> Suggestion | None:
    sides = ((first, second, a, b, first_kind), (second, first, b, a, second_kind))
    for text, other_text, _own, other, kind in sides:
        ceilings = [x for x in amounts(text, budget_rule=kind == "budget_rule") if x.is_ceiling]
        if not ceilings:
            continue
        cap = min(ceilings, key=lambda x: x.kronor)
        needs = [x for x in amounts(other_text) if not x.is_ceiling]
        if needs:
            need = max(needs, key=lambda x: x.kronor)
            if need.kronor > cap.kronor:
                return Suggestion("conflicts", "over_ceiling", (Reason(
                    "over_ceiling",
                    f"Den ena sätter ett tak på {cap.text}; den andra räknar med {need.text}, "
                    "som är mer.",
                    f"One sets a ceiling of {cap.text}; the other counts on {need.text}, "
                    "which is more."),), ())
            return Suggestion("supports", "under_ceiling", (Reason(
                "under_ceiling",
                f"{need.text} ryms inom taket på {cap.text}.",
                f"{need.text} fits within the ceiling of {cap.text}."),), ())
        costly = _costly(other)
        if costly:
            return Suggestion("tension", "ceiling", (Reason(
                "ceiling",
                f"Den ena sätter ett tak på {cap.text}; den andra binder ett val som kostar "
                f"pengar ({_quote(costly)}). De motsäger inte varandra, men valet måste visas "
                "rymmas inom taket.",
                f"One sets a ceiling of {cap.text}; the other commits to something that costs "
                f"money ({_quote(costly)}). They need not contradict each other, but the choice "
                "must be shown to fit under the ceiling."),), ())
    return None


def suggest_tension(first: str, second: str, *, first_kind: str = "",
                    second_kind: str = "") -> Suggestion:
    """Suggest how two statements bear on each other, with reasons.

    Parameters
    ----------
    first, second : str
        The two texts: partners' statements or shared goals.
    first_kind, second_kind : str, optional
        ``"budget_rule"`` makes every amount in that text a ceiling.

    Returns
    -------
    Suggestion
        The stance (``supports``, ``tension``, ``conflicts`` or ``neutral``), the rule that
        decided and the reasons in Swedish and English.

    Examples
    --------
    >>> s = suggest_tension("Handläggningen får inte flyttas till en annan kommun.",
    ...                     "Handläggningen flyttas till en gemensam nämnd.")
    >>> s.stance, s.rule
    ('conflicts', 'negation')
    """
    a, b = _read(first), _read(second)
    found = _ceiling_rules(first, second, a, b, first_kind, second_kind)
    if found is not None:
        return found
    shared_keys = [k for k in a.keys if k in b.keys]
    # A concept explains better than the words it covers; words covered by a shared concept
    # are not listed again.
    concepts = [k for k in shared_keys if k.startswith("c:")]
    covered = {w.norm for k in concepts for w in [*a.keys[k], *b.keys[k]]}
    words = [k for k in shared_keys if k.startswith("w:")
             and not {w.norm for w in [*a.keys[k], *b.keys[k]]} <= covered]
    keys = concepts + words
    if not keys:
        return Suggestion("neutral", "unrelated", (Reason(
            "unrelated", "Inga gemensamma begrepp eller ord.",
            "No concept or word in common."),), ())
    shared = tuple(dict.fromkeys(a.labels[k] for k in keys))
    matched = []
    for key in keys:
        left = _quote([w.surface for w in a.keys[key]])
        right = _quote([w.surface for w in b.keys[key]])
        label = a.labels[key]
        matched.append((label, left, right))
    sv = "; ".join(f"”{label}”: {left} ~ {right}" if left != right else f"”{label}”: {left}"
                   for label, left, right in matched)
    shared_reason = Reason("shared", f"Båda talar om samma sak ({sv}).",
                           f"Both speak of the same thing ({sv}).")
    for text, other in ((a, b), (b, a)):
        for key in keys:
            mine = [w for w in text.keys[key] if w.negated]
            if mine and not any(w.in_negated_clause for w in other.keys[key]):
                word = mine[0]
                return Suggestion("conflicts", "negation", (shared_reason, Reason(
                    "negation",
                    f"Men den ena säger ”{word.negated}” om ”{word.surface}”; den andra säger "
                    "det utan förbehåll.",
                    f"But one says “{word.negated}” about “{word.surface}”; the other says it "
                    "without reservation."),), shared)
    for text in (a, b):
        for key in keys:
            limited = [w for w in text.keys[key] if w.restricted]
            if limited:
                word = limited[0]
                return Suggestion("tension", "restriction", (shared_reason, Reason(
                    "restriction",
                    f"Men den ena begränsar ”{word.surface}” med ”{word.restricted}”.",
                    f"But one restricts “{word.surface}” with “{word.restricted}”."),), shared)
    return Suggestion("supports", "shared", (shared_reason,), shared)
