"""Pairwise precision, recall and F1 of the matcher on the demo catalogue's name variants.

    python bench/demo_variants_eval.py                      # as shipped
    python bench/demo_variants_eval.py --service-titles off # without the real titles

Every canonical activity of ``mellanrum/landscape/data/demo_activities.json`` (179 services)
contributes its 3-6 naming variants, variant *i* as organisation *i*; the gold concept is the
activity's ``concept_id``.  The figure of docs/commonality.md ("The demo catalogue's variants").
The demo names were used as development material, so this is a regression check, not a
measure of quality on unseen names.
"""

from __future__ import annotations

import argparse

from mellanrum.engines.commonality import GroupingSettings, group_activities
from mellanrum.engines.commonality.activity import Activity
from mellanrum.engines.commonality.evaluation import pairwise_scores
from mellanrum.landscape.demo_catalogue import CANONICAL_ACTIVITIES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--service-titles", choices=["all", "learn", "off"], default="all"
    )
    args = parser.parse_args()
    activities, gold = [], {}
    for canonical in CANONICAL_ACTIVITIES:
        for number, variant in enumerate(canonical.variants):
            activity_id = f"{canonical.concept_id}-{number}"
            activities.append(Activity(activity_id, f"org{number}", variant))
            gold[activity_id] = canonical.concept_id
    concepts = group_activities(
        activities, settings=GroupingSettings(service_titles=args.service_titles)
    )
    score = pairwise_scores([c.activity_ids for c in concepts], gold)
    print(
        f"demo variants: activities={len(activities)} gold_concepts={len(set(gold.values()))} "
        f"found_concepts={len(concepts)} precision={score.precision:.3f} "
        f"recall={score.recall:.3f} f1={score.f1:.3f}"
    )


if __name__ == "__main__":
    main()
