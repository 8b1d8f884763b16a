"""Every write of the commonality app goes through a ``do_*`` function here.

An analysis run replaces the stored results of its scope in one transaction, so a crash
leaves the previous results as they were. Views, the API and (later) the CLI call these.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.core import predraw, tasks
from mellanrum.core.actions import record_audit
from mellanrum.core.models import Task, User
from mellanrum.landscape.models import Activity

from . import analysis
from .analysis import Scope
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

# A queued or running run without a task row (made before the task queue) older than this is
# taken to have died with its process; runs with a task row are checked through it.
STALE_AFTER = timedelta(minutes=30)
MAX_TERMS, MIN_TERMS, MAX_TERM_LENGTH = 20, 2, 60
SAVE_BATCH = 500
# Names of a concept a decision teaches about: its most common member names.
LEARNED_NAMES = 5



def _ref(run_pk: int) -> str:
    return f"analysisrun:{run_pk}"


def live_progress(run: AnalysisRun) -> tuple[str, int, int]:
    """Stage and progress of a run, from any process; a run whose process died is failed first.

    The saving stage happens inside one transaction, whose writes other connections cannot see
    until it commits, so its progress comes from the task (memory or heartbeat).
    """
    if run.is_finished:
        return run.stage, run.progress_done, run.progress_total
    task = tasks.check(_ref(run.pk))
    if task is not None and task.status == Task.Status.FAILED:
        run.refresh_from_db()
    if run.stage == AnalysisRun.Stage.SAVING and task is not None and not run.is_finished:
        done, total = tasks.live_progress(task)
        if total:
            return run.stage, done, total
    return run.stage, run.progress_done, run.progress_total


def _run_lost(args: list[Any], message: str) -> None:
    """The process running the analysis died: the run failed; the saved results are as before."""
    AnalysisRun.objects.filter(
        pk=args[0], status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]
    ).update(status=AnalysisRun.Status.FAILED, finished_at=timezone.now(), message=message)


def _validate_scope(scope: Scope) -> None:
    if scope.organisations:
        found = set(scope.organisation_queryset().values_list("code", flat=True))
        unknown = [c for c in scope.organisations if c not in found]
        if unknown:
            raise ValidationError(
                _("Unknown organisation code(s): %(codes)s") % {"codes": ", ".join(unknown)}
            )
    elif scope.county and not scope.organisation_queryset().exists():
        raise ValidationError(
            _("No organisations in county %(county)s.") % {"county": scope.county}
        )


def _running(scope: Scope) -> AnalysisRun | None:
    run = (
        AnalysisRun.objects.filter(
            scope_key=scope.key,
            status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-pk")
        .first()
    )
    if run is not None:
        live_progress(run)  # marks it failed if its process died
        if run.is_finished:
            return None
    return run


def _create_run(scope: Scope, acting_user: User | None) -> AnalysisRun:
    _validate_scope(scope)
    run = AnalysisRun.objects.create(
        scope_key=scope.key,
        scope=scope.to_json(),
        scope_label=scope.label()[:300],
        started_by=acting_user if acting_user is not None and acting_user.pk else None,
    )
    record_audit(acting_user, None, "commonality.run", run.scope_label, run=run.pk)
    return run


def do_start_analysis(scope: Scope, *, acting_user: User | None) -> AnalysisRun:
    """Queue an analysis of `scope` in the background (inline when ``TASKS_INLINE``).

    If one is already queued or running for the same scope, that run is returned instead.
    """
    running = _running(scope)
    if running is not None:
        return running
    run = _create_run(scope, acting_user)
    tasks.enqueue(execute_run, run.pk, ref=_ref(run.pk))
    run.refresh_from_db()
    return run


def _start_rerun(scope: Scope, acting_user: User | None) -> AnalysisRun:
    """Queue a run that will read today's decisions: a queued run of the scope will, one that
    is already running read them before this decision and so cannot stand in for a new run."""
    queued = AnalysisRun.objects.filter(scope_key=scope.key, status=AnalysisRun.Status.QUEUED)
    run = queued.order_by("-pk").first()
    if run is None:
        run = _create_run(scope, acting_user)
        tasks.enqueue(execute_run, run.pk, ref=_ref(run.pk))
    run.refresh_from_db()
    return run


def do_run_analysis(scope: Scope, *, acting_user: User | None) -> AnalysisRun:
    """Run an analysis of `scope` now, in this thread, and return the finished run."""
    run = _create_run(scope, acting_user)
    tasks.run_now(execute_run, run.pk, ref=_ref(run.pk))
    run.refresh_from_db()
    return run


def _stage(run: AnalysisRun, stage: str, done: int, total: int, **fields: Any) -> None:
    tasks.progress(done, total)
    AnalysisRun.objects.filter(pk=run.pk).update(
        stage=stage, progress_done=done, progress_total=total, **fields
    )


@tasks.task(on_lost=_run_lost)
def execute_run(run_pk: int) -> None:
    """Load, group, save: the body of every run. A failure marks the run failed, nothing else."""
    run = AnalysisRun.objects.get(pk=run_pk)
    scope = Scope.from_json(run.scope)
    started = time.monotonic()
    try:
        expected = analysis.activities_in(scope).count()
        _stage(run, AnalysisRun.Stage.LOADING, 0, expected, status=AnalysisRun.Status.RUNNING,
               started_at=timezone.now())
        activities = analysis.engine_activities(scope)
        if not activities:
            raise ValidationError(_("There are no activities to analyse in this selection."))
        total = len(activities)
        _stage(run, AnalysisRun.Stage.GROUPING, 0, total)
        concepts = analysis.group(
            activities,
            lambda done, steps: _stage(run, AnalysisRun.Stage.GROUPING, total * done // steps,
                                       total),
        )
        candidates = analysis.candidates(concepts)
        _stage(run, AnalysisRun.Stage.SAVING, 0, len(concepts))
        _save_results(run, concepts, lambda done: tasks.progress(done, len(concepts)),
                      candidates)
    except Exception as exc:
        log.exception("commonality analysis %s failed", run_pk)
        if isinstance(exc, ValidationError):
            message = " ".join(exc.messages)
        elif isinstance(exc, analysis.ClusterError):
            message = analysis.cluster_message(exc)
        else:
            message = _(
                "The analysis failed (%(error)s). The previous results are unchanged; "
                "try again, or contact your administrator."
            ) % {"error": type(exc).__name__}
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=AnalysisRun.Status.FAILED, finished_at=timezone.now(), message=message,
            seconds=round(time.monotonic() - started, 2),
        )
    else:
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=AnalysisRun.Status.DONE,
            stage=AnalysisRun.Stage.FINISHED,
            finished_at=timezone.now(),
            progress_done=len(concepts),
            progress_total=len(concepts),
            activity_count=total,
            organisation_count=len({a.organisation for a in activities}),
            concept_count=len(concepts),
            shared_concept_count=sum(1 for c in concepts if c.organisations > 1),
            seconds=round(time.monotonic() - started, 2),
        )
        predraw.after_analysis()


@transaction.atomic
def _save_results(run: AnalysisRun, concepts: Sequence[Any], progress: Callable[[int], None],
                  candidates: Sequence[Any] = ()) -> None:
    # Replace the scope's previous results; if anything below fails, the transaction rolls
    # back and they stay as they were. A run that finishes after a newer run of the same scope
    # (two reruns after quick decisions) must not put back results without the later decision.
    AnalysisRun.objects.select_for_update().filter(pk=run.pk).first()
    newer = AnalysisRun.objects.filter(scope_key=run.scope_key, status=AnalysisRun.Status.DONE,
                                       pk__gt=run.pk)
    if newer.exists():
        raise ValidationError(_("A newer analysis of the same organisations finished first; "
                                "its results are kept and this run's are not saved."))
    Concept.objects.filter(scope_key=run.scope_key).delete()
    facts = analysis.concept_facts(concepts)
    rows, members = analysis.result_rows(run, concepts, facts)
    saved_rows: list[Concept] = []
    for start in range(0, len(rows), SAVE_BATCH):
        saved = Concept.objects.bulk_create(rows[start : start + SAVE_BATCH])
        saved_rows.extend(saved)
        batch = []
        for concept, concept_members in zip(saved, members[start : start + SAVE_BATCH],
                                            strict=True):
            for membership in concept_members:
                membership.concept = concept
                batch.append(membership)
        Membership.objects.bulk_create(batch, batch_size=SAVE_BATCH)
        progress(start + len(saved))
    Opportunity.objects.bulk_create(
        analysis.opportunity_rows(run, analysis.rank(concepts, facts)), batch_size=SAVE_BATCH
    )
    Candidate.objects.bulk_create(analysis.candidate_rows(saved_rows, candidates),
                                  batch_size=SAVE_BATCH)


@transaction.atomic
def do_rerank_opportunities(*, acting_user: User | None) -> int:
    """Rank the current analysis's concepts again, with today's arrangements, natures and
    journeys, without grouping the activities again. Returns the number of opportunities."""
    run = analysis.current_run()
    if run is None:
        return 0
    concepts = analysis.stored_concepts(run)
    facts = analysis.concept_facts(concepts)
    for concept in Concept.objects.filter(run=run):
        if concept.concept_id in facts:
            concept.nature = facts[concept.concept_id].nature
            concept.area = facts[concept.concept_id].area
            concept.save(update_fields=["nature", "area"])
    Opportunity.objects.filter(concept__run=run).delete()
    rows = analysis.opportunity_rows(run, analysis.rank(concepts, facts))
    Opportunity.objects.bulk_create(rows, batch_size=SAVE_BATCH)
    record_audit(acting_user, None, "commonality.rerank", run.scope_label, run=run.pk)
    return len(rows)


# --- Decisions -----------------------------------------------------------------------------


def _ids(values: Sequence[Any]) -> list[str]:
    return [str(v).strip() for v in values if str(v).strip()]


def _clean_label(label: str, *, required: bool) -> str:
    label = " ".join((label or "").split())
    if required and not label:
        raise ValidationError({"label": [_("Write a name for the concept.")]})
    if "\x00" in label:
        raise ValidationError({"label": [_("Null characters are not allowed.")]})
    if len(label) > 200:
        raise ValidationError({"label": [_("The name can be at most 200 characters.")]})
    return label


def _check_decision(
    kind: str, concept: Concept, activity_ids: list[str], other_ids: list[str], label: str
) -> str:
    members = {str(pk) for pk in concept.memberships.values_list("activity_id", flat=True)}
    if kind == Decision.Kind.RENAME:
        return _clean_label(label, required=True)
    if kind in {Decision.Kind.INCLUDE, Decision.Kind.EXCLUDE, Decision.Kind.SPLIT}:
        if not activity_ids:
            raise ValidationError({"activity_ids": [_("Choose at least one activity.")]})
        if any(not (i.isascii() and i.isdigit() and len(i) <= 18) for i in activity_ids):
            raise ValidationError({"activity_ids": [_("Activity ids are numbers.")]})
    if kind == Decision.Kind.INCLUDE:
        scope = Scope.from_json(concept.run.scope)
        known = {
            str(pk)
            for pk in analysis.activities_in(scope)
            .filter(pk__in=activity_ids)
            .values_list("pk", flat=True)
        }
        unknown = [i for i in activity_ids if i not in known]
        if unknown:
            raise ValidationError({"activity_ids": [
                _("Not activities of this analysis: %(ids)s") % {"ids": ", ".join(unknown)}]})
        already = [i for i in activity_ids if i in members]
        if already:
            raise ValidationError({"activity_ids": [
                _("Already in this concept: %(ids)s") % {"ids": ", ".join(already)}]})
    if kind in {Decision.Kind.EXCLUDE, Decision.Kind.SPLIT}:
        outside = [i for i in activity_ids if i not in members]
        if outside:
            raise ValidationError({"activity_ids": [
                _("Not in this concept: %(ids)s") % {"ids": ", ".join(outside)}]})
    if kind == Decision.Kind.SPLIT:
        if set(activity_ids) >= members:
            raise ValidationError({"activity_ids": [
                _("Choose some of the members, not all of them, to split off.")]})
        return _clean_label(label, required=False)
    if kind in {Decision.Kind.MERGE, Decision.Kind.NOT_SAME}:
        if not other_ids:
            raise ValidationError({"other_concept_ids": [
                _("Choose a concept to merge with.") if kind == Decision.Kind.MERGE
                else _("Choose the concept that is not the same.")]})
        if concept.concept_id in other_ids:
            raise ValidationError({"other_concept_ids": [
                _("A concept cannot be merged with itself.") if kind == Decision.Kind.MERGE
                else _("A concept is always the same as itself.")]})
        # PostgreSQL cannot compare text containing NUL, and no concept id contains one.
        queryable = [i for i in other_ids if "\x00" not in i]
        found = set(Concept.objects.filter(run=concept.run, concept_id__in=queryable)
                    .values_list("concept_id", flat=True))
        unknown = [i for i in other_ids if i not in found]
        if unknown:
            raise ValidationError({"other_concept_ids": [
                _("Unknown concept(s): %(ids)s") % {"ids": ", ".join(unknown)}]})
    return ""


def do_record_decision(
    concept: Concept,
    kind: str,
    *,
    acting_user: User | None,
    activity_ids: Sequence[Any] = (),
    other_concept_ids: Sequence[str] = (),
    label: str = "",
    rerun: bool = True,
    background: bool = False,
    seen_run: int | None = None,
) -> tuple[Decision, AnalysisRun | None]:
    """Store a decision about `concept`, then rerun its scope's analysis so it shows at once.

    With `background` the rerun is queued rather than run in this thread (a national
    analysis takes longer than a web request should); the run is returned either way.

    The decision is kept even if the rerun fails; every later run applies it again. What it
    teaches about names (synonyms, must-not-link pairs) is stored with it as learned rules.
    `seen_run` is the run the person looked at: if the concepts were analysed again since, the
    decision is refused with a conflict message rather than applied to concepts they never saw.
    """
    if kind not in Decision.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of decision: %(kind)s") % {"kind": kind}]})
    if seen_run is not None and seen_run != concept.run_id:
        raise ValidationError({"run": [_(
            "The concepts were changed after you opened the page (the analysis ran again, "
            "perhaps after someone else's decision). Nothing was changed; look at them again "
            "and decide anew.")]})
    ids, others = _ids(activity_ids), _ids(other_concept_ids)
    label = _check_decision(kind, concept, ids, others, label)
    members = [str(pk) for pk in concept.memberships.order_by("activity_id")
               .values_list("activity_id", flat=True)]
    if kind == Decision.Kind.MERGE:
        members += [str(pk) for pk in Membership.objects.filter(
            concept__run=concept.run, concept__concept_id__in=others
        ).order_by("activity_id").values_list("activity_id", flat=True)]
    with transaction.atomic():
        decision = Decision.objects.create(
            kind=kind,
            concept_id=concept.concept_id,
            members=members,
            activity_ids=ids,
            other_concept_ids=others,
            label=label,
            created_by=acting_user if acting_user is not None and acting_user.pk else None,
        )
        record_audit(acting_user, None, f"commonality.decision.{kind}", concept.label,
                     concept=concept.concept_id, activities=",".join(ids),
                     others=",".join(others), label=label)
        LearnedRule.objects.bulk_create(_lessons(decision, concept, ids, others, label))
    run = None
    if rerun:
        scope = Scope.from_json(concept.run.scope)
        run = (_start_rerun(scope, acting_user) if background
               else do_run_analysis(scope, acting_user=acting_user))
    return decision, run


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _top_names(run: AnalysisRun, concept_ids: Sequence[str], *, exclude: Sequence[str] = (),
               only: Sequence[str] = ()) -> list[str]:
    """The most common member names of the concepts (at most LEARNED_NAMES), optionally
    without or only the given activities."""
    queryset = Membership.objects.filter(concept__run=run, concept__concept_id__in=concept_ids)
    if exclude:
        queryset = queryset.exclude(activity_id__in=[int(i) for i in exclude])
    if only:
        queryset = queryset.filter(activity_id__in=[int(i) for i in only])
    counts: dict[str, int] = {}
    for name in queryset.values_list("activity__name", flat=True):
        counts[name] = counts.get(name, 0) + 1
    return [n for n, _c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            ][:LEARNED_NAMES]


def _lessons(decision: Decision, concept: Concept, ids: list[str], others: list[str],
             label: str) -> list[LearnedRule]:
    """The name pairs a decision teaches (unsaved): merge, move in and rename say two names
    mean the same; split, move out and "not the same" say they do not."""
    run = concept.run
    pairs: list[tuple[str, str]] = []
    kind = LearnedRule.Kind.SYNONYM
    if decision.kind == Decision.Kind.MERGE:
        pairs = [(concept.label, name) for name in _top_names(run, others)]
        pairs += [(concept.label, c.label) for c in Concept.objects.filter(
            run=run, concept_id__in=others)]
    elif decision.kind == Decision.Kind.INCLUDE:
        names = Activity.objects.filter(pk__in=[int(i) for i in ids]).values_list("name",
                                                                                  flat=True)
        pairs = [(concept.label, name) for name in sorted(set(names))]
    elif decision.kind == Decision.Kind.RENAME:
        pairs = [(concept.label, label)]
    elif decision.kind in {Decision.Kind.EXCLUDE, Decision.Kind.SPLIT}:
        kind = LearnedRule.Kind.APART
        stay = _top_names(run, [concept.concept_id], exclude=ids)
        leave = _top_names(run, [concept.concept_id], only=ids)
        pairs = [(a, b) for a in stay for b in leave]
    elif decision.kind == Decision.Kind.NOT_SAME:
        kind = LearnedRule.Kind.APART
        mine = _top_names(run, [concept.concept_id])
        theirs = _top_names(run, others)
        pairs = [(a, b) for a in mine for b in theirs]
    seen: set[tuple[str, str]] = set()
    rules = []
    for a, b in pairs:
        a, b = " ".join(a.split())[:200], " ".join(b.split())[:200]
        key = tuple(sorted((a.casefold(), b.casefold())))
        if not a or not b or _same(a, b) or key in seen:
            continue
        seen.add((key[0], key[1]))
        rules.append(LearnedRule(kind=kind, term_a=a, term_b=b, decision=decision,
                                 concept_label=concept.label[:200]))
    return rules


@transaction.atomic
def do_delete_learned_rule(rule: LearnedRule, *, acting_user: User | None) -> None:
    """Stop using a wrongly learned pair of names; the decision it came from stays."""
    record_audit(acting_user, None, "commonality.learned.delete", str(rule),
                 decision=rule.decision_id)
    rule.delete()


# --- User synonyms -------------------------------------------------------------------------


def parse_terms(text: str) -> list[str]:
    """Split comma-separated terms, dropping repeats; raise ValidationError when not 2–20."""
    terms: list[str] = []
    for part in (text or "").replace("\n", ",").split(","):
        term = " ".join(part.split())
        if not term:
            continue
        if len(term) > MAX_TERM_LENGTH:
            raise ValidationError(
                _("“%(term)s…” is longer than %(max)s characters.")
                % {"term": term[:30], "max": MAX_TERM_LENGTH}
            )
        if term.casefold() not in {t.casefold() for t in terms}:
            terms.append(term)
    if not MIN_TERMS <= len(terms) <= MAX_TERMS:
        raise ValidationError(
            _("Give between %(min)s and %(max)s different terms, separated by commas.")
            % {"min": MIN_TERMS, "max": MAX_TERMS}
        )
    return terms


@transaction.atomic
def do_add_synonym_set(terms: Sequence[str], *, acting_user: User | None) -> SynonymSet:
    cleaned = parse_terms(",".join(terms))
    synonyms = SynonymSet.objects.create(terms=cleaned, created_by=acting_user)
    record_audit(acting_user, None, "commonality.synonyms.add", ", ".join(cleaned))
    return synonyms


@transaction.atomic
def do_delete_synonym_set(synonyms: SynonymSet, *, acting_user: User | None) -> None:
    record_audit(acting_user, None, "commonality.synonyms.delete", str(synonyms))
    synonyms.delete()
