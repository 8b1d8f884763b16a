"""CPU time per request, per kind of URL of the load test, measured in one process.

A load test on a shared machine measures the machine as much as the app; this measures only
the app: it serves the load test's kinds of request (bench/load/locustfile.py) through Django's
test client, in this process, against a database built by ``bench/load/run.py`` (or a copy of
it), and reports the CPU time (``time.process_time``) of each request, by kind. Charts are drawn
in this process (``CHART_RENDER_PROCESSES=0``) into an empty chart cache, so a picture's first
fetch counts its drawing, as in the load test; PostgreSQL's own CPU is not counted.

    eval "$(.ci/postgres.sh start /tmp/pgload 55450)"
    .venv/bin/python bench/load/run.py --postgres --dataset national --users 1 --run-time 5s
    createdb -h 127.0.0.1 -p 55450 -U postgres -T mellanrum_load_template_national cpu_copy
    DB_NAME=cpu_copy .venv/bin/python bench/load/cpu.py --rounds 20
    DB_NAME=cpu_copy .venv/bin/python bench/load/cpu.py --profile "/gemensamt/begrepp/[id]/"
    DB_NAME=cpu_copy .venv/bin/python bench/load/cpu.py --rounds 10 --memory

The average over the load mix weights each kind by its share of the requests of the 100-user
national run (``MIX``, or ``--mix`` with a locust ``*_stats.csv``). Edits are posted back to
the database, so use a copy.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import html
import io
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mellanrum.settings")
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["CHART_RENDER_PROCESSES"] = "0"
os.environ["CHART_CACHE_DIR"] = tempfile.mkdtemp(prefix="mellanrum-cpu-charts-")
os.environ["PAGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="mellanrum-cpu-pages-")

import traffic as mix  # noqa: E402
from national import PASSWORD, USERNAME  # noqa: E402

# Requests per kind in the 100-user national run of 2026-12-07 (before this round's work).
MIX: dict[str, int] = {
    "/": 74, "/ (logged in)": 15, "/diagram/[hash].svg": 791, "/gemensamt/": 100,
    "/gemensamt/begrepp/[id]/": 125, "/gemensamt/mojligheter/": 66,
    "/hitta/?place=Nacka&q=…": 507, "/konto/logga-in/ [GET]": 9,
    "/konto/logga-in/ [POST] (national user)": 10, "/konto/logga-ut/": 9,
    "/livshandelser/[slug]/": 166, "/organisationer/?filters": 351,
    "/organisationer/[code]/": 326, "/organisationer/[code]/ (editor)": 81,
    "/organisationer/[code]/ (own)": 102, "/samverkan/": 132, "/samverkan/[id]/": 84,
    "/samverkan/[id]/nyttorealisering/": 54, "/verksamheter/?q=…": 290,
    "/verksamheter/?q=… (national)": 57, "/verksamheter/[id]/": 129,
    "/verksamheter/[id]/andra/ [GET]": 87, "/verksamheter/[id]/andra/ [POST]": 87,
}
# Of the 791 chart pictures fetched in that run, 435 were not yet in the cache (their first
# fetch); with pictures drawn ahead (--charts-from) fewer are drawn when fetched.
FIRST_SHARE = 435 / 791
PICTURE_RE = re.compile(r'<img src="(/diagram/[0-9a-f]{64}\.svg[^"]*)"')


def print_growth(after: tracemalloc.Snapshot) -> None:
    """What was allocated since tracing started and is still alive, by the innermost lines
    of the project's own code in its traceback (the cache or object that holds it)."""
    sizes: dict[str, list[int]] = {}
    for trace in after.traces:
        frames = [f for f in trace.traceback if "/mellanrum/" in f.filename] or list(
            trace.traceback)[-2:]
        where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in frames[-3:])
        entry = sizes.setdefault(where, [0, 0])
        entry[0] += trace.size
        entry[1] += 1
    total = sum(size for size, _count in sizes.values())
    print(f"\nMemory allocated since tracing started and still alive: {total / 2**20:.1f} MB")
    for where, (size, count) in sorted(sizes.items(), key=lambda kv: -kv[1][0])[:25]:
        print(f"  {size / 1024:9.0f} kB {count:7d} blocks  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="requests per kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", default=None, metavar="KIND",
                        help="print cProfile's top functions for this kind (or 'all')")
    parser.add_argument("--mix", type=Path, default=None,
                        help="a locust *_stats.csv whose request counts weight the kinds")
    parser.add_argument("--charts-from", type=Path, default=None, metavar="DIR",
                        help="start with a copy of this chart cache (the pictures drawn ahead "
                        "for the database, as bench/load/run.py keeps them) instead of none")
    parser.add_argument("--memory", action="store_true",
                        help="trace allocations (tracemalloc) and print what grew between the "
                        "end of the warm-up round and the end of the run, by source line")
    parser.add_argument("--memory-first-round", action="store_true",
                        help="as --memory, but trace from the start of the warm-up round: what "
                        "a newly forked app process keeps beyond the start-up warm-up "
                        "(mellanrum/wsgi.py) once it has served each kind of request")
    args = parser.parse_args()
    if args.charts_from:
        shutil.rmtree(os.environ["CHART_CACHE_DIR"])
        shutil.copytree(args.charts_from, os.environ["CHART_CACHE_DIR"])

    import django

    django.setup()
    from django.test import Client

    import mellanrum.wsgi  # noqa: F401  (start-up as in production: gc.freeze)
    from mellanrum.core.models import User
    from mellanrum.landscape.models import Activity, Organisation

    def yardstick() -> float:
        """CPU ms of one fixed piece of work (a PBKDF2 password hash): on a shared machine
        every request's CPU time grows when other processes compete for the cores' caches,
        so runs are compared relative to this."""
        from django.contrib.auth.hashers import make_password

        started = time.process_time()
        for _ in range(3):
            make_password("mellanrum", salt="yardstick")
        return (time.process_time() - started) / 3 * 1000

    stick = [yardstick()]
    rng = random.Random(args.seed)
    weights = MIX
    if args.mix:
        with open(args.mix, newline="") as fh:
            weights = {row["Name"]: int(row["Request Count"]) for row in csv.DictReader(fh)
                       if row["Name"] != "Aggregated"}

    anonymous, editor = Client(), Client()
    editor.force_login(User.objects.get(username="demo"))
    national_users = list(User.objects.filter(username__startswith=USERNAME[:3])
                          .order_by("username")[::97][:args.rounds])
    nationals = []
    for user in national_users:
        client = Client()
        client.force_login(user)
        home = client.get("/").content.decode()
        own = mix.OWN_ORG_RE.search(home)
        nationals.append((client, own.group(1) if own else None))
    codes = list(Organisation.objects.values_list("code", flat=True))
    nacka = list(Activity.objects.filter(organisation__code=mix.NACKA).values_list("pk",
                                                                                  flat=True))
    concepts = mix.CONCEPT_RE.findall(editor.get("/gemensamt/").content.decode())
    concepts += mix.CONCEPT_RE.findall(editor.get("/gemensamt/mojligheter/").content.decode())
    concepts = sorted(set(concepts))
    first = nationals[0][0]
    initiatives = sorted({int(i) for i in mix.INITIATIVE_RE.findall(
        first.get("/samverkan/").content.decode())})

    cpu: dict[str, list[float]] = {}
    pictures: list[tuple[Client, str, str]] = []
    profiler = cProfile.Profile()

    warming = True  # the first round only warms up (the finder's index, templates, caches)

    def timed(kind: str, call: Callable[[], object]) -> object:
        if warming:
            return call()
        profiling = args.profile in (kind, "all")
        started = time.process_time()
        if profiling:
            profiler.enable()
        response = call()
        if profiling:
            profiler.disable()
        cpu.setdefault(kind, []).append((time.process_time() - started) * 1000)
        return response

    def page(kind: str, client: Client, url: str, **kwargs: object) -> str:
        response = timed(kind, lambda: client.get(url, **kwargs))
        status = getattr(response, "status_code", 0)
        if status >= 500 or (status >= 400 and kind not in ("/samverkan/[id]/",
                                                              "/samverkan/[id]/nyttorealisering/")):
            raise SystemExit(f"{kind}: {url} answered {status}")
        text = response.content.decode() if status == 200 else ""  # type: ignore[attr-defined]
        pictures.extend((client, html.unescape(p), kind) for p in PICTURE_RE.findall(text))
        return text

    ledgers: set[str] = set()
    baseline = False
    for n in range(args.rounds + 1):
        warming = n == 0
        tracing_from = 0 if args.memory_first_round else 1 if args.memory else None
        if n == tracing_from:  # only what is allocated from now on is traced
            tracemalloc.start(10)
            baseline = True
        page("/", anonymous, "/")
        params = {"sort": rng.choice(mix.SORTS)}
        if rng.random() < 0.6:
            params["county"] = rng.choice(mix.COUNTIES)
        if rng.random() < 0.4:
            params["kind"] = rng.choice(mix.KINDS)
        if rng.random() < 0.3:
            params["band"] = rng.choice(mix.BANDS)
        page("/organisationer/?filters", anonymous, "/organisationer/", data=params)
        page("/organisationer/[code]/", anonymous, f"/organisationer/{rng.choice(codes)}/")
        page("/hitta/?place=Nacka&q=…", anonymous, "/hitta/",
             data={"place": "Nacka", "q": rng.choice(mix.FINDER_PHRASES)})
        page("/livshandelser/[slug]/", anonymous, f"/livshandelser/{rng.choice(mix.LIFE_EVENTS)}/")
        search = {"q": rng.choice(mix.ACTIVITY_SEARCHES)}
        if rng.random() < 0.5:
            search["organisation"] = mix.NACKA
        page("/verksamheter/?q=…", editor, "/verksamheter/", data=search)
        pk = rng.choice(nacka)
        page("/verksamheter/[id]/", editor, f"/verksamheter/{pk}/")
        page("/organisationer/[code]/ (editor)", editor, f"/organisationer/{mix.NACKA}/")
        page("/gemensamt/", editor, "/gemensamt/")
        page("/gemensamt/mojligheter/", editor, "/gemensamt/mojligheter/")
        page("/gemensamt/begrepp/[id]/", editor, rng.choice(concepts))
        form = page("/verksamheter/[id]/andra/ [GET]", editor, f"/verksamheter/{pk}/andra/")
        data = mix.form_fields(form)
        data["description"] = f"Beskrivning uppdaterad under mätningen {rng.randint(1, 10**6)}."
        posted = timed("/verksamheter/[id]/andra/ [POST]",
                       lambda pk=pk, data=data: editor.post(f"/verksamheter/{pk}/andra/", data))
        if getattr(posted, "status_code", 0) not in (302, 409):
            raise SystemExit(f"the edit of activity {pk} was not saved")
        client, own = nationals[n % len(nationals)]
        page("/ (logged in)", client, "/")
        if own:
            page("/organisationer/[code]/ (own)", client, f"/organisationer/{own}/")
        search = {"q": rng.choice(mix.ACTIVITY_SEARCHES)}
        if own:
            search["organisation"] = own
        page("/verksamheter/?q=… (national)", client, "/verksamheter/", data=search)
        page("/samverkan/", client, "/samverkan/")
        text = page("/samverkan/[id]/", client, f"/samverkan/{rng.choice(initiatives)}/")
        ledgers.update(mix.LEDGER_RE.findall(text))
        if ledgers:
            page("/samverkan/[id]/nyttorealisering/", client, rng.choice(sorted(ledgers)))
    warming = False
    for n in range(min(3, args.rounds)):
        client = Client()
        page("/konto/logga-in/ [GET]", client, "/konto/logga-in/")
        username = USERNAME % (1 + 37 * n)
        timed("/konto/logga-in/ [POST] (national user)", lambda c=client, u=username: c.post(
            "/konto/logga-in/", {"username": u, "password": PASSWORD, "next": "/"}))
        timed("/konto/logga-ut/", lambda c=client: c.post("/konto/logga-ut/"))

    # Each picture as its page's viewer fetches it: its first fetch (drawn then, unless it was
    # drawn ahead), then again (from the cache).
    first, again = "/diagram/[hash].svg (first fetch)", "/diagram/[hash].svg (again)"
    seen: set[str] = set()
    by_page: dict[str, list[float]] = {}
    for client, address, page_kind in pictures:
        key = address.split("?", 1)[0]
        kind = again if key in seen else first
        seen.add(key)
        response = timed(kind, lambda c=client, a=address: c.get(a))
        if getattr(response, "status_code", 0) != 200:
            raise SystemExit(f"{address} answered {getattr(response, 'status_code', 0)}")
        if kind == first:
            by_page.setdefault(page_kind, []).append(cpu[kind][-1])
    first_mean = statistics.mean(cpu.get(first, [0.0]))
    again_mean = statistics.mean(cpu.get(again, [first_mean]))
    cpu["/diagram/[hash].svg"] = [FIRST_SHARE * first_mean + (1 - FIRST_SHARE) * again_mean]

    print(f"{'kind':48} {'n':>4} {'mean':>7} {'median':>7} {'max':>7}  share of mix CPU")
    total_weight = sum(weights.get(k, 0) for k in cpu)
    weighted = sum(weights.get(k, 0) * statistics.mean(v) for k, v in cpu.items())
    for kind, values in sorted(cpu.items(), key=lambda kv: -statistics.mean(kv[1])):
        share = weights.get(kind, 0) * statistics.mean(values) / weighted if weighted else 0
        print(f"{kind:48} {len(values):>4} {statistics.mean(values):>7.1f} "
              f"{statistics.median(values):>7.1f} {max(values):>7.1f}  {share:6.1%}")
    stick.append(yardstick())
    mean_stick = statistics.mean(stick)
    print(f"\nCPU per request over the load mix: {weighted / total_weight:.1f} ms "
          f"({total_weight} requests weighted; {FIRST_SHARE:.0%} of pictures first fetches)")
    print(f"Yardstick (one PBKDF2 hash): {stick[0]:.0f} ms before, {stick[1]:.0f} ms after; "
          f"CPU per request = {weighted / total_weight / mean_stick:.3f} hashes")
    print("\nFirst fetches of pictures, by the page that showed them first:")
    for page_kind, values in sorted(by_page.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {page_kind:46} {len(values):>4} pictures, {statistics.mean(values):6.1f} ms "
              f"each, {sum(values):7.0f} ms in all")
    if baseline:
        print_growth(tracemalloc.take_snapshot())
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    main()
