"""The adapter between Django and the commonality engine: the only module that imports it.

It turns querysets into engine inputs (activities, decisions, user synonyms, organisation
profiles) and engine results back into unsaved rows; ``actions.py`` saves them.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mellanrum.core.page_cache import remember
from mellanrum.engines.commonality import Activity as EngineActivity
from mellanrum.engines.commonality import Candidate as EngineCandidate
from mellanrum.engines.commonality import (
    ClusterError,
    ConceptContext,
    Distribution,
    JourneyGain,
    Member,
    OrganisationProfile,
    SerialExecutor,
    group_activities,
    group_partitions_on_cluster,
    maybe_same,
    rank_opportunities,
    similar_organisations,
)
from mellanrum.engines.commonality import Concept as EngineConcept
from mellanrum.engines.commonality import Decision as EngineDecision
from mellanrum.engines.commonality import Opportunity as EngineOpportunity
from mellanrum.engines.commonality.decisions import DecisionKind
from mellanrum.engines.commonality.executor import connect
from mellanrum.engines.commonality.nature import (
    SHARING,
    concept_nature,
    default_nature,
    klassa_area,
)
from mellanrum.engines.commonality.opportunities import CITIZEN_ASSUMPTIONS
from mellanrum.engines.journeys.matching import text_matcher
from mellanrum.engines.journeys.model import ActivityRef, OrganisationRef
from mellanrum.landscape.models import Activity, Arrangement, Organisation

from .models import (
    AnalysisRun,
    Candidate,
    Concept,
    Decision,
    LearnedRule,
    Membership,
    Opportunity,
    SynonymSet,
)

log = logging.getLogger(__name__)

__all__ = [
    "CITIZEN_ASSUMPTIONS",
    "SHARING",
    "ClusterError",
    "Scope",
    "candidates",
    "current_run",
    "engine_activities",
    "engine_decisions",
    "group",
    "must_not_link",
    "rank",
    "result_rows",
    "similar_to",
    "user_synonyms",
    "warm_up",
]


@dataclass(frozen=True)
class Scope:
    """Which organisations an analysis covers: all, one county, or a list of codes."""

    county: str = ""
    organisations: tuple[str, ...] = ()

    @classmethod
    def of(cls, county: str = "", organisations: Iterable[str] = ()) -> Scope:
        codes = tuple(sorted({c.strip() for c in organisations if c.strip()}))
        return cls(county="" if codes else county.strip(), organisations=codes)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scope:
        codes = [str(c) for c in data.get("organisations", [])]
        return cls.of(str(data.get("county") or ""), codes)

    def to_json(self) -> dict[str, Any]:
        return {"county": self.county, "organisations": list(self.organisations)}

    @property
    def key(self) -> str:
        if self.organisations:
            digest = hashlib.sha1(",".join(self.organisations).encode()).hexdigest()[:16]
            return f"organisations:{digest}"
        return f"county:{self.county}" if self.county else "all"

    def organisation_queryset(self) -> QuerySet[Organisation]:
        queryset = Organisation.objects.all()
        if self.organisations:
            return queryset.filter(code__in=self.organisations)
        if self.county:
            return queryset.filter(county_code=self.county)
        return queryset

    def label(self) -> str:
        if self.organisations:
            names = list(
                self.organisation_queryset().order_by("name").values_list("name", flat=True)[:4]
            )
            more = len(self.organisations) - len(names)
            text = ", ".join(names)
            if more > 0:
                text = _("%(names)s and %(count)s more") % {"names": text, "count": more}
            return text
        if self.county:
            name = (
                Organisation.objects.filter(county_code=self.county)
                .exclude(county_name="")
                .values_list("county_name", flat=True)
                .first()
            )
            return name or self.county
        return _("all organisations")


def activities_in(scope: Scope) -> QuerySet[Activity]:
    return Activity.objects.filter(organisation__in=scope.organisation_queryset())


def engine_activities(scope: Scope) -> list[EngineActivity]:
    """The scope's activities as engine input (ids are the database ids as strings)."""
    queryset = (
        activities_in(scope)
        .select_related("organisation")
        .prefetch_related("systems")
        .order_by("pk")
    )
    return [
        EngineActivity(
            id=str(a.pk),
            organisation=a.organisation.code,
            name=a.name,
            description=a.description or None,
            kind=a.kind,
            systems=tuple(sorted({s.product for s in a.systems.all()})),
            annual_cost_sek=_float(a.annual_cost_sek),
            volume=_float(a.volume_per_year),
            lead_time_days=_float(a.lead_time_days),
            population=a.organisation.population,
        )
        for a in queryset
    ]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def engine_decisions() -> list[EngineDecision]:
    """Every stored decision, oldest first, in the engine's terms."""
    result = []
    # "Not the same" teaches must-not-link names (see must_not_link()); it pins nothing.
    for d in Decision.objects.exclude(kind=Decision.Kind.NOT_SAME).order_by("pk"):
        members = tuple(d.members)
        # The model's kinds are the engine's, plus "rename", which the engine sees as confirm.
        kind = cast(DecisionKind, "confirm" if d.kind == Decision.Kind.RENAME else d.kind)
        result.append(
            EngineDecision(
                kind=kind,
                concept_id=d.concept_id,
                members=members,
                activity_ids=tuple(d.activity_ids),
                other_concept_ids=tuple(d.other_concept_ids),
                label=d.label or None if d.kind != Decision.Kind.SPLIT else None,
                new_concept_id=d.new_concept_id or None,
                new_label=d.label or None if d.kind == Decision.Kind.SPLIT else None,
            )
        )
    return result


def user_synonyms() -> list[tuple[str, ...]]:
    """Synonym sets people added, then the synonym pairs learned from their decisions."""
    learned = LearnedRule.objects.filter(kind=LearnedRule.Kind.SYNONYM).order_by("pk")
    return [tuple(s.terms) for s in SynonymSet.objects.order_by("pk")] + [
        (a, b) for a, b in learned.values_list("term_a", "term_b")]


def must_not_link() -> list[tuple[str, str]]:
    """Pairs of names people's decisions said are different things."""
    learned = LearnedRule.objects.filter(kind=LearnedRule.Kind.APART).order_by("pk")
    return [(a, b) for a, b in learned.values_list("term_a", "term_b")]


def cluster_address() -> str:
    """The configured Dask scheduler (``MELLANRUM_DASK_SCHEDULER``), or "" for in-process runs."""
    return str(settings.DASK_SCHEDULER or "").strip()


def group(
    activities: Sequence[EngineActivity],
    progress: Callable[[int, int], None] | None = None,
) -> list[EngineConcept]:
    """Group `activities`: on the configured Dask cluster (every stage), else in this process.

    The web process never forks worker processes. `progress` gets (steps done, steps) as the
    cluster finishes its stages. A cluster failure raises :class:`ClusterError`.
    """
    address = cluster_address()
    if not address:
        return group_activities(
            activities,
            language="sv",
            extra_synonyms=user_synonyms(),
            decisions=engine_decisions(),
            executor=SerialExecutor(),
            must_not_link=must_not_link(),
        )
    synonyms, decisions, apart = user_synonyms(), engine_decisions(), must_not_link()
    with connect(address) as client:
        return group_partitions_on_cluster(
            client,
            activities,
            language="sv",
            extra_synonyms=synonyms,
            decisions=decisions,
            progress=(lambda stage, done, total: progress(done, total)) if progress else None,
            must_not_link=apart,
        )


def candidates(concepts: Sequence[EngineConcept]) -> list[EngineCandidate]:
    """The "kanske samma som" candidates of a run's concepts, with the run's synonyms and
    without pairs people declared different."""
    return maybe_same(concepts, language="sv", extra_synonyms=user_synonyms(),
                      must_not_link=must_not_link())


def candidate_rows(rows: Sequence[Concept], found: Sequence[EngineCandidate]
                   ) -> list[Candidate]:
    """Unsaved candidate rows for the saved concept `rows` of a run."""
    by_id = {row.concept_id: row for row in rows}
    result: list[Candidate] = []
    position: dict[str, int] = defaultdict(int)
    for c in found:
        if c.concept_id not in by_id or c.other_id not in by_id:
            continue
        result.append(Candidate(
            concept=by_id[c.concept_id], other=by_id[c.other_id],
            position=position[c.concept_id], score=c.score, similarity=c.similarity,
            shared_terms=list(c.shared_terms), organisations=c.organisations,
            other_organisations=c.other_organisations, both=c.both,
            reason_sv=c.reason_sv, reason_en=c.reason_en,
        ))
        position[c.concept_id] += 1
    return result


def cluster_message(error: ClusterError) -> str:
    """What went wrong on the cluster, for the person who started the run."""
    if error.reason == "unreachable":
        return _(
            "The Dask cluster (%(address)s) does not answer, so the analysis could not run. "
            "The previous results are unchanged. Ask your administrator to start the scheduler "
            "and workers, then run the analysis again."
        ) % {"address": cluster_address()}
    if error.reason in {"worker", "memory"}:
        return _(
            "A Dask worker stopped during the analysis, or ran out of memory. The previous "
            "results are unchanged. Ask your administrator to give the workers more memory or "
            "add workers, then run the analysis again."
        )
    return _(
        "The connection to the Dask cluster was lost during the analysis. The previous results "
        "are unchanged; run the analysis again."
    )


@dataclass(frozen=True)
class ConceptFacts:
    """What the database knows about a concept's members beyond the engine's input."""

    nature: str
    area: str
    context: ConceptContext


def _member_ids(concepts: Sequence[EngineConcept]) -> list[int]:
    return [int(m.activity_id) for c in concepts for m in c.members]


def activity_natures(ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Activity id -> (nature, KLASSA category code): the set nature, or the default."""
    result: dict[int, tuple[str, str]] = {}
    rows = Activity.objects.filter(pk__in=ids).values_list(
        "pk", "nature", "category__code", "kind", "name", "legal_basis")
    for pk, nature, category, kind, name, legal_basis in rows.iterator(chunk_size=2000):
        result[pk] = (nature or default_nature(category or "", kind, name, legal_basis),
                      category or "")
    return result


def _arrangements(ids: Sequence[int]) -> dict[int, tuple[str, tuple[str, ...], Any]]:
    """Activity id -> (form, partner codes, end date) of its recorded arrangement."""
    partners: dict[int, list[str]] = defaultdict(list)
    for arrangement_id, code in Arrangement.partners.through.objects.filter(
        arrangement__activity_id__in=ids
    ).values_list("arrangement_id", "organisation__code"):
        partners[arrangement_id].append(code)
    return {
        activity_id: (form, tuple(sorted(partners.get(pk, ()))), end)
        for pk, activity_id, form, end in Arrangement.objects.filter(
            activity_id__in=ids).values_list("pk", "activity_id", "form", "end_date")
    }


def journey_gains(concepts: Sequence[EngineConcept]) -> dict[str, JourneyGain]:
    """For each concept, the life-event steps of municipalities and regions it serves."""
    from mellanrum.journeys.analysis import engine_catalogue

    events, synonyms = engine_catalogue()
    if not events or not concepts:
        return {}
    matcher = text_matcher(synonyms)
    anyone = OrganisationRef("", "", "municipality")
    refs = [ActivityRef(c.id, c.label, anyone) for c in concepts if c.organisations > 1]
    found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for event in events:
        for index, step in enumerate(event.steps):
            if step.responsible.startswith("agency:") or step.responsible == "other":
                continue
            if not step.activity_hints:
                continue
            best, _score = matcher.best_activity(step.activity_hints, refs)
            if best is None:
                continue
            neighbours = [event.steps[i].responsible for i in (index - 1, index + 1)
                          if 0 <= i < len(event.steps)]
            handoffs = sum(1 for r in neighbours if r != step.responsible)
            elsewhere = {item for j, other in enumerate(event.steps) if j != index
                         for item in other.data_items}
            repeated = sum(1 for item in step.data_items if item in elsewhere)
            found[best.id].append((handoffs, repeated, event.label_sv))
    return {
        concept_id: JourneyGain(
            steps=len(rows), handoffs=sum(r[0] for r in rows), repeated=sum(r[1] for r in rows),
            events=tuple(sorted({r[2] for r in rows})),
        )
        for concept_id, rows in found.items()
    }


def concept_facts(concepts: Sequence[EngineConcept]) -> dict[str, ConceptFacts]:
    """Nature, KLASSA area and the ranking's context (arrangements, contracts, journeys)."""
    ids = _member_ids(concepts)
    natures = activity_natures(ids)
    arrangements = _arrangements(ids)
    journeys = journey_gains(concepts)
    result = {}
    for concept in concepts:
        joint: dict[str, tuple[str, ...]] = {}
        ends: dict[str, Any] = {}
        for m in concept.members:
            form, partners, end = arrangements.get(int(m.activity_id), ("", (), None))
            if form in Arrangement.JOINT_FORMS or (form in {"bolag", "upphandlad"} and partners):
                joint[m.organisation] = partners or ("*",)
            if end is not None and form not in {"", "egen"}:
                ends[m.organisation] = min(end, ends.get(m.organisation, end))
        member_natures = [natures.get(int(m.activity_id), ("", ""))[0] for m in concept.members]
        nature = concept_nature(member_natures)
        result[concept.id] = ConceptFacts(
            nature=nature,
            area=klassa_area(natures.get(int(m.activity_id), ("", ""))[1]
                             for m in concept.members),
            context=ConceptContext(nature=nature, joint=joint, contract_ends=ends,
                                   journey=journeys.get(concept.id)),
        )
    return result


def rank(concepts: Sequence[EngineConcept], facts: dict[str, ConceptFacts] | None = None
         ) -> list[EngineOpportunity]:
    facts = facts if facts is not None else concept_facts(concepts)
    codes = {m.organisation for c in concepts for m in c.members}
    rows = Organisation.objects.filter(code__in=codes).values_list("code", "short_name", "kind")
    names = {code: name for code, name, _kind in rows if name}
    only_municipalities = all(kind == Organisation.Kind.MUNICIPALITY for _c, _n, kind in rows)
    noun_sv, noun_en = (("kommuner", "municipalities") if only_municipalities
                        else ("organisationer", "organisations"))
    return rank_opportunities(concepts, context={k: f.context for k, f in facts.items()},
                              names=names, noun_sv=noun_sv, noun_en=noun_en)


def _distribution(value: Any) -> Distribution | None:
    if not isinstance(value, dict):
        return None
    return Distribution(**{**value, "outliers": tuple(value.get("outliers", ()))})


def stored_concepts(run: AnalysisRun) -> list[EngineConcept]:
    """The run's concepts as the engine made them, read back from the stored rows."""
    members: dict[int, list[Member]] = defaultdict(list)
    for concept_pk, activity_id, code, name, confidence in Membership.objects.filter(
        concept__run=run
    ).order_by("activity__organisation__code", "activity_id").values_list(
        "concept_id", "activity_id", "activity__organisation__code", "activity__name",
        "confidence",
    ).iterator(chunk_size=2000):
        members[concept_pk].append(Member(str(activity_id), code, name, confidence, ()))
    return [
        EngineConcept(
            id=c.concept_id, label=c.label, members=tuple(members.get(c.pk, ())),
            organisations=c.organisations, pinned=c.pinned, terms=tuple(c.terms),
            systems=dict(c.systems),
            cost_per_inhabitant=_distribution(c.stats.get("cost_per_inhabitant")),
            cost_per_case=_distribution(c.stats.get("cost_per_case")),
            lead_time_days=_distribution(c.stats.get("lead_time_days")),
            total_cost_sek=c.total_cost_sek, total_volume=c.total_volume,
        )
        for c in Concept.objects.filter(run=run).order_by("position")
    ]


def _stats(concept: EngineConcept) -> dict[str, Any]:
    return {
        name: None if value is None else {**asdict(value), "outliers": list(value.outliers)}
        for name, value in (
            ("cost_per_inhabitant", concept.cost_per_inhabitant),
            ("cost_per_case", concept.cost_per_case),
            ("lead_time_days", concept.lead_time_days),
        )
    }


def result_rows(
    run: AnalysisRun, concepts: Sequence[EngineConcept],
    facts: dict[str, ConceptFacts] | None = None,
) -> tuple[list[Concept], list[list[Membership]]]:
    """Unsaved concept rows and, for each, its unsaved membership rows."""
    facts = facts or {}
    rows: list[Concept] = []
    members: list[list[Membership]] = []
    for position, concept in enumerate(concepts):
        rows.append(
            Concept(
                run=run,
                scope_key=run.scope_key,
                concept_id=concept.id,
                label=concept.label[:200],
                pinned=concept.pinned,
                position=position,
                organisations=concept.organisations,
                total_cost_sek=concept.total_cost_sek,
                total_volume=concept.total_volume,
                stats=_stats(concept),
                systems=dict(concept.systems),
                terms=list(concept.terms),
                nature=facts[concept.id].nature if concept.id in facts else "",
                area=facts[concept.id].area if concept.id in facts else "",
            )
        )
        members.append(
            [
                Membership(
                    activity_id=int(m.activity_id),
                    confidence=round(m.confidence, 4),
                    evidence=list(m.evidence),
                )
                for m in concept.members
            ]
        )
    return rows, members


def opportunity_rows(
    run: AnalysisRun, opportunities: Sequence[EngineOpportunity]
) -> list[Opportunity]:
    concepts = {c.concept_id: c for c in run.concepts.all()}
    return [
        Opportunity(
            concept=concepts[o.concept_id],
            rank=rank,
            score=o.score,
            status=o.status,
            organisation_codes=list(o.organisations),
            outside=list(o.outside),
            components=o.components,
            figures=o.figures,
            explanation_sv=o.explanation_sv,
            explanation_en=o.explanation_en,
        )
        for rank, o in enumerate(opportunities, start=1)
        if o.concept_id in concepts
    ]


# --- Reading the stored results ------------------------------------------------------------


def current_run() -> AnalysisRun | None:
    """The most recently finished successful run: its concepts are what the pages show."""
    return (
        AnalysisRun.objects.filter(status=AnalysisRun.Status.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def concept_of(activity: Activity, run: AnalysisRun | None = None) -> Concept | None:
    run = run or current_run()
    if run is None:
        return None
    membership = (
        Membership.objects.filter(concept__run=run, activity=activity)
        .select_related("concept")
        .first()
    )
    return membership.concept if membership else None


def matrix(
    run: AnalysisRun, organisations: QuerySet[Organisation]
) -> tuple[list[Organisation], list[tuple[Concept, list[str | None]]]]:
    """Organisations (columns) and concepts (rows, most organisations first) with who does
    what: None when the organisation does not, else the symbol of its recorded arrangement
    ("" when none is recorded)."""
    organisations = organisations.filter(activities__concept_memberships__concept__run=run)
    columns = list(organisations.distinct().order_by("name"))
    pks = [o.pk for o in columns]
    concepts = (
        Concept.objects.filter(run=run)
        .annotate(
            n=Count(
                "memberships__activity__organisation",
                filter=Q(memberships__activity__organisation__in=pks),
                distinct=True,
            )
        )
        .filter(n__gt=0)
        .order_by("-n", "label", "pk")
    )
    pairs = Membership.objects.filter(
        concept__in=concepts, activity__organisation__in=pks
    ).values_list("concept_id", "activity__organisation_id", "activity__arrangement__form")
    done: dict[int, dict[int, str]] = defaultdict(dict)
    for concept_pk, organisation_pk, form in pairs:
        symbol = Arrangement.SYMBOLS.get(form or "", "")
        # An organisation with several activities in a concept shows a recorded form first.
        if symbol or organisation_pk not in done[concept_pk]:
            done[concept_pk][organisation_pk] = symbol
    rows: list[tuple[Concept, list[str | None]]] = [
        (c, [done[c.pk].get(o.pk) for o in columns]) for c in concepts]
    return columns, rows


def _profile(organisation: Organisation, concepts: frozenset[str]) -> OrganisationProfile:
    numeric: dict[str, float] = {}
    if organisation.population:
        numeric["population"] = float(organisation.population)
        if organisation.land_area_km2:
            numeric["density"] = organisation.population / float(organisation.land_area_km2)
    if organisation.total_tax_rate is not None:
        numeric["tax_rate"] = float(organisation.total_tax_rate)
    categorical = {}
    if organisation.county_name or organisation.county_code:
        categorical["county"] = organisation.county_name or organisation.county_code
    if organisation.skr_group_name or organisation.skr_group_code:
        categorical["skr_group"] = organisation.skr_group_name or organisation.skr_group_code
    return OrganisationProfile(organisation.code, numeric, categorical, concepts)


@dataclass(frozen=True)
class SimilarOrganisation:
    organisation: Organisation
    similarity: float
    structural: float
    activity: float | None
    shared_concepts: int
    reasons: tuple[str, ...]


# Concept ids per organisation code of the current run, kept per process: a run's memberships
# are written once when it finishes and replaced by the next run, so (pk, finished_at) names
# them. Reading them costs ~0.1 s for 43,500 activities, on every organisation page otherwise.
_concept_sets_memo: dict[tuple[int, Any], dict[str, frozenset[str]]] = {}


def _concept_sets(run: AnalysisRun) -> dict[str, frozenset[str]]:
    key = (run.pk, run.finished_at)
    found = _concept_sets_memo.get(key)
    if found is None:
        sets: dict[str, set[str]] = defaultdict(set)
        for code, concept_id in Membership.objects.filter(concept__run=run).values_list(
            "activity__organisation__code", "concept__concept_id"
        ):
            sets[code].add(concept_id)
        found = {code: frozenset(ids) for code, ids in sets.items()}
        _concept_sets_memo.clear()
        _concept_sets_memo[key] = found
    return found


def warm_up() -> None:
    """Reads the current run's concept sets before the first request needs them: about 5 MB on
    the national dataset, which Gunicorn's workers then share with the process they are forked
    from instead of each reading a copy on its first logged-in organisation page. A database
    that is not ready yet leaves it to that first page."""
    try:
        run = current_run()
        if run is not None:
            _concept_sets(run)
    except DatabaseError:
        log.warning("warm-up: the concept sets could not be read; the first page reads them")


# similar_to's answers, kept per process: the organisation page asks twice (its own panel and
# the Kolada comparison), each time comparing every organisation of the kind (~30 ms at 290
# municipalities). Kept with the data versions of the tables they were worked out from
# (core/page_cache.remember), so every process forgets one as soon as any of those tables
# changes (an edited population or tax rate, a new analysis run).
_SIMILAR_MEMO_SIZE = 1000
_similar_memo: dict[tuple[Any, ...], Any] = {}


def forget_similar() -> None:
    _similar_memo.clear()


def similar_to(organisation: Organisation, *, k: int = 5) -> list[SimilarOrganisation]:
    """The organisations most like this one, structurally and by shared concepts, with reasons.

    With a finished analysis that includes the organisation, it is compared with the other
    organisations of that analysis (same kind); otherwise with every organisation of its kind
    on structural indicators only.
    """
    run = current_run()
    english = (get_language() or "sv").startswith("en")
    key = (run.pk if run else None, run.finished_at if run else None, organisation.pk, english,
           max(k, 10))
    found: list[SimilarOrganisation] = remember(
        _similar_memo, key, lambda: _similar_to(organisation, run, english, k=max(k, 10)),
        size=_SIMILAR_MEMO_SIZE)
    return found[:k]


def _similar_to(organisation: Organisation, run: AnalysisRun | None, english: bool, *,
                k: int) -> list[SimilarOrganisation]:
    concepts: dict[str, frozenset[str]] = _concept_sets(run) if run is not None else {}
    candidates = Organisation.objects.filter(kind=organisation.kind)
    if organisation.code in concepts:
        candidates = candidates.filter(code__in=list(concepts))
    else:
        concepts = {}
    by_code = {o.code: o for o in candidates}
    by_code[organisation.code] = organisation
    if len(by_code) < 2:
        return []
    profiles = [_profile(o, frozenset(concepts.get(code, ()))) for code, o in by_code.items()]
    return [
        SimilarOrganisation(
            organisation=by_code[n.organisation],
            similarity=n.similarity,
            structural=n.structural,
            activity=n.activity,
            shared_concepts=n.shared_concepts,
            reasons=n.reasons_en if english else n.reasons_sv,
        )
        for n in similar_organisations(profiles, organisation.code, k=k)
    ]
