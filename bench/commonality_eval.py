"""Pairwise precision, recall and F1 of the commonality engine on the labelled set.

python bench/commonality_eval.py                  # tune half
python bench/commonality_eval.py --split holdout  # report only; never tune on it
python bench/commonality_eval.py --grid           # threshold grid on the tune half
python bench/commonality_eval.py --errors         # list wrong pairs (tune half)
python bench/commonality_eval.py --real dev       # real public names, sv and en (dev sets)
python bench/commonality_eval.py --real dev --errors   # wrong pairs on the real dev sets
python bench/commonality_eval.py --real dev --half a   # Swedish dev half a (tune on this)
python bench/commonality_eval.py --real dev --half b   # Swedish dev half b (check only)
python bench/commonality_eval.py --real dev3 --half tune    # retired held-out v2: tune on this
python bench/commonality_eval.py --real dev3 --half check   # retired held-out v2: check only
python bench/commonality_eval.py --real dev3 --half tune --errors  # its wrong pairs
python bench/commonality_eval.py --real dev4 --half tune     # retired held-out v3: tune on this
python bench/commonality_eval.py --real dev4 --half check    # retired held-out v3: check only
python bench/commonality_eval.py --real dev5      # round 6's larger corpus of real titles
python bench/commonality_eval.py --real dev6 --half tune     # retired held-out v4: tune on this
python bench/commonality_eval.py --real dev6 --half check    # retired held-out v4: check only
python bench/commonality_eval.py --real dev7 --half tune     # retired held-out v5: tune on this
python bench/commonality_eval.py --real dev7 --half check    # retired held-out v5: check only
python bench/commonality_eval.py --real dev8 --half tune     # retired held-out v6: tune on this
python bench/commonality_eval.py --real dev8 --half check    # retired held-out v6: check only
python bench/commonality_eval.py --real dev9                 # retired held-out v7 (not halved)
python bench/commonality_eval.py --written        # the developer-written Swedish check set
python bench/commonality_eval.py --titles-score   # score part of the real titles per service
    (titles learned from the learn part only; --service-titles off for the figure without them)
python bench/commonality_eval.py --titles-fold b --errors   # tune inside the learn part
    (fold b scored, titles learned from fold a; --titles-fold a the other way round)
    A check half (dev half b, devN --half check) is scored without the corpus's copies of its
    own titles (same organisation, same title: the corpus holds most of them, see round 10);
    --with-check-titles scores it as rounds 6-9 did, learning them.
python bench/commonality_eval.py --real heldout   # report only, once; never tune on it
    (Swedish: real_sv_heldout_v8.csv, added by the coordinator; English: real_en_heldout.csv)
"""

from __future__ import annotations

import argparse
import csv
import itertools
from collections import defaultdict
from pathlib import Path

from mellanrum.engines.commonality import GroupingSettings, group_activities
from mellanrum.engines.commonality.evaluation import (
    DEV3_HALVES,
    DEV4_HALVES,
    DEV6_HALVES,
    DEV7_HALVES,
    DEV8_HALVES,
    DEV_HALVES,
    REAL_FILES,
    REAL_LANGUAGES,
    load_evaluation_set,
    load_real_set,
    load_title_score_set,
    load_written_check,
    pairwise_scores,
    real_set_present,
)
from mellanrum.engines.textmatch import Thesaurus
from mellanrum.engines.textmatch.service_titles import leave_out_titles


def run(split: str, settings: GroupingSettings, *, no_thesaurus: bool = False) -> tuple:
    activities, gold = load_evaluation_set(split)
    if no_thesaurus:
        import mellanrum.engines.textmatch.analyser as analyser_module

        original = analyser_module.Thesaurus.default
        analyser_module.Thesaurus.default = classmethod(lambda cls, language="sv": Thesaurus({}))  # type: ignore[method-assign]
        try:
            concepts = group_activities(activities, settings=settings)
        finally:
            analyser_module.Thesaurus.default = original  # type: ignore[method-assign]
    else:
        concepts = group_activities(activities, settings=settings)
    return pairwise_scores([c.activity_ids for c in concepts], gold), concepts, activities, gold


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--split", choices=["tune", "holdout", "all"], default="tune")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--merge-threshold", type=float, default=None)
    parser.add_argument("--grid", action="store_true")
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--no-thesaurus", action="store_true", help="ablation: empty thesaurus")
    parser.add_argument(
        "--real",
        choices=["dev", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "heldout"],
        help="score the real public names instead (dev3, dev4, dev6, dev7: the retired held-out "
        "v2, v3, v4 and v5; dev5: round 6's corpus; all five Swedish only)",
    )
    parser.add_argument(
        "--half",
        choices=sorted({*DEV_HALVES, *DEV3_HALVES, *DEV4_HALVES, *DEV6_HALVES, *DEV7_HALVES,
                       *DEV8_HALVES}),
        help="with --real dev: a or b of the Swedish dev set; "
        "with --real dev3, dev4, dev6, dev7 or dev8: tune or check",
    )
    parser.add_argument(
        "--written", action="store_true", help="score the developer-written Swedish check set"
    )
    parser.add_argument(
        "--titles-score",
        action="store_true",
        help="score the score part of the shipped real titles per service (learned: learn part)",
    )
    parser.add_argument(
        "--titles-fold",
        choices=["a", "b"],
        help="tuning inside the learn part: score fold_b with titles learned from fold_a (b), "
        "or the other way round (a); --errors allowed",
    )
    parser.add_argument(
        "--service-titles",
        choices=["all", "learn", "fold_a", "fold_b", "off"],
        default=None,
        help="which shipped real titles per service the engine learns (default: all; "
        "learn with --titles-score)",
    )
    parser.add_argument(
        "--titles-only-from",
        type=Path,
        help="with --titles-score or --titles-fold: score only the titles also in this CSV file "
        "(organisation, "
        "name, service), e.g. an earlier service_titles_sv.csv, when new rows changed the part",
    )
    parser.add_argument(
        "--with-check-titles",
        action="store_true",
        help="score a check half with the corpus's copies of its own titles learned (as "
        "rounds 6-9 did); by default they are left out (service_titles.leave_out_titles)",
    )
    parser.add_argument(
        "--service-neighbours",
        choices=["on", "off"],
        default="on",
        help="nearest real titles give a concept-less name its service (service_neighbours.py; "
        "default: on, as the engine)",
    )
    args = parser.parse_args()
    other_fold = {"a": "fold_b", "b": "fold_a"}
    titles = args.service_titles or (
        "learn"
        if args.titles_score
        else other_fold[args.titles_fold]
        if args.titles_fold
        else "all"
    )
    base = GroupingSettings(
        service_titles=titles, service_neighbours=args.service_neighbours == "on"
    )
    if args.titles_fold:
        activities, gold = _only_from(
            *load_title_score_set(f"fold_{args.titles_fold}"), args.titles_only_from
        )
        _report(f"titles fold_{args.titles_fold} (learned: {titles})", activities, gold, "sv",
                errors=args.errors, settings=base)
        return
    if args.titles_score:
        if args.errors:
            parser.error("--errors is not for the score part of the titles; it is only scored")
        activities, gold = _only_from(*load_title_score_set(), args.titles_only_from)
        _report(f"titles score part (learned: {titles})", activities, gold, "sv", errors=False,
                settings=base)
        return
    halved = ("dev3", "dev4", "dev6", "dev7", "dev8")
    if args.half and args.real not in ("dev", *halved):
        parser.error("--half only goes with --real dev, dev3, dev4, dev6, dev7 or dev8")
    if args.half and (args.half in DEV_HALVES) != (args.real == "dev"):
        parser.error(
            "--half a|b goes with --real dev, --half tune|check with --real "
            "dev3|dev4|dev6|dev7|dev8"
        )
    if args.errors and args.real in halved and args.half != "tune":
        parser.error(
            f"--errors on {args.real} only with --half tune; the check half is not looked at"
        )
    if args.written:
        activities, gold = load_written_check()
        _report("written sv check", activities, gold, "sv", errors=args.errors, settings=base)
        return
    if args.real:
        if args.errors and args.real == "heldout":
            parser.error("--errors is for the dev sets; do not tune on the held-out sets")
        check = args.half in ("b", "check")
        if check and titles == "all" and not args.with_check_titles:
            activities, _ = load_real_set("sv", args.real, args.half)
            part = leave_out_titles(
                f"{args.real}_{args.half}", [(a.organisation, a.name) for a in activities]
            )
            base = GroupingSettings(service_titles=part, service_neighbours=base.service_neighbours)
        run_real(args.real, errors=args.errors, half=args.half, settings=base)
        return
    if args.grid:
        if args.split != "tune":
            parser.error("--grid only runs on the tune split")
        results = []
        for t, m in itertools.product([0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6], repeat=2):
            s = GroupingSettings(threshold=t, merge_threshold=m)
            score = run("tune", s)[0]
            results.append((score.f1, t, m, score))
        for f1, t, m, score in sorted(results, reverse=True)[:10]:
            print(
                f"threshold={t:.2f} merge={m:.2f} "
                f"P={score.precision:.3f} R={score.recall:.3f} F1={f1:.3f}"
            )
        return
    settings = GroupingSettings(
        service_titles=titles,
        service_neighbours=base.service_neighbours,
        threshold=args.threshold if args.threshold is not None else base.threshold,
        merge_threshold=args.merge_threshold
        if args.merge_threshold is not None
        else base.merge_threshold,
    )
    score, concepts, activities, gold = run(args.split, settings, no_thesaurus=args.no_thesaurus)
    print(
        f"split={args.split} activities={len(activities)} gold_concepts={len(set(gold.values()))} "
        f"found_concepts={len(concepts)} threshold={settings.threshold} "
        f"merge_threshold={settings.merge_threshold} "
        f"thesaurus={'off' if args.no_thesaurus else 'on'}"
    )
    print(
        f"pairwise precision={score.precision:.3f} recall={score.recall:.3f} f1={score.f1:.3f} "
        f"(true pairs {score.true_pairs}, predicted {score.predicted_pairs}, "
        f"correct {score.correct_pairs})"
    )
    if args.errors:
        if args.split == "holdout":
            parser.error("--errors is for the tune split; do not tune on the holdout")
        print_errors(concepts, activities, gold)


def _only_from(
    activities: list, gold: dict[str, str], path: Path | None
) -> tuple[list, dict[str, str]]:
    """The titles of a title part that are also rows of the CSV file `path` (all without)."""
    if path is None:
        return activities, gold
    with path.open(encoding="utf-8", newline="") as handle:
        earlier = {(r["organisation"], r["name"], r["service"]) for r in csv.DictReader(handle)}
    kept = [a for a in activities if (a.organisation, a.name, gold[a.id]) in earlier]
    return kept, {a.id: gold[a.id] for a in kept}


def run_real(
    split: str, *, errors: bool, half: str | None = None, settings: GroupingSettings | None = None
) -> None:
    """Pairwise precision, recall and F1 per language on the real public names."""
    swedish_only = ("dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9")
    languages = ("sv",) if half or split in swedish_only else REAL_LANGUAGES
    for language in languages:
        if not real_set_present(language, split):
            print(
                f"real {language} {split}: ABSENT — {', '.join(REAL_FILES[(language, split)])} "
                "is not in this checkout (the coordinator adds it for the final scoring); "
                "not scored"
            )
            continue
        activities, gold = load_real_set(language, split, half)
        title = f"real {language} {split}" + (f" half {half}" if half else "")
        _report(title, activities, gold, language, errors=errors, settings=settings)


def _report(
    title: str,
    activities: list,
    gold: dict[str, str],
    language: str,
    *,
    errors: bool,
    settings: GroupingSettings | None = None,
) -> None:
    concepts = group_activities(activities, language=language, settings=settings)
    score = pairwise_scores([c.activity_ids for c in concepts], gold)
    print(
        f"{title}: activities={len(activities)} "
        f"gold_concepts={len(set(gold.values()))} found_concepts={len(concepts)} "
        f"precision={score.precision:.3f} recall={score.recall:.3f} f1={score.f1:.3f} "
        f"(true pairs {score.true_pairs}, predicted {score.predicted_pairs}, "
        f"correct {score.correct_pairs})"
    )
    if errors:
        print_errors(concepts, activities, gold, indent="  ")



def print_errors(concepts: list, activities: list, gold: dict[str, str], indent: str = "") -> None:
    """Concepts that mix gold groups (MIXED) and gold groups spread over concepts (SPLIT)."""
    names = {a.id: a.name for a in activities}
    for c in concepts:
        labels = defaultdict(list)
        for m in c.activity_ids:
            labels[gold[m]].append(names[m])
        if len(labels) > 1:
            print(f"{indent}MIXED:", dict(labels))
    parts = defaultdict(list)
    for c in concepts:
        for g in {gold[m] for m in c.activity_ids}:
            parts[g].append(sorted(names[m] for m in c.activity_ids if gold[m] == g))
    for g, found in sorted(parts.items()):
        if len(found) > 1:
            print(f"{indent}SPLIT:", g, found)


if __name__ == "__main__":
    main()
