"""The app server's process-wide memory settings (mellanrum/lib/memory.py) and the chart
helper's warm-up (mellanrum/lib/chart_worker.py)."""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import sys

import pytest

from mellanrum.lib import chart_worker, memory


def _glibc() -> bool:
    name = ctypes.util.find_library("c")
    return bool(name) and hasattr(ctypes.CDLL(name), "gnu_get_libc_version")


def test_arena_limit_is_set_on_glibc_in_a_fresh_process() -> None:
    # In a process of its own: the limit stays for the rest of the process.
    code = "from mellanrum.lib.memory import limit_malloc_arenas as f; print(f())"
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    assert result.stdout.strip() == str(_glibc())


def test_an_operators_malloc_arena_max_is_left_to_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert memory.limit_malloc_arenas() is False


def test_the_chart_helper_warms_up_by_drawing_a_chart() -> None:
    assert chart_worker.ready() is True


# Fills malloc's heap with 40 MB of 2 kB objects (Python hands objects over 512 bytes to
# malloc), keeps one in 200 so that the freed space is scattered, then prints the resident
# memory in MB before and after the given step.
_FRAGMENTED_HEAP = """
import sys
from mellanrum.lib import memory

def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

blocks = [bytes(2000) + bytes([i % 256]) for i in range(20_000)]
kept = blocks[::200]
del blocks
before = resident()
if sys.argv[1] == "trim":
    memory.trim_freed_memory()
print(before, resident())
"""


def _resident_before_and_after(step: str) -> tuple[float, float]:
    result = subprocess.run([sys.executable, "-c", _FRAGMENTED_HEAP, step], capture_output=True,
                            text=True, check=True)
    before, after = result.stdout.split()
    return float(before), float(after)


@pytest.mark.skipif(not _glibc() or not sys.platform.startswith("linux"),
                    reason="malloc_trim is glibc's; /proc is Linux's")
def test_trimming_hands_scattered_freed_memory_back_to_the_system() -> None:
    untrimmed_before, untrimmed_after = _resident_before_and_after("nothing")
    trimmed_before, trimmed_after = _resident_before_and_after("trim")
    assert untrimmed_before - untrimmed_after < 5  # glibc keeps it by itself
    assert trimmed_before - trimmed_after > 25  # of the 40 MB freed


def test_trimming_runs_in_a_background_thread() -> None:
    thread = memory.start_trimming(3600)  # asleep for the rest of the test run
    assert thread is not None or not _glibc()
    if thread is not None:
        assert thread.daemon and thread.is_alive()


def test_trimming_is_off_at_zero_seconds() -> None:
    assert memory.start_trimming(0) is None
