"""Labelled evaluation set of Swedish municipal activity names, and pairwise scoring.

``names_sv.csv`` holds 484 names of 69 services across 24 pretend
municipalities, written from general knowledge of how Swedish municipalities
name services and e-services on their websites, with the gold concept per row
and a fixed split: ``tune`` (37 concepts) for choosing thresholds and
``holdout`` (32 concepts) for reporting.  The split is by concept (a hash of
the concept id), so no name variant of a held-out concept is seen in tuning.

``real_{sv,en}_*.csv`` hold *real* public service names: Swedish municipal
e-service and web-page titles, and English council web-page titles plus the
GOV.UK copy of the LGSL service list, each row with its source and licence (see
``docs/commonality.md``, section "Real names").  Each language was split by gold
group (a SHA-1 of ``mellanrum-real-2026:<gold>``, odd → held-out) before the
matcher ever ran on them.

The first Swedish held-out half was scored twice and is now *retired into
development* as ``real_sv_dev2.csv``: the Swedish dev set is ``real_sv_dev.csv``
plus ``real_sv_dev2.csv`` (24 gold groups).  The second Swedish held-out set
(``real_sv_heldout_v2.csv``, 172 names) was scored once in round 4 and is retired
too, as the separate development set ``real_sv_dev3.csv`` (split ``dev3``, ids
``sv-dev3-…``), itself halved by gold group into ``tune`` and ``check`` (SHA-1 of
``mellanrum-dev3-half-2026:<gold>``, even → tune, odd → check) before its errors
were looked at.  The third (``real_sv_heldout_v3.csv``, 154 names) was scored once
in round 5 (F1 0.766) and is retired in round 6 as ``real_sv_dev4.csv`` (split
``dev4``, ids ``sv-dev4-…``), halved the same way (SHA-1 of
``mellanrum-dev4-half-2026:<gold>``) before any of its errors were listed.
``real_sv_dev5.csv`` (split ``dev5``) is a larger development corpus of real
Swedish service titles collected in round 6 to learn how common services are
named.  The fourth held-out set (``real_sv_heldout_v4.csv``, 160 names) was scored
once in round 6 (F1 0.891) and is retired in round 7 as ``real_sv_dev6.csv`` (split
``dev6``, ids ``sv-dev6-…``), halved the same way (SHA-1 of
``mellanrum-dev6-half-2026:<gold>``) before any of its errors were listed.  The
fifth (``real_sv_heldout_v5.csv``, 159 names) was scored once in round 7 (F1 0.739)
and is retired in round 8 as ``real_sv_dev7.csv`` (split ``dev7``, ids
``sv-dev7-…``), halved the same way (SHA-1 of ``mellanrum-dev7-half-2026:<gold>``)
before any of its errors were listed.  The sixth (``real_sv_heldout_v6.csv``, 160 names)
was scored once in round 9 (F1 0.845) and is retired as ``real_sv_dev8.csv`` (split
``dev8``, ids ``sv-dev8-…``), halved in round 10 the same way (SHA-1 of
``mellanrum-dev8-half-2026:<gold>``) before any of its errors were listed.  The seventh
(``real_sv_heldout_v7.csv``, 160 names) was scored once in round 10 (F1 0.801) and is retired
as ``real_sv_dev9.csv`` (split ``dev9``, ids ``sv-dev9-…``, not halved). The Swedish
held-out set is now ``real_sv_heldout_v8.csv``, assembled independently from real public pages
and dropped in by the coordinator; it is not in the repository while the matcher is improved,
and :func:`load_real_set` says so plainly when it is absent.

To check for overfitting, the Swedish dev set is split once more by gold group
into halves ``a`` (tune on) and ``b`` (check only): SHA-1 of
``mellanrum-dev-half-2026:<gold>``, even → a, odd → b.  ``written_sv_check.csv``
holds 45 names in 12 groups *written* (not collected) by the developer from
general knowledge before tuning; it is a further check, not real names.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from mellanrum.engines.commonality.activity import Activity

__all__ = [
    "DEV3_HALVES",
    "DEV4_HALVES",
    "DEV6_HALVES",
    "DEV7_HALVES",
    "DEV8_HALVES",
    "DEV_HALVES",
    "REAL_FILES",
    "REAL_LANGUAGES",
    "REAL_SPLITS",
    "MissingEvaluationSet",
    "Scores",
    "dev3_half",
    "dev4_half",
    "dev6_half",
    "dev7_half",
    "dev8_half",
    "dev_half",
    "load_evaluation_set",
    "load_real_set",
    "load_title_score_set",
    "load_written_check",
    "pairwise_scores",
    "real_set_present",
]

REAL_LANGUAGES = ("sv", "en")
REAL_SPLITS = ("dev", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "heldout")
DEV_HALVES = ("a", "b")
DEV3_HALVES = ("tune", "check")
DEV4_HALVES = ("tune", "check")
DEV6_HALVES = ("tune", "check")
DEV7_HALVES = ("tune", "check")
DEV8_HALVES = ("tune", "check")
# Real names per language and split.  The Swedish held-out file is absent while the matcher is
# being improved (see the module docstring).
REAL_FILES: dict[tuple[str, str], tuple[str, ...]] = {
    ("sv", "dev"): ("real_sv_dev.csv", "real_sv_dev2.csv"),
    ("sv", "dev3"): ("real_sv_dev3.csv",),
    ("sv", "dev4"): ("real_sv_dev4.csv",),
    ("sv", "dev5"): ("real_sv_dev5.csv",),
    ("sv", "dev6"): ("real_sv_dev6.csv",),
    ("sv", "dev7"): ("real_sv_dev7.csv",),
    ("sv", "dev8"): ("real_sv_dev8.csv",),
    ("sv", "dev9"): ("real_sv_dev9.csv",),
    ("sv", "heldout"): ("real_sv_heldout_v8.csv",),
    ("en", "dev"): ("real_en_dev.csv",),
    ("en", "heldout"): ("real_en_heldout.csv",),
}
WRITTEN_SV_CHECK = "written_sv_check.csv"


class MissingEvaluationSet(FileNotFoundError):
    """An evaluation file that is not in this checkout (the Swedish held-out set)."""


def _package_file(name: str) -> Traversable:
    return resources.files("mellanrum.engines.commonality.evaluation").joinpath(name)


def real_set_present(language: str, split: str) -> bool:
    """Whether every file of the real set `language`/`split` is in this checkout."""
    return all(_package_file(name).is_file() for name in REAL_FILES[(language, split)])


def _half_by_hash(salt: str, halves: tuple[str, ...], gold_group: str) -> str:
    # A fixed hash, so a gold group stays in its half whoever runs the split, and when.
    digest = int(hashlib.sha1(f"{salt}:{gold_group}".encode()).hexdigest(), 16)
    return halves[digest % 2]


def dev_half(gold_group: str) -> str:
    """The dev half ("a" tune, "b" check) of a gold group, by a fixed hash.

    Examples
    --------
    >>> dev_half("bygglov") in DEV_HALVES
    True
    """
    return _half_by_hash("mellanrum-dev-half-2026", DEV_HALVES, gold_group)


def dev3_half(gold_group: str) -> str:
    """The half ("tune" or "check") of a gold group of ``real_sv_dev3.csv``, by a fixed hash.

    Examples
    --------
    >>> dev3_half("bygglov") in DEV3_HALVES
    True
    """
    return _half_by_hash("mellanrum-dev3-half-2026", DEV3_HALVES, gold_group)


def dev4_half(gold_group: str) -> str:
    """The half ("tune" or "check") of a gold group of ``real_sv_dev4.csv``, by a fixed hash.

    Examples
    --------
    >>> dev4_half("bygglov") in DEV4_HALVES
    True
    """
    return _half_by_hash("mellanrum-dev4-half-2026", DEV4_HALVES, gold_group)


def dev6_half(gold_group: str) -> str:
    """The half ("tune" or "check") of a gold group of ``real_sv_dev6.csv``, by a fixed hash.

    Examples
    --------
    >>> dev6_half("bygglov") in DEV6_HALVES
    True
    """
    return _half_by_hash("mellanrum-dev6-half-2026", DEV6_HALVES, gold_group)


def dev7_half(gold_group: str) -> str:
    """The half ("tune" or "check") of a gold group of ``real_sv_dev7.csv``, by a fixed hash.

    Examples
    --------
    >>> dev7_half("bygglov") in DEV7_HALVES
    True
    """
    return _half_by_hash("mellanrum-dev7-half-2026", DEV7_HALVES, gold_group)


def dev8_half(gold_group: str) -> str:
    """The half ("tune" or "check") of a gold group of ``real_sv_dev8.csv``, by a fixed hash.

    Examples
    --------
    >>> dev8_half("bygglov") in DEV8_HALVES
    True
    """
    return _half_by_hash("mellanrum-dev8-half-2026", DEV8_HALVES, gold_group)


# The half function of each split that has halves.
_HALF_OF: dict[str, tuple[tuple[str, ...], Callable[[str], str]]] = {
    "dev": (DEV_HALVES, dev_half),
    "dev3": (DEV3_HALVES, dev3_half),
    "dev4": (DEV4_HALVES, dev4_half),
    "dev6": (DEV6_HALVES, dev6_half),
    "dev7": (DEV7_HALVES, dev7_half),
    "dev8": (DEV8_HALVES, dev8_half),
}


def _read_rows(names: Sequence[str], language: str) -> tuple[list[Activity], dict[str, str]]:
    activities, gold = [], {}
    for name in names:
        for row in csv.DictReader(_package_file(name).read_text("utf-8").splitlines()):
            activities.append(
                Activity(row["activity_id"], row["organisation"], row["name"], language=language)
            )
            gold[row["activity_id"]] = row["gold_concept"]
    return activities, gold


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


def load_real_set(
    language: str, split: str, half: str | None = None
) -> tuple[list[Activity], dict[str, str]]:
    """Return the real names of `language` ("sv" or "en") and `split` (see ``REAL_FILES``).

    Every activity carries its row's language, so Swedish and English sets can
    be analysed in one call.  `half` ("a" or "b") keeps only the dev groups of
    that half; with the Swedish ``dev3``, ``dev4``, ``dev6``, ``dev7`` and ``dev8`` splits it is
    "tune" or "check".  Raises :class:`MissingEvaluationSet` when the set is not in this checkout
    (the Swedish held-out set until the coordinator adds it).

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
    if (language, split) not in REAL_FILES:
        raise ValueError(f"there is no {language} {split} set")
    if half is not None and (split not in _HALF_OF or half not in _HALF_OF[split][0]):
        raise ValueError(
            f"half must be one of {DEV_HALVES} and only with the dev split "
            f"(or one of {DEV3_HALVES} with the dev3, dev4, dev6, dev7 and dev8 splits)"
        )
    names = REAL_FILES[(language, split)]
    missing = [name for name in names if not _package_file(name).is_file()]
    if missing:
        raise MissingEvaluationSet(
            f"{', '.join(missing)} is not in this checkout: the {language} {split} set is "
            "added by the coordinator for the final, single scoring"
        )
    activities, gold = _read_rows(names, language)
    if half is not None:
        which = _HALF_OF[split][1]
        activities = [a for a in activities if which(gold[a.id]) == half]
        gold = {a.id: gold[a.id] for a in activities}
    return activities, gold


def load_title_score_set(part: str = "score") -> tuple[list[Activity], dict[str, str]]:
    """The score part of the shipped real titles per service, as an evaluation set.

    Rows of pages naming two services are left out, and of one organisation's titles of one
    service only the first (the engine never joins two activities of one organisation).  Score
    it with ``GroupingSettings(service_titles="learn")``: titles learned only from the other
    organisations (see :mod:`mellanrum.engines.textmatch.service_titles`).  `part` "fold_b",
    scored with titles learned from "fold_a", is for tuning inside the learn part.
    """
    from mellanrum.engines.textmatch.service_titles import load_title_rows, scored_rows

    activities, gold = [], {}
    seen: set[tuple[str, str]] = set()
    wanted = set(scored_rows(part))
    for number, row in enumerate(load_title_rows("sv"), start=1):
        if row.combined or row not in wanted:
            continue
        if (row.organisation, row.service) in seen:
            continue
        seen.add((row.organisation, row.service))
        activity_id = f"sv-title-{number:05d}"
        activities.append(Activity(activity_id, row.organisation, row.name, language="sv"))
        gold[activity_id] = row.service
    return activities, gold


def load_written_check() -> tuple[list[Activity], dict[str, str]]:
    """Return the developer-written Swedish check set (not real names; see the docstring)."""
    return _read_rows((WRITTEN_SV_CHECK,), "sv")


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
