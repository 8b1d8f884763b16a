"""Process-wide memory settings for the app server.

glibc's malloc gives each thread that allocates under contention an arena of its own, up to
eight per core. An app process runs 8-16 request threads, so it ends up with as many arenas,
each holding freed memory it cannot hand to another arena or back to the system: in the
national load test (docs/benchmarks.md) a worker's private memory grew by about 25 MB more in
its first minutes than with two arenas. Python threads allocate while they hold the
interpreter lock, so they seldom contend for malloc and gain little from arenas of their own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

# mallopt's parameter number for the arena limit, from glibc's <malloc.h>.
M_ARENA_MAX = -8
APP_ARENAS = 2


def limit_malloc_arenas(arenas: int = APP_ARENAS) -> bool:
    """Limits glibc's malloc to ``arenas`` arenas for the threads started from now on; True if
    set. Does nothing where the C library is not glibc, or when the operator has chosen a
    limit in ``MALLOC_ARENA_MAX`` (glibc reads it at start-up). Call it before the request
    threads start: Gunicorn's workers inherit it from the process that forks them."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): no mallopt, nothing to do
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
