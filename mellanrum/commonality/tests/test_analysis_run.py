"""Running the analysis: grouping, storing, progress and crash safety."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Concept, Membership, Opportunity
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Activity


def concept_of(activity: Activity) -> Concept:
    return Membership.objects.get(
        activity=activity, concept__run=analysis.current_run()
    ).concept


def test_it_groups_differently_named_activities_of_two_municipalities(
    landscape: dict[str, Activity], alice: User
) -> None:
    run = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert run.status == AnalysisRun.Status.DONE, run.message
    assert concept_of(landscape["alfa_bygglov"]) == concept_of(landscape["beta_bygglov"])
    assert concept_of(landscape["alfa_hemtjanst"]) == concept_of(landscape["beta_hemtjanst"])
    assert concept_of(landscape["alfa_bygglov"]) != concept_of(landscape["alfa_hemtjanst"])
    assert concept_of(landscape["alfa_ljus"]) != concept_of(landscape["beta_ljus"])
    assert run.activity_count == 6 and run.organisation_count == 2
    assert run.shared_concept_count == 2
    hemtjanst = concept_of(landscape["alfa_hemtjanst"])
    assert hemtjanst.organisations == 2
    assert hemtjanst.systems == {"Lifecare": 1, "Treserva": 1}
    assert hemtjanst.total_cost_sek == 130_000_000
    assert hemtjanst.stats["lead_time_days"]["median"] == 11
    assert AuditEntry.objects.filter(action="commonality.run", user=alice).exists()


def test_a_rerun_replaces_the_results_of_its_scope(
    landscape: dict[str, Activity], alice: User
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert Concept.objects.filter(scope_key="all").count() == 4
    assert Membership.objects.count() == 6


def test_a_county_scope_keeps_the_results_of_other_scopes(
    landscape: dict[str, Activity], alice: User
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    run = actions.do_run_analysis(Scope.of(organisations=["9901"]), acting_user=alice)
    assert run.activity_count == 3
    assert Concept.objects.filter(scope_key="all").count() == 4
    assert Concept.objects.filter(scope_key=run.scope_key).count() == 3
    assert analysis.current_run() == run


def test_an_unknown_organisation_in_the_scope_is_refused(alice: User, alfa: object) -> None:
    with pytest.raises(ValidationError, match="9999"):
        actions.do_start_analysis(Scope.of(organisations=["9999"]), acting_user=alice)
    assert not AnalysisRun.objects.exists()


def test_an_empty_selection_fails_with_a_clear_message(alice: User, alfa: object) -> None:
    run = actions.do_run_analysis(Scope.of(organisations=["9901"]), acting_user=alice)
    assert run.status == AnalysisRun.Status.FAILED
    assert "no activities" in run.message.lower() or "inga verksamheter" in run.message.lower()


def test_an_engine_crash_keeps_the_previous_results_and_marks_the_run_failed(
    landscape: dict[str, Activity], alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = actions.do_run_analysis(Scope.of(), acting_user=alice)
    before = sorted(Concept.objects.values_list("concept_id", flat=True))

    def crash(*args: object, **kwargs: object) -> None:
        raise MemoryError("out of memory")

    monkeypatch.setattr(analysis, "group_activities", crash)
    failed = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert failed.status == AnalysisRun.Status.FAILED
    assert "MemoryError" in failed.message
    assert sorted(Concept.objects.values_list("concept_id", flat=True)) == before
    assert analysis.current_run() == good


def test_a_crash_while_saving_rolls_back_and_a_rerun_starts_clean(
    landscape: dict[str, Activity], alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = actions.do_run_analysis(Scope.of(), acting_user=alice)
    before = sorted(Membership.objects.values_list("concept__concept_id", "activity_id"))

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # Ranking runs after the concepts were deleted and re-inserted, inside the transaction.
    monkeypatch.setattr(analysis, "rank_opportunities", crash)
    failed = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert failed.status == AnalysisRun.Status.FAILED
    assert sorted(Membership.objects.values_list("concept__concept_id", "activity_id")) == before
    assert set(Concept.objects.values_list("run", flat=True)) == {good.pk}
    monkeypatch.undo()
    again = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert again.status == AnalysisRun.Status.DONE
    assert set(Concept.objects.values_list("run", flat=True)) == {again.pk}
    # Bygglov; hemtjänst as a whole is a core mandate, not an opportunity.
    assert Opportunity.objects.filter(concept__run=again).count() == 1


def test_starting_while_a_run_is_under_way_returns_that_run(
    landscape: dict[str, Activity], alice: User
) -> None:
    running = AnalysisRun.objects.create(scope_key="all", scope={}, scope_label="x",
                                         status=AnalysisRun.Status.RUNNING)
    assert actions.do_start_analysis(Scope.of(), acting_user=alice) == running
    assert AnalysisRun.objects.count() == 1


def test_progress_of_a_finished_run_comes_from_the_database(
    landscape: dict[str, Activity], alice: User
) -> None:
    run = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert actions.live_progress(run) == ("finished", 4, 4)
