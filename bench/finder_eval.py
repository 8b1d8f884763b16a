"""Accuracy of the finder's life-event ranking on tables of everyday phrasings.

Run by hand: `.venv/bin/python bench/finder_eval.py [dev] [heldout] [--misses]`.

`mellanrum/journeys/tests/data/finder_dev.csv` is the development set the finder is tuned
on; `finder_heldout.csv` was written before any tuning and is only evaluated, never tuned on:
`--misses` lists the misses of the development set only.  The table format is described in
`mellanrum/engines/journeys/phrasings.py`; docs/journeys.md reports the figures.
No Django is needed: the engine reads the shipped catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "mellanrum" / "journeys" / "tests" / "data"
TABLES = {"dev": DATA / "finder_dev.csv", "heldout": DATA / "finder_heldout.csv"}


def main(argv: list[str]) -> None:
    from mellanrum.engines.journeys.catalogue import load_catalogue
    from mellanrum.engines.journeys.finder import Finder
    from mellanrum.engines.journeys.phrasings import evaluate, read_phrasings

    catalogue = load_catalogue()
    finder = Finder(catalogue.life_events, catalogue.synonyms)
    for name in [a for a in argv if not a.startswith("--")] or ["dev", "heldout"]:
        score = evaluate(finder, read_phrasings(TABLES[name]))
        print(f"{name}: n={score.total}, top-1 {score.top1_share:.3f} ({score.top1}), "
              f"top-3 {score.top3_share:.3f} ({score.top3})")
        if "--misses" in argv and name == "dev":
            for row, ranked in score.misses:
                print(f"  {row.text!r}: expected {row.expected}, got {', '.join(ranked) or '-'}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
