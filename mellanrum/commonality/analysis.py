"""The adapter between Django and the commonality engine: the only module that imports it.

It turns querysets into engine inputs (activities, decisions, user synonyms, organisation
profiles) and engine results back into unsaved rows; ``actions.py`` saves them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mellanrum.engines.commonality import Activity as EngineActivity
from mellanrum.engines.commonality import (
    ClusterError,
    OrganisationProfile,
    SerialExecutor,
    group_activities,
    group_partitions_on_cluster,
    rank_opportunities,
    similar_organisations,
)
from mellanrum.engines.commonality import Concept as EngineConcept
from mellanrum.engines.commonality import Decision as EngineDecision
from mellanrum.engines.commonality import Opportunity as EngineOpportunity
from mellanrum.engines.commonality.decisions import DecisionKind
from mellanrum.engines.commonality.executor import connect
from mellanrum.landscape.models import Activity, Organisation

from .models import AnalysisRun, Concept, Decision, Membership, Opportunity, SynonymSet

__all__ = [
    "Scope",
    "current_run",
    "engine_activities",
    "engine_decisions",
    "group",
    "rank",
    "result_rows",
    "similar_to",
    "user_synonyms",
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
    for d in Decision.objects.order_by("pk"):
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
    return [tuple(s.terms) for s in SynonymSet.objects.order_by("pk")]


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
        )
    synonyms, decisions = user_synonyms(), engine_decisions()
    with connect(address) as client:
        return group_partitions_on_cluster(
            client,
            activities,
            language="sv",
            extra_synonyms=synonyms,
            decisions=decisions,
            progress=(lambda stage, done, total: progress(done, total)) if progress else None,
        )


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


def rank(concepts: Sequence[EngineConcept]) -> list[EngineOpportunity]:
    return rank_opportunities(concepts)


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
    run: AnalysisRun, concepts: Sequence[EngineConcept]
) -> tuple[list[Concept], list[list[Membership]]]:
    """Unsaved concept rows and, for each, its unsaved membership rows."""
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
) -> tuple[list[Organisation], list[tuple[Concept, list[bool]]]]:
    """Organisations (columns) and concepts (rows, most organisations first) with who does what."""
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
    ).values_list("concept_id", "activity__organisation_id")
    done: dict[int, set[int]] = defaultdict(set)
    for concept_pk, organisation_pk in pairs:
        done[concept_pk].add(organisation_pk)
    rows: list[tuple[Concept, list[bool]]] = [
        (c, [o.pk in done[c.pk] for o in columns]) for c in concepts]
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


def similar_to(organisation: Organisation, *, k: int = 5) -> list[SimilarOrganisation]:
    """The organisations most like this one, structurally and by shared concepts, with reasons.

    With a finished analysis that includes the organisation, it is compared with the other
    organisations of that analysis (same kind); otherwise with every organisation of its kind
    on structural indicators only.
    """
    run = current_run()
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
    english = (get_language() or "sv").startswith("en")
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
