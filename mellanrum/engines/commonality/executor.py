"""Where the heavy step runs: in-process, local processes or a Dask cluster."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = ["DaskExecutor", "Executor", "ProcessExecutor", "SerialExecutor", "executor_for"]

T = TypeVar("T")
R = TypeVar("R")


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
    def connect(cls, address: str) -> DaskExecutor:
        """Connect to the scheduler at `address` (``tcp://host:8786``)."""
        from distributed import Client  # optional dependency

        return cls(Client(address))

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Scatter the items, run one task per item and gather the results in order.

        Scattering first keeps large items (sparse matrices) out of the task
        graph, as Dask's best practices advise.
        """
        data = self.client.scatter(list(items))
        futures = self.client.map(fn, data, pure=False)
        return list(self.client.gather(futures))


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
