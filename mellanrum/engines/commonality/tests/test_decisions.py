"""Tests that human decisions are respected on rerun with changed data."""

from __future__ import annotations

from mellanrum.engines.commonality import Activity, Decision, group_activities
from mellanrum.engines.commonality.concept import Concept

BASE = [
    Activity("a1", "Alfa", "Ansök om bygglov"),
    Activity("b1", "Beta", "Bygglovsansökan"),
    Activity("c1", "Gamma", "Bygglov"),
    Activity("d1", "Delta", "Rivningslov"),
    Activity("e1", "Epsilon", "Hemtjänst"),
]


def concept_of(concepts: list[Concept], activity_id: str) -> Concept:
    return next(c for c in concepts if activity_id in c.activity_ids)


def test_confirmed_concept_keeps_id_and_label_and_takes_new_members() -> None:
    decisions = [Decision("confirm", "bygglov", members=("a1", "b1", "c1"), label="Bygglov")]
    rerun = [*BASE, Activity("f1", "Zeta", "Söka bygglov")]
    concept = concept_of(group_activities(rerun, decisions=decisions), "f1")
    assert concept.id == "bygglov" and concept.label == "Bygglov" and concept.pinned
    assert set(concept.activity_ids) == {"a1", "b1", "c1", "f1"}


def test_forced_in_activity_stays_in() -> None:
    decisions = [Decision("include", "bygglov", members=("a1", "b1"), activity_ids=("e1",))]
    concept = concept_of(group_activities(BASE, decisions=decisions), "e1")
    assert concept.id == "bygglov" and {"a1", "b1", "e1"} <= set(concept.activity_ids)


def test_forced_out_activity_never_rejoins() -> None:
    decisions = [Decision("exclude", "bygglov", members=("a1", "b1", "c1"), activity_ids=("c1",))]
    rerun = [*BASE, Activity("g1", "Eta", "Bygglov")]
    concepts = group_activities(rerun, decisions=decisions)
    assert concept_of(concepts, "c1").id != "bygglov"
    assert "g1" in concept_of(concepts, "a1").activity_ids


def test_merge_puts_two_concepts_together() -> None:
    decisions = [
        Decision("confirm", "bygglov", members=("a1", "b1")),
        Decision("confirm", "riv", members=("d1",)),
        Decision("merge", "bygglov", other_concept_ids=("riv",)),
    ]
    concept = concept_of(group_activities(BASE, decisions=decisions), "d1")
    assert concept.id == "bygglov" and "a1" in concept.activity_ids


def test_split_keeps_the_parts_apart() -> None:
    decisions = [
        Decision(
            "split",
            "bygglov",
            members=("a1", "b1", "c1"),
            activity_ids=("c1",),
            new_concept_id="bygglov-enkel",
            new_label="Enkelt bygglov",
        ),
    ]
    rerun = [*BASE, Activity("h1", "Theta", "Bygglov")]
    concepts = group_activities(rerun, decisions=decisions)
    assert concept_of(concepts, "c1").id == "bygglov-enkel"
    assert concept_of(concepts, "c1").label == "Enkelt bygglov"
    assert concept_of(concepts, "a1").id == "bygglov"
    assert "c1" not in concept_of(concepts, "a1").activity_ids


def test_decisions_about_deleted_activities_are_ignored() -> None:
    decisions = [Decision("confirm", "bygglov", members=("gone", "a1", "b1"))]
    concept = concept_of(group_activities(BASE, decisions=decisions), "a1")
    assert concept.id == "bygglov"
    assert "gone" not in concept.activity_ids
