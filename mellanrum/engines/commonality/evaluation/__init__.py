"""Labelled evaluation set of Swedish municipal activity names, and pairwise scoring.

``names_sv.csv`` holds 484 names of 69 services across 24 pretend
municipalities, written from general knowledge of how Swedish municipalities
name services and e-services on their websites, with the gold concept per row
and a fixed split: ``tune`` (37 concepts) for choosing thresholds and
``holdout`` (32 concepts) for reporting.  The split is by concept (a hash of
the concept id), so no name variant of a held-out concept is seen in tuning.

``real_{sv,en}_{dev,heldout}.csv`` hold *real* public service names: Swedish
municipal e-service and web-page titles, and English council web-page titles
plus the GOV.UK copy of the LGSL service list, each row with its source and
licence (see ``docs/commonality.md``, section "Real names").  Each language was
split by gold group (a SHA-1 of ``mellanrum-real-2026:<gold>``, odd → held-out)
before the matcher ever ran on them.  Only the dev half may be looked at while
improving the matcher.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from mellanrum.engines.commonality.activity import Activity

__all__ = [
    "REAL_LANGUAGES",
    "REAL_SPLITS",
    "Scores",
    "load_evaluation_set",
    "load_real_set",
    "pairwise_scores",
]

REAL_LANGUAGES = ("sv", "en")
REAL_SPLITS = ("dev", "heldout")


def load_evaluation_set(split: str = "all") -> tuple[list[Activity], dict[str, str]]:
    """Return the activities of `split` ("tune", "holdout" or "all") and their gold concepts.

    Examples
    --------
    >>> activities, gold = load_evaluation_set("holdout")
    >>> len(activities) == len(gold) > 200
    True
    """
    if split not in ("tune", "holdout", "all"):
        raise ValueError(f"unknown split {split!r}")
    text = (
        resources.files("mellanrum.engines.commonality.evaluation")
        .joinpath("names_sv.csv")
        .read_text("utf-8")
    )
    activities, gold = [], {}
    for row in csv.DictReader(text.splitlines()):
        if split != "all" and row["split"] != split:
            continue
        activities.append(Activity(row["activity_id"], row["organisation"], row["name"]))
        gold[row["activity_id"]] = row["gold_concept"]
    return activities, gold


def load_real_set(language: str, split: str) -> tuple[list[Activity], dict[str, str]]:
    """Return the real names of `language` ("sv" or "en") and `split` ("dev" or "heldout").

    Every activity carries its row's language, so Swedish and English sets can
    be analysed in one call.

    Examples
    --------
    >>> activities, gold = load_real_set("en", "dev")
    >>> all(a.language == "en" for a in activities) and len(gold) == len(activities)
    True
    """
    if language not in REAL_LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if split not in REAL_SPLITS:
        raise ValueError(f"unknown split {split!r}")
    text = (
        resources.files("mellanrum.engines.commonality.evaluation")
        .joinpath(f"real_{language}_{split}.csv")
        .read_text("utf-8")
    )
    activities, gold = [], {}
    for row in csv.DictReader(text.splitlines()):
        activities.append(
            Activity(row["activity_id"], row["organisation"], row["name"], language=language)
        )
        gold[row["activity_id"]] = row["gold_concept"]
    return activities, gold


@dataclass(frozen=True)
class Scores:
    """Pairwise precision, recall and F1 of a clustering against gold labels."""

    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def _pair_count(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(predicted: Iterable[Sequence[str]], gold: Mapping[str, str]) -> Scores:
    """Score predicted groups of activity ids against `gold` (id → concept).

    A pair of activities counts as predicted when they share a group and as
    true when they share a gold concept.  Counted from the contingency table,
    so it is linear in the number of activities.

    Examples
    --------
    >>> s = pairwise_scores([["a", "b"], ["c"]], {"a": "x", "b": "x", "c": "x"})
    >>> round(s.precision, 2), round(s.recall, 2), round(s.f1, 2)
    (1.0, 0.33, 0.5)
    """
    cells: Counter[tuple[int, str]] = Counter()
    sizes: Counter[int] = Counter()
    for number, group in enumerate(predicted):
        for activity_id in group:
            cells[(number, gold[activity_id])] += 1
            sizes[number] += 1
    true = sum(_pair_count(n) for n in Counter(gold.values()).values())
    predicted_pairs = sum(_pair_count(n) for n in sizes.values())
    correct = sum(_pair_count(n) for n in cells.values())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, true, predicted_pairs, correct)
