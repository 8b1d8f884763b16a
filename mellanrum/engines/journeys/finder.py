"""The "no wrong door" finder: from everyday words to life events and services."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from mellanrum.engines.journeys import cues, evidence
from mellanrum.engines.journeys.evidence import ExampleEvidence, shipped_examples
from mellanrum.engines.journeys.matching import (
    ACTIVITY_THRESHOLD,
    NameWeights,
    TextMatcher,
    text_matcher,
)
from mellanrum.engines.journeys.model import ActivityRef, LifeEvent, Place, Step
from mellanrum.engines.journeys.places import shipped_localities, shipped_municipality_names
from mellanrum.engines.journeys.query_text import (
    _EN_STOP,
    _SV_STOP,
    _WORD,
    FILLER_WORDS,
    clean_query,
    rewrite,
    spell_out,
)
from mellanrum.engines.journeys.resolve import CITIZEN_KINDS, responsible_organisation
from mellanrum.engines.journeys.spelling import PLACE_WORD, QuerySpeller, ages
from mellanrum.engines.textmatch import tokenise
from mellanrum.engines.textmatch.stemming import stemmer

__all__ = ["EventMatch", "FindResult", "Finder", "ServiceMatch", "find", "shipped_examples"]

MAX_QUERY_CHARS = 500
MIN_EVENT_SCORE = 0.12
# Weights of the texts that describe a life event.
LABEL_WEIGHT = 1.0
SYNONYM_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 0.6
NEED_WEIGHT = 0.75
HINT_WEIGHT = 0.7
# Services of the best life events are shown when that event scores this share of the best.
# (A sentence with several needs scores two events close to each other; a weaker second
# event is a neighbour, not a need, and its services would wander.  A need named in a clause
# of its own scores CLAUSE_WEIGHT of the best, so the share stays below that.)
RELATED_SHARE = 0.83
# A service found by its name alone must be this close to the words.
DIRECT_SERVICE_THRESHOLD = 0.6
# A step with `when` words is offered only when the query is this close to one of them.
WHEN_THRESHOLD = 0.3
# A step the words name outright (cosine ≥ STEP_NAMED) comes first: the services of the
# other steps count (1 − STEP_NAMED_WEIGHT) as much.  Otherwise the steps keep their order.
STEP_NAMED = 0.6
STEP_NAMED_WEIGHT = 0.2
# A sentence with several needs joins them with a conjunction or a comma ("jag har blivit
# uppsagd och kan inte betala hyran"); each part is also scored on its own, at this share
# of the best score, so that every need reaches the top of the list.
_CLAUSE_BREAK = re.compile(r"[,;.!?]|\b(?:och|samt|men|plus|sen|and|but|also)\b", re.IGNORECASE)
_CODA = re.compile(r"(?:,|\boch\b)\s*(?:(?:jag|vi)\s+orkar\s+inte(?:\s+(?:mer|längre))?"
                   r"|orkar\s+inte(?:\s+mer)?)\s*[.!?]*\s*$", re.IGNORECASE)
CLAUSE_WEIGHT = 0.84
CLAUSE_MIN = 0.5
LEAD_RATIO = 1.5
TIE_SHARE = 0.95
# An everyday phrase of an event found whole in the query (its words in order, compared by
# their Swedish stems) takes the event's score this share of the way to 1: the small words
# that the matching drops carry the meaning of many idioms ("somnade in", "gick in i
# väggen", "röker på", "på smällen").
PHRASE_SHARE = 0.3
# How much an event loses for the part of the query none of its texts has (0: nothing).
EXPLAINED_WEIGHT = 0.3
# How much the mean of an event's next two best texts adds to its best one.
REST_WEIGHT = 0.1
CONCEPT_WEIGHT = 1.0




def _stems(text: str) -> tuple[str, ...]:
    """The Swedish stems of the words of `text`, in order."""
    return tuple(stemmer("sv").stemWords(tokenise(text)))


@dataclass(frozen=True)
class EventMatch:
    """A life event that matches the query, with its score in [0, 1] and the text that
    matched best."""

    event: LifeEvent
    score: float
    matched: str


@dataclass(frozen=True)
class ServiceMatch:
    """A service for the query: from a step of a matching life event, or by its name.

    `step_number`, `need` and `data_items` (what to prepare) are set when the service
    serves a step of `life_event_id`.
    """

    activity: ActivityRef
    score: float
    life_event_id: str
    step_number: int | None
    need: str
    data_items: tuple[str, ...]
    need_en: str = ""


@dataclass(frozen=True)
class FindResult:
    life_events: tuple[EventMatch, ...]
    services: tuple[ServiceMatch, ...]


def _responsible_matches(step: Step, activity: ActivityRef, place: Place | None) -> bool:
    if place is not None:
        organisation = responsible_organisation(step, place)
        return organisation is not None and organisation.code == activity.organisation.code
    kind = activity.organisation.kind
    if step.responsible == "home_municipality":
        return kind == "municipality"
    if step.responsible in ("region", "new_region"):
        return kind == "region"
    if step.agency is not None:
        return activity.organisation.code == step.agency
    return False  # new_municipality (unknown to the finder) and outside providers


class Finder:
    """Life events pre-analysed once, then matched against many queries.

    Every life event is described by weighted texts: its Swedish and English labels,
    everyday phrasings (synonyms), description, the needs of its steps and their activity
    hints.  A query's score for an event is the best weighted cosine over those texts,
    where features are weighted by inverse event frequency (words that occur in many
    events count less), plus a tenth of the mean of its next two best texts.

    Parameters
    ----------
    life_events : sequence of LifeEvent
    synonyms : tuple of tuple of str, optional
        Everyday synonym sets added to the analyser's thesaurus.
    examples : iterable of (str, str), optional
        Worded examples (text, life-event id) that add evidence to the score (see
        :mod:`~mellanrum.engines.journeys.evidence`); the shipped ones when not given, none
        when empty.

    Examples
    --------
    >>> from mellanrum.engines.journeys.catalogue import load_catalogue
    >>> catalogue = load_catalogue()
    >>> finder = Finder(catalogue.life_events, catalogue.synonyms)
    >>> finder.find("flyttar").life_events[0].event.id
    'flytta-till-annan-kommun'
    """

    def __init__(
        self, life_events: Sequence[LifeEvent], synonyms: tuple[tuple[str, ...], ...] = (),
        examples: Iterable[tuple[str, str]] | None = None,
    ) -> None:
        self.life_events = tuple(life_events)
        # Every word of the events' texts is taken as spelled right, and typos are corrected
        # towards them ("färtjänst" → "färdtjänst"; "körskola" stays "körskola").
        vocabulary = tuple(sorted({
            text for event in self.life_events
            for text in (event.label_sv, event.label_en, *event.synonyms, *(
                t for step in event.steps for t in (step.need, *step.activity_hints)))
        }))
        self.matcher: TextMatcher = text_matcher(tuple(tuple(s) for s in synonyms), vocabulary)
        # Unknown words of a query are repaired towards the events' words (missing å/ä/ö,
        # two-letter typos, compounds) and place names say "another place".
        places = [name for names in shipped_municipality_names().values() for name in names]
        places += [locality for locality, _code in shipped_localities()]
        self.speller = QuerySpeller(self.matcher.analyser, (
            text for event in self.life_events
            for text in (event.label_sv, event.label_en, event.description, *event.synonyms,
                         *(t for step in event.steps for t in (step.need, step.need_en,
                                                               *step.activity_hints)))
        ), places)
        # Step hints meet activity names without the everyday synonyms, as in resolve_journey.
        self.hint_matcher: TextMatcher = text_matcher(())
        self._weights: dict[tuple[str, tuple[str, ...]], NameWeights] = {}
        self._texts: list[list[tuple[str, float, dict[str, float]]]] = []
        frequency: dict[str, int] = {}
        raw: list[list[tuple[str, float]]] = []
        for event in self.life_events:
            texts = [(event.label_sv, LABEL_WEIGHT), (event.label_en, LABEL_WEIGHT * 0.8)]
            texts += [(s, SYNONYM_WEIGHT) for s in event.synonyms]
            texts += [(event.description, DESCRIPTION_WEIGHT)]
            texts += [(step.need, NEED_WEIGHT) for step in event.steps]
            texts += [(h, HINT_WEIGHT) for step in event.steps for h in step.activity_hints]
            texts = [(t, w) for t, w in dict.fromkeys(texts) if t.strip()]
            raw.append(texts)
            seen: set[str] = set()
            for text, _weight in texts:
                seen.update(self.matcher.vector(clean_query(text)))
            for key in seen:
                frequency[key] = frequency.get(key, 0) + 1
        count = max(1, len(self.life_events))
        self._idf = {k: math.log(1 + count / df) for k, df in frequency.items()}
        self._max_idf = math.log(1 + count)
        for texts in raw:
            self._texts.append([(t, w, self._weighted(t)) for t, w in texts])
        # Per step: the weighted vectors of its need (both languages), hints and `when` words.
        self._steps: list[list[tuple[list[dict[str, float]], list[dict[str, float]]]]] = [
            [
                ([self._weighted(t) for t in (step.need, step.need_en, *step.activity_hints)
                  if t.strip()],
                 [self._weighted(t) for t in step.when])
                for step in event.steps
            ]
            for event in self.life_events
        ]
        # Per feature, the events whose texts have it (for the share of a query an event
        # can explain).
        events_with: dict[str, set[int]] = {}
        for e, event_texts in enumerate(self._texts):
            for _text, _weight, vector in event_texts:
                for key in vector:
                    events_with.setdefault(key, set()).add(e)
        self._events_with = {k: tuple(sorted(v)) for k, v in events_with.items()}
        position = {event.id: e for e, event in enumerate(self.life_events)}
        self._examples = ExampleEvidence(
            ((text, position[event_id]) for text, event_id in (
                shipped_examples() if examples is None else examples) if event_id in position),
            lambda text: rewrite(self.speller.repair(spell_out(text))), self._weighted)
        # Everyday phrases of two words or more, by the stem of their first word.
        self._phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for e, event in enumerate(self.life_events):
            for phrase in dict.fromkeys(event.synonyms):
                stems = _stems(phrase)
                if len(stems) >= 2 and any(w not in _SV_STOP and w not in _EN_STOP
                                           for w in tokenise(phrase)):
                    self._phrases.setdefault(stems[0], []).append((stems, e))
        # Inverted index: feature → (event, text, weighted value), so a query touches only
        # the texts that share a feature with it.
        self._index: dict[str, list[tuple[int, int, float]]] = {}
        for e, event_texts in enumerate(self._texts):
            for t, (_text, weight, vector) in enumerate(event_texts):
                for key, value in vector.items():
                    self._index.setdefault(key, []).append((e, t, weight * value))

    def _weighted(self, text: str) -> dict[str, float]:
        vector = {k: v * self._idf.get(k, self._max_idf)
                  * (CONCEPT_WEIGHT if k.startswith("c:") else 1.0) for k, v in
                  self.matcher.vector(clean_query(text)).items()}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {k: v / norm for k, v in vector.items()} if norm else {}

    def _name_weights(self, code: str, names: tuple[str, ...]) -> NameWeights:
        """IDF weights of an organisation's activity names, kept for the last 64 sets."""
        key = (code, names)
        cached = self._weights.get(key)
        if cached is None:
            if len(self._weights) >= 64:
                self._weights.clear()
            cached = self._weights[key] = NameWeights(self.hint_matcher, names)
        return cached

    def score_events(self, text: str) -> list[EventMatch]:
        """Every life event with a score ≥ the minimum, best first.

        The whole text is scored, then each of its clauses (split at conjunctions and
        commas) on its own: a clause that names a need (its best event scores at least
        :data:`CLAUSE_MIN`) puts its events just below the whole text's best, at
        :data:`CLAUSE_WEIGHT` of that score times their share of the clause's best.  The
        first event is the whole text's; every need named in a clause follows it.
        """
        written = rewrite(spell_out(text[:MAX_QUERY_CHARS]))
        text = rewrite(self.speller.repair(spell_out(text[:MAX_QUERY_CHARS])))
        # A closing cry of exhaustion after the need ("min pappa är alkis och jag orkar inte
        # mer", "grannen festar varje natt, orkar inte") is the writer's state, not the need.
        text = _CODA.sub("", text) or text
        matches = self._score_clauses(text)
        # The cues read the words as written: a compound split by the spelling repair
        # ("ledstänger" → "stänger") is no cue.
        lifted = cues.lifted(written, ages(text), text.count(PLACE_WORD))
        if lifted:
            known = {m.event.id for m in matches}
            matches = [EventMatch(m.event, round(m.score + lifted.get(m.event.id, 0.0)
                                                 * (1.0 - m.score), 3), m.matched)
                       for m in matches]
            matches += [EventMatch(event, round(lifted[event.id], 3), event.label_sv)
                        for event in self.life_events
                        if event.id in lifted and event.id not in known]
            matches.sort(key=lambda m: (-m.score, m.event.id))
        against = cues.against(written, ages(text))
        if not against:
            return matches
        weighed = [EventMatch(m.event, round(m.score * against.get(m.event.id, 1.0), 3),
                              m.matched) for m in matches]
        return sorted((m for m in weighed if m.score >= MIN_EVENT_SCORE),
                      key=lambda m: (-m.score, m.event.id))

    def _score_clauses(self, text: str) -> list[EventMatch]:
        whole = self._score(text)
        # A clause of function and filler words alone ("vet inte var han är") says nothing.
        clauses = [c for c in _CLAUSE_BREAK.split(text) if c.strip() and any(
            w.lower() not in FILLER_WORDS and w.lower() not in _SV_STOP
            and w.lower() not in _EN_STOP for w in _WORD.findall(c))]
        needs = [scored for scored in (self._score(c) for c in clauses if len(clauses) > 1)
                 if scored and scored[0].score >= CLAUSE_MIN]
        if not whole or not needs:
            return whole
        # The whole text's best stays first, unless a clause names its need far more
        # clearly (LEAD_RATIO times the score: "företaget går omkull och jag blir utan
        # jobb"); every other event is scored at CLAUSE_WEIGHT of its share of the best, so
        # the best event of each clause comes right after it.
        lead = max((n[0] for n in needs), key=lambda m: m.score)
        if lead.score < LEAD_RATIO * whole[0].score:
            lead = whole[0]
            # A near tie of the whole sentence is broken by the clauses: the need that more
            # of them name leads ("går ut nian, hur söker jag gymnasiet? och kan man få
            # sommarjobb": upper secondary school twice, a summer job once).
            votes: dict[str, int] = {}
            for n in needs:
                votes[n[0].event.id] = votes.get(n[0].event.id, 0) + 1
            close = [m for m in whole[:3] if m.score >= TIE_SHARE * whole[0].score]
            voted = max(close, key=lambda m: votes.get(m.event.id, 0))
            if votes.get(voted.event.id, 0) > votes.get(lead.event.id, 0):
                lead = EventMatch(voted.event, whole[0].score, voted.matched)
        top = lead.score
        best = {lead.event.id: lead}
        for ceiling, scored in [(whole[0].score, whole), *((n[0].score, n) for n in needs)]:
            for m in scored:
                score = round(CLAUSE_WEIGHT * top * m.score / ceiling, 3)
                old = best.get(m.event.id)
                if score >= MIN_EVENT_SCORE and (old is None or score > old.score):
                    best[m.event.id] = EventMatch(m.event, score, m.matched)
        return sorted(best.values(), key=lambda m: (-m.score, m.event.id))

    def _phrase_events(self, text: str) -> set[int]:
        """The events with an everyday phrase found whole in `text`."""
        stems = _stems(text)
        found: set[int] = set()
        for i, stem in enumerate(stems):
            for phrase, e in self._phrases.get(stem, ()):
                if stems[i:i + len(phrase)] == phrase:
                    found.add(e)
        return found

    def _score(self, text: str) -> list[EventMatch]:
        query = self._weighted(text)
        if not query:
            return []
        phrased = self._phrase_events(text)
        dots: dict[tuple[int, int], float] = {}
        explained_sq: dict[int, float] = {}
        for key, q in query.items():
            for e, t, value in self._index.get(key, ()):
                dots[(e, t)] = dots.get((e, t), 0.0) + q * value
            for e in self._events_with.get(key, ()):
                explained_sq[e] = explained_sq.get(e, 0.0) + q * q
        per_event: dict[int, list[tuple[float, str]]] = {}
        for (e, t), dot in dots.items():
            per_event.setdefault(e, []).append((dot, self._texts[e][t][0]))
        signals = self._examples.scores(query, text)
        for e in signals:
            per_event.setdefault(e, [])
        matches = []
        for e, scored in per_event.items():
            scored.sort(reverse=True)
            best, matched = scored[0] if scored else (0.0, self.life_events[e].label_sv)
            others = len(self._texts[e]) - 1
            rest = [s for s, _t in scored[1:3]] + [0.0] * max(0, min(2, others) - len(scored[1:3]))
            score = best + REST_WEIGHT * (sum(rest) / len(rest) if rest else 0.0)
            # The share of the query's weight that any of the event's texts has: an event
            # that explains only "företag" in "avveckla företag" loses to one that explains
            # both words.
            explained = math.sqrt(explained_sq.get(e, 0.0))
            score *= 1.0 - EXPLAINED_WEIGHT * (1.0 - explained)
            score /= 1.1
            # The worded examples take the score part of the way to 1 (evidence.py).
            if e in signals:
                score = evidence.lift(score, signals[e])
            if e in phrased:
                score += PHRASE_SHARE * (1.0 - score)
            if score >= MIN_EVENT_SCORE:
                matches.append(EventMatch(self.life_events[e], round(score, 3), matched))
        matches.sort(key=lambda m: (-m.score, m.event.id))
        return matches

    def find(
        self,
        text: str,
        services: Sequence[ActivityRef] = (),
        *,
        place: Place | None = None,
        max_events: int = 5,
        max_services: int = 12,
    ) -> FindResult:
        """Rank life events and services for `text` (see :func:`find`)."""
        events = self.score_events(text)[:max_events]
        found: dict[str, ServiceMatch] = {}

        def keep(match: ServiceMatch) -> None:
            old = found.get(match.activity.id)
            if old is None or match.score > old.score:
                found[match.activity.id] = match

        weights: dict[str, NameWeights] = {}
        services = [a for a in services if a.kind in CITIZEN_KINDS]
        names_by_code: dict[str, list[str]] = {}
        for a in services:
            names_by_code.setdefault(a.organisation.code, []).append(a.name)
        repaired = rewrite(self.speller.repair(spell_out(text[:MAX_QUERY_CHARS])))
        query_vector = self._weighted(repaired)
        index = {event.id: i for i, event in enumerate(self.life_events)}
        if events:
            best = events[0].score
            for rank, match in enumerate(events[:3]):
                if match.score < RELATED_SHARE * best:
                    break
                step_vectors = self._steps[index[match.event.id]]
                # A person who moves meets the other life events (school, preschool) where
                # they will live: those are served by the municipality and region moved to.
                event_place = place
                if place is not None and place.to is not None and not any(
                        s.responsible in ("new_municipality", "new_region")
                        for s in match.event.steps):
                    event_place = Place(place.to, place.to_region, agencies=place.agencies)
                for number, step in enumerate(match.event.steps, start=1):
                    texts, when = step_vectors[number - 1]
                    if when and max(TextMatcher.cosine(query_vector, v) for v in when) \
                            < WHEN_THRESHOLD:
                        continue  # the step applies only in a case the words do not name
                    candidates = [a for a in services
                                  if _responsible_matches(step, a, event_place)]
                    if not candidates:
                        continue
                    code = candidates[0].organisation.code
                    if code not in weights:
                        weights[code] = self._name_weights(code, tuple(names_by_code[code]))
                    activity, _score = self.hint_matcher.best_activity(
                        step.activity_hints or (step.need,), candidates, ACTIVITY_THRESHOLD,
                        weights=weights[code] if all(
                            a.organisation.code == code for a in candidates) else None,
                    )
                    if activity is not None:
                        fit = max((TextMatcher.cosine(query_vector, v) for v in texts),
                                  default=0.0)
                        named = STEP_NAMED_WEIGHT if fit >= STEP_NAMED else 0.0
                        score = (match.score * (1.0 - STEP_NAMED_WEIGHT + named)
                                 * (1.0 - 0.01 * number) * (1.0 - 0.1 * rank))
                        keep(ServiceMatch(activity, round(score, 3), match.event.id, number,
                                          step.need, step.data_items, step.need_en))
        query = self.matcher.vector(clean_query(repaired))
        if query:
            for activity in services:
                score = TextMatcher.cosine(query, self.matcher.vector(activity.name))
                if score >= DIRECT_SERVICE_THRESHOLD:
                    keep(ServiceMatch(activity, round(score, 3), "", None, "", ()))
        ranked = sorted(
            found.values(),
            key=lambda m: (-m.score, m.step_number or 0, m.activity.organisation.name,
                           m.activity.name),
        )
        return FindResult(tuple(events), tuple(ranked[:max_services]))


@lru_cache(maxsize=4)
def _finder(
    life_events: tuple[LifeEvent, ...], synonyms: tuple[tuple[str, ...], ...]
) -> Finder:
    return Finder(life_events, synonyms)


def find(
    text: str,
    life_events: Sequence[LifeEvent],
    services: Sequence[ActivityRef] = (),
    *,
    synonyms: Sequence[Sequence[str]] = (),
    place: Place | None = None,
    max_events: int = 5,
    max_services: int = 12,
) -> FindResult:
    """Find the life events and services that match a need in everyday Swedish.

    Parameters
    ----------
    text : str
        What the person needs, in their own words (``"mamma klarar sig inte hemma
        längre"``).  Only the first 500 characters are read.
    life_events : sequence of LifeEvent
        The catalogue.  A :class:`Finder` is built once per catalogue and reused.
    services : sequence of ActivityRef
        Activities of the organisations serving the place (home municipality, its region,
        national agencies).
    synonyms : sequence of sequence of str, optional
        Everyday synonym sets (the catalogue's).
    place : Place, optional
        When given, a step's service must belong to the organisation responsible for the
        step in this place (as in :func:`resolve_journey`); otherwise to an organisation of
        the right kind (municipality, region or the named agency), and steps of the
        municipality moved to are skipped.
    max_events, max_services : int
        How many of each to return.

    Returns
    -------
    FindResult
        Life events best first; services best first: those serving the steps of the best
        life events (with what to prepare), then those whose name matches the text.

    Examples
    --------
    >>> from mellanrum.engines.journeys.catalogue import load_catalogue
    >>> from mellanrum.engines.journeys.model import OrganisationRef
    >>> catalogue = load_catalogue()
    >>> nacka = OrganisationRef("0182", "Nacka kommun", "municipality", "01")
    >>> services = [ActivityRef("1", "Hemtjänst", nacka), ActivityRef("2", "Bygglov", nacka)]
    >>> result = find("mamma klarar sig inte hemma längre", catalogue.life_events, services,
    ...               synonyms=catalogue.synonyms)
    >>> result.life_events[0].event.id
    'aldras-stod-hemma'
    >>> [s.activity.name for s in result.services]
    ['Hemtjänst']
    >>> find("", catalogue.life_events).life_events
    ()
    """
    finder = _finder(tuple(life_events), tuple(tuple(s) for s in synonyms))
    return finder.find(
        text, services, place=place, max_events=max_events, max_services=max_services
    )
