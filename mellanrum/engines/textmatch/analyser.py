"""Turn a service name into weighted features (Swedish or English)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from mellanrum.engines.textmatch._data import read_data_lines, read_data_words
from mellanrum.engines.textmatch.analysis import Analysis
from mellanrum.engines.textmatch.compounds import split_compound, split_open
from mellanrum.engines.textmatch.lexicon import Lexicon
from mellanrum.engines.textmatch.ngrams import char_ngrams
from mellanrum.engines.textmatch.service_neighbours import NeighbourIndex, learned_neighbours
from mellanrum.engines.textmatch.service_titles import learned_concepts, learned_marks
from mellanrum.engines.textmatch.stemming import LANGUAGES as STEMMER_LANGUAGES
from mellanrum.engines.textmatch.stemming import stemmer
from mellanrum.engines.textmatch.stopwords import stop_words
from mellanrum.engines.textmatch.thesaurus import Thesaurus
from mellanrum.engines.textmatch.tokenise import tokenise
from mellanrum.engines.textmatch.weights import FeatureWeights

__all__ = ["Analyser"]

# Forms of the words that say how a service is reached, folded to one stem so that a term
# written "ansökan om X" also matches "Ansök om X" and "Ansöka om X" (the lexicon keeps the
# noun whole, so the stemmer alone would not join them).
_CHANNEL_STEMS = {
    "sv": {
        **dict.fromkeys(("ansökan", "ansöka", "ansök", "ansöker", "ansökning"), "ansök"),
        **dict.fromkeys(("anmälan", "anmäla", "anmäl", "anmäler"), "anmäl"),
        **dict.fromkeys(("beställning", "beställa", "beställ", "beställer"), "beställ"),
        **dict.fromkeys(("begäran", "begära", "begär", "begärs"), "begär"),
    },
    "en": {},
}
_ALPHABET = {"sv": "abcdefghijklmnopqrstuvwxyzåäö", "en": "abcdefghijklmnopqrstuvwxyz"}
MIN_CORRECTION_LENGTH = 5
MIN_COMPOUND_CORRECTION_LENGTH = 8
# Letters after which Snowball's Swedish stemmer removes a final "s" (its s-ending rule).
_S_ENDING = frozenset("bcdfghjklmnoprtvy")
MIN_S_STEM_LENGTH = 5
# Nouns in -ning/-ring that are not the action of a verb that names the same thing ("förening"
# is not "före", "ledning" not "led"), or whose verb names another service ("sota" is sweeping
# one's own chimney, "sotning" the service).
_NOT_VERBAL = frozenset(
    {"förening", "tidning", "ordning", "mening", "räkning", "lösning", "ledning", "sotning",
     "tjänstgöring"}
)
_NOT_VERBAL_ENDINGS = ("förening", "tidning", "ordning", "ledning")


def _verbal_noun_stem(stem: str) -> str:
    """The verb stem of a Swedish action noun: hämtning → hämt (hämta), ändring → ändr
    (ändra), parkering → parker (parkera), so that "Hämta grovavfall" meets "Hämtning av
    grovavfall"."""
    if stem in _NOT_VERBAL or stem.endswith(_NOT_VERBAL_ENDINGS):
        return stem
    if stem.endswith("ning") and len(stem) >= 7:
        return stem[:-4]
    if stem.endswith("ring") and len(stem) >= 7:
        return stem[:-3]
    return stem


# Neuter and plural endings of Swedish adjectives that Snowball leaves apart from the common
# form: kommunalt → kommunal, enskilt → enskild, ekonomiskt → ekonomisk.
_ADJECTIVE_ENDINGS = (("iskt", "isk"), ("alt", "al"), ("ellt", "ell"), ("ilt", "ild"))


def _adjective_base(word: str) -> str:
    """The common form of a Swedish adjective's neuter form (``kommunalt`` → ``kommunal``)."""
    for ending, base in _ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)] + base
    return word


# Endings added to lexicon words to recognise inflected forms when correcting.
_INFLECTIONS = {
    "sv": ("en", "et", "n", "t", "ar", "er", "or", "na", "arna", "erna", "orna", "s", "ens", "ets"),
    "en": ("s",),
}


def _edits1(word: str, alphabet: str) -> set[str]:
    """Words one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in alphabet}
    inserts = {a + c + b for a, b in splits for c in alphabet}
    return deletes | transposes | replaces | inserts


class Analyser:
    """Analyse names and descriptions of activities into weighted features.

    Steps: normalise (å, ä, ö kept), tokenise, drop stop words, find base
    forms in the lexicon, correct one-letter typos of unknown words against
    the lexicon and thesaurus, split compounds, stem (Snowball), match thesaurus
    concepts (longest phrase first, also on compound parts), add character
    n-grams.  Word order does not matter; the result is a bag of features.

    Parameters
    ----------
    language : {"sv", "en"}, default "sv"
        Language of the texts.
    thesaurus : Thesaurus, optional
        Defaults to the thesaurus shipped for `language`.
    extra_synonyms : iterable of sequence of str, optional
        Synonym sets added to the thesaurus (see :meth:`Thesaurus.extended`).
    known_words : iterable of str, optional
        Further words taken as spelled right, and as targets of typo correction (the
        vocabulary of the texts matched against, so that "körskola" is not "corrected" to
        "förskola" when the texts know both).
    lexicon : Lexicon, optional
        Defaults to the lexicon shipped for `language`.
    weights : FeatureWeights, optional
        Weights of the feature kinds.
    ngram : int, default 3
        Character n-gram length (0 disables n-grams).
    verbal_nouns : bool, default False
        Swedish only: give an action noun the stem of its verb ("Hämtning av
        grovavfall" meets "Hämta grovavfall"; see ``_verbal_noun_stem``).  The
        commonality matcher turns it on; the journeys finder, tuned without it,
        does not.
    compound_variants : bool, default False
        Swedish only: let variants of one compound meet (the commonality matcher
        turns it on, the journeys finder does not).  A compound whose modifier is
        not in the lexicon is still split before its known head
        (``Hygienverksamhet`` → hygien + verksamhet, ``Villatomtkön`` → villa +
        tomtkö; the heads are the lexicon's words, the one-word thesaurus terms
        and ``data/compound_words_sv.txt``); an agent noun loses its ``e`` inside
        a compound (``medborgar-ceremoni``); derived forms take their base's stem
        (``data/derived_sv.txt``: hygienisk → hygien, medborgarskap → medborgare);
        and a compound whose two parts are the two words of a thesaurus term, or
        the parts of a compound term, names that term's concept
        (``Medborgarceremoni`` is medborgarskapsceremoni).
    service_titles : {"off", "all", "learn", "score"}, default "off"
        Swedish only: add the real titles per service of ``data/service_titles_sv.csv`` as
        thesaurus terms (see :mod:`mellanrum.engines.textmatch.service_titles`; "learn" and
        "score" take only that part of the file, for measuring).  The commonality matcher
        turns it on.
    service_neighbours : bool, default False
        With `service_titles` on: a name that names no concept gets the service its nearest
        real titles agree on (:mod:`mellanrum.engines.textmatch.service_neighbours`).

    Examples
    --------
    >>> analyser = Analyser("sv")
    >>> a = analyser.analyse("Bygglovsansökan")
    >>> b = analyser.analyse("Ansökan om bygglov")
    >>> sorted(k for k in a.features if k.startswith("w:"))
    ['w:ansök', 'w:bygg', 'w:bygglov', 'w:bygglovsansökan', 'w:lov']
    >>> "w:bygglov" in b.features
    True
    >>> analyser.analyse("Stöd i hemmet").concepts
    ('hemtjanst',)
    >>> analyser.analyse("Tillfälligt parkeringstillstånd").qualifiers
    ('tillfäl',)
    >>> analyser.analyse("Tillfälligt serveringstillstånd").qualifiers  # a thesaurus term
    ()
    """

    def __init__(
        self,
        language: str = "sv",
        thesaurus: Thesaurus | None = None,
        extra_synonyms: Iterable[Sequence[str]] = (),
        lexicon: Lexicon | None = None,
        weights: FeatureWeights | None = None,
        ngram: int = 3,
        known_words: Iterable[str] = (),
        verbal_nouns: bool = False,
        compound_variants: bool = False,
        service_titles: str = "off",
        service_neighbours: bool = False,
    ) -> None:
        if language not in STEMMER_LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; expected 'sv' or 'en'")
        self.language = language
        self.verbal_nouns = verbal_nouns and language == "sv"
        self.compound_variants = compound_variants and language == "sv"
        self.lexicon = lexicon if lexicon is not None else Lexicon.default(language)
        self._derived: dict[str, str] = {}
        if self.compound_variants:
            if lexicon is None:
                extra_words = read_data_words("compound_words_sv.txt")
                self.lexicon = Lexicon(self.lexicon.words | frozenset(extra_words))
            for line in read_data_lines("derived_sv.txt"):
                derived, base_word = line.split()
                self._derived[derived] = base_word
        # Inflected forms are tried as typo targets only for the shipped lexicon's words.
        inflectable = self.lexicon.words
        known = frozenset(word for text in known_words for word in tokenise(text))
        if known and self.lexicon.words:
            # Known words of four letters or more also split compounds and give base forms
            # ("knarkproblem" → "knark" + "problem").
            self.lexicon = Lexicon(self.lexicon.words | {w for w in known if len(w) >= 4})
        base = thesaurus if thesaurus is not None else Thesaurus.default(language)
        learned: Mapping[str, Sequence[str]] = {}
        # Stem -> look-alike service it marks -> the concepts it marks it in.
        self._marks: dict[str, dict[str, set[str]]] = {}
        if service_titles != "off" and language == "sv":
            learned = learned_concepts(service_titles, self.verbal_nouns, self.compound_variants)
            marks = learned_marks(service_titles, self.verbal_nouns, self.compound_variants)
            for concept_id, marked in marks.items():
                for stem, service in marked.items():
                    self._marks.setdefault(stem, {}).setdefault(service, set()).add(concept_id)
        extra = [tuple(s) for s in extra_synonyms]
        self.thesaurus = base.extended(extra) if extra else base
        self.weights = weights if weights is not None else FeatureWeights()
        self.ngram = ngram
        self._stop = stop_words(language)
        self._stem_cache: dict[str, str] = {}
        self._weak = frozenset(self._stem(w) for w in read_data_words(f"weak_{language}.txt"))
        # Qualifier stem -> the qualifier it stands for; "gemensam=delad=delning" makes the
        # forms after the first mean the first ("Delad behållare" is qualified like
        # "Gemensam avfallsbehållare").
        self._qualifiers: dict[str, str] = {}
        for entry in read_data_words(f"qualifiers_{language}.txt"):
            forms = [self._stem(form) for form in entry.split("=") if form]
            for form in forms:
                self._qualifiers.setdefault(form, forms[0])
        self._terms: dict[tuple[str, ...], str] = {}
        for concept_id, terms in self.thesaurus.concepts.items():
            for term in terms:
                key = self.term_key(term)
                if key:
                    self._terms.setdefault(key, concept_id)
        self._max_term = max((len(k) for k in self._terms), default=0)
        # The qualifiers a concept's own terms carry ("förlängt slamtömningsintervall"): in a name
        # of that concept such a qualifier is part of the concept, not a different service.
        canonical = frozenset(self._qualifiers.values())
        carried: dict[str, set[str]] = {}
        for key, concept_id in self._terms.items():
            carried.setdefault(concept_id, set()).update(k for k in key if k in canonical)
        self._carried = {c: frozenset(q) for c, q in carried.items() if q}
        # Qualified concepts composed of a qualifier and another concept's one-word term:
        # "uppehåll i sophämtning" makes (uppehåll, sophamtning) -> uppehall_hamtning, so that
        # "Uppehåll i renhållning" (renhållning being sophämtning) is that service too.
        self._qualified: dict[tuple[str, str], str] = {}
        for key, concept_id in self._terms.items():
            if len(key) != 2:
                continue
            for qualifier, word in (key, key[::-1]):
                plain = self._terms.get((word,))
                if qualifier in canonical and plain is not None and plain != concept_id:
                    self._qualified.setdefault((qualifier, plain), concept_id)
        # Terms also matched in any word order: two-word terms ("tillfälligt serveringstillstånd"
        # in "Serveringstillstånd, ansökan tillfälligt") and two-part compound terms written as
        # separate words ("grävtillstånd" in "Tillstånd för att gräva").
        self._pair_terms: dict[frozenset[str], str] = {}
        for key, concept_id in self._terms.items():
            pair: frozenset[str] | None = None
            if len(key) == 2 and key[0] != key[1]:
                pair = frozenset(key)
            elif len(key) == 1 and self.lexicon.words:
                for term in self.thesaurus.concepts[concept_id]:
                    words = self._content_tokens(term)
                    if len(words) == 1 and self._key_stem(words[0]) == key[0]:
                        parts = split_compound(words[0], self.lexicon, keep_known=False)
                        stems = {self._key_stem(part) for part in parts}
                        if len(parts) == 2 and len(stems) == 2:
                            pair = frozenset(stems)
                            break
            if pair is not None and pair not in self._pair_terms:
                self._pair_terms[pair] = concept_id
        # Known heads of compounds with an unknown modifier: lexicon words and one-word terms.
        self._heads = (
            Lexicon(
                self.lexicon.words
                | {
                    words[0]
                    for terms in self.thesaurus.concepts.values()
                    for t in terms
                    if len(words := tokenise(t)) == 1
                }
            )
            if self.compound_variants
            else self.lexicon
        )
        self._known = frozenset(self.lexicon.words) | frozenset(
            word
            for terms in self.thesaurus.concepts.values()
            for t in terms
            for word in tokenise(t)
        ) | known
        self._term_words = frozenset(
            word
            for terms in self.thesaurus.concepts.values()
            for t in terms
            for word in tokenise(t)
        )
        self._inflected = frozenset(
            w + ending for w in inflectable for ending in _INFLECTIONS[self.language]
        ) | frozenset(
            w[:-1] + ending
            for w in inflectable
            if w.endswith("a")
            for ending in _INFLECTIONS[self.language]
        )
        # Real titles per service (service_titles.py): each term's stems, indexed by its first
        # stem in sorted order; a name holding all of a term's stems names its concept.
        self._title_terms: dict[str, list[tuple[frozenset[str], str]]] = {}
        self._title_names: dict[str, str] = {}
        for concept_id, titles in learned.items():
            if concept_id not in self.thesaurus.concepts:
                self._title_names[concept_id] = titles[0]
            for title in titles:
                title_stems = frozenset(self.term_key(title))
                if title_stems:
                    self._title_terms.setdefault(min(title_stems), []).append(
                        (title_stems, concept_id)
                    )
        self._neighbours: NeighbourIndex | None = None
        if service_neighbours and service_titles != "off" and language == "sv":
            self._neighbours = learned_neighbours(
                service_titles, self.verbal_nouns, self.compound_variants
            )
            for concept_id, name in self._neighbours.names.items():
                if concept_id not in self.thesaurus.concepts:
                    self._title_names.setdefault(concept_id, name)
        self._corrections: dict[str, str] = {}
        self._cache: dict[str, Analysis] = {}
        self._piece_cache: dict[str, tuple[tuple[str, float, str, str | None, bool], ...]] = {}
        self._gram_cache: dict[str, tuple[str, ...]] = {}

    def _stem(self, word: str) -> str:
        stem = self._stem_cache.get(word)
        if stem is None:
            stem = _CHANNEL_STEMS[self.language].get(word)
            if stem is None and self.compound_variants:
                adjective = _adjective_base(word)
                if adjective in self._derived:
                    stem = self._stem(self._derived[adjective])
                elif adjective != word:
                    stem = self._stem(adjective)
            if stem is None:
                base = self.lexicon.base_form(word) if self.lexicon.words else None
                stem = stemmer(self.language).stemWord(base or word)
                # Snowball takes "-er" off "gravplatser" but the "-s" off "gravplats": take
                # the "-s" a plural's stem ends in off too, so that both forms meet.
                if (
                    self.language == "sv"
                    and len(stem) >= MIN_S_STEM_LENGTH
                    and stem[-1] == "s"
                    and stem[-2] in _S_ENDING
                ):
                    stem = stem[:-1]
                if self.verbal_nouns:
                    stem = _verbal_noun_stem(stem)
            self._stem_cache[word] = stem
        return stem

    def _key_stem(self, word: str) -> str:
        """The stem a word is matched by in thesaurus terms: forms of one qualifier are one
        ("delad", "delning" and "gemensam" all match a term written "gemensamt kärl")."""
        stem = self._stem(word)
        return self._qualifiers.get(stem, stem)

    def _content_tokens(self, text: str) -> list[str]:
        return [t for t in tokenise(text) if t not in self._stop and len(t) > 1]

    def correct(self, token: str) -> str:
        """Return the known word one edit away from an unknown `token`, else `token`.

        A token is known when it is a lexicon or thesaurus word, an inflected
        form of one, or a compound of lexicon words.  Among candidates one
        edit away, exact known words win over inflected forms; ties go to the
        alphabetically first, so the result is deterministic.

        Examples
        --------
        >>> Analyser("sv").correct("skolskjust")
        'skolskjuts'
        >>> Analyser("sv").correct("far")
        'far'
        """
        cached = self._corrections.get(token)
        if cached is not None:
            return cached
        result = token
        if len(token) >= MIN_CORRECTION_LENGTH and not token.isdigit() and token not in self._known:
            candidates = _edits1(token, _ALPHABET[self.language])
            if self.lexicon.base_form(token) is not None:
                pass
            elif len(split_compound(token, self.lexicon)) > 1:
                # A compound of known words: only correct it to a thesaurus word
                # (försörjningstöd → försörjningsstöd), never to another compound.
                if len(token) >= MIN_COMPOUND_CORRECTION_LENGTH:
                    found = sorted(candidates & self._term_words)
                    result = found[0] if found else token
            else:
                found = sorted(candidates & self._known) or sorted(candidates & self._inflected)
                result = found[0] if found else token
        self._corrections[token] = result
        return result

    def knows(self, token: str) -> bool:
        """Whether a normalised `token` is a known word: a lexicon, thesaurus or known word,
        an inflected form of one, or a compound of lexicon words.

        Examples
        --------
        >>> Analyser("sv").knows("hemtjänsten"), Analyser("sv").knows("hemtjänts")
        (True, False)
        """
        return (
            token in self._known
            or token in self._inflected
            or (bool(self.lexicon.words) and self.lexicon.base_form(token) is not None)
            or (bool(self.lexicon.words) and len(split_compound(token, self.lexicon)) > 1)
        )

    def key_stem(self, word: str) -> str:
        """The stem a normalised word is matched by in thesaurus terms."""
        return self._key_stem(word)

    def content_words(self, text: str) -> list[str]:
        """The tokens of `text` that are not stop words (nor single letters)."""
        return self._content_tokens(text)

    def term_index(self) -> Mapping[tuple[str, ...], str]:
        """Stem sequence → concept of every thesaurus term."""
        return MappingProxyType(self._terms)

    def weak_stems(self) -> frozenset[str]:
        """Stems of the words that say how a service is reached, not what it is."""
        return self._weak

    def term_key(self, term: str) -> tuple[str, ...]:
        """Return the stem sequence a thesaurus term is matched by.

        Examples
        --------
        >>> Analyser("sv").term_key("Stöd i hemmet")
        ('stöd', 'hem')
        """
        return tuple(self._key_stem(t) for t in self._content_tokens(term))

    def analyse(self, text: str) -> Analysis:
        """Return the weighted features of `text` (results are cached per analyser)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._analyse(text)
            if len(self._cache) < 1_000_000:
                self._cache[text] = cached
        return cached

    def _analyse(self, text: str) -> Analysis:
        w = self.weights
        surfaces = self._content_tokens(text)
        tokens = [self.correct(t) for t in surfaces]
        stems = [self._key_stem(t) for t in tokens]
        features: dict[str, float] = {}
        labels: dict[str, str] = {}
        concepts: set[str] = set()

        def add(key: str, weight: float, label: str | None = None) -> None:
            if weight > features.get(key, 0.0):
                features[key] = weight
            if label is not None and key not in labels:
                labels[key] = label

        covered = [False] * len(tokens)
        # Which term covers each word: (concept, length of the matched term).
        spans: list[tuple[str, int] | None] = [None] * len(tokens)
        i = 0
        while i < len(tokens):
            for length in range(min(self._max_term, len(tokens) - i), 0, -1):
                concept_id = self._terms.get(tuple(stems[i : i + length]))
                if concept_id is not None:
                    for j in range(i, i + length):
                        covered[j] = True
                        spans[j] = (concept_id, length)
                    i += length
                    break
            else:
                i += 1
        if self._pair_terms and len(tokens) > 1:
            self._match_pairs(stems, spans, covered)
        concepts.update(span[0] for span in spans if span is not None)
        if self._qualified:
            self._compose_qualified(stems, covered, concepts)

        uncovered: list[str] = []
        for surface, token, stem, is_covered in zip(surfaces, tokens, stems, covered, strict=True):
            factor = w.covered if is_covered else 1.0
            pieces = self._pieces(token)
            if not is_covered and pieces and pieces[0][2] == token and pieces[0][3] is not None:
                # A compound naming a term through its parts ("Medborgarceremoni").
                concepts.add(pieces[0][3])
                is_covered, factor = True, w.covered
            if not is_covered:
                uncovered.append(stem)
            for piece_stem, weight, piece, piece_concept, is_weak in pieces:
                piece_factor = factor
                if not is_covered and piece_concept is not None:
                    concepts.add(piece_concept)
                    piece_factor = w.covered
                if is_weak:
                    piece_factor *= w.weak
                add("w:" + piece_stem, weight * piece_factor, piece)
            if self.ngram and stem not in self._weak:
                for gram in self._grams(surface):
                    add(gram, w.gram * factor)
        learned = self._title_concepts(stems) if self._title_terms else set()
        near: str | None = None
        if self._neighbours is not None and (
            self._neighbours.all_names or (not concepts and not learned)
        ):
            near = self._neighbours.service_of(features)
            if near is not None and (near in concepts or near in learned):
                near = None
        for concept_id in concepts:
            add("c:" + concept_id, w.concept, self.thesaurus.name(concept_id))
        for concept_id in learned - concepts:
            # A service named by a real title of it: its words stay as they are.
            name = self._title_names.get(concept_id) or self.thesaurus.name(concept_id)
            add("c:" + concept_id, w.title, name)
        if near is not None and self._neighbours is not None:
            # The service the name's nearest real titles agree on (service_neighbours.py).
            name = self._title_names.get(near) or self.thesaurus.name(near)
            add("c:" + near, w.title * self._neighbours.weight, name)
        qualifiers = self._qualifiers_of(stems, covered, concepts, spans)
        if self._marks:
            qualifiers = self._marked(features, concepts, qualifiers, learned)
        return Analysis(
            text=text,
            features=MappingProxyType(features),
            labels=MappingProxyType(labels),
            concepts=tuple(sorted(concepts)),
            qualifiers=qualifiers,
            uncovered=tuple(uncovered),
        )

    def _marked(
        self,
        features: Mapping[str, float],
        concepts: set[str],
        qualifiers: tuple[str, ...],
        learned: set[str],
    ) -> tuple[str, ...]:
        """Add the look-alike services the real titles' marks point to as qualifiers.

        A mark ("begravningskostnad" in a name of ekonomiskt bistånd) makes the name the
        look-alike service when the name names the concept it was learned in and no other, or
        names no thesaurus concept but the look-alike's learned one (so the look-alike's titles
        that do not name the concept get the same qualifier).
        """
        found: set[str] = set()
        for key in features:
            if key.startswith("w:") and key[2:] in self._marks:
                for service, marked_in in self._marks[key[2:]].items():
                    if (concepts and concepts <= marked_in) or (
                        not concepts and service in learned
                    ):
                        found.add(service)
        return tuple(sorted(set(qualifiers) | found)) if found else qualifiers

    def _title_concepts(self, stems: Iterable[str]) -> set[str]:
        """Concepts of the real titles whose stems are all among the name's word stems."""
        present = frozenset(stems)
        found: set[str] = set()
        for stem in present:
            for term, concept_id in self._title_terms.get(stem, ()):
                if term <= present:
                    found.add(concept_id)
        return found

    def _compose_qualified(
        self, stems: Sequence[str], covered: Sequence[bool], concepts: set[str]
    ) -> None:
        """Replace, in place, a concept by its qualified concept when the name holds the
        qualifier outside any term ("Extra" + sophämtning stays qualified: no such concept)."""
        free = {
            self._qualifiers[stem]
            for stem, is_covered in zip(stems, covered, strict=True)
            if stem in self._qualifiers and not is_covered
        }
        for qualifier in sorted(free):
            for concept_id in sorted(concepts):
                qualified = self._qualified.get((qualifier, concept_id))
                if qualified is not None:
                    concepts.discard(concept_id)
                    concepts.add(qualified)

    def _qualifiers_of(
        self,
        stems: Sequence[str],
        covered: Sequence[bool],
        concepts: Iterable[str],
        spans: Sequence[tuple[str, int] | None] = (),
    ) -> tuple[str, ...]:
        """Qualifiers of a name: its qualifier words that no thesaurus term covers and that none
        of its concepts carries in its own terms, and the ones inside a two-word term
        (qualifier + noun) that not all of its concepts carry.

        A qualifier inside a term belongs to that term's concept ("Bli familjehem"), but in a
        name that also names a concept without it ("Bli familjehem eller kontaktperson") it still
        makes the whole name a different service: one to become, not one to receive. Longer terms
        keep their qualifier ("Omsorg på obekväm arbetstid på förskolan" stays that service).
        """
        found = {
            self._qualifiers[stem]
            for stem, is_covered in zip(stems, covered, strict=True)
            if stem in self._qualifiers and not is_covered
        }
        if found:
            for concept_id in concepts:
                found -= self._carried.get(concept_id, frozenset())
        inside = {
            self._qualifiers[stem]
            for stem, span in zip(stems, spans, strict=False)
            if stem in self._qualifiers and span is not None and span[1] == 2
        } - found
        if inside:
            named = [self._carried.get(concept_id, frozenset()) for concept_id in concepts]
            if len(named) > 1:
                found |= inside - frozenset.intersection(*named)
        return tuple(sorted(found))

    def _match_pairs(
        self, stems: list[str], spans: list[tuple[str, int] | None], covered: list[bool]
    ) -> None:
        """Match two-word terms in any order, and compound terms written as two words.

        A pair wins over one-word terms on its words (the longer term wins, as in the ordered
        pass) but never takes a word that a longer term already covers.
        """
        free = [i for i, span in enumerate(spans) if span is None or span[1] == 1]
        for a, b in itertools.combinations(free, 2):
            if stems[a] == stems[b]:
                continue
            concept_id = self._pair_terms.get(frozenset((stems[a], stems[b])))
            if concept_id is None:
                continue
            span_a, span_b = spans[a], spans[b]
            if (span_a is not None and span_a[1] == 2) or (span_b is not None and span_b[1] == 2):
                continue
            spans[a] = spans[b] = (concept_id, 2)
            covered[a] = covered[b] = True

    def _pieces(self, token: str) -> tuple[tuple[str, float, str, str | None, bool], ...]:
        """Per-token work, cached: (stem, weight, readable, part concept, weak) per piece."""
        cached = self._piece_cache.get(token)
        if cached is not None:
            return cached
        w = self.weights
        parts = (
            split_compound(token, self.lexicon, agent_forms=self.compound_variants)
            if self.lexicon.words
            else (token,)
        )
        if (
            self.compound_variants
            and len(parts) == 1
            and token not in self._derived
            and self.lexicon.base_form(token) is None
            and token not in self._term_words
        ):
            parts = split_open(token, self.lexicon, self._heads) or parts
        pieces: list[tuple[str, float]] = []
        if len(parts) > 1:
            pieces.append((token, w.whole))
            for part in parts:
                pieces.append((part, w.part))
                pieces.extend((leaf, w.leaf) for leaf in self._leaves(part))
        else:
            pieces.append((parts[0], w.word))
            pieces.extend((leaf, w.leaf) for leaf in self._leaves(parts[0]))
        whole_concept = None
        if self.compound_variants and len(parts) == 2:
            # "Medborgarceremoni": the two parts of a term written as another compound.
            key = frozenset(self._key_stem(part) for part in parts)
            if len(key) == 2 and self._terms.get((self._key_stem(token),)) is None:
                whole_concept = self._pair_terms.get(key)
        result = []
        for piece, weight in pieces:
            piece_stem = self._stem(piece)
            concept = self._terms.get((piece_stem,)) if piece != token else whole_concept
            result.append((piece_stem, weight, piece, concept, piece_stem in self._weak))
        cached = tuple(result)
        self._piece_cache[token] = cached
        return cached

    def _grams(self, surface: str) -> tuple[str, ...]:
        cached = self._gram_cache.get(surface)
        if cached is None:
            cached = tuple("g:" + gram for gram in char_ngrams(surface, self.ngram))
            self._gram_cache[surface] = cached
        return cached

    def _leaves(self, word: str) -> tuple[str, ...]:
        if not self.lexicon.words or word not in self.lexicon:
            return ()
        leaves = split_compound(word, self.lexicon, keep_known=False)
        return leaves if len(leaves) > 1 else ()
