"""A small durable task queue in the database, shared by every app process.

Background jobs (spreadsheet imports, commonality analyses) are rows of ``core.Task``:

* ``enqueue`` writes a queued row. Where it runs depends on ``TASKS_RUNNER``:
  ``thread`` (the default, zero setup) starts a thread of the same process that claims the row
  once the enqueuing transaction has committed; ``worker`` leaves it for ``mellanrum worker``
  processes. With ``TASKS_INLINE`` (tests) the task runs at once, in the caller's thread.
* Claiming is atomic: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional
  ``UPDATE ... WHERE status = 'queued'`` on SQLite. Two workers never run the same row.
* While a task runs, a heartbeat thread writes ``heartbeat_at`` and the latest progress to the
  row every ``TASKS_HEARTBEAT_SECONDS`` through its own connection, so any process can show
  progress. (On SQLite the write waits while the task holds the database's single write
  lock, i.e. during the final transaction of an import or analysis.)
* A task whose process is gone is *lost*: its heartbeat is older than ``TASKS_STALE_SECONDS``,
  or it ran on this machine and its process no longer exists. Whoever looks at it next (its
  page, a worker) marks it failed and calls the task's ``on_lost`` hook, which marks the job
  failed. The work itself is transactional, so a lost task has written nothing and can be
  started again.

Only functions decorated with ``@task`` can be run; a row names one by its dotted path.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import page_cache
from .models import Task

log = logging.getLogger(__name__)

LostHook = Callable[[list[Any], str], None]
TaskFunction = Callable[..., None]


@dataclass(frozen=True)
class _Registered:
    function: Callable[..., None]
    on_lost: LostHook | None


_registry: dict[str, _Registered] = {}
# Progress of the tasks this process runs, for the heartbeat to write and local pages to read.
_live: dict[int, tuple[int, int]] = {}
_current = threading.local()


def task(*, on_lost: LostHook | None = None) -> Callable[[TaskFunction], TaskFunction]:
    """Register a function as a task. ``on_lost(args, message)`` runs if its process dies."""

    def register(function: Callable[..., None]) -> Callable[..., None]:
        name = f"{function.__module__}.{function.__qualname__}"
        _registry[name] = _Registered(function, on_lost)
        # The name rides on the function itself, which mypy cannot express for a plain function.
        function.task_name = name  # type: ignore[attr-defined]
        return function

    return register


def task_name(function: Callable[..., None]) -> str:
    """The name a task function is registered under; empty for a function that is no task."""
    return str(getattr(function, "task_name", ""))


def _resolve(name: str) -> _Registered:
    if name not in _registry and name.startswith("mellanrum."):
        try:
            importlib.import_module(name.rsplit(".", 1)[0])
        except ImportError:
            pass
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"unknown task {name!r}") from None


def runner() -> str:
    return getattr(settings, "TASKS_RUNNER", "thread")


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "TASKS_STALE_SECONDS", 120))


def heartbeat_seconds() -> float:
    return float(getattr(settings, "TASKS_HEARTBEAT_SECONDS", 3))


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:36]
    except OSError:
        return "-"


def _me() -> str:
    return f"{socket.gethostname()[:100]} {_boot_id()} {os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child that nobody has waited for yet is a zombie: dead all the same
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}
    except (OSError, IndexError):
        return True


# --- Enqueue, claim, run -----------------------------------------------------------------


def enqueue(function: Callable[..., None], *args: Any, ref: str = "") -> Task:
    """Queue ``function(*args)``; see the module docstring for where it runs."""
    name = task_name(function)
    _resolve(name)
    row = Task.objects.create(name=name, args=list(args), ref=ref[:100])
    if settings.TASKS_INLINE:
        claimed = claim(row.pk)
        if claimed is not None:
            _execute(claimed, heartbeat=False)
    elif runner() == "thread":
        transaction.on_commit(
            lambda: threading.Thread(target=_thread_main, args=(row.pk,), daemon=True).start()
        )
    return row


def run_now(function: Callable[..., None], *args: Any, ref: str = "") -> Task:
    """Run ``function(*args)`` in this thread, recorded as a task so its death is noticed."""
    name = task_name(function)
    _resolve(name)
    now = timezone.now()
    row = Task.objects.create(
        name=name, args=list(args), ref=ref[:100], status=Task.Status.RUNNING, worker=_me(),
        started_at=now, heartbeat_at=now, attempts=1,
    )
    # No heartbeat thread inside a transaction (it could not write until the commit) or in
    # tests: the caller is right here and the row is marked finished when we return.
    _execute(row, heartbeat=not settings.TASKS_INLINE and not connection.in_atomic_block)
    row.refresh_from_db()
    return row


def _claim_fields() -> dict[str, Any]:
    now = timezone.now()
    return {"status": Task.Status.RUNNING, "worker": _me(), "started_at": now,
            "heartbeat_at": now, "attempts": F("attempts") + 1}


def claim(pk: int | None = None) -> Task | None:
    """Claim one queued task (the oldest, or the given one) for this process, or None."""
    queued = Task.objects.filter(status=Task.Status.QUEUED)
    if pk is not None:
        return Task.objects.get(pk=pk) if queued.filter(pk=pk).update(**_claim_fields()) else None
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            row = queued.select_for_update(skip_locked=True).order_by("pk").first()
            if row is None:
                return None
            Task.objects.filter(pk=row.pk).update(**_claim_fields())
        row.refresh_from_db()
        return row
    for candidate in queued.order_by("pk").values_list("pk", flat=True)[:20]:
        if queued.filter(pk=candidate).update(**_claim_fields()):
            return Task.objects.get(pk=candidate)
    return None


def _thread_main(pk: int) -> None:
    close_old_connections()
    try:
        row = claim(pk)
        if row is not None:
            _execute(row, heartbeat=True)
    except Exception:
        log.exception("background task %s failed", pk)
    finally:
        connection.close()


def _execute(row: Task, *, heartbeat: bool) -> None:
    try:
        registered = _resolve(row.name)
    except LookupError as exc:
        _finish(row.pk, Task.Status.FAILED, str(exc))
        return
    stop = threading.Event()
    beat = None
    if heartbeat:
        beat = threading.Thread(target=_heartbeat, args=(row.pk, stop), daemon=True)
        beat.start()
    previous = getattr(_current, "task_id", None)
    _current.task_id = row.pk
    failed: tuple[Task.Status, str] | None
    try:
        registered.function(*row.args)
    except Exception as exc:
        log.exception("task %s (%s) failed", row.pk, row.name)
        failed = (Task.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
    else:
        failed = None
    finally:
        _current.task_id = previous
        stop.set()
        if beat is not None:
            beat.join()
    done, total = _live.pop(row.pk, (None, None))
    if failed:
        _finish(row.pk, *failed, done=done, total=total)
        if registered.on_lost:
            registered.on_lost(row.args, _("The job failed and nothing was changed. Try again."))
    else:
        _finish(row.pk, Task.Status.DONE, "", done=done, total=total)


def _finish(pk: int, status: str, message: str, done: int | None = None,
            total: int | None = None) -> None:
    fields: dict[str, Any] = {"status": status, "message": message,
                              "finished_at": timezone.now()}
    if done is not None:
        fields |= {"progress_done": done, "progress_total": total}
    Task.objects.filter(pk=pk).update(**fields)


def _heartbeat(pk: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(heartbeat_seconds()):
            fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
            if pk in _live:
                fields["progress_done"], fields["progress_total"] = _live[pk]
            try:
                Task.objects.filter(pk=pk, status=Task.Status.RUNNING).update(**fields)
            except DatabaseError as exc:
                # Expected on SQLite while the task itself holds the write lock for longer
                # than the busy timeout; the next beat after its commit gets through.
                log.info("task %s: heartbeat not written (%s)", pk, exc)
                connection.close()
    finally:
        connection.close()


def progress(done: int, total: int) -> None:
    """Report progress of the task running in this thread (no-op outside a task)."""
    pk = getattr(_current, "task_id", None)
    if pk is not None:
        _live[pk] = (done, total)


def live_progress(row: Task) -> tuple[int, int]:
    """Progress as this process knows it best: its own memory, else the row."""
    return _live.get(row.pk, (row.progress_done, row.progress_total))


# --- Lost tasks ----------------------------------------------------------------------------


def is_lost(row: Task) -> bool:
    now = timezone.now()
    if row.status == Task.Status.QUEUED:
        # With the thread runner nobody else will pick it up once its process is gone.
        return runner() == "thread" and not settings.TASKS_INLINE and (
            row.created_at < now - stale_after()
        )
    if row.status != Task.Status.RUNNING:
        return False
    host, _sep, rest = row.worker.partition(" ")
    boot, _sep, pid = rest.partition(" ")
    if (host == socket.gethostname()[:100] and boot == _boot_id() and pid.isdigit()
            and not _alive(int(pid))):
        return True
    last = row.heartbeat_at or row.started_at or row.created_at
    return last < now - stale_after()


def reap(row: Task) -> bool:
    """Mark a lost task failed (once, whoever sees it first) and tell its owner."""
    if not is_lost(row):
        return False
    message = _("The job stopped unexpectedly (its process ended) and nothing was changed. "
                "Start it again.")
    marked = Task.objects.filter(pk=row.pk, status=row.status, worker=row.worker).update(
        status=Task.Status.FAILED, finished_at=timezone.now(), message=message
    )
    if not marked:
        return False
    log.warning("task %s (%s) was lost: its process stopped", row.pk, row.name)
    row.refresh_from_db()
    try:
        hook = _resolve(row.name).on_lost
    except LookupError:
        hook = None
    if hook:
        hook(row.args, message)
    return True


def check(ref: str) -> Task | None:
    """The newest task for ``ref``, marked failed first if it was lost."""
    row = Task.objects.filter(ref=ref).order_by("-pk").first()
    if row is not None and not row.is_finished:
        # What a page shows of an unfinished task changes with the clock (it is lost once its
        # heartbeat is old) and with the running process's memory: never keep that page.
        page_cache.uncacheable()
        reap(row)
    return row


def reap_all() -> int:
    """Mark every lost task failed; returns how many."""
    rows = Task.objects.filter(status__in=[Task.Status.QUEUED, Task.Status.RUNNING])
    return sum(reap(row) for row in rows.order_by("pk")[:1000])


# --- The worker ----------------------------------------------------------------------------


def work(*, once: bool = False, poll: float = 1.0, max_tasks: int | None = None,
         stop: threading.Event | None = None) -> int:
    """Claim and run queued tasks until ``stop`` is set (or none are left, with ``once``)."""
    stop = stop or threading.Event()
    ran = 0
    while not stop.is_set():
        close_old_connections()
        try:
            reap_all()
            row = claim()
        except DatabaseError as exc:  # the database is briefly away: wait and try again
            log.warning("worker: cannot reach the database (%s)", exc)
            connection.close()
            stop.wait(max(poll, 1.0))
            continue
        if row is None:
            if once:
                break
            stop.wait(poll)
            continue
        _execute(row, heartbeat=True)
        ran += 1
        if max_tasks and ran >= max_tasks:
            break
    connection.close()
    return ran
