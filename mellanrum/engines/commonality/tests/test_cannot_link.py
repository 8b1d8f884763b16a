"""Tests that must-not-link name pairs keep activities apart, on both paths, for anyone."""

from __future__ import annotations

from distributed import Client

from mellanrum.engines.commonality import (
    Activity,
    Decision,
    group_activities,
    group_partitions_on_cluster,
)
from mellanrum.engines.commonality.cannot_link import conflict, marks_of, normalised_pairs
from mellanrum.engines.commonality.concept import Concept

APART = [("Parkeringstillstånd", "Parkeringstillstånd för rörelsehindrade")]


def activities(names: list[str], prefix: str = "K") -> list[Activity]:
    return [Activity(f"{prefix}{i}", f"{prefix}{i:03d}", name) for i, name in enumerate(names)]


def groups(concepts: list[Concept], items: list[Activity]) -> list[list[str]]:
    name = {a.id: a.name for a in items}
    return sorted(sorted(name[i] for i in c.activity_ids) for c in concepts)


SERVING = ["Parkeringstillstånd", "Parkeringstillstånd", "Parkeringstillstånd",
           "Parkeringstillstånd för rörelsehindrade", "Parkeringstillstånd för rörelsehindrade",
           "Ansökan om bygglov", "Bygglovsansökan", "Hemtjänst"]


def test_the_near_miss_is_grouped_without_a_pair() -> None:
    items = activities(SERVING)
    found = groups(group_activities(items), items)
    assert ["Parkeringstillstånd"] * 3 + ["Parkeringstillstånd för rörelsehindrade"] * 2 in found


def test_names_of_a_pair_are_never_linked_whoever_uses_them() -> None:
    items = activities(SERVING, prefix="N")  # organisations that made no decision
    found = groups(group_activities(items, must_not_link=APART), items)
    assert ["Parkeringstillstånd"] * 3 in found
    assert ["Parkeringstillstånd för rörelsehindrade"] * 2 in found
    # the rest is grouped as before
    assert ["Ansökan om bygglov", "Bygglovsansökan"] in found


def test_pairs_are_normalised_and_order_free() -> None:
    items = activities(SERVING)
    a = group_activities(items, must_not_link=APART)
    b = group_activities(items, must_not_link=[("PARKERINGSTILLSTÅND  för rörelsehindrade ",
                                                "parkeringstillstånd")])
    assert a == b


def test_a_self_pair_or_empty_name_is_ignored() -> None:
    items = activities(SERVING)
    assert group_activities(items, must_not_link=[("Hemtjänst", "hemtjänst"), ("", "x")]) \
        == group_activities(items)
    assert normalised_pairs([("Hemtjänst", "hemtjänst")]) == []


def test_a_person_may_still_put_them_together_by_hand() -> None:
    items = activities(SERVING)
    decision = Decision("confirm", "servering", members=("K0", "K3"))
    concepts = group_activities(items, must_not_link=APART, decisions=[decision])
    pinned = next(c for c in concepts if c.id == "servering")
    assert {"K0", "K3"} <= set(pinned.activity_ids)


def test_conflict_needs_opposite_sides() -> None:
    marks = marks_of(APART + [("Bygglov", "Marklov")])
    assert conflict(marks["parkeringstillstånd"], marks["parkeringstillstånd för rörelsehindrade"])
    assert not conflict(marks["parkeringstillstånd"], marks["parkeringstillstånd"])
    assert not conflict(marks["parkeringstillstånd"], marks["marklov"])
    assert not conflict(frozenset(), marks["marklov"])


def test_cluster_path_keeps_the_pair_apart_identically(client: Client) -> None:
    items = activities(SERVING * 3, prefix="C")
    expected = group_activities(items, must_not_link=APART)
    found = group_partitions_on_cluster(client, items, partition_size=5, must_not_link=APART)
    assert found == expected
    assert ["Parkeringstillstånd"] * 9 in groups(found, items)
