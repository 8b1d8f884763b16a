"""Without TASKS_INLINE the analysis runs in a background thread and reports progress."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Concept, Membership
from mellanrum.core import tasks
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_run_started_from_the_web_finishes_in_the_background(
    landscape: dict[str, Activity], alice: User, settings: SettingsWrapper
) -> None:
    settings.TASKS_INLINE = False
    run = actions.do_start_analysis(Scope.of(), acting_user=alice)
    assert run.status in {AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING,
                          AnalysisRun.Status.DONE}
    deadline = time.monotonic() + 120  # generous: CI machines are shared and noisy
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.05)
    assert run.status == AnalysisRun.Status.DONE, run.message
    assert run.stage == AnalysisRun.Stage.FINISHED
    assert Concept.objects.filter(run=run).count() == 4


def wait_until_finished(run: AnalysisRun) -> AnalysisRun:
    deadline = time.monotonic() + 120  # generous: CI machines are shared and noisy
    while time.monotonic() < deadline and not run.is_finished:
        time.sleep(0.05)
        run.refresh_from_db()
    return run


def test_a_decision_from_the_page_reruns_in_the_background_and_leads_back_to_the_concept(
    client: Client, landscape: dict[str, Activity], alice: User, settings: SettingsWrapper
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    concept = Membership.objects.get(activity=landscape["alfa_hemtjanst"]).concept
    settings.TASKS_INLINE = False
    response = login(client, alice).post(
        reverse("commonality:decide", args=[concept.concept_id]),
        {"kind": "rename", "label": "Hemtjänst och stöd i hemmet"},
    )
    rerun = AnalysisRun.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('commonality:run', args=[rerun.pk])}?concept={concept.concept_id}")
    assert wait_until_finished(rerun).status == AnalysisRun.Status.DONE, rerun.message
    page = client.get(response["Location"]).content.decode()
    renamed = Concept.objects.get(run=rerun, concept_id=concept.concept_id)
    assert renamed.label == "Hemtjänst och stöd i hemmet"
    assert f'href="{renamed.get_absolute_url()}"' in page
    assert "Hemtjänst och stöd i hemmet" in page


def test_a_run_that_finishes_after_a_newer_one_of_the_same_scope_is_not_saved(
    landscape: dict[str, Activity], alice: User
) -> None:
    older = AnalysisRun.objects.create(scope_key="all", scope={}, scope_label="Alla")
    newer = actions.do_run_analysis(Scope.of(), acting_user=alice)
    tasks.run_now(actions.execute_run, older.pk)
    older.refresh_from_db()
    assert older.status == AnalysisRun.Status.FAILED
    assert older.message  # says why, in the language of the day
    assert set(Concept.objects.values_list("run", flat=True)) == {newer.pk}
    assert analysis.current_run() == newer
