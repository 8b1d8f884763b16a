"""Where the heavy step runs: in-process, local processes or a Dask cluster."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = [
    "ClusterError",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "connect",
    "executor_for",
]

CONNECT_TIMEOUT = 5.0

T = TypeVar("T")
R = TypeVar("R")


class ClusterError(RuntimeError):
    """The Dask cluster could not do the work; nothing was written.

    Attributes
    ----------
    reason : {"unreachable", "worker", "memory", "connection"}
        The scheduler did not answer; a worker died (or was killed for using
        too much memory); a task ran out of memory; the connection was lost.
    detail : str
        Dask's own message.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A ``distributed.Client`` for the scheduler at `address`, or :class:`ClusterError`.

    The timeout is short: a scheduler that does not answer within `timeout`
    seconds is reported as unreachable instead of blocking the caller.
    """
    from distributed import Client  # optional dependency

    try:
        _probe(address, timeout)
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError("unreachable", f"{address}: {exc}") from exc


def _probe(address: str, timeout: float) -> None:
    """Check that a Dask scheduler answers at a ``tcp://`` address within `timeout`.

    A Dask server greets every new connection first, so a port that accepts
    but stays silent (a firewall, another service) is found here; the Dask
    client itself would wait for it without a limit.
    """
    if not address.startswith("tcp://"):
        return
    host, _, port = address.removeprefix("tcp://").rstrip("/").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"not a host:port address: {address!r}")
    with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as probe:
        probe.settimeout(timeout)
        if not probe.recv(1):
            raise ConnectionError("the connection was closed without a Dask greeting")


def translate_cluster_failure(exc: BaseException) -> ClusterError | None:
    """The :class:`ClusterError` for a Dask failure, or None if `exc` is the work's own error."""
    if isinstance(exc, ClusterError):
        return exc
    if isinstance(exc, MemoryError):
        return ClusterError("memory", str(exc))
    name = type(exc).__name__
    if name == "KilledWorker":
        return ClusterError("worker", str(exc))
    if name in {"CommClosedError", "FutureCancelledError", "CancelledError"} or isinstance(
        exc, OSError | TimeoutError
    ):
        return ClusterError("connection", str(exc))
    return None


@runtime_checkable
class Executor(Protocol):
    """Anything with an order-preserving ``map(fn, items) -> list``.

    `fn` is a module-level function and `items` are picklable, so the work can
    be shipped to other processes or machines.
    """

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Apply `fn` to every item and return the results in item order."""
        ...


class SerialExecutor:
    """Run everything in the calling process.

    Examples
    --------
    >>> SerialExecutor().map(abs, [-1, 2])
    [1, 2]
    """

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Apply `fn` to every item in order."""
        return [fn(item) for item in items]


class ProcessExecutor:
    """Run work in local processes (:class:`concurrent.futures.ProcessPoolExecutor`).

    Parameters
    ----------
    max_workers : int, optional
        Number of processes; ``os.cpu_count()`` by default.  With one worker
        or one item the work runs in the calling process.

    Examples
    --------
    >>> ProcessExecutor(max_workers=1).map(abs, [-3])
    [3]
    """

    def __init__(self, max_workers: int | None = None) -> None:
        self.max_workers = max_workers or os.cpu_count() or 1

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Apply `fn` to every item, in parallel when worthwhile."""
        if self.max_workers <= 1 or len(items) <= 1:
            return [fn(item) for item in items]
        with ProcessPoolExecutor(max_workers=min(self.max_workers, len(items))) as pool:
            return list(pool.map(fn, items))


class DaskExecutor:
    """Run work on a Dask distributed cluster.

    Parameters
    ----------
    client : distributed.Client
        A connected client, e.g. ``Client("tcp://scheduler:8786")`` or one
        made from a ``LocalCluster``.  Requires ``dask[distributed]``.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    def connect(cls, address: str, timeout: float = CONNECT_TIMEOUT) -> DaskExecutor:
        """Connect to the scheduler at `address` (``tcp://host:8786``)."""
        return cls(connect(address, timeout))

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Scatter the items, run one task per item and gather the results in order.

        Scattering first keeps large items (sparse matrices) out of the task
        graph, as Dask's best practices advise.
        """
        try:
            data = self.client.scatter(list(items))
            futures = self.client.map(fn, data, pure=False)
            return list(self.client.gather(futures))
        except Exception as exc:
            failure = translate_cluster_failure(exc)
            if failure is None:
                raise
            raise failure from exc


def executor_for(dask_scheduler: str | None = None, max_workers: int | None = None) -> Executor:
    """Return a Dask executor when a scheduler address is given, else local processes.

    The address may also come from the ``MELLANRUM_DASK_SCHEDULER`` environment variable.

    Examples
    --------
    >>> isinstance(executor_for(None, max_workers=1), ProcessExecutor)
    True
    """
    address = dask_scheduler or os.environ.get("MELLANRUM_DASK_SCHEDULER")
    if address:
        return DaskExecutor.connect(address)
    return ProcessExecutor(max_workers=max_workers)
