"""The analysis on the configured Dask cluster: same results, progress, and clean failures."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from distributed import LocalCluster
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Concept, Membership
from mellanrum.core.models import User
from mellanrum.engines.commonality import ClusterError
from mellanrum.landscape.models import Activity


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def silent_address() -> str:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    return f"tcp://127.0.0.1:{port}"


def memberships() -> list[tuple[str, int]]:
    return sorted(Membership.objects.values_list("concept__concept_id", "activity_id"))


def test_a_run_on_the_configured_cluster_gives_the_in_process_results_with_progress(
    landscape: dict[str, Activity], alice: User, settings: SettingsWrapper, scheduler: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_process = actions.do_run_analysis(Scope.of(), acting_user=alice)
    expected = memberships()
    seen: list[tuple[str, int, int]] = []
    stage = actions._stage

    def record_stage(run: Any, s: str, done: int, total: int, **f: Any) -> None:
        seen.append((s, done, total))
        stage(run, s, done, total, **f)

    monkeypatch.setattr(actions, "_stage", record_stage)
    settings.DASK_SCHEDULER = scheduler
    on_cluster = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert on_cluster.status == AnalysisRun.Status.DONE, on_cluster.message
    assert memberships() == expected
    assert on_cluster.concept_count == in_process.concept_count
    grouping = [done for s, done, total in seen if s == AnalysisRun.Stage.GROUPING]
    assert grouping[0] == 0 and grouping[-1] == 6 and len(set(grouping)) > 2


def test_an_unreachable_scheduler_fails_clearly_keeps_the_results_and_allows_a_rerun(
    landscape: dict[str, Activity], alice: User, settings: SettingsWrapper, client: Client
) -> None:
    good = actions.do_run_analysis(Scope.of(), acting_user=alice)
    before = memberships()
    settings.DASK_SCHEDULER = silent_address()
    failed = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert failed.status == AnalysisRun.Status.FAILED
    assert settings.DASK_SCHEDULER in failed.message
    assert "svarar inte" in failed.message or "does not answer" in failed.message
    assert memberships() == before
    assert set(Concept.objects.values_list("run", flat=True)) == {good.pk}
    client.force_login(alice)
    page = client.get(reverse("commonality:run", args=[failed.pk]))
    assert page.status_code == 200
    assert failed.message in page.content.decode()
    settings.DASK_SCHEDULER = ""
    again = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert again.status == AnalysisRun.Status.DONE


def test_a_lost_worker_fails_with_advice_on_memory_and_keeps_the_results(
    landscape: dict[str, Activity], alice: User, settings: SettingsWrapper, scheduler: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The engine's own tests kill a real worker; here the web side's handling of it.
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    before = memberships()

    def lost(*args: object, **kwargs: object) -> None:
        raise ClusterError("worker", "Attempted to run task on 1 worker; it died")

    settings.DASK_SCHEDULER = scheduler
    monkeypatch.setattr(analysis, "group_partitions_on_cluster", lost)
    failed = actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert failed.status == AnalysisRun.Status.FAILED
    assert "minne" in failed.message or "memory" in failed.message
    assert memberships() == before


def test_the_overview_says_when_analyses_run_on_the_cluster(
    alice: User, settings: SettingsWrapper, client: Client
) -> None:
    client.force_login(alice)
    assert 'id="run-where"' not in client.get(reverse("commonality:overview")).content.decode()
    settings.DASK_SCHEDULER = "tcp://analysis:8786"
    page = client.get(reverse("commonality:overview")).content.decode()
    assert 'id="run-where"' in page
    assert "tcp://analysis:8786" not in page
