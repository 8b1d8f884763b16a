"""Accuracy of the finder's life-event ranking on tables of everyday phrasings.

Run by hand: `.venv/bin/python bench/finder_eval.py [dev] [heldout1] [heldout2] [heldout3]
[heldout4] [heldout5] [heldout] [--misses] [--fold train|test]`.

- `dev`: the development material, `finder_dev.csv` and the five retired held-out tables
  `finder_heldout1_retired.csv` … `finder_heldout5_retired.csv` together (the finder is tuned
  on all six).
- `heldout1` … `heldout5`: a retired held-out table alone (development material since it was
  evaluated; kept apart so its figure can be compared with the earlier ones).
- `heldout`: `finder_heldout_v6.csv`, written independently, outside this repository; the
  coordinator adds it and evaluates it once.  Never tuned on, and `--misses` never lists its
  rows.

`--fold test` keeps only the fixed 30 % of a development table that is held back while
tuning (a row is in it when the first byte of the SHA-256 of its lower-cased text, modulo 10,
is below 3); `--fold train` keeps the other 70 %.  Look at the test fold only now and then.
With `--fold`, the finder's worded examples (`finder_examples.csv`, drawn from the
development tables) are those of the train fold only, so the test fold is never among them.
`--file PATH` evaluates another table of the same format (e.g. a fresh batch) instead.
The table format is described in `mellanrum/engines/journeys/phrasings.py`; docs/journeys.md
reports the figures.  No Django is needed: the engine reads the shipped catalogue.
"""

from __future__ import annotations

import hashlib
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


def main(argv: list[str]) -> int:
    from mellanrum.engines.journeys.catalogue import load_catalogue
    from mellanrum.engines.journeys.finder import Finder, shipped_examples
    from mellanrum.engines.journeys.phrasings import evaluate, read_phrasings

    fold = ""
    if "--fold" in argv:
        at = argv.index("--fold")
        fold = argv[at + 1] if at + 1 < len(argv) else ""
        if fold not in ("train", "test"):
            print("--fold takes 'train' or 'test'", file=sys.stderr)
            return 2
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
        score = evaluate(finder, rows)
        print(f"{label}: n={score.total}, top-1 {score.top1_share:.3f} ({score.top1}), "
              f"top-3 {score.top3_share:.3f} ({score.top3})")
        if "--misses" in argv and name != "heldout":
            for row, ranked in score.misses:
                print(f"  [{row.kind}] {row.text!r}: expected {row.expected}, "
                      f"got {', '.join(ranked) or '-'}")
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
