"""Process-wide memory settings for the app server.

glibc's malloc gives each thread that allocates under contention an arena of its own, up to
eight per core. An app process runs 8-16 request threads, so it ends up with as many arenas,
each holding freed memory it cannot hand to another arena or back to the system: in the
national load test (docs/benchmarks.md) a worker's private memory grew by about 25 MB more in
its first minutes than with two arenas. Python threads allocate while they hold the
interpreter lock, so they seldom contend for malloc and gain little from arenas of their own.

glibc also keeps what is freed inside its heap until the heap's top is free, so each app
process and chart helper hands its freed memory back to the system every half-minute
(``start_trimming``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time
from collections.abc import Callable

# mallopt's parameter number for the arena limit, from glibc's <malloc.h>.
M_ARENA_MAX = -8
APP_ARENAS = 2


def _glibc_function(name: str) -> Callable[..., int] | None:
    """A function of glibc, or None where the C library is not glibc (musl, macOS)."""
    library = ctypes.util.find_library("c")
    if not library:
        return None
    try:
        function: Callable[..., int] = getattr(ctypes.CDLL(library), name)
    except (OSError, AttributeError):
        return None
    return function


def limit_malloc_arenas(arenas: int = APP_ARENAS) -> bool:
    """Limits glibc's malloc to ``arenas`` arenas for the threads started from now on; True if
    set. Does nothing where the C library is not glibc, or when the operator has chosen a
    limit in ``MALLOC_ARENA_MAX`` (glibc reads it at start-up). Call it before the request
    threads start: Gunicorn's workers inherit it from the process that forks them."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    mallopt = _glibc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]  # type: ignore[attr-defined]
    mallopt.restype = ctypes.c_int  # type: ignore[attr-defined]
    return bool(mallopt(M_ARENA_MAX, arenas))


def trim_freed_memory() -> bool:
    """Hands the memory malloc holds free back to the system; True if glibc did so.

    Python allocates pages, query results and other objects of more than 512 bytes with malloc.
    glibc only returns freed memory at the top of its heap, so a page's memory freed under a
    longer-lived object stays in the process: in the national soak (docs/benchmarks.md) the
    workers kept growing slowly long after every cache was full. ``malloc_trim`` also releases
    the free pages inside the heap (with ``madvise``), which is what this needs."""
    malloc_trim = _glibc_function("malloc_trim")
    if malloc_trim is None:
        return False
    malloc_trim.argtypes = [ctypes.c_size_t]  # type: ignore[attr-defined]
    malloc_trim.restype = ctypes.c_int  # type: ignore[attr-defined]
    return bool(malloc_trim(0))


def start_trimming(every: float) -> threading.Thread | None:
    """Trims freed memory (``trim_freed_memory``) every ``every`` seconds in a background
    thread of this process, for as long as it runs. None, and nothing started, where the C
    library has no ``malloc_trim`` or ``every`` is 0 (``settings.MALLOC_TRIM_SECONDS``).

    Start it in each app process (threads do not survive a fork). A trim releases the
    interpreter lock, so requests are not held up while it runs."""
    if every <= 0 or _glibc_function("malloc_trim") is None:
        return None

    def trim_forever() -> None:
        while True:
            time.sleep(every)
            trim_freed_memory()

    thread = threading.Thread(target=trim_forever, name="mellanrum-malloc-trim", daemon=True)
    thread.start()
    return thread
