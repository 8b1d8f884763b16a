"""Tests that the analysis on a Dask cluster gives the one-process concepts, or fails cleanly."""

from __future__ import annotations

import os
import socket

import dask
import pytest
from distributed import Client, LocalCluster, get_worker

from mellanrum.engines.commonality import (
    Activity,
    ClusterError,
    Decision,
    GroupingSettings,
    group_activities,
    group_on_cluster,
    group_partitions_on_cluster,
)
from mellanrum.engines.commonality.evaluation.synthetic import synthetic_activities
from mellanrum.engines.commonality.executor import connect
from mellanrum.engines.commonality.tests.test_grouping import fixture


def varied_activities() -> list[Activity]:
    """Synthetic names with typos, unique names, descriptions, an English one and duplicates."""
    activities, _ = synthetic_activities(12, 30, typo_rate=0.2, unique_rate=0.2, seed=3)
    extra = [
        Activity("x1", "K00000", "Bygglov", description="Ansök om bygglov för villa"),
        Activity("x2", "K00001", "Bygglov", description="Ansök om bygglov för villa"),
        Activity("x3", "K00001", "Bygglov"),  # the same name twice in one organisation
        Activity("x4", "K00002", "Building permit", language="en"),
        # qualified names, whose features carry the qualifier as a suffix
        Activity("x5", "K00003", "Förhandsprövning skolskjuts"),
        Activity("x6", "K00004", "Förhandsprövning av skolskjuts"),
        Activity("x7", "K00005", "Tillfälligt parkeringstillstånd", description="Parkering"),
    ]
    return activities + extra


def test_cluster_run_gives_the_one_process_concepts(client: Client) -> None:
    activities = varied_activities()
    expected = group_activities(activities)
    for size in (45, 1000):
        found = group_partitions_on_cluster(client, activities, partition_size=size)
        assert found == expected


def test_every_worker_trims_its_freed_memory_during_a_run(client: Client) -> None:
    from distributed import Worker

    from mellanrum.engines.commonality.worker_memory import TrimFreedMemory

    def trims(dask_worker: Worker) -> bool:
        return TrimFreedMemory.name in dask_worker.plugins

    group_partitions_on_cluster(client, varied_activities()[:40], partition_size=20)
    assert set(client.run(trims).values()) == {True}


def test_a_scheduler_gone_before_the_run_starts_is_a_cluster_error() -> None:
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        connected = connect(cluster.scheduler_address)
    try:
        # The first thing a run asks of the cluster is to register the trimming plugin.
        with pytest.raises(ClusterError) as caught:
            group_on_cluster(connected, [lambda: make_partition(1)])
        assert caught.value.reason == "connection"
        with pytest.raises(ClusterError) as caught:
            group_partitions_on_cluster(connected, varied_activities()[:10])
        assert caught.value.reason == "connection"
    finally:
        connected.close()


def test_cluster_run_respects_decisions_as_one_process_does(client: Client) -> None:
    activities, _ = fixture()
    concepts = group_activities(activities)
    first = concepts[0]
    decisions = [
        Decision("confirm", "egen", members=first.activity_ids, label="Eget namn"),
        Decision("exclude", "egen", activity_ids=(first.activity_ids[0],)),
        Decision(
            "split",
            concepts[1].id,
            members=concepts[1].activity_ids,
            activity_ids=concepts[1].activity_ids[:2],
        ),
    ]
    expected = group_activities(
        activities, decisions=decisions, extra_synonyms=[("dagis", "förskola")]
    )
    found = group_partitions_on_cluster(
        client,
        activities,
        partition_size=5,
        decisions=decisions,
        extra_synonyms=[("dagis", "förskola")],
    )
    assert found == expected
    assert any(c.id == "egen" and c.label == "Eget namn" for c in found)


def test_cluster_run_with_one_merge_round_and_other_settings(client: Client) -> None:
    activities = varied_activities()
    settings = GroupingSettings(rounds=1, neighbours=3, allow_same_organisation=True)
    expected = group_activities(activities, settings=settings)
    assert (
        group_partitions_on_cluster(client, activities, partition_size=100, settings=settings)
        == expected
    )


def make_partition(number: int) -> list[Activity]:
    activities, _ = synthetic_activities(4, 20, seed=number)
    return [Activity(f"{number}-{a.id}", f"{number}-{a.organisation}", a.name) for a in activities]


def test_partitions_made_on_the_workers_and_progress_is_reported(client: Client) -> None:
    stages: list[str] = []
    run = group_on_cluster(
        client,
        [lambda number=number: make_partition(number) for number in range(3)],
        progress=lambda stage, done, total: stages.append(stage),
    )
    everything = [a for number in range(3) for a in make_partition(number)]
    assert run.activities == len(everything)
    assert run.gather() == group_activities(everything)
    assert stages[0] == "reading" and stages[-1] == "summaries"


def test_duplicate_ids_and_empty_names_are_refused_as_in_one_process(client: Client) -> None:
    duplicated = [Activity("a", "X", "Bygglov"), Activity("a", "Y", "Hemtjänst")]
    with pytest.raises(ValueError, match="duplicate activity id 'a'"):
        group_partitions_on_cluster(client, duplicated, partition_size=1)
    with pytest.raises(ValueError, match="empty name"):
        group_partitions_on_cluster(client, [Activity("b", "X", "  ")])


def test_a_scheduler_that_does_not_answer_is_reported_quickly() -> None:
    # A socket that accepts connections but never speaks Dask's protocol.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        with pytest.raises(ClusterError) as caught:
            connect(f"tcp://127.0.0.1:{port}", timeout=1)
        assert caught.value.reason == "unreachable"
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        free = closed.getsockname()[1]
        closed.close()
        with pytest.raises(ClusterError, match="unreachable"):
            connect(f"tcp://127.0.0.1:{free}", timeout=1)
    finally:
        server.close()


def failing_partition() -> list[Activity]:
    raise MemoryError("no room for the partition")


def test_a_task_that_runs_out_of_memory_is_a_cluster_error(client: Client) -> None:
    with pytest.raises(ClusterError) as caught:
        group_on_cluster(client, [lambda: make_partition(1), failing_partition])
    assert caught.value.reason == "memory"


def dying_partition() -> list[Activity]:
    get_worker()  # only ever run on a worker
    os._exit(1)


def test_a_worker_that_dies_mid_run_is_a_cluster_error_and_a_rerun_works() -> None:
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        connect(cluster.scheduler_address) as connected,
    ):
        with pytest.raises(ClusterError) as caught:
            group_on_cluster(connected, [lambda: make_partition(1), dying_partition])
        assert caught.value.reason == "worker"
        connected.wait_for_workers(1, timeout=30)
        activities = make_partition(2)
        assert group_partitions_on_cluster(connected, activities, partition_size=30) == (
            group_activities(activities)
        )
