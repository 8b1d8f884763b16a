"""The held-out half of the labelled evaluation set must stay above a measured floor."""

from __future__ import annotations

import hashlib

import pytest

from mellanrum.engines.commonality import Activity, group_activities
from mellanrum.engines.commonality.evaluation import (
    REAL_LANGUAGES,
    REAL_SPLITS,
    load_evaluation_set,
    load_real_set,
    pairwise_scores,
)

# Measured on 2026-11-24 with the default settings: holdout F1 0.958
# (precision 1.000, recall 0.920).  The floor leaves a margin of 0.03.
HOLDOUT_F1_FLOOR = 0.93
HOLDOUT_PRECISION_FLOOR = 0.95


def test_holdout_pairwise_f1_stays_above_floor() -> None:
    activities, gold = load_evaluation_set("holdout")
    concepts = group_activities(activities)
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    assert scores.f1 >= HOLDOUT_F1_FLOOR, scores
    assert scores.precision >= HOLDOUT_PRECISION_FLOOR, scores


def test_evaluation_set_is_large_and_split_by_concept() -> None:
    activities, gold = load_evaluation_set("all")
    assert len(activities) >= 400
    assert len(set(gold.values())) >= 60
    assert len({a.organisation for a in activities}) >= 20
    _, tune = load_evaluation_set("tune")
    _, holdout = load_evaluation_set("holdout")
    assert set(tune.values()).isdisjoint(holdout.values())
    assert len(tune) + len(holdout) == len(activities)


# Measured on 2026-12-06 (issue 15): real dev F1 sv 1.000, en 0.961. These are the sets the
# matcher was improved on, so the floors only guard against regressions; the held-out figures
# are in docs/commonality.md and are not tested here, so nobody tunes on them.
REAL_DEV_F1_FLOOR = {"sv": 0.95, "en": 0.93}


@pytest.mark.parametrize("language", REAL_LANGUAGES)
def test_real_dev_names_stay_above_floor(language: str) -> None:
    activities, gold = load_real_set(language, "dev")
    concepts = group_activities(activities, language=language)
    scores = pairwise_scores([c.activity_ids for c in concepts], gold)
    assert scores.f1 >= REAL_DEV_F1_FLOOR[language], scores


@pytest.mark.parametrize("language", REAL_LANGUAGES)
def test_real_sets_are_split_by_gold_group_with_the_documented_rule(language: str) -> None:
    seen: dict[str, set[str]] = {}
    for split in REAL_SPLITS:
        _, gold = load_real_set(language, split)
        seen[split] = set(gold.values())
        for group in seen[split]:
            digest = int(hashlib.sha1(f"mellanrum-real-2026:{group}".encode()).hexdigest(), 16)
            assert ("heldout" if digest % 2 else "dev") == split, group
    assert seen["dev"].isdisjoint(seen["heldout"])
    assert len(seen["dev"]) >= 8 and len(seen["heldout"]) >= 8


def test_a_qualified_service_is_not_merged_with_the_service_itself() -> None:
    concepts = group_activities(
        [
            Activity("1", "A", "Ansökan om skolskjuts"),
            Activity("2", "B", "Skolskjuts"),
            Activity("3", "C", "Förhandsprövning skolskjuts"),
            Activity("4", "D", "Förhandsprövning av skolskjuts"),
        ]
    )
    assert sorted(c.activity_ids for c in concepts) == [("1", "2"), ("3", "4")]
