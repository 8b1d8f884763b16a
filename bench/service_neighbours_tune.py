"""Sweep the nearest-title bridge's parameters on the corpus folds (tuning only; not SCORE).

python bench/service_neighbours_tune.py   # F1 on fold a, fold b and their mean per setting
"""

from __future__ import annotations

import itertools

from mellanrum.engines.commonality import GroupingSettings, group_activities
from mellanrum.engines.commonality.evaluation import load_title_score_set, pairwise_scores
from mellanrum.engines.textmatch.service_neighbours import learned_neighbours


def score(fold: str, on: bool) -> float:
    learn = {"a": "fold_b", "b": "fold_a"}[fold]
    activities, gold = load_title_score_set(f"fold_{fold}")
    settings = GroupingSettings(service_titles=learn, service_neighbours=on)
    concepts = group_activities(activities, language="sv", settings=settings)
    return pairwise_scores([c.activity_ids for c in concepts], gold).f1


def main() -> None:
    base = {f: score(f, False) for f in "ab"}
    print("off", " ".join(f"{base[f]:.3f}" for f in "ab"))
    for k, sim, share, orgs, weight, all_names in itertools.product(
        [5], [0.55, 0.7], [0.8], [2], [0.25, 0.5, 1.0], [False, True]
    ):
        out = []
        for fold, learn in (("a", "fold_b"), ("b", "fold_a")):
            index = learned_neighbours(learn, True, True)
            index.k, index.min_similarity, index.min_share = k, sim, share
            index.min_organisations, index.weight = orgs, weight
            index.all_names = all_names
            index._cache.clear()
            out.append(score(fold, True))
        scores = " ".join(f"{x:.3f}" for x in out)
        print(k, sim, share, orgs, weight, all_names, scores, f"{sum(out) / 2:.3f}")


if __name__ == "__main__":
    main()
