"""Write the finder's worded examples from the development tables.

Run by hand after a held-out table is retired into development:
`.venv/bin/python bench/finder_examples.py`.  It writes
`mellanrum/engines/journeys/data/finder_examples.csv` (columns `text,event`) from the rows of
`finder_dev.csv` and the retired held-out tables: a row with alternatives (`a|b`) gives its
first, a row with several needs (`a+b`) gives its first need (the primary one), rows expecting
NONE are left out.  Held-out tables that have not been evaluated never go in.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "mellanrum" / "journeys" / "tests" / "data"
SOURCES = ("finder_dev.csv", "finder_heldout1_retired.csv", "finder_heldout2_retired.csv",
           "finder_heldout3_retired.csv", "finder_heldout4_retired.csv",
           "finder_heldout5_retired.csv")
TARGET = ROOT / "mellanrum" / "engines" / "journeys" / "data" / "finder_examples.csv"


def main() -> int:
    from mellanrum.engines.journeys.phrasings import read_phrasings

    seen: set[str] = set()
    rows: list[tuple[str, str]] = []
    for name in SOURCES:
        for row in read_phrasings(DATA / name):
            key = row.text.strip().lower()
            if row.expected == "NONE" or key in seen:
                continue
            seen.add(key)
            rows.append((row.text.strip(), row.expected.replace("+", "|").split("|")[0]))
    with TARGET.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("text", "event"))
        writer.writerows(rows)
    print(f"{TARGET.relative_to(ROOT)}: {len(rows)} examples from {len(SOURCES)} tables")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
