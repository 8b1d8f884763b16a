"""Without TASKS_INLINE the analysis runs in a background thread and reports progress."""

from __future__ import annotations

import time

import pytest
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality import actions
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Concept
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity

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
