"""Real titles per service, learned into thesaurus concepts for the commonality matcher.

``data/service_titles_sv.csv`` holds real titles of Swedish municipal services (page and
e-service titles quoted as facts from public municipal web pages), one row per
(organisation, title, service slug); ``bench/import_service_titles.py`` writes it from the
development corpus.  :func:`title_concepts` turns it into thesaurus terms: each service slug
becomes a concept (or extends the thesaurus concept of that id) whose terms are the *cores* of
its titles, i.e. the title without the words that only say how a service is reached
("Ansökan om", "e-tjänst", "blankett": the weak words).  A name holding all the stems of a
learned term (in any order) gets that concept as a feature; unlike a thesaurus term it leaves
the name's words as they are, so a title of the service that no learned term names keeps its
word overlap with the others.  A service whose titles mostly are, word for word, a thesaurus
concept's name extends that concept (its paraphrases get the concept).  Guards keep a title
out when it would join different services:

- a page naming two services (``combined``) teaches nothing;
- a core found under two services is ambiguous;
- a core that is already a thesaurus term of another concept stays with the thesaurus;
- a title that names a thesaurus concept other than its service's is not learned (the
  thesaurus already finds that concept in it, and a second concept that only some of the
  service's titles get pulls them apart; a fee *for* home care keeps the home-care concept);
  for the same reason a service the thesaurus does not know, most of whose titles name a
  thesaurus concept, gets no concept of its own;
- a core whose words all occur in the titles of two or more other services is a shared head
  ("Tillstånd", "Avgifter"), not a name;
- a title with a qualifier ("tillfälligt", "bli", "förlängd") is learned only when every title of
  its service carries that qualifier (else the qualifier keeps marking a different service);
- a core none of whose words is specific (found in titles of at most ``MAX_MARK_SERVICES``
  services) is left out ("Stöd och service"): a learned term matches wherever all its words
  are, in any order;
- cores of more than ``MAX_TERM_WORDS`` words are left out (they only ever match themselves).

The split of the corpus used to measure the mechanism honestly (:func:`title_part`) is by a
hash of the organisation: ``score`` rows are never learned while measuring (``part="learn"``).

Rows with an ``origin`` (round 10) are titles of the real development sets
(``commonality/evaluation/real_sv_dev*.csv``), only from their parts the matcher is tuned on
(tune halves, dev half a, dev5), with the sets' gold slugs mapped onto the corpus's
(``bench/service_titles_dev_map.csv``).  They are learned, never scored as titles
(:func:`scored_rows`), and a development row whose organisation is, by its name, a ``score``
organisation of the corpus counts as ``score`` too (not learned while measuring).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

from mellanrum.engines.textmatch.normalise import normalise

if TYPE_CHECKING:
    from mellanrum.engines.textmatch.analyser import Analyser

__all__ = [
    "COLUMNS",
    "COMBINED",
    "SLUG_RE",
    "TITLE_FOLDS",
    "TITLE_PARTS",
    "TitleRow",
    "leave_out_titles",
    "load_title_rows",
    "title_concepts",
    "title_key",
    "rows_of",
    "scored_rows",
    "title_fold",
    "title_part",
]

COLUMNS = ("organisation", "name", "service", "source", "origin")
# The service of a row whose page names two services.
COMBINED = "combined"
SLUG_RE = re.compile(r"^[a-z0-9åäö]+(?:_[a-z0-9åäö]+)*$")
TITLE_PARTS = ("learn", "score")
TITLE_FOLDS = ("fold_a", "fold_b")
MAX_TERM_WORDS = 5
# A core whose words all occur in titles of this many other services is a shared head.
SHARED_HEAD_SERVICES = 2
_SALT = "mellanrum-titles-2026"
# The frequency from which a one-word title is an everyday word (as the finder's speller counts).
COMMON_ZIPF = 3.0


@dataclass(frozen=True)
class TitleRow:
    """One real title of a service."""

    organisation: str
    name: str
    service: str
    source: str
    # "" for the corpus of titles per service; the evaluation file for a development set's row.
    origin: str = ""

    @property
    def combined(self) -> bool:
        return self.service == COMBINED


def title_part(organisation: str) -> str:
    """The part ("learn" or "score") an organisation's titles belong to, by a fixed hash.

    Examples
    --------
    >>> title_part("Umeå kommun") in TITLE_PARTS
    True
    """
    digest = int(hashlib.sha1(f"{_SALT}:{organisation.strip()}".encode()).hexdigest(), 16)
    return "score" if digest % 3 == 0 else "learn"


@cache
def load_title_rows(language: str = "sv") -> tuple[TitleRow, ...]:
    """The shipped titles of `language` (none when the file is absent), read once a process.

    Examples
    --------
    >>> rows = load_title_rows("sv")
    >>> all(r.name and r.service for r in rows)
    True
    """
    path = resources.files("mellanrum.engines.textmatch").joinpath(
        f"data/service_titles_{language}.csv"
    )
    if not path.is_file():
        return ()
    rows = []
    for row in csv.DictReader(path.read_text("utf-8").splitlines()):
        rows.append(
            TitleRow(
                row["organisation"].strip(),
                row["name"].strip(),
                row["service"].strip(),
                (row.get("source") or "").strip(),
                (row.get("origin") or "").strip(),
            )
        )
    return tuple(rows)


def title_fold(organisation: str) -> str:
    """For tuning inside the learn part: "fold_a" (learned) or "fold_b" (scored, its errors
    read), by another fixed hash of the organisation (score-part organisations get "score").

    Examples
    --------
    >>> title_fold("Umeå kommun") in ("fold_a", "fold_b", "score")
    True
    """
    if title_part(organisation) == "score":
        return "score"
    digest = int(hashlib.sha1(f"{_SALT}-fold:{organisation.strip()}".encode()).hexdigest(), 16)
    return "fold_b" if digest % 2 else "fold_a"


def _organisation_key(organisation: str) -> str:
    """An organisation's name without case, punctuation and the words "kommun", "stad"
    ("Göteborgs Stad", "Göteborgs stad" and "Göteborg stad" alike)."""
    words = re.findall(r"\w+", organisation.casefold())
    words = [w for w in words if w not in ("kommun", "stad", "kommune", "city")]
    return " ".join(w[:-1] if w.endswith("s") and len(w) > 4 else w for w in words)


@cache
def _score_organisations() -> frozenset[str]:
    """The keys of the corpus's ``score`` organisations."""
    return frozenset(
        _organisation_key(r.organisation)
        for r in load_title_rows("sv")
        if not r.origin and title_part(r.organisation) == "score"
    )


def _part_of(row: TitleRow, split: str) -> str:
    """The part ("learn"/"score") or fold of `row`; a development row of a corpus score
    organisation (by name) is "score"."""
    if row.origin and _organisation_key(row.organisation) in _score_organisations():
        return "score"
    return title_part(row.organisation) if split == "part" else title_fold(row.organisation)


def rows_of(part: str) -> list[TitleRow]:
    """The shipped rows of `part`: "all", "learn" / "score" (:func:`title_part`) or
    "fold_a" / "fold_b" (:func:`title_fold`)."""
    rows = load_title_rows("sv")
    if part == "all":
        return list(rows)
    if part in TITLE_PARTS:
        return [r for r in rows if _part_of(r, "part") == part]
    if part in TITLE_FOLDS:
        return [r for r in rows if _part_of(r, "fold") == part]
    if part.startswith(ALL_BUT) and part[len(ALL_BUT):] in _LEFT_OUT:
        left_out = _LEFT_OUT[part[len(ALL_BUT):]]
        return [r for r in rows if title_key(r.organisation, r.name) not in left_out]
    raise ValueError(
        f"unknown part {part!r}; expected all, learn, score, fold_a, fold_b or a part made by "
        "leave_out_titles"
    )


# A part "all_but:<key>": every row except one organisation's titles named by leave_out_titles.
ALL_BUT = "all_but:"
_LEFT_OUT: dict[str, frozenset[tuple[str, str]]] = {}


def title_key(organisation: str, name: str) -> tuple[str, str]:
    """(organisation, title) compared without case, punctuation and "kommun"/"stad"."""
    return _organisation_key(organisation), " ".join(re.findall(r"\w+", name.casefold()))


def leave_out_titles(key: str, titles: Iterable[tuple[str, str]]) -> str:
    """The part of every shipped row except the (organisation, title) pairs `titles` (by the
    organisation's name without "kommun"/"stad" and the title's words, case ignored): to score an
    evaluation set whose titles the corpus also holds, from the same organisations, without
    learning them.  Returns the part's name, ``"all_but:<key>"``; a key is registered once a
    process (the learned concepts are cached by part).

    Examples
    --------
    >>> part = leave_out_titles("doctest", [("Umeå kommun", "Bygglov")])
    >>> part, len(rows_of(part)) <= len(rows_of("all"))
    ('all_but:doctest', True)
    """
    wanted = frozenset(title_key(o, n) for o, n in titles)
    if _LEFT_OUT.setdefault(key, wanted) != wanted:
        raise ValueError(f"titles left out under {key!r} are already registered differently")
    return ALL_BUT + key


def scored_rows(part: str) -> list[TitleRow]:
    """The rows of `part` that are scored as titles: the corpus's, not the development sets'
    (those are scored as the sets they come from)."""
    return [r for r in rows_of(part) if not r.origin]


def title_concepts(
    analyser: Analyser, rows: Sequence[TitleRow]
) -> dict[str, tuple[str, ...]]:
    """Concept id → terms learned from `rows`, with the guards of the module docstring.

    `analyser` is a plain analyser (the shipped thesaurus, no titles) with the settings of the
    analyser the terms are for.  A service slug that is not a thesaurus concept id but whose
    titles mostly *are* names of one thesaurus concept (the whole core is that concept's)
    extends that concept, so that it does not compete with it.  Terms are ordered by how many
    titles give them, so a new concept's readable name is its most common core.
    """
    known_terms = analyser.term_index()
    weak = analyser.weak_stems()
    concepts = analyser.thesaurus.concepts

    services_of_stem: dict[str, set[str]] = defaultdict(set)
    qualifiers_of: dict[str, list[frozenset[str]]] = defaultdict(list)
    whole_of: dict[str, Counter[str | None]] = defaultdict(Counter)
    naming_of: dict[str, Counter[bool]] = defaultdict(Counter)
    titles: list[
        tuple[str, str, tuple[str, ...], frozenset[str], tuple[str, ...], str | None]
    ] = []
    for row in rows:
        if row.combined or not row.name or not SLUG_RE.match(row.service):
            continue
        text = normalise(row.name)
        analysis = analyser.analyse(text)
        stems = {f[2:] for f in analysis.features if f.startswith("w:")}
        words = [
            w
            for w in analyser.content_words(text)
            if analyser.key_stem(w) not in weak and not w.isdigit()
        ]
        core = " ".join(words)
        key = analyser.term_key(core) if core else ()
        for stem in stems | set(key):
            services_of_stem[stem].add(row.service)
        qualifiers = frozenset(analysis.qualifiers)
        qualifiers_of[row.service].append(qualifiers)
        if not key:
            continue
        whole = known_terms.get(key)
        if whole is None:
            of_core = analyser.analyse(core)
            if len(of_core.concepts) == 1 and not of_core.uncovered:
                whole = of_core.concepts[0]
        whole_of[row.service][whole] += 1
        naming_of[row.service][bool(analysis.concepts)] += 1
        titles.append((row.service, core, key, qualifiers, analysis.concepts, whole))
    # The concept a service's terms go to: its own id, or the thesaurus concept most of its
    # titles already name as a whole.
    target: dict[str, str] = {}
    for service, wholes in whole_of.items():
        target[service] = service
        if service not in concepts:
            best, count = max(wholes.items(), key=lambda x: (x[1], x[0] or ""))
            if best is not None and 2 * count >= sum(wholes.values()):
                target[service] = best
    concepts_of_core: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for service, _, key, _, _, _ in titles:
        concepts_of_core[key].add(target[service])
    cores: dict[str, Counter[str]] = defaultdict(Counter)
    for service, core, key, qualifiers, named, whole in titles:
        concept_id = target[service]
        if len(key) > MAX_TERM_WORDS or len(concepts_of_core[key]) > 1:
            continue
        if whole is not None:
            # Already wholly a thesaurus concept's name (its own, or another's: left to it).
            continue
        others = set(named) - {concept_id}
        if others:
            continue
        if concept_id not in concepts and (
            2 * naming_of[service][True] >= sum(naming_of[service].values())
        ):
            # Most of the service's titles name a thesaurus concept: a concept of its own
            # would only reach the few that do not, and pull them away from the others.
            continue
        if min(len(services_of_stem[s]) for s in key) > MAX_MARK_SERVICES:
            # No word of the core is specific to a few services ("stöd och service").
            continue
        sharing = set.intersection(*(services_of_stem[s] for s in key)) - {service}
        if len({target[s] for s in sharing} - {concept_id}) >= SHARED_HEAD_SERVICES:
            continue
        if qualifiers and not all(qualifiers <= q for q in qualifiers_of[service]):
            continue
        if len(key) == 1 and _common_word(core):
            # A page titled with one everyday word ("Fritidshus" in a waste section, "Priser")
            # is named by where it sits on its site; learned, the word would give its service
            # to every name that mentions it ("Ansökan om bygglov för fritidshus").
            continue
        cores[concept_id][core] += 1
    return {
        concept_id: tuple(t for t, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0])))
        for concept_id, counts in sorted(cores.items())
    }


def _common_word(word: str) -> bool:
    """Whether `word` is an everyday Swedish word (Zipf frequency of at least
    :data:`COMMON_ZIPF` in wordfreq's shipped list), not a service's own name."""
    if any(c.isdigit() for c in word):
        from wordfreq import zipf_frequency  # wordfreq's own digit handling

        return bool(zipf_frequency(word, "sv", wordlist="small") >= COMMON_ZIPF)
    return word.casefold() in _common_words()


@cache
def _common_words() -> frozenset[str]:
    """The words of wordfreq's small Swedish list with a Zipf frequency of at least
    :data:`COMMON_ZIPF`, read from its data file.  Importing wordfreq itself (langcodes, its
    tokenisers) took 0.2 s, a tenth of a 43,500-activity analysis; for a word without digits
    this set gives the same answer as ``zipf_frequency(word, "sv", wordlist="small") >= 3.0``
    (checked on every word of the shipped titles, round 10)."""
    import gzip
    import importlib.util
    from pathlib import Path

    import msgpack

    spec = importlib.util.find_spec("wordfreq")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "small_sv.msgpack.gz"
    with gzip.open(path, "rb") as handle:
        header, *buckets = msgpack.load(handle, raw=False)
    if header.get("format") != "cB":
        raise ValueError(f"{path}: not a cBpack file")
    # Bucket i holds the words of frequency -i centibel: Zipf 9 - i / 100.
    return frozenset(
        word
        for index, bucket in enumerate(buckets)
        if 9 - index / 100 >= COMMON_ZIPF
        for word in bucket
    )


@cache
def learned_concepts(
    part: str, verbal_nouns: bool, compound_variants: bool
) -> Mapping[str, tuple[str, ...]]:
    """:func:`title_concepts` of the shipped titles of `part`, computed once a process."""
    return title_concepts(_plain_analyser(verbal_nouns, compound_variants), rows_of(part))


@cache
def _plain_analyser(verbal_nouns: bool, compound_variants: bool) -> Analyser:
    """The analyser titles are learned with (no titles), one a process: its cache of analyses
    serves both :func:`learned_concepts` and :func:`learned_marks`."""
    from mellanrum.engines.textmatch.analyser import Analyser

    return Analyser("sv", verbal_nouns=verbal_nouns, compound_variants=compound_variants)



# A word marks a look-alike service when it is in at least this many of its titles that name a
# thesaurus concept (and in at least half of them).
MIN_MARK_TITLES = 2
# A mark is a specific word: in titles of at most this many services ("barn", "vård" are not).
MAX_MARK_SERVICES = 3


def title_marks(
    analyser: Analyser, rows: Sequence[TitleRow]
) -> dict[str, Mapping[str, str]]:
    """Concept id → {stem: look-alike service}: words that make a *different service* of a
    name of that concept.

    Several services of the corpus are named with one thesaurus concept: the concept's own
    service and look-alikes ("Ekonomiskt bistånd" and "Ekonomiskt bistånd till
    begravningskostnader", "Parkeringstillstånd" for the disabled and for service vehicles).
    The concept's main service is the one with the most titles naming it.  A word (a stem,
    compound parts included; no weak word, no word or compound part of the concept's own terms:
    the thesaurus says those are the same service) found in at
    least ``MIN_MARK_TITLES`` titles, from different organisations, of another service naming
    the concept, in at least half of them, in no title of another service naming the concept
    (the main one included) and in titles of at most ``MAX_MARK_SERVICES`` services, marks that
    look-alike: in a name of the concept it acts as a qualifier, the look-alike's slug (so
    that all the look-alike's marks qualify alike).  A word marking two look-alikes of one
    concept marks neither.
    """
    weak = analyser.weak_stems()
    known_terms = analyser.term_index()
    own_stems: dict[str, set[str]] = defaultdict(set)
    for key, concept_id in known_terms.items():
        own_stems[concept_id].update(key)
    for concept_id, terms in analyser.thesaurus.concepts.items():
        for term in terms:
            own_stems[concept_id].update(
                f[2:] for f in analyser.analyse(normalise(term)).features if f.startswith("w:")
            )
    naming: dict[str, dict[str, list[tuple[str, frozenset[str]]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    services_of_stem: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.combined or not row.name or not SLUG_RE.match(row.service):
            continue
        analysis = analyser.analyse(normalise(row.name))
        stems = frozenset(
            f[2:] for f in analysis.features if f.startswith("w:") and f[2:] not in weak
        )
        for stem in stems:
            services_of_stem[stem].add(row.service)
        for concept_id in analysis.concepts:
            naming[concept_id][row.service].append((row.organisation, stems))
    marks: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for concept_id, services in naming.items():
        if len(services) < 2:
            continue
        main = max(services, key=lambda s: (s == concept_id, len(services[s]), s))
        stems_of_service = {
            service: set().union(*(stems for _, stems in titles))
            for service, titles in services.items()
        }
        for service, titles in services.items():
            # Words of the other services naming the concept (the main one included).
            other_stems = set().union(
                *(v for k, v in stems_of_service.items() if k != service)
            )
            if service == main or len(titles) < MIN_MARK_TITLES:
                continue
            organisations_of: dict[str, set[str]] = defaultdict(set)
            for organisation, stems in titles:
                for stem in stems:
                    organisations_of[stem].add(organisation)
            for stem, organisations in organisations_of.items():
                if (
                    len(organisations) >= MIN_MARK_TITLES
                    and 2 * len(organisations) >= len(titles)
                    and stem not in other_stems
                    and stem not in own_stems[concept_id]
                    and len(stem) > 2
                    and len(services_of_stem[stem]) <= MAX_MARK_SERVICES
                ):
                    marks[concept_id][stem].add(service)
    return {
        concept_id: MappingProxyType(
            {stem: next(iter(found)) for stem, found in sorted(stems.items()) if len(found) == 1}
        )
        for concept_id, stems in sorted(marks.items())
    }


@cache
def learned_marks(
    part: str, verbal_nouns: bool, compound_variants: bool
) -> Mapping[str, Mapping[str, str]]:
    """:func:`title_marks` of the shipped titles of `part`, computed once a process."""
    return title_marks(_plain_analyser(verbal_nouns, compound_variants), rows_of(part))
