"""How much memory a coalition table needs, and refusing tables that would not fit.

A table game stores ``2**n`` float64 values; the methods that work on the table need a
few tables' worth of working memory (their ``factor``). The limit is the memory available
on the machine, or :data:`MEMORY_LIMIT_ENV`.
"""

from __future__ import annotations

import math
import os

from mellanrum.engines.fairshare.errors import GameError

__all__ = [
    "MAX_TABLE_PLAYERS",
    "MEMORY_LIMIT_ENV",
    "memory_limit",
    "require_table_memory",
    "table_bytes",
    "table_fits",
]

#: Absolute cap on the players of a table (bitmasks are int64); the memory limit
#: (:func:`memory_limit`) usually refuses a table long before.
MAX_TABLE_PLAYERS = 40

#: Environment variable that sets the memory a table may use, in bytes or with a unit
#: (``"4GiB"``, ``"512MiB"``); default: the memory available on the machine.
MEMORY_LIMIT_ENV = "MELLANRUM_FAIRSHARE_MAX_MEMORY"

_GIB = float(1 << 30)
#: Tables needing at most this much (with working memory) are never refused (16 MiB).
_ALWAYS_ALLOWED = 16 << 20
_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}


def table_bytes(n: int) -> int:
    """Return the bytes of one table of ``2**n`` float64 coalition values.

    Examples
    --------
    >>> table_bytes(25) / 2**20, table_bytes(28) / 2**30
    (256.0, 2.0)
    """
    return 8 << n


def _available_bytes() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def memory_limit() -> int:
    """Return the bytes a table method may use.

    The environment variable ``MELLANRUM_FAIRSHARE_MAX_MEMORY`` (bytes, or a number with
    ``KiB``, ``MiB``, ``GiB``, ``TiB``) sets it; otherwise it is the memory the operating
    system reports as available (``MemAvailable`` in ``/proc/meminfo``).

    Raises
    ------
    GameError
        When the environment variable is not a positive amount.
    """
    raw = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if not raw:
        return _available_bytes()
    number = raw.rstrip("KMGTiBkmgtib ")  # noqa: B005 - strips any unit letters
    unit = raw[len(number) :].strip().lower()
    try:
        amount = float(number) * _UNITS[unit]
    except (ValueError, KeyError):
        amount = -1.0
    if not math.isfinite(amount) or amount <= 0:
        raise GameError(
            f'{MEMORY_LIMIT_ENV}: "{raw}" must be a positive amount such as 4GiB or 512MiB'
        )
    return int(amount)


def require_table_memory(n: int, factor: float, what: str, limit: int | None = None) -> None:
    """Refuse a method whose ``2**n`` tables would not fit in memory, saying how much it needs.

    Parameters
    ----------
    n : int
        Number of players of the table.
    factor : float
        Peak memory of the method in tables (2 for the exact Shapley value).
    what : str
        The method, for the message.
    limit : int, optional
        Bytes allowed; default :func:`memory_limit`.

    Raises
    ------
    GameError
        ``"shapley: 30 players need a table of 2^30 coalition values: 8.0 GiB, 16.0 GiB
        with working memory, but only 7.5 GiB is available ..."``.

    Examples
    --------
    >>> require_table_memory(20, 2.0, "shapley", limit=1 << 30)
    >>> try:
    ...     require_table_memory(28, 2.0, "shapley", limit=1 << 30)
    ... except GameError as exc:
    ...     print(str(exc)[:75])
    shapley: 28 players need a table of 2^28 coalition values: 2.0 GiB, 4.0 GiB
    """
    table = table_bytes(n) if n <= MAX_TABLE_PLAYERS else math.inf
    needed = factor * table
    if limit is None and needed <= _ALWAYS_ALLOWED:
        return  # small tables: not worth reading /proc/meminfo for
    allowed = memory_limit() if limit is None else limit
    if n > MAX_TABLE_PLAYERS:
        raise GameError(
            f"{what}: {n} players need a table of 2^{n} coalition values, far more than any"
            " memory; use shapley-sample, scrb, equal or proportional"
        )
    if needed > allowed:
        raise GameError(
            f"{what}: {n} players need a table of 2^{n} coalition values:"
            f" {table / _GIB:.1f} GiB, {needed / _GIB:.1f} GiB with working memory, but only"
            f" {allowed / _GIB:.1f} GiB is available ({MEMORY_LIMIT_ENV}); use"
            " shapley-sample, scrb, equal or proportional"
        )


def table_fits(n: int, factor: float = 2.0) -> bool:
    """Whether a table method with the given peak (in tables) fits in memory."""
    try:
        require_table_memory(n, factor, "table")
    except GameError:
        return False
    return True
