"""Runs the load test (bench/load/locustfile.py) against Mellanrum served as in production.

For each user count it builds a fresh throw-away demo database, starts
``mellanrum serve --host 127.0.0.1 --port 8765 --threads 16`` (Waitress), sends one warm-up request,
runs locust headless, stops the server and prints throughput, p50/p95/p99 and the error count.
Only 127.0.0.1 is ever targeted, and every wait is bounded in time.

    .venv/bin/python bench/load/run.py                      # SQLite, 20 and 100 users, 60 s each
    .venv/bin/python bench/load/run.py --users 20 --run-time 30s

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
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

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
            proc.kill()
            proc.wait(timeout=10)


def prepare_db(env: dict, out: Path, label: str, postgres: bool) -> None:
    if postgres:
        env["DB_NAME"] = f"mellanrum_load_{label}"
        subprocess.run(
            [
                "dropdb",
                "--if-exists",
                "-h",
                env.get("DB_HOST", "localhost"),
                "-p",
                env.get("DB_PORT", "5432"),
                "-U",
                env.get("DB_USER", "postgres"),
                env["DB_NAME"],
            ],
            env=env,
            check=True,
            timeout=60,
        )
        subprocess.run(
            [
                "createdb",
                "-h",
                env.get("DB_HOST", "localhost"),
                "-p",
                env.get("DB_PORT", "5432"),
                "-U",
                env.get("DB_USER", "postgres"),
                env["DB_NAME"],
            ],
            env=env,
            check=True,
            timeout=60,
        )
    else:
        env["DB_NAME"] = str(out / f"load-{label}.sqlite3")
    with open(out / f"demo-{label}.log", "w") as log:
        subprocess.run(
            [str(BIN / "mellanrum"), "demo"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=600,
        )


def summary(prefix: Path) -> dict:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = {row["Name"]: row for row in csv.DictReader(fh)}
    agg = rows["Aggregated"]
    return {
        "requests": int(agg["Request Count"]),
        "failures": int(agg["Failure Count"]),
        "rps": float(agg["Requests/s"]),
        "p50": float(agg["50%"]),
        "p95": float(agg["95%"]),
        "p99": float(agg["99%"]),
        "rows": rows,
    }


def run_once(users: int, args: argparse.Namespace, out: Path) -> dict:
    label = f"{'pg' if args.postgres else 'sqlite'}-{users}u"
    env = dict(os.environ, ALLOWED_HOSTS="127.0.0.1,localhost", DEBUG="0")
    if args.postgres and env.get("DB") != "postgres":
        raise SystemExit("--postgres needs the DB_* variables from .ci/postgres.sh")
    if not args.postgres:
        for name in ("DB", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD"):
            env.pop(name, None)
    print(f"[{label}] building the demo database …", flush=True)
    prepare_db(env, out, label, args.postgres)
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
        ],
        env=env,
        cwd=ROOT,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(server)
        # One warm-up request, as a long-running server would already have built its finder index.
        with urllib.request.urlopen(BASE + "/hitta/?place=Nacka&q=flytta", timeout=30):
            pass
        prefix = out / label
        conflicts_file = out / f"conflicts-{label}.json"
        seconds = int(args.run_time.rstrip("s"))
        print(f"[{label}] locust: {users} users for {args.run_time} …", flush=True)
        with open(out / f"locust-{label}.log", "w") as log:
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "bench/load/locustfile.py"),
                    "--headless",
                    "-u",
                    str(users),
                    "-r",
                    str(args.spawn_rate or users),
                    "--run-time",
                    args.run_time,
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
                env=dict(env, LOAD_CONFLICTS_FILE=str(conflicts_file)),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=seconds + 120,
            )
    finally:
        stop(server)
        server_log.close()
    result = summary(prefix)
    result["label"] = label
    result["conflicts"] = json.loads(conflicts_file.read_text()) if conflicts_file.exists() else {}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--run-time", default="60s", help="seconds, e.g. 60s")
    parser.add_argument("--spawn-rate", type=float, default=None, help="default: all at once")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="mellanrum-load-"))
    out.mkdir(parents=True, exist_ok=True)
    if not shutil.which(str(BIN / "locust")):
        raise SystemExit(f"locust is not installed in {BIN}: {BIN}/pip install locust")
    print(f"Machine: {machine()}; output in {out}", flush=True)
    results = [run_once(users, args, out) for users in args.users]
    print()
    print(
        "| Run | Requests | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | Errors "
        "| Edit conflicts (409) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['label']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
            f"| {r['p99']:.0f} | {r['failures']} | {r['conflicts'].get('edit', '?')} |"
        )
    for r in results:
        print(f"\n{r['label']}: slowest endpoints by p95")
        named = [row for name, row in r["rows"].items() if name != "Aggregated"]
        named.sort(key=lambda row: float(row["95%"]), reverse=True)
        for row in named[:8]:
            print(
                f"  {row['Type']:5} {row['Name']:55} n={row['Request Count']:>5} "
                f"p50={row['50%']:>5} p95={row['95%']:>5} p99={row['99%']:>5} "
                f"fail={row['Failure Count']}"
            )
        failures = Path(f"{out / r['label']}_failures.csv")
        if r["failures"] and failures.exists():
            print("  failures:")
            for line in failures.read_text().splitlines()[1:10]:
                print("   ", line[:200])


if __name__ == "__main__":
    main()
