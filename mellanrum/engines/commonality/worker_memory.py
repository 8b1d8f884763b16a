"""A Dask worker plugin that hands the memory malloc holds free back to the system.

The summary stage of :func:`~mellanrum.engines.commonality.group_on_cluster` frees large inputs
while it runs. glibc keeps that memory unless asked to give it back; Dask counts it as the
worker's own ("unmanaged" memory), pauses the worker at 80 % of its limit, and at 2 million
activities the run then stalled with both workers idle (docs/benchmarks.md). Trimming every
few seconds lets the paused worker resume.

This module imports ``distributed`` at its top, so it is imported only when a cluster run
starts: the web app imports the commonality engine without paying for Dask.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from mellanrum.lib.memory import start_trimming

# How often each worker trims. A worker is paused for at most this long by freed memory.
WORKER_TRIM_SECONDS = 10.0


class TrimFreedMemory(WorkerPlugin):
    """Starts trimming freed memory every :data:`WORKER_TRIM_SECONDS` on each worker.

    Registered once per cluster (``idempotent``), it also runs on workers that join later."""

    name = "mellanrum-trim-freed-memory"
    idempotent = True

    def setup(self, worker: Any) -> None:
        start_trimming(WORKER_TRIM_SECONDS)
