"""The cluster's summary stage: a large group's concepts are summarised in several tasks."""

from __future__ import annotations

import pytest
from distributed import Client

from mellanrum.engines.commonality import group_activities, group_partitions_on_cluster, on_cluster
from mellanrum.engines.commonality.tests.test_on_cluster import varied_activities


def test_a_group_far_above_its_share_gets_several_summary_tasks() -> None:
    # 1,040 activities in 4 groups: a share is 260, so the group of 1,000 gets 4 tasks.
    assert on_cluster._summary_parts([10, 1000, 10, 20]) == [1, 4, 1, 1]
    assert on_cluster._summary_parts([5, 5]) == [1, 1]
    assert on_cluster._summary_parts([0, 0]) == [1, 1]


def test_summaries_split_over_several_tasks_give_the_one_process_concepts(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    activities = varied_activities()
    expected = group_activities(activities)
    calls: list[list[int]] = []

    def three_each(sizes: list[int]) -> list[int]:
        calls.append(list(sizes))
        return [3] * len(sizes)

    monkeypatch.setattr(on_cluster, "_summary_parts", three_each)
    found = group_partitions_on_cluster(client, activities, partition_size=45)
    assert calls and sum(calls[0]) == len(activities)
    assert found == expected
