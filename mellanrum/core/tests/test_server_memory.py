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
