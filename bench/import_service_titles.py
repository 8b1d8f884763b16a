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

``--dev-sets`` adds the titles of the real Swedish development sets (``real_sv_dev*.csv``), but
only of the parts the matcher is tuned on: dev half a (``real_sv_dev.csv`` +
``real_sv_dev2.csv``), the tune halves of dev3, dev4, dev6, dev7 and dev8, and all of dev5 (a
development corpus without a check half); never a check half, so that
``commonality_eval.py --real devN --half check`` stays a check.  Their gold slugs are mapped onto
the corpus's services with the reviewed table ``bench/service_titles_dev_map.csv`` (``=``: the
slug is a service of its own, ``-``: left out, ``combined``: a page naming two services; a row
with a ``title`` applies to that title only); a title the corpus already holds for the same
organisation keeps the corpus's label and is not added again; each
row is written with its set's file as ``origin``, which keeps it out of the corpus's scored
titles (``service_titles.scored_rows``).  Input files may be the shipped file itself: its
development rows (those with an ``origin``) are dropped and written anew.

    python bench/import_service_titles.py --dev-sets \
        mellanrum/engines/textmatch/data/service_titles_sv.csv [new corpus files ...]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mellanrum.engines.textmatch.service_titles import (
    COLUMNS,
    COMBINED,
    SLUG_RE,
    title_part,
)
from mellanrum.engines.textmatch.service_titles import (
    title_key as _title_key,
)

TARGET = (
    Path(__file__).resolve().parent.parent
    / "mellanrum/engines/textmatch/data/service_titles_sv.csv"
)
OPTIONAL = ("service_label", "source", "note", "origin")
DEV_MAP = Path(__file__).resolve().parent / "service_titles_dev_map.csv"
# The parts of each development set the matcher is tuned on (see the module docstring): the
# half a file pair, the tune halves, and dev5 whole.
_DEV_SALT = {
    "real_sv_dev.csv": ("mellanrum-dev-half-2026", "a"),
    "real_sv_dev2.csv": ("mellanrum-dev-half-2026", "a"),
    "real_sv_dev3.csv": ("mellanrum-dev3-half-2026", "tune"),
    "real_sv_dev4.csv": ("mellanrum-dev4-half-2026", "tune"),
    "real_sv_dev5.csv": None,
    "real_sv_dev6.csv": ("mellanrum-dev6-half-2026", "tune"),
    "real_sv_dev7.csv": ("mellanrum-dev7-half-2026", "tune"),
    "real_sv_dev8.csv": ("mellanrum-dev8-half-2026", "tune"),
}
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
                if (raw.get("origin") or "").strip():
                    continue  # a development set's row of the shipped file: written anew
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
                        "origin": "",
                    }
                )
    return rows


def read_dev_map() -> dict[tuple[str, str], str]:
    """The reviewed mapping of development-set gold slugs onto the corpus's services:
    (slug, "") → service for every title of the slug, (slug, title casefolded) → service for
    one title (a page naming two services that a set's gold gave one of them)."""
    with DEV_MAP.open(encoding="utf-8", newline="") as handle:
        return {
            (row["dev_slug"].strip(), (row.get("title") or "").strip().casefold()): row[
                "service"
            ].strip()
            for row in csv.DictReader(line for line in handle if not line.startswith("#"))
        }


def _learned_half(path: Path, gold: str) -> bool:
    """Whether gold group `gold` of the development set `path` is in a part the matcher is
    tuned on (the hashes of ``commonality/evaluation/__init__.py``)."""
    if path.name not in _DEV_SALT:
        return False  # a set added later: nothing until its parts are decided
    salt_half = _DEV_SALT[path.name]
    if salt_half is None:
        return True
    salt, half = salt_half
    digest = int(hashlib.sha1(f"{salt}:{gold}".encode()).hexdigest(), 16)
    halves = ("a", "b") if half == "a" else ("tune", "check")
    return halves[digest % 2] == half


def read_dev_sets(report: list[str]) -> list[dict[str, str]]:
    """The tuned-on parts of the real Swedish development sets (``real_sv_dev*.csv``), gold
    slugs mapped by :func:`read_dev_map`."""
    mapping = read_dev_map()
    rows = []
    folder = TARGET.parent.parent.parent / "commonality/evaluation"
    unmapped: Counter[str] = Counter()
    # A check half's titles are never learned, even when a tuned-on set holds the same title of
    # the same organisation (dev5 and dev6's check half share one page).
    checked = set()
    for path in sorted(folder.glob("real_sv_dev*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            checked |= {
                _title_key(raw["organisation"], raw["name"])
                for raw in csv.DictReader(handle)
                if not _learned_half(path, raw["gold_concept"].strip())
            }
    for path in sorted(folder.glob("real_sv_dev*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for raw in csv.DictReader(handle):
                gold = raw["gold_concept"].strip()
                if not _learned_half(path, gold):
                    continue
                name = _SPACE.sub(" ", raw["name"]).strip()
                if _title_key(raw["organisation"], name) in checked:
                    report.append(f"{path.name}: {name!r} is also in a check half; left out")
                    continue
                service = mapping.get((gold, name.casefold()), mapping.get((gold, "")))
                if service is None:
                    unmapped[gold] += 1
                    service = gold
                elif service == "=":
                    service = gold
                elif service == "-":
                    continue
                if not SLUG_RE.match(service):
                    report.append(f"{path.name}: bad slug {service!r} for {gold!r}; dropped")
                    continue
                rows.append(
                    {
                        "organisation": _SPACE.sub(" ", raw["organisation"]).strip(),
                        "name": name,
                        "service": service,
                        "source": raw.get("source", "").strip(),
                        "origin": path.name,
                    }
                )
    for gold, count in sorted(unmapped.items()):
        report.append(f"dev slug {gold!r} ({count} rows) not in {DEV_MAP.name}; kept as is")
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
        help="also the tuned-on parts of the real Swedish development sets (real_sv_dev*.csv), "
        "slugs mapped by bench/service_titles_dev_map.csv",
    )
    args = parser.parse_args()
    report: list[str] = []
    rows = read_rows(args.files, report)
    if args.dev_sets:
        # A title the corpus already holds for the organisation keeps the corpus's label (its
        # collectors filed pages naming two services as combined; some sets' gold did not).
        held = {_title_key(r["organisation"], r["name"]) for r in rows}
        dev_rows = read_dev_sets(report)
        new = [r for r in dev_rows if _title_key(r["organisation"], r["name"]) not in held]
        report.append(
            f"development sets: {len(dev_rows)} titles, {len(dev_rows) - len(new)} already in "
            "the corpus for the same organisation (the corpus's row kept)"
        )
        rows += new
    rows = deduplicate(rows, report)
    if args.part == "learn":
        rows = [r for r in rows if title_part(r["organisation"]) == "learn"]
    rows.sort(key=lambda r: (r["service"], r["organisation"], r["name"]))
    for line in report:
        print(line, file=sys.stderr)
    services = Counter(r["service"] for r in rows)
    parts = Counter(title_part(r["organisation"]) for r in rows if not r["origin"])
    origins = Counter(r["origin"] for r in rows if r["origin"])
    print(
        f"{len(rows)} rows, {len({r['organisation'] for r in rows})} organisations, "
        f"{len(services)} services ({services.get(COMBINED, 0)} combined rows); "
        f"corpus learn {parts['learn']}, score {parts['score']}; development sets "
        f"{sum(origins.values())} ({', '.join(f'{k} {v}' for k, v in sorted(origins.items()))})"
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
