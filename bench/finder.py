"""Benchmark: the public finder /hitta/ and journey maps on the demo data.

Run by hand: `.venv/bin/python bench/finder.py`. Builds the demo scenario in a throw-away
SQLite database, then times requests through Django's test client (no network).
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time

QUERIES = [
    "vi ska flytta till Malmö",
    "mamma klarar sig inte hemma längre",
    "jag vill starta ett kafé",
    "vi väntar barn",
    "jag har blivit arbetslös",
    "äldreboende",
    "bygga altan",
    "min pappa har fått demens",
    "grannen spelar hög musik",
    "vi har fått barn och behöver förskoleplats",
    "we are moving to Malmö",
    "pappa känner inte igen mig längre " * 20,
]


def main(rounds: int = 5) -> None:
    os.environ["DB_NAME"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mellanrum.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from mellanrum.cli import DEMO_USERS
    from mellanrum.landscape.actions import do_load_reference_data
    from mellanrum.landscape.demo import do_load_demo

    call_command("migrate", verbosity=0)
    do_load_reference_data()
    do_load_demo(users=DEMO_USERS)
    client = Client(HTTP_HOST="localhost")
    started = time.perf_counter()
    client.get("/hitta/", {"place": "Nacka", "q": "flyttar"})
    first = time.perf_counter() - started

    def timed(path: str, params: dict[str, str]) -> float:
        start = time.perf_counter()
        response = client.get(path, params)
        assert response.status_code == 200, (path, params, response.status_code)
        return (time.perf_counter() - start) * 1000

    finder = [timed("/hitta/", {"place": "Nacka", "q": q}) for _ in range(rounds) for q in QUERIES]
    journey = [
        timed("/livshandelser/flytta-till-annan-kommun/", {"municipality": "0182", "to": "1280"})
        for _ in range(rounds * 4)
    ]
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"first finder request (builds the analyser): {first * 1000:.0f} ms")
    for name, times in (("finder", finder), ("journey map (move)", journey)):
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"{name}: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
              f"n={len(times)}")


if __name__ == "__main__":
    main()
