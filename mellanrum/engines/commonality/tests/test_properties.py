"""Property tests: partition, same-organisation rule and order independence."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from mellanrum.engines.commonality import Activity, group_activities

NAMES = [
    "Bygglov",
    "Ansök om bygglov",
    "Rivningslov",
    "Hemtjänst",
    "Stöd i hemmet",
    "Hemsjukvård",
    "Förskola",
    "Dagis",
    "Förskoleklass",
    "Färdtjänst",
    "Riksfärdtjänst",
    "Skolskjuts",
    "Skolskjust",
    "Sophämtning",
    "Okänd verksamhet",
]

rows = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.sampled_from(NAMES)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_partition_rule_and_order(data: list[tuple[str, str]], rnd: random.Random) -> None:
    activities = [Activity(f"a{i}", org, name) for i, (org, name) in enumerate(data)]
    concepts = group_activities(activities)
    ids = sorted(m for c in concepts for m in c.activity_ids)
    assert ids == sorted(a.id for a in activities)
    for concept in concepts:
        organisations = [m.organisation for m in concept.members]
        assert len(organisations) == len(set(organisations))
    shuffled = activities[:]
    rnd.shuffle(shuffled)
    assert group_activities(shuffled) == concepts
