"""The summaries of one large group are spread over the workers, with the one-process result."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from distributed import Client, LocalCluster

from mellanrum.engines.commonality import Activity, group_activities, group_on_cluster


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def one_large_group() -> list[list[Activity]]:
    """Four input partitions; nearly all activities are in one connected component.

    Each of 24 organisations has "Bygglov" six times: one text, so one component,
    but an organisation's activities never share a concept, so the component holds
    six concepts of 24 activities.  Four small unrelated services make the rest.
    """
    permits = [
        Activity(f"b{org:02d}-{n}", f"K{org:02d}", "Bygglov") for org in range(24) for n in range(6)
    ]
    others = [
        Activity(f"o{org:02d}-{n}", f"K{org:02d}", name)
        for n, name in enumerate(["Färdtjänst", "Skolskjuts", "Hemtjänst", "Bostadsanpassning"])
        for org in range(2)
    ]
    activities = permits + others
    return [activities[i::4] for i in range(4)]


def test_the_parts_of_one_large_group_run_on_every_worker(client: Client) -> None:
    sources = one_large_group()
    expected = group_activities([a for source in sources for a in source])
    run = group_on_cluster(client, client.scatter(sources))
    assert run.gather() == expected
    holders = client.who_has(run.partitions)
    workers_of_permits = set()
    for future, concepts in zip(run.partitions, client.gather(run.partitions), strict=True):
        if any(c.label == "Bygglov" for c in concepts):
            workers_of_permits.update(holders[future.key])
    assert len([c for c in expected if c.label == "Bygglov"]) == 6
    assert workers_of_permits == set(client.nthreads())
