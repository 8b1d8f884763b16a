"""Django's file-based cache, without counting every file on every write.

Django's ``FileBasedCache.set`` lists the whole cache directory before each write, to see
whether it holds more than ``MAX_ENTRIES`` files (``_cull``). The chart and page caches hold
thousands of files, and under the national load test (docs/benchmarks.md, round 9) that
listing was 12 % of the app processes' CPU. Here a process lists the directory at most once
every ``CULL_SECONDS`` (an option, 30 s by default): the cache may go over ``MAX_ENTRIES`` by
what is written in between, which only bounds the disk, and the entries themselves are read
and written exactly as Django does.

Written here rather than taken from a library: ``diskcache`` has a Django backend that culls
cheaply, but it keeps its entries in SQLite, which would change what an operator backs up,
copies or clears; this keeps Django's format and code and changes only when it counts.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    """``FileBasedCache`` that counts its files (and culls) at most every ``CULL_SECONDS``."""

    def __init__(self, dir: str, params: dict[str, Any]) -> None:  # noqa: A002 - Django's name
        super().__init__(dir, params)
        self._cull_seconds = float(params.get("OPTIONS", {}).get("CULL_SECONDS", 30))
        self._last_cull = -math.inf
        self._cull_lock = threading.Lock()
        self._clock = time.monotonic

    def _cull(self) -> None:
        now = self._clock()
        with self._cull_lock:
            if now - self._last_cull < self._cull_seconds:
                return
            self._last_cull = now
        super()._cull()  # type: ignore[misc]  # Django's own, not in its type stubs
