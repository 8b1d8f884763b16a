"""Tests for group_activities on small fixtures."""

from __future__ import annotations

import random

import pytest

from mellanrum.engines.commonality import Activity, GroupingSettings, group_activities
from mellanrum.engines.commonality.concept import Concept

NAMES = {
    "bygglov": ["Ansök om bygglov", "Bygglov – ansökan", "Söka bygglov", "Bygglovsansökan"],
    "rivningslov": [
        "Rivningslov",
        "Ansökan om rivningslov",
        "Rivningslov – ansök",
        "Söka rivningslov",
    ],
    "hemtjanst": ["Hemtjänst", "Stöd i hemmet", "Hjälp i hemmet för äldre", "Hemtjänst för äldre"],
    "hemsjukvard": ["Hemsjukvård", "Sjukvård i hemmet", "Hemsjukvård", "Kommunal hemsjukvård"],
    "bistand": [
        "Ekonomiskt bistånd",
        "Försörjningsstöd",
        "Ansök om försörjningsstöd",
        "Socialbidrag",
    ],
    "forskola": ["Ansökan om plats i förskola", "Förskoleplats – ansök", "Dagis", "Förskola"],
    "forskoleklass": ["Förskoleklass", "Ansök om förskoleklass", "Förskoleklass", "Förskoleklass"],
}
ORGS = ["Alfa", "Beta", "Gamma", "Delta"]


def fixture() -> tuple[list[Activity], dict[str, str]]:
    activities = []
    gold = {}
    for concept, names in NAMES.items():
        for org, name in zip(ORGS, names, strict=True):
            activity_id = f"{org}-{concept}"
            activities.append(Activity(activity_id, org, name))
            gold[activity_id] = concept
    return activities, gold


def as_partition(concepts: list[Concept]) -> set[frozenset[str]]:
    return {frozenset(c.activity_ids) for c in concepts}


def test_it_finds_the_gold_groups_and_keeps_hard_negatives_apart() -> None:
    activities, gold = fixture()
    found = as_partition(group_activities(activities))
    expected = {frozenset(a for a, c in gold.items() if c == concept) for concept in NAMES}
    assert found == expected


def test_every_activity_is_in_exactly_one_concept() -> None:
    activities, _ = fixture()
    concepts = group_activities(activities)
    ids = [m for c in concepts for m in c.activity_ids]
    assert sorted(ids) == sorted(a.id for a in activities)


def test_result_does_not_depend_on_input_order() -> None:
    activities, _ = fixture()
    first = group_activities(activities)
    for seed in range(3):
        shuffled = activities[:]
        random.Random(seed).shuffle(shuffled)
        assert group_activities(shuffled) == first


def test_same_organisation_is_not_grouped_by_default() -> None:
    activities = [
        Activity("1", "Alfa", "Bygglov"),
        Activity("2", "Alfa", "Ansök om bygglov"),
        Activity("3", "Beta", "Bygglov"),
    ]
    concepts = group_activities(activities)
    assert all(len({m.organisation for m in c.members}) == len(c.members) for c in concepts)
    allowed = group_activities(activities, settings=GroupingSettings(allow_same_organisation=True))
    assert as_partition(allowed) == {frozenset({"1", "2", "3"})}


def test_concept_has_label_evidence_and_confidence() -> None:
    activities, _ = fixture()
    concepts = group_activities(activities)
    bygglov = next(c for c in concepts if "Alfa-bygglov" in c.activity_ids)
    assert bygglov.organisations == 4
    assert bygglov.label in NAMES["bygglov"]
    assert all(0.0 < m.confidence <= 1.0 for m in bygglov.members)
    assert all("bygglov" in m.evidence for m in bygglov.members)
    assert bygglov.id.startswith("c-")


def test_costs_systems_and_lead_times_are_summarised() -> None:
    activities = [
        Activity(
            "a",
            "Alfa",
            "Bygglov",
            systems=("Castor",),
            annual_cost_sek=1_000_000,
            volume=100,
            lead_time_days=20,
            population=10_000,
        ),
        Activity(
            "b",
            "Beta",
            "Ansök om bygglov",
            systems=("castor", "Ärendo"),
            annual_cost_sek=3_000_000,
            volume=300,
            lead_time_days=40,
            population=10_000,
        ),
        Activity(
            "c",
            "Gamma",
            "Bygglovsansökan",
            systems=("Ärendo",),
            annual_cost_sek=2_000_000,
            volume=100,
            lead_time_days=60,
            population=10_000,
        ),
    ]
    (concept,) = group_activities(activities)
    assert dict(concept.systems) == {"Castor": 2, "Ärendo": 2}
    assert concept.cost_per_inhabitant is not None
    assert concept.cost_per_inhabitant.median == 200.0
    assert concept.cost_per_case is not None and concept.cost_per_case.median == 10_000.0
    assert concept.lead_time_days is not None and concept.lead_time_days.median == 40.0
    assert concept.total_cost_sek == 6_000_000


def test_english_names_group_with_language_en() -> None:
    activities = [
        Activity("1", "A", "Apply for a building permit"),
        Activity("2", "B", "Building permit application"),
        Activity("3", "C", "Home care"),
        Activity("4", "D", "Help at home"),
    ]
    found = as_partition(group_activities(activities, language="en"))
    assert found == {frozenset({"1", "2"}), frozenset({"3", "4"})}


def test_runtime_synonyms_join_concepts() -> None:
    activities = [Activity("1", "A", "Trygg hemgång"), Activity("2", "B", "Hemtjänst")]
    assert len(group_activities(activities)) == 2
    joined = group_activities(activities, extra_synonyms=[["trygg hemgång", "hemtjänst"]])
    assert as_partition(joined) == {frozenset({"1", "2"})}


def test_invalid_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate activity id"):
        group_activities([Activity("1", "A", "Bygglov"), Activity("1", "B", "Bygglov")])
    with pytest.raises(ValueError, match="empty name"):
        group_activities([Activity("1", "A", " – ")])


def test_a_lone_name_joins_a_group_at_the_lower_guard_but_two_groups_need_the_higher() -> None:
    import numpy as np
    import scipy.sparse as sp

    from mellanrum.engines.commonality.clustering import Node, constrained_merge

    # Rows 0-1 are one group (same vector), row 2 a lone name close to row 0 but whose
    # centroid cosine with the group is 0.4 (between the two guards).
    vectors = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.4, 0.9165]]))
    nodes = [Node(i, 1, frozenset({f"org{i}"}), None, frozenset()) for i in range(3)]
    edges = (np.array([0, 0]), np.array([1, 2]), np.array([1.0, 0.6]))
    strict = constrained_merge(nodes, vectors, edges, merge_threshold=0.45)
    lenient = constrained_merge(
        nodes, vectors, edges, merge_threshold=0.45, lone_merge_threshold=0.3
    )
    assert strict == [0, 0, 2] and lenient == [0, 0, 0]
    # Two groups of two never meet below merge_threshold, whatever the lone guard.
    four = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.4, 0.9165], [0.4, 0.9165]]))
    nodes4 = [Node(i, 1, frozenset({f"org{i}"}), None, frozenset()) for i in range(4)]
    edges4 = (np.array([0, 2, 0]), np.array([1, 3, 2]), np.array([1.0, 1.0, 0.6]))
    merged = constrained_merge(
        nodes4, four, edges4, merge_threshold=0.45, lone_merge_threshold=0.3
    )
    assert merged == [0, 0, 2, 2]
