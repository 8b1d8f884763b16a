"""Runs the load test (bench/load/locustfile.py) against Mellanrum served as in production.

For each user count it builds a fresh throw-away database (``--dataset demo``: ``mellanrum demo``,
28 organisations with ~3,000 activities; ``--dataset 290x150``: the demo grown to 290
municipalities × 150 activities = 43,500 by ``bench/load/scale.py``; ``--dataset national``:
that, plus 21 regions and the state agencies with activities, 30 initiatives with partners and
ledgers and 10,000 users, by ``bench/load/national.py``), opens one session per
simulated editor through the log-in form, starts
``mellanrum serve --host 127.0.0.1 --port 8765 --threads 16`` (Waitress; with ``--workers N``,
Gunicorn with N processes), sends one warm-up request per kind of page, runs locust headless
(the users start over ``--ramp-up`` seconds, then the statistics are reset and ``--run-time``
seconds are measured), stops the server and prints throughput, p50/p95/p99, the error count and
the app's memory (proportional set size of the server and all its child processes, from /proc) at
the start and the end of the measured period. ``--soak 10m`` measures for that long instead of
``--run-time`` and samples the memory every 30 s. Before the server starts and after it stops it
times one PBKDF2 hash (the "yardstick"), which tells how fast the machine's cores were. Only
127.0.0.1 is ever targeted, and every wait is bounded in time.

    .venv/bin/python bench/load/run.py                      # SQLite, 20 and 100 users, 60 s each
    .venv/bin/python bench/load/run.py --users 20 --run-time 30s
    .venv/bin/python bench/load/run.py --dataset 290x150
    .venv/bin/python bench/load/run.py --dataset national --workers 2 --postgres
    .venv/bin/python bench/load/run.py --dataset national --workers 2 --postgres \
        --users 50 --soak 10m
    .venv/bin/python bench/load/run.py --dataset national --per-org 5 --users-count 200 \
        --users 5 --run-time 20s                            # a smoke run in about 3 minutes

PostgreSQL: start a throw-away server first, then pass ``--postgres`` (the DB_* variables from
``.ci/postgres.sh`` are passed through; each run uses a fresh database named ``mellanrum_load_N``):

    eval "$(.ci/postgres.sh start /tmp/pgload 55450)"
    .venv/bin/python bench/load/run.py --postgres
    .ci/postgres.sh stop /tmp/pgload

Locust's CSV files and the server logs are kept in ``--out`` (default: a new /tmp directory).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import http.cookiejar
import json
import math
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national import PASSWORD as NATIONAL_PASSWORD  # noqa: E402
from national import USERNAME as NATIONAL_USERNAME  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


def port_in_use() -> bool:
    """Whether something already listens on HOST:PORT (another load test on a shared machine:
    the run would then measure that server, so it refuses to start)."""
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, PORT)) == 0


def wait_until_up(proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited before it answered")
        try:
            with urllib.request.urlopen(BASE + "/om/", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            try:  # the server runs in a session of its own: take its workers down with it
                os.killpg(proc.pid, signal.SIGKILL)
            except (PermissionError, ProcessLookupError):
                proc.kill()
            proc.wait(timeout=10)


def _pg(tool: str, env: dict, *args: str) -> None:
    subprocess.run(
        [tool, "-h", env.get("DB_HOST", "localhost"), "-p", env.get("DB_PORT", "5432"),
         "-U", env.get("DB_USER", "postgres"), *args],
        env=env, check=True, timeout=600,
    )


def parse_duration(text: str) -> int:
    """Seconds in ``90``, ``90s``, ``10m`` or ``1h``."""
    match = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", text)
    if not match:
        raise SystemExit(f"not a duration: {text!r} (use e.g. 60s, 10m or 1h)")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _pg_has_database(env: dict, name: str) -> bool:
    found = subprocess.run(
        ["psql", "-h", env.get("DB_HOST", "localhost"), "-p", env.get("DB_PORT", "5432"),
         "-U", env.get("DB_USER", "postgres"), "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )
    return found.stdout.strip() == "1"


def template_charts(env: dict, out: Path, template: str, postgres: bool) -> Path:
    """Where the chart pictures drawn while building a template are kept: beside the
    PostgreSQL server (so that --reuse-template finds them), or beside the SQLite file."""
    if postgres:
        return Path(tempfile.gettempdir()) / f"{template}-{env.get('DB_PORT', '5432')}-charts"
    return Path(template + "-charts")


def build_template(env: dict, out: Path, dataset: str, postgres: bool,
                   builder_args: list[str] | None = None, reuse: bool = False) -> str:
    """Builds the dataset once per engine; each run then starts from a fresh copy of it.

    The national dataset's builder also draws the organisation and concept pages' charts
    ahead, as the app does after an analysis, into ``template_charts``; each run starts with a
    copy of those pictures (and none drawn by an earlier run).

    With `reuse` (PostgreSQL only), a template left by an earlier run of the same dataset is
    used as it is: the soak then measures exactly the data the short runs measured."""
    env = dict(env, CHART_PREDRAW="false")  # a builder that wants them draws them itself
    name = f"mellanrum_load_template_{dataset.replace('x', '_')}"
    if postgres:
        env["DB_NAME"] = name
        env["CHART_CACHE_DIR"] = str(template_charts(env, out, name, postgres))
        if reuse and _pg_has_database(env, name):
            print(f"[{dataset}] reusing the PostgreSQL database {name}", flush=True)
            subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput"],
                           env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True,
                           timeout=600)
            if dataset == "national":
                # Draws only what is missing (all of it if the pictures were lost).
                print(f"[{dataset}] drawing the pages' charts ahead …", flush=True)
                subprocess.run([sys.executable, str(ROOT / "bench/load/national.py"),
                                "--charts-only"], env=env, cwd=ROOT, check=True, timeout=3600)
            return name
        _pg("dropdb", env, "--if-exists", name)
        _pg("createdb", env, name)
    else:
        env["DB_NAME"] = name = str(out / f"{name}.sqlite3")
        env["CHART_CACHE_DIR"] = str(template_charts(env, out, name, postgres))
    shutil.rmtree(env["CHART_CACHE_DIR"], ignore_errors=True)
    commands = [[str(BIN / "mellanrum"), "demo"]]
    if dataset == "290x150":
        commands.append([sys.executable, str(ROOT / "bench/load/scale.py"),
                         *(builder_args or [])])
    elif dataset == "national":
        commands.append([sys.executable, str(ROOT / "bench/load/national.py"),
                         *(builder_args or [])])
    print(f"[{dataset}] building the {'PostgreSQL' if postgres else 'SQLite'} database …",
          flush=True)
    with open(out / f"build-{dataset}-{'pg' if postgres else 'sqlite'}.log", "w") as log:
        for command in commands:
            subprocess.run(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                           check=True, timeout=3600)
    return name


def prepare_db(env: dict, out: Path, label: str, postgres: bool, template: str) -> None:
    if postgres:
        env["DB_NAME"] = f"mellanrum_load_{label}".replace("-", "_")
        _pg("dropdb", env, "--if-exists", env["DB_NAME"])
        _pg("createdb", env, "-T", template, env["DB_NAME"])
    else:
        env["DB_NAME"] = str(out / f"load-{label}.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(env["DB_NAME"] + suffix).unlink(missing_ok=True)
        source, target = sqlite3.connect(template), sqlite3.connect(env["DB_NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()


WARM_UP = ["/", "/organisationer/?county=01&sort=name", "/organisationer/0182/",
           "/livshandelser/fa-barn/", "/verksamheter/?q=skola", "/gemensamt/",
           "/gemensamt/mojligheter/", "/organisationer/0182/import/"]


def warm_up(cookies: dict[str, str]) -> None:
    """One request per kind of page (with its chart pictures), as a server that has been running
    for a while has had."""
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())

    def get(url: str) -> str:
        request = urllib.request.Request(BASE + url, headers={"Cookie": header})
        with urllib.request.urlopen(request, timeout=60) as r:
            page = r.read().decode()
        for picture in re.findall(r'<img src="(/diagram/[0-9a-f]{64}\.svg)"', page):
            with urllib.request.urlopen(BASE + picture, timeout=60) as r:
                r.read()
        return page

    for url in WARM_UP:
        page = get(url)
        if url == "/gemensamt/mojligheter/" and 'href="/gemensamt/begrepp/' in page:
            concept = page.split('href="/gemensamt/begrepp/', 1)[1].split('"', 1)[0]
            get(f"/gemensamt/begrepp/{concept}")


def yardstick_ms() -> float:
    """CPU milliseconds of one PBKDF2-SHA256 hash of 1,000,000 iterations (a log-in's hash as
    Django configures it), the median of three, taken while no part of the run is running.
    This machine's cores run up to 1.7 times slower from one minute to the next with nothing
    else running in it (docs/benchmarks.md, round 8), and a run near saturation moves with
    them: the yardstick before and after a run says which speed it had."""
    times = []
    for _ in range(3):
        started = time.process_time()
        hashlib.pbkdf2_hmac("sha256", b"mellanrum", b"yardstick", 1_000_000)
        times.append((time.process_time() - started) * 1000)
    return sorted(times)[1]


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields) - idle) / tick, sum(fields) / tick


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a running process and all its descendants
    (app workers, chart helpers), from /proc."""
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, CPU seconds)
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, (parent, _cpu) in stats.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    return sum(stats[member][1] for member in family if member in stats)


def process_memory_by_member(pid: int) -> dict[int, tuple[str, int]]:
    """pid -> (command line, bytes) for a running process and each of its descendants, from
    /proc: the proportional set size (PSS, /proc/N/smaps_rollup), so that pages Gunicorn's
    forked workers share with their master are counted once, not once per process; the
    resident set size (VmRSS) where PSS cannot be read."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    members: dict[int, tuple[str, int]] = {}
    for member in sorted(family):
        for source, field in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                lines = Path(f"/proc/{member}/{source}").read_text().splitlines()
                command = Path(f"/proc/{member}/cmdline").read_bytes()
            except OSError:
                continue  # not readable, or the process ended meanwhile
            kilobytes = [int(line.split()[1]) for line in lines if line.startswith(field)]
            if kilobytes:
                name = command.replace(b"\0", b" ").decode(errors="replace").strip()[:80]
                members[member] = (name, kilobytes[0] * 1024)
                break
    return members


def open_sessions(count: int, path: Path, logins: list[tuple[str, str]] | None = None) -> float:
    """Logs in ``count`` times through the form (as the demo editor, or as each of ``logins``
    in turn); returns seconds per log-in."""
    sessions, started = [], time.monotonic()
    for n in range(count):
        username, password = logins[n % len(logins)] if logins else ("demo", "mellanrum-demo")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(BASE + "/konto/logga-in/", timeout=30) as r:
            page = r.read().decode()
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username,
                                       "password": password, "next": "/om/"}).encode()
        request = urllib.request.Request(BASE + "/konto/logga-in/", data=data,
                                         headers={"Referer": BASE + "/konto/logga-in/"})
        with opener.open(request, timeout=30) as r:
            r.read()
        cookies = {c.name: c.value for c in jar}
        if "sessionid" not in cookies:
            raise RuntimeError(f"{username} could not log in")
        sessions.append(cookies)
    path.write_text(json.dumps(sessions))
    return (time.monotonic() - started) / max(1, count)


def _ms(value: str) -> float:
    """A latency from locust's CSV; "N/A" (no request of that kind was measured) is 0."""
    try:
        return float(value)
    except ValueError:
        return 0.0


def summary(prefix: Path) -> dict:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = {row["Name"]: row for row in csv.DictReader(fh)}
    agg = rows["Aggregated"]
    return {
        "requests": int(agg["Request Count"]),
        "failures": int(agg["Failure Count"]),
        "rps": float(agg["Requests/s"]),
        "p50": _ms(agg["50%"]),
        "p95": _ms(agg["95%"]),
        "p99": _ms(agg["99%"]),
        "rows": rows,
    }


def base_env(args: argparse.Namespace) -> dict:
    env = dict(os.environ, ALLOWED_HOSTS="127.0.0.1,localhost", DEBUG="0")
    if args.postgres and env.get("DB") != "postgres":
        raise SystemExit("--postgres needs the DB_* variables from .ci/postgres.sh")
    if not args.postgres:
        for name in ("DB", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD"):
            env.pop(name, None)
    else:
        # As docs/deployment.md configures a PostgreSQL installation: each request thread keeps
        # its connection for a minute instead of opening a new one (a new server process)
        # per request. DB_CONN_MAX_AGE=0 in the environment measures without (rounds 1-5).
        env.setdefault("DB_CONN_MAX_AGE", "60")
    return env


def run_once(users: int, args: argparse.Namespace, out: Path, template: str) -> dict:
    label = f"{'pg' if args.postgres else 'sqlite'}-{args.dataset}-{users}u"
    if args.workers > 1:
        label += f"-{args.workers}w"
    if args.soak:
        label += f"-soak{args.soak}"
    env = base_env(args)
    prepare_db(env, out, label, args.postgres, template)
    # A chart cache of its own, so that no run starts with pictures drawn by an earlier one;
    # it holds what the app drew ahead after the dataset's analysis, as an installation has.
    env["CHART_CACHE_DIR"] = str(out / f"charts-{label}")
    shutil.rmtree(env["CHART_CACHE_DIR"], ignore_errors=True)
    env["PAGE_CACHE_DIR"] = str(out / f"pages-{label}")  # each run starts with no page kept
    shutil.rmtree(env["PAGE_CACHE_DIR"], ignore_errors=True)
    drawn_ahead = template_charts(env, out, template, args.postgres)
    if drawn_ahead.is_dir():
        shutil.copytree(drawn_ahead, env["CHART_CACHE_DIR"])
    if port_in_use():
        raise SystemExit(f"something already listens on {HOST}:{PORT}; choose another --port")
    yardstick_before = yardstick_ms()
    server_log = open(out / f"server-{label}.log", "w")
    server = subprocess.Popen(
        [
            str(BIN / "mellanrum"),
            "serve",
            "--host",
            HOST,
            "--port",
            str(PORT),
            "--threads",
            str(args.threads),
            "--workers",
            str(args.workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(server)
        # A long-running server would already have built its finder index.
        with urllib.request.urlopen(BASE + "/hitta/?place=Nacka&q=flytta", timeout=30):
            pass
        sessions_file = out / f"sessions-{label}.json"
        editors = math.ceil(users * 2 / 5) + 1  # Editor has weight 2 of 5
        login_seconds = open_sessions(editors, sessions_file)
        warm_up(json.loads(sessions_file.read_text())[0])
        locust_env = dict(env, LOAD_SESSIONS_FILE=str(sessions_file))
        if args.dataset == "national":
            # National users (weight 1 of 6) reuse pre-opened sessions, spread over the
            # 10,000 users; a few log in again during the run (locustfile.NationalUser).
            national_file = out / f"national-sessions-{label}.json"
            count = math.ceil(users / 6) + 1
            step = max(1, args.users_count // count)
            logins = [(NATIONAL_USERNAME % (1 + i * step), NATIONAL_PASSWORD)
                      for i in range(count)]
            open_sessions(count, national_file, logins)
            locust_env.update(LOAD_NATIONAL_SESSIONS_FILE=str(national_file),
                              LOAD_NATIONAL_USERS=str(args.users_count),
                              LOAD_NATIONAL_USERNAME=NATIONAL_USERNAME,
                              LOAD_NATIONAL_PASSWORD=NATIONAL_PASSWORD)
        prefix = out / label
        conflicts_file = out / f"conflicts-{label}.json"
        seconds = parse_duration(args.soak or args.run_time)
        ramp = args.ramp_up
        print(f"[{label}] locust: {users} users, started over {ramp} s, then measured for "
              f"{seconds} s …", flush=True)
        with open(out / f"locust-{label}.log", "w") as log:
            locust = subprocess.Popen(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "bench/load/locustfile.py"),
                    "--headless",
                    "-u",
                    str(users),
                    "-r",
                    str(users / ramp if ramp else users),
                    "--run-time",
                    f"{ramp + seconds}s",
                    # Measure the steady state: statistics start once every user is running.
                    "--reset-stats",
                    "--stop-timeout",
                    "20",
                    "--host",
                    BASE,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--exit-code-on-error",
                    "0",
                ],
                env=dict(locust_env, LOAD_CONFLICTS_FILE=str(conflicts_file),
                         LOAD_REQUEST_LOG=str(out / f"requests-{label}.json")),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                time.sleep(ramp)
                load_before = os.getloadavg()
                busy_before, server_before = machine_busy(), process_cpu(server.pid)
                locust_before = process_cpu(locust.pid)
                # Each sample keeps every process's share, to tell a worker that grows from
                # a chart helper or the master that does (memory-<run>-processes.csv).
                samples = [(0.0, process_memory_by_member(server.pid))]
                measured_from, measured_wall = time.monotonic(), time.time()
                end = measured_from + max(0.0, seconds - 0.5)
                while (left := end - time.monotonic()) > 0:
                    time.sleep(min(left, 30.0))
                    samples.append((time.monotonic() - measured_from,
                                    process_memory_by_member(server.pid)))
                load_after = os.getloadavg()
                busy_after, server_after = machine_busy(), process_cpu(server.pid)
                locust_after = process_cpu(locust.pid)
                if locust.wait(timeout=120) != 0:
                    raise RuntimeError(f"locust failed; see {out}/locust-{label}.log")
            finally:
                stop(locust)
    finally:
        stop(server)
        server_log.close()
    result = summary(prefix)
    result["label"] = label
    result["yardstick"] = (yardstick_before, yardstick_ms())
    result["login_ms"] = login_seconds * 1000
    memory = [(t, sum(size for _name, size in members.values())) for t, members in samples]
    result["memory"] = memory
    (out / f"memory-{label}.csv").write_text(
        "seconds,pss_bytes\n" + "".join(f"{t:.0f},{rss}\n" for t, rss in memory))
    with (out / f"memory-{label}-processes.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["seconds", "pid", "command", "pss_bytes"])
        for t, members in samples:
            for member, (name, size) in members.items():
                writer.writerow([f"{t:.0f}", member, name, size])
    result["load"] = (load_before, load_after)
    wall = busy_after[1] - busy_before[1]  # CPU-seconds available (all cores) during the run
    locust_cpu = locust_after - locust_before
    ours = (server_after - server_before) + locust_cpu
    busy = busy_after[0] - busy_before[0]
    result["cpu"] = {  # in cores, averaged over the run
        "machine": busy / wall * (os.cpu_count() or 1) if wall else 0.0,
        "server": (server_after - server_before) / wall * (os.cpu_count() or 1) if wall else 0.0,
        "locust": locust_cpu / wall * (os.cpu_count() or 1) if wall else 0.0,
        "other": max(0.0, busy - ours) / wall * (os.cpu_count() or 1) if wall else 0.0,
    }
    result["conflicts"] = json.loads(conflicts_file.read_text()) if conflicts_file.exists() else {}
    result["p95_by_window"] = p95_by_window(out / f"requests-{label}.json", measured_wall,
                                            seconds)
    # Locust's statistics leave out the ramp-up; the server's log covers the whole run.
    server_errors = (out / f"server-{label}.log").read_text(errors="replace").splitlines()
    result["server_errors"] = sum(line.startswith("Internal Server Error:")
                                  for line in server_errors)
    return result


WINDOW_SECONDS = 30


def p95_by_window(requests_file: Path, start: float, seconds: float) -> list[float]:
    """p95 (ms) of the requests ending in each half-minute of the measured period, from the
    locustfile's request log: on this shared machine the latency moves with the host's speed
    from one minute to the next, which one figure for the whole period hides."""
    if not requests_file.exists():
        return []
    ends_and_times = json.loads(requests_file.read_text())
    windows: list[list[float]] = [[] for _ in range(max(1, int(seconds // WINDOW_SECONDS)))]
    for end, _name, milliseconds in ends_and_times:
        index = int((end - start) // WINDOW_SECONDS)
        if 0 <= index < len(windows):
            windows[index].append(milliseconds)
    return [statistics.quantiles(w, n=20)[-1] if len(w) > 1 else float("nan") for w in windows]


def main() -> None:
    global PORT, BASE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--run-time", default="60s", help="measured time, e.g. 60s or 2m")
    parser.add_argument("--soak", default=None, metavar="DURATION",
                        help="a soak test: measure for DURATION (e.g. 10m) instead of "
                        "--run-time, sampling the app's memory every 30 s")
    parser.add_argument("--ramp-up", type=int, default=10,
                        help="seconds over which the users start, before the measurement")
    parser.add_argument("--threads", type=int, default=16, help="request threads per process")
    parser.add_argument("--workers", type=int, default=1,
                        help="app processes (mellanrum serve --workers; more than 1: Gunicorn)")
    parser.add_argument("--port", type=int, default=PORT,
                        help="the port on 127.0.0.1 the app is served on (default: %(default)s)")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--dataset", choices=["demo", "290x150", "national"], default="demo")
    parser.add_argument("--per-org", type=int, default=150,
                        help="290x150 and national: activities per municipality (and region)")
    parser.add_argument("--users-count", type=int, default=10_000,
                        help="national: how many users the dataset has")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--reuse-template", action="store_true",
                        help="PostgreSQL: reuse the dataset an earlier run built (after "
                        "migrating it) instead of building it again")
    args = parser.parse_args()
    PORT, BASE = args.port, f"http://{HOST}:{args.port}"
    out = args.out or Path(tempfile.mkdtemp(prefix="mellanrum-load-"))
    out.mkdir(parents=True, exist_ok=True)
    if not shutil.which(str(BIN / "locust")):
        raise SystemExit(f"locust is not installed in {BIN}: {BIN}/pip install locust")
    print(f"Machine: {machine()}; output in {out}", flush=True)
    if args.soak:
        parse_duration(args.soak)
    parse_duration(args.run_time)
    builder_args = ["--per-org", str(args.per_org)]
    if args.dataset == "national":
        builder_args += ["--users-count", str(args.users_count)]
    template = build_template(base_env(args), out, args.dataset, args.postgres, builder_args,
                              reuse=args.reuse_template)
    results = [run_once(users, args, out, template) for users in args.users]
    print()
    print(
        "| Run | Requests | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | Errors "
        "| Server errors, whole run | Edit conflicts (409) | Log-in (ms) "
        "| Load average before → after | Cores busy: server / locust / other "
        "| App memory (PSS) start → end (MB) | Memory growth "
        "| Yardstick before → after (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---|")
    for r in results:
        before, after = r["load"]
        first, last = r["memory"][0][1], r["memory"][-1][1]
        print(
            f"| {r['label']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
            f"| {r['p99']:.0f} | {r['failures']} | {r['server_errors']} "
            f"| {r['conflicts'].get('edit', '?')} "
            f"| {r['login_ms']:.0f} | {before[0]:.2f} → {after[0]:.2f} "
            f"| {r['cpu']['server']:.2f} / {r['cpu']['locust']:.2f} / {r['cpu']['other']:.2f} "
            f"| {first / 2**20:.0f} → {last / 2**20:.0f} "
            f"| {(last - first) / first * 100 if first else 0:+.1f} % "
            f"| {r['yardstick'][0]:.0f} → {r['yardstick'][1]:.0f} |"
        )
    for r in results:
        print(f"\n{r['label']}: slowest endpoints by p95")
        named = [row for name, row in r["rows"].items() if name != "Aggregated"]
        named.sort(key=lambda row: _ms(row["95%"]), reverse=True)
        for row in named[:8]:
            print(
                f"  {row['Type']:5} {row['Name']:55} n={row['Request Count']:>5} "
                f"p50={row['50%']:>5} p95={row['95%']:>5} p99={row['99%']:>5} "
                f"fail={row['Failure Count']}"
            )
        if r["p95_by_window"]:
            print(f"  p95 by half-minute of the measured period (ms): "
                  f"{', '.join(f'{v:.0f}' for v in r['p95_by_window'])}")
        samples = [rss for _t, rss in r["memory"]]
        print(f"  app memory (PSS, server and children): {samples[0] / 2**20:.0f} MB at the "
              f"start, {max(samples) / 2**20:.0f} MB at most, {samples[-1] / 2**20:.0f} MB at "
              f"the end of the measured period ({len(samples)} samples, "
              f"memory-{r['label']}.csv)")
        failures = Path(f"{out / r['label']}_failures.csv")
        if r["failures"] and failures.exists():
            print("  failures:")
            for line in failures.read_text().splitlines()[1:10]:
                print("   ", line[:200])


if __name__ == "__main__":
    main()
