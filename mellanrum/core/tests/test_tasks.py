"""The durable task queue: enqueue, claim once, run by a worker, heartbeat, lost tasks."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from django.utils import timezone
from pytest_django.fixtures import SettingsWrapper

from mellanrum.cli import main
from mellanrum.core import tasks
from mellanrum.core.models import Task

pytestmark = pytest.mark.django_db(transaction=True)

RAN: list[Any] = []
LOST: list[tuple[list[Any], str]] = []


@tasks.task(on_lost=lambda args, message: LOST.append((args, message)))
def record(value: Any) -> None:
    tasks.progress(1, 2)
    RAN.append(value)


@tasks.task()
def slow(value: Any) -> None:
    tasks.progress(1, 3)
    time.sleep(0.4)
    RAN.append(value)


@tasks.task(on_lost=lambda args, message: LOST.append((args, message)))
def broken(value: Any) -> None:
    raise RuntimeError("boom")


def not_a_task(value: Any) -> None:
    RAN.append(("not a task", value))


@pytest.fixture(autouse=True)
def _clean(settings: SettingsWrapper) -> None:
    RAN.clear()
    LOST.clear()
    settings.TASKS_INLINE = False
    settings.TASKS_RUNNER = "worker"


def test_a_queued_task_waits_for_a_worker_which_runs_it_once() -> None:
    row = tasks.enqueue(record, "a", ref="thing:1")
    assert row.status == Task.Status.QUEUED and RAN == []
    result = CliRunner().invoke(main, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Ran 1 job." in result.output
    assert RAN == ["a"]
    row.refresh_from_db()
    assert row.status == Task.Status.DONE and row.attempts == 1
    assert (row.progress_done, row.progress_total) == (1, 2)
    assert row.started_at and row.finished_at and row.worker
    assert CliRunner().invoke(main, ["worker", "--once"]).output.startswith("Ran 0 jobs.")
    assert RAN == ["a"]


def test_tasks_are_claimed_oldest_first_and_only_once() -> None:
    first, second = tasks.enqueue(record, 1), tasks.enqueue(record, 2)
    claimed = tasks.claim()
    assert claimed is not None and claimed.pk == first.pk
    assert tasks.claim(first.pk) is None  # already taken
    claimed = tasks.claim()
    assert claimed is not None and claimed.pk == second.pk
    assert tasks.claim() is None


def test_two_workers_share_the_queue_without_running_a_task_twice() -> None:
    for value in range(8):
        tasks.enqueue(slow, value)
    workers = [threading.Thread(target=tasks.work, kwargs={"once": True}) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sorted(RAN) == list(range(8))
    assert set(Task.objects.values_list("status", flat=True)) == {Task.Status.DONE}
    assert len(set(Task.objects.values_list("worker", flat=True))) == 1  # one process
    assert set(Task.objects.values_list("attempts", flat=True)) == {1}


def test_only_registered_functions_can_be_queued_or_run() -> None:
    with pytest.raises(LookupError):
        tasks.enqueue(not_a_task, 1)
    Task.objects.create(name="os.system", args=["touch /tmp/pwned"])
    Task.objects.create(name="mellanrum.core.tests.test_tasks.not_a_task", args=[1])
    assert tasks.work(once=True) == 2
    assert RAN == []
    assert set(Task.objects.values_list("status", flat=True)) == {Task.Status.FAILED}
    first = Task.objects.first()
    assert first is not None and "unknown task" in first.message


def test_a_failing_task_is_marked_failed_and_its_owner_told() -> None:
    row = tasks.enqueue(broken, 7)
    tasks.work(once=True)
    row.refresh_from_db()
    assert row.status == Task.Status.FAILED and "boom" in row.message
    assert [args for args, _message in LOST] == [[7]]


def _running(worker: str, heartbeat_age: float) -> Task:
    beat = timezone.now() - timedelta(seconds=heartbeat_age)
    return Task.objects.create(name=tasks.task_name(record), args=["x"], status=Task.Status.RUNNING,
                               worker=worker, started_at=beat, heartbeat_at=beat)


def test_a_task_whose_heartbeat_stopped_is_marked_failed_on_the_next_look(
    settings: SettingsWrapper
) -> None:
    settings.TASKS_STALE_SECONDS = 60
    alive = _running("elsewhere boot 123", heartbeat_age=5)
    dead = _running("elsewhere boot 456", heartbeat_age=61)
    assert not tasks.is_lost(alive) and tasks.is_lost(dead)
    assert tasks.reap_all() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == Task.Status.FAILED and dead.message
    assert alive.status == Task.Status.RUNNING
    assert [args for args, _message in LOST] == [["x"]]
    assert tasks.reap(dead) is False  # once only
    assert len(LOST) == 1


def test_a_task_of_a_dead_process_on_this_machine_is_lost_at_once() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    me = tasks._me().rsplit(" ", 1)[0]
    dead = _running(f"{me} {child.pid}", heartbeat_age=0)
    mine = _running(tasks._me(), heartbeat_age=0)
    assert tasks.is_lost(dead) and not tasks.is_lost(mine)
    assert tasks.reap(dead) and not tasks.reap(mine)


def test_check_finds_the_newest_task_of_a_thing_and_reaps_it() -> None:
    old = tasks.enqueue(record, 1, ref="importjob:5")
    Task.objects.filter(pk=old.pk).update(status=Task.Status.DONE)
    newest = _running("elsewhere boot 1", heartbeat_age=10_000)
    Task.objects.filter(pk=newest.pk).update(ref="importjob:5")
    found = tasks.check("importjob:5")
    assert found is not None and found.pk == newest.pk and found.status == Task.Status.FAILED
    assert tasks.check("importjob:6") is None


def test_the_thread_runner_runs_a_task_in_the_background(settings: SettingsWrapper) -> None:
    settings.TASKS_RUNNER = "thread"
    row = tasks.enqueue(record, "t")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.is_finished:
            break
        time.sleep(0.05)
    assert row.status == Task.Status.DONE and RAN == ["t"]


def test_a_queued_task_of_the_thread_runner_is_lost_when_its_process_is_gone(
    settings: SettingsWrapper
) -> None:
    settings.TASKS_STALE_SECONDS = 30
    row = Task.objects.create(name=tasks.task_name(record), args=[1])
    Task.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(seconds=31))
    row.refresh_from_db()
    assert not tasks.is_lost(row)  # a worker will still pick it up
    settings.TASKS_RUNNER = "thread"
    assert tasks.is_lost(row)


def test_the_worker_command_rejects_nonsense_options() -> None:
    result = CliRunner().invoke(main, ["worker", "--poll", "-1"])
    assert result.exit_code == 2 and "Invalid value" in result.output
    result = CliRunner().invoke(main, ["worker", "--max-jobs", "0"])
    assert result.exit_code == 2
