"""Accuracy of the finder's life-event ranking on tables of everyday phrasings.

Run by hand: `.venv/bin/python bench/finder_eval.py [dev] [heldout1] [heldout2] [heldout3]
[heldout4] [heldout5] [heldout] [--misses] [--fold train|test]`.

- `dev`: the development material, `finder_dev.csv` and the five retired held-out tables
  `finder_heldout1_retired.csv` … `finder_heldout5_retired.csv` together (the finder is tuned
  on all six).
- `heldout1` … `heldout5`: a retired held-out table alone (development material since it was
  evaluated; kept apart so its figure can be compared with the earlier ones).
- `heldout`: `finder_heldout_v6.csv`, written independently, outside this repository, and
  added by the coordinator after scoring it once (docs/journeys.md).  Never tuned on, and
  `--misses` never lists its rows; the next round that tunes the finder retires it.

`--fold test` keeps only the fixed 30 % of a development table that is held back while
tuning (a row is in it when the first byte of the SHA-256 of its lower-cased text, modulo 10,
is below 3); `--fold train` keeps the other 70 %.  Look at the test fold only now and then.
With `--fold`, the finder's worded examples (`finder_examples.csv`, drawn from the
development tables) are those of the train fold only, so the test fold is never among them.
`--fold train --cv K` scores the train fold by K-fold cross-validation over the examples: the
train rows are split into K parts (by the second byte of the same hash), and each part is
scored by a finder whose examples are the train fold's *without that part*, so a train row is
never scored with itself among the examples (without `--cv` the train fold's figure and
misses are flattered by its own rows, which the examples hold word for word).
`--kinds` adds the figures per kind (the batch suffix `-bN` dropped).
`--file PATH` evaluates another table of the same format (e.g. a fresh batch) instead.
The table format is described in `mellanrum/engines/journeys/phrasings.py`; docs/journeys.md
reports the figures.  No Django is needed: the engine reads the shipped catalogue.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "mellanrum" / "journeys" / "tests" / "data"
RETIRED1 = DATA / "finder_heldout1_retired.csv"
RETIRED2 = DATA / "finder_heldout2_retired.csv"
RETIRED3 = DATA / "finder_heldout3_retired.csv"
RETIRED4 = DATA / "finder_heldout4_retired.csv"
RETIRED5 = DATA / "finder_heldout5_retired.csv"
HELDOUT = DATA / "finder_heldout_v6.csv"
TABLES = {"dev": (DATA / "finder_dev.csv", RETIRED1, RETIRED2, RETIRED3, RETIRED4, RETIRED5),
          "heldout1": (RETIRED1,), "heldout2": (RETIRED2,), "heldout3": (RETIRED3,),
          "heldout4": (RETIRED4,), "heldout5": (RETIRED5,), "heldout": (HELDOUT,)}
TEST_SHARE = 3  # tenths of a development table held back while tuning


def in_test_fold(text: str) -> bool:
    """Whether a development row belongs to the held-back 30 %."""
    return hashlib.sha256(text.lower().encode()).digest()[0] % 10 < TEST_SHARE


def cv_part(text: str, parts: int) -> int:
    """The cross-validation part (0 … parts − 1) of a train-fold row."""
    return hashlib.sha256(text.strip().lower().encode()).digest()[1] % parts


def main(argv: list[str]) -> int:
    from mellanrum.engines.journeys.catalogue import load_catalogue
    from mellanrum.engines.journeys.finder import Finder, shipped_examples
    from mellanrum.engines.journeys.phrasings import Score, evaluate, hits, read_phrasings

    fold = ""
    if "--fold" in argv:
        at = argv.index("--fold")
        fold = argv[at + 1] if at + 1 < len(argv) else ""
        if fold not in ("train", "test"):
            print("--fold takes 'train' or 'test'", file=sys.stderr)
            return 2
        del argv[at:at + 2]
    parts = 0
    if "--cv" in argv:
        at = argv.index("--cv")
        value = argv[at + 1] if at + 1 < len(argv) else ""
        if fold != "train" or not value.isdigit() or int(value) < 2:
            print("--cv takes a number ≥ 2, with --fold train", file=sys.stderr)
            return 2
        parts = int(value)
        del argv[at:at + 2]
    if "--file" in argv:
        at = argv.index("--file")
        if at + 1 >= len(argv):
            print("--file takes a path", file=sys.stderr)
            return 2
        TABLES["file"] = (Path(argv[at + 1]),)
        del argv[at:at + 2]
        argv.append("file")
    names = [a for a in argv if not a.startswith("--")] or list(TABLES)
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        print(f"unknown table {unknown[0]!r}; choose from {', '.join(TABLES)}", file=sys.stderr)
        return 2
    catalogue = load_catalogue()
    examples = shipped_examples()
    if fold:
        examples = tuple(x for x in examples if not in_test_fold(x[0]))
    finder = Finder(catalogue.life_events, catalogue.synonyms, examples)
    # One finder per cross-validation part, without that part's examples.
    part_finders = [
        Finder(catalogue.life_events, catalogue.synonyms,
               tuple(x for x in examples if cv_part(x[0], parts) != p))
        for p in range(parts)]
    status = 0
    for name in names:
        if name == "heldout" and not HELDOUT.exists():
            print(f"heldout: {HELDOUT.relative_to(ROOT)} is not here: the held-out table "
                  "is written independently, outside this repository, and the coordinator "
                  "adds it and evaluates it once; nothing evaluated.", file=sys.stderr)
            status = 1
            continue
        rows = [row for path in TABLES[name] for row in read_phrasings(path)]
        label = name
        if fold and name not in ("heldout", "file"):
            rows = [r for r in rows if in_test_fold(r.text) == (fold == "test")]
            label = f"{name} ({fold} fold)"
        if parts and name not in ("heldout", "file"):
            scores = [evaluate(part_finders[p], [r for r in rows if cv_part(r.text, parts) == p])
                      for p in range(parts)]
            score = Score(sum(x.total for x in scores), sum(x.top1 for x in scores),
                          sum(x.top3 for x in scores),
                          tuple(m for x in scores for m in x.misses))
            label = f"{name} ({fold} fold, {parts}-fold cross-validated)"
        else:
            score = evaluate(finder, rows)
        print(f"{label}: n={score.total}, top-1 {score.top1_share:.3f} ({score.top1}), "
              f"top-3 {score.top3_share:.3f} ({score.top3})")
        if "--kinds" in argv:
            missed = {row: hits(row.expected, ranked) for row, ranked in score.misses}
            kinds: dict[str, list[int]] = {}
            for row in rows:
                if row.expected == "NONE":
                    continue
                one, three = missed.get(row, (True, True))
                counts = kinds.setdefault(re.sub(r"-b\d+$", "", row.kind), [0, 0, 0])
                counts[0] += 1
                counts[1] += one
                counts[2] += three
            for kind, (n, one, three) in sorted(kinds.items()):
                print(f"  {kind}: n={n}, top-1 {one / n:.3f} ({one}), "
                      f"top-3 {three / n:.3f} ({three})")
        if "--misses" in argv and name != "heldout":
            for row, ranked in score.misses:
                print(f"  [{row.kind}] {row.text!r}: expected {row.expected}, "
                      f"got {', '.join(ranked) or '-'}")
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
