"""Import the corpus of real titles per service into the shipped data file.

    python bench/import_service_titles.py /work/wt/corpus/area_*.csv            # all rows
    python bench/import_service_titles.py --part learn /work/wt/corpus/area_*.csv
    python bench/import_service_titles.py --check /work/wt/corpus/area_*.csv    # report only
    python bench/import_service_titles.py --dev-sets /work/wt/corpus/area_*.csv  # + dev sets

Reads CSV files with the columns ``organisation,name,service`` and optionally
``service_label,source,note`` (other columns are reported and ignored), validates them and
writes ``mellanrum/engines/textmatch/data/service_titles_sv.csv`` (columns
``organisation,name,service,source``, sorted by service, organisation and name).  Checks:
unknown or missing columns, empty names or organisations (dropped), service slugs that are not
``[a-z0-9åäö]+(_[a-z0-9åäö]+)*`` (thesaurus ids may hold å, ä, ö; dropped), duplicates of
(organisation, name, service) (one kept), one (organisation, name) under two services (kept,
reported: the engine does not learn a title found under two services).  A row whose service is
``combined``, or whose note says it is a combined page, is written with the service
``combined`` (the engine learns nothing from it).  ``--part learn`` writes only the
organisations of the learn part (``title_part``).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mellanrum.engines.textmatch.service_titles import COLUMNS, COMBINED, SLUG_RE, title_part

TARGET = (
    Path(__file__).resolve().parent.parent
    / "mellanrum/engines/textmatch/data/service_titles_sv.csv"
)
OPTIONAL = ("service_label", "source", "note")
_COMBINED_NOTE = re.compile(r"\bcombined\b|\bkombinerad\b", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def read_rows(paths: list[Path], report: list[str]) -> list[dict[str, str]]:
    """Valid rows of `paths`; what was dropped or is odd goes to `report`."""
    rows: list[dict[str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in ("organisation", "name", "service") if c not in header]
            if missing:
                report.append(f"{path.name}: missing columns {missing}; file skipped")
                continue
            unknown = [c for c in header if c not in (*COLUMNS, *OPTIONAL)]
            if unknown:
                report.append(f"{path.name}: unknown columns {unknown} ignored")
            for line, raw in enumerate(reader, start=2):
                organisation = _SPACE.sub(" ", (raw.get("organisation") or "")).strip()
                name = _SPACE.sub(" ", (raw.get("name") or "")).strip()
                service = (raw.get("service") or "").strip()
                note = raw.get("note") or ""
                if not organisation or not name:
                    report.append(f"{path.name}:{line}: empty organisation or name; dropped")
                    continue
                if service != COMBINED and _COMBINED_NOTE.search(note):
                    service = COMBINED
                if not SLUG_RE.match(service):
                    report.append(f"{path.name}:{line}: bad service slug {service!r}; dropped")
                    continue
                rows.append(
                    {
                        "organisation": organisation,
                        "name": name,
                        "service": service,
                        "source": (raw.get("source") or "").strip(),
                    }
                )
    return rows


def read_dev_sets(report: list[str]) -> list[dict[str, str]]:
    """The real Swedish development sets' titles (``real_sv_dev*.csv``), gold group as service."""
    rows = []
    folder = TARGET.parent.parent.parent / "commonality/evaluation"
    for path in sorted(folder.glob("real_sv_dev*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for raw in csv.DictReader(handle):
                service = raw["gold_concept"].strip()
                if not SLUG_RE.match(service):
                    report.append(f"{path.name}: bad gold slug {service!r}; dropped")
                    continue
                rows.append(
                    {
                        "organisation": raw["organisation"].strip(),
                        "name": _SPACE.sub(" ", raw["name"]).strip(),
                        "service": service,
                        "source": raw.get("source", "").strip(),
                    }
                )
    return rows


def deduplicate(rows: list[dict[str, str]], report: list[str]) -> list[dict[str, str]]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    dropped = 0
    for row in rows:
        key = (row["organisation"], row["name"].casefold(), row["service"])
        if key in seen:
            dropped += 1
            continue
        seen.add(key)
        kept.append(row)
    if dropped:
        report.append(f"{dropped} duplicate (organisation, name, service) rows dropped")
    services: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in kept:
        services[(row["organisation"], row["name"].casefold())].add(row["service"])
    for (organisation, name), found in sorted(services.items()):
        if len(found) > 1:
            report.append(f"{organisation}: {name!r} under {sorted(found)}")
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--part", choices=["all", "learn"], default="all")
    parser.add_argument("--check", action="store_true", help="validate and report only")
    parser.add_argument("--output", type=Path, default=TARGET)
    parser.add_argument(
        "--dev-sets",
        action="store_true",
        help="also the titles of the real Swedish development sets (real_sv_dev*.csv)",
    )
    args = parser.parse_args()
    report: list[str] = []
    rows = read_rows(args.files, report)
    if args.dev_sets:
        rows += read_dev_sets(report)
    rows = deduplicate(rows, report)
    if args.part == "learn":
        rows = [r for r in rows if title_part(r["organisation"]) == "learn"]
    rows.sort(key=lambda r: (r["service"], r["organisation"], r["name"]))
    for line in report:
        print(line, file=sys.stderr)
    services = Counter(r["service"] for r in rows)
    parts = Counter(title_part(r["organisation"]) for r in rows)
    print(
        f"{len(rows)} rows, {len({r['organisation'] for r in rows})} organisations, "
        f"{len(services)} services ({services.get(COMBINED, 0)} combined rows); "
        f"learn {parts['learn']}, score {parts['score']}"
    )
    if args.check:
        return
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
