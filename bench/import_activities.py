"""Benchmark: parse, plan and apply a 50,000-row Swedish Excel CSV import.

Run by hand: `.venv/bin/python bench/import_activities.py [ROWS]`. Uses a throw-away SQLite
database in a temporary directory, so it never touches your data.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time


def swedish_csv(rows: int) -> bytes:
    lines = ["Nyckel;Namn;Beskrivning;Typ;Årskostnad (kr);Volym per år;Ledtid (dagar);IT-system"]
    for i in range(1, rows + 1):
        cost = f"{i * 1000:,}".replace(",", "\u00a0") + ",50"
        lines.append(
            f"v{i};Verksamhet nummer {i};Beskrivning av verksamhet {i}.;e-tjänst;{cost};"
            f"{i % 900};{i % 60};System {i % 25} (Leverantör {i % 5})"
        )
    return ("\ufeff" + "\r\n".join(lines)).encode("utf-8")


def main(rows: int) -> None:
    tmp = tempfile.mkdtemp()
    os.environ["DB_NAME"] = os.path.join(tmp, "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mellanrum.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from mellanrum.landscape import actions, imports
    from mellanrum.landscape.models import Organisation

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(code="9999", name="Benchkommun",
                                               kind="municipality", population=100_000)
    data = swedish_csv(rows)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {rows} rows, {len(data) / 1e6:.1f} MB")

    started = time.perf_counter()
    result = imports.parse_for(organisation, data, "bench.csv")
    parsed = time.perf_counter()
    assert result.ok, result.errors[:3]
    plan = actions.plan_import(organisation, result.rows)
    planned = time.perf_counter()
    actions.do_import_activities(organisation, result.rows, acting_user=None)
    applied = time.perf_counter()
    result = imports.parse_for(organisation, data, "bench.csv")
    again = actions.do_import_activities(organisation, result.rows, acting_user=None)
    reimported = time.perf_counter()
    assert len(plan.new) == rows and again.unchanged == rows
    print(f"parse {parsed - started:.1f} s, preview {planned - parsed:.1f} s, "
          f"apply {applied - planned:.1f} s, re-import unchanged {reimported - applied:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
