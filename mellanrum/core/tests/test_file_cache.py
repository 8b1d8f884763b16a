"""The file cache counts its files (and culls) at most every CULL_SECONDS, not on every write."""

from __future__ import annotations

from pathlib import Path

import pytest

from mellanrum.core.file_cache import FileCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def files(directory: Path) -> int:
    return len(list(directory.glob("*.djcache")))


def cache_in(directory: Path, clock: Clock, **options: object) -> FileCache:
    cache = FileCache(str(directory), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2,
                                                   **options}})
    cache._clock = clock
    return cache


def test_writes_between_counts_do_not_cull_and_the_next_count_does(
        tmp_path: Path, clock: Clock) -> None:
    cache = cache_in(tmp_path, clock, CULL_SECONDS=30)
    for number in range(25):
        cache.set(f"key-{number}", number)
    assert files(tmp_path) == 25  # over MAX_ENTRIES: only the first write counted
    assert cache.get("key-24") == 24 and cache.get("key-0") == 0

    clock.now += 31
    cache.set("key-25", 25)
    # Django's own cull: half of the 25 files (CULL_FREQUENCY 2) went before the write.
    assert files(tmp_path) == 25 - 12 + 1
    assert cache.get("key-25") == 25


def test_at_zero_seconds_every_write_counts_as_in_django(tmp_path: Path, clock: Clock) -> None:
    cache = cache_in(tmp_path, clock, CULL_SECONDS=0)
    for number in range(25):
        cache.set(f"key-{number}", number)
    assert files(tmp_path) <= 10


def test_the_installation_caches_use_it() -> None:
    from mellanrum import settings as configured  # the tests replace the pages cache

    backends = {name: config["BACKEND"] for name, config in configured.CACHES.items()}
    assert backends["charts"] == backends["pages"] == "mellanrum.core.file_cache.FileCache"
