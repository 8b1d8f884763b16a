"""One large group is summarised in several tasks, each from its own share of the group."""

from __future__ import annotations

from distributed import Client

from mellanrum.engines.commonality import Activity, group_activities, group_on_cluster


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


def test_one_large_group_is_summarised_in_several_tasks_with_the_one_process_concepts(
    client: Client,
) -> None:
    # Each task gets only its own concepts' rows of the group: a task given another task's
    # share (or a share missing a row) would build other concepts, or fail.
    sources = one_large_group()
    expected = group_activities([a for source in sources for a in source])
    run = group_on_cluster(client, client.scatter(sources))
    assert run.gather() == expected
    permits_per_task = [
        sum(c.label == "Bygglov" for c in concepts) for concepts in client.gather(run.partitions)
    ]
    assert sum(permits_per_task) == 6
    assert len([n for n in permits_per_task if n]) > 1
