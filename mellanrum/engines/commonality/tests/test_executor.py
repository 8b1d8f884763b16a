"""Tests that every executor gives the same concepts as in-process work."""

from __future__ import annotations

import pytest

from mellanrum.engines.commonality import (
    Activity,
    GroupingSettings,
    ProcessExecutor,
    SerialExecutor,
    group_activities,
)
from mellanrum.engines.commonality.tests.test_grouping import fixture

# Force the parallel path even for a tiny input, in several chunks.
PARALLEL = GroupingSettings(parallel_min_rows=0, chunk_rows=4)


def activities() -> list[Activity]:
    return fixture()[0]


def test_process_executor_matches_serial() -> None:
    serial = group_activities(activities(), settings=PARALLEL, executor=SerialExecutor())
    local = group_activities(activities(), settings=PARALLEL, executor=ProcessExecutor(2))
    assert local == serial


def test_dask_local_cluster_matches_local() -> None:
    distributed = pytest.importorskip("distributed")
    from mellanrum.engines.commonality import DaskExecutor

    expected = group_activities(activities(), settings=PARALLEL, executor=SerialExecutor())
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = group_activities(activities(), settings=PARALLEL, executor=DaskExecutor(client))
    assert result == expected
