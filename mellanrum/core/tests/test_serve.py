"""`mellanrum serve`, started as a user starts it: one process (Waitress) or several (Gunicorn)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="reads /proc; workers need POSIX")

# Starts `mellanrum serve` with extra options; gives the process and its base URL.
Start = Callable[..., tuple[subprocess.Popen[bytes], str]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    family = {pid}
    while True:
        more = {child for child, parent in parents.items() if parent in family} - family
        if not more:
            return family - {pid}
        family |= more


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DB")}
    return {**env, "DB_NAME": str(tmp_path / "serve.sqlite3"), "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1", "CHART_CACHE_DIR": str(tmp_path / "charts")}


@pytest.fixture
def start(server_env: dict[str, str]) -> Iterator[Start]:
    started: list[subprocess.Popen[bytes]] = []

    def run(*options: str) -> tuple[subprocess.Popen[bytes], str]:
        port = _free_port()
        command = [str(Path(sys.executable).parent / "mellanrum"), "serve", "--port", str(port),
                   *options]
        process = subprocess.Popen(command, env=server_env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90  # the first start creates the database
        while time.monotonic() < deadline:
            assert process.poll() is None, "the server exited"
            try:
                with urllib.request.urlopen(base + "/om/", timeout=5) as response:
                    assert response.status == 200
                    return process, base
            except OSError:
                time.sleep(0.3)
        raise AssertionError("the server did not answer")

    yield run
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_several_workers_share_one_port_and_stop_together(start: Start) -> None:
    process, base = start("--workers", "2", "--threads", "2")
    # Gunicorn forks its workers one after another (with a short random pause between them),
    # so the first may answer before the second exists: wait for both, within bounds.
    deadline = time.monotonic() + 20
    workers = _descendants(process.pid)
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _descendants(process.pid)
    assert len(workers) >= 2  # two app processes (and, once charts are drawn, their helpers)
    for _ in range(6):
        with urllib.request.urlopen(base + "/organisationer/", timeout=10) as response:
            assert response.status == 200 and b"<main" in response.read()
    workers |= _descendants(process.pid)  # with the chart helpers started meanwhile
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=40) == 0
    deadline = time.monotonic() + 10  # a chart helper notices its worker is gone within ~1 s
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.3)
    assert not {pid for pid in workers if Path(f"/proc/{pid}").exists()}, "workers left behind"


def test_one_worker_is_waitress(start: Start) -> None:
    process, base = start()
    with urllib.request.urlopen(base + "/om/", timeout=10) as response:
        assert response.headers["Server"] == "Mellanrum"  # Waitress's ident
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=40) in (0, -signal.SIGTERM)


def test_each_worker_starts_its_chart_helper_before_any_chart_is_drawn(start: Start) -> None:
    process, _base = start("--workers", "2", "--threads", "2")
    deadline = time.monotonic() + 30
    helpers: set[int] = set()
    while time.monotonic() < deadline:
        workers = {pid for pid in _descendants(process.pid)
                   if _parent(pid) == process.pid}
        helpers = {pid for pid in _descendants(process.pid) if _parent(pid) in workers}
        if len(workers) >= 2 and {_parent(pid) for pid in helpers} >= workers:
            break
        time.sleep(0.3)
    assert len(helpers) >= 2, "each of the two workers has its own chart helper process"
    family = _descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=40) == 0
    deadline = time.monotonic() + 10  # a helper notices its worker is gone within a second
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in family):
        time.sleep(0.3)
    assert not {pid for pid in family if Path(f"/proc/{pid}").exists()}, "processes left behind"


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0
