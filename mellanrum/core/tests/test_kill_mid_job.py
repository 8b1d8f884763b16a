"""Kill -9 in the middle of an import or an analysis: nothing partial, job failed, rerun works.

The job is queued by this process (as the web app does with ``TASKS_RUNNER=worker``) and run
by a real worker loop in a separate process (``pausing_worker.py``) against the same test
database, which pauses half-way through the job's single transaction so that the kill lands
in the middle. Runs on SQLite and, under ``make test-postgres``, on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality import actions as commonality
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Concept, Membership
from mellanrum.conftest import PASSWORD
from mellanrum.core import tasks
from mellanrum.core.models import Task, User
from mellanrum.landscape.models import Activity, ImportJob, Organisation

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
SERVICES = [
    "Bygglov", "Hemtjänst", "Förskoleplats", "Parkeringstillstånd", "Färdtjänst",
    "Bostadsanpassning", "Försörjningsstöd", "Serveringstillstånd", "Livsmedelskontroll",
    "Skolskjuts", "Simskola", "Vigsel", "Gatubelysning", "Snöröjning", "Avfallshämtning",
    "Dricksvatten", "Bibliotekslån", "Kulturskola", "Fritidsgård", "Trygghetslarm",
    "Nybyggnadskarta", "Strandskyddsdispens", "Felanmälan", "Lönehantering", "Upphandling",
]


@pytest.fixture(autouse=True)
def _queued_for_a_worker(settings: SettingsWrapper) -> None:
    settings.TASKS_INLINE = False
    settings.TASKS_RUNNER = "worker"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["DB_NAME"] = str(connection.settings_dict["NAME"])  # the test database
    env["TASKS_INLINE"] = "false"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _start_worker(tmp_path: Path, suffix: str, go: bool = False
                  ) -> tuple[subprocess.Popen[bytes], Path, Path]:
    marker, go_file = tmp_path / "paused.json", tmp_path / "go"
    args = [sys.executable, "-m", "mellanrum.core.tests.pausing_worker", str(marker), suffix]
    if go:
        args.append(str(go_file))
    process = subprocess.Popen(args, env=_env(), cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    return process, marker, go_file


def _wait_for(
    marker: Path, process: subprocess.Popen[bytes], timeout: float = 120,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the worker ended before pausing:\n{output}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the worker did not reach the middle of the job in time")
        time.sleep(0.05)
    time.sleep(0.1)  # the marker is written just before the pause
    state: dict[str, Any] = json.loads(marker.read_text())
    return state


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def _run_worker_to_the_end() -> str:
    done = subprocess.run([sys.executable, "-m", "mellanrum.cli", "worker", "--once"], env=_env(),
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _csv(rows: int) -> bytes:
    lines = ["Nyckel;Namn;Typ;Årskostnad (kr)"]
    lines += [f"k{i};Tjänst nummer {i};tjänst;{1000 + i}" for i in range(rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def _editor(alice: User) -> Client:
    client = Client()
    assert client.login(username=alice.username, password=PASSWORD)
    return client


def test_an_import_killed_half_way_leaves_nothing_and_can_be_run_again(
    alfa: Organisation, alice: User, activity: Activity, tmp_path: Path
) -> None:
    editor = _editor(alice)
    before = Activity.objects.count()
    upload = reverse("landscape:import", args=[alfa.code])
    editor.post(upload, {"file": SimpleUploadedFile("stor.csv", _csv(2500))})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.VALIDATING
    assert Task.objects.get(ref=f"importjob:{job.pk}").status == Task.Status.QUEUED
    assert "Ran 1 job" in _run_worker_to_the_end()  # validation, in another process
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.message

    status = reverse("landscape:import_status", args=[alfa.code, job.pk])
    editor.post(reverse("landscape:import_confirm", args=[alfa.code, job.pk]))
    process, marker, _go = _start_worker(tmp_path, "apply_job")
    paused = _wait_for(marker, process)
    assert 0 < paused["done"] < paused["total"] == 2500
    _kill(process)

    assert Activity.objects.count() == before  # no partial data
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING  # nobody has looked yet
    page = editor.get(status).content.decode()  # the next look notices the dead process
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "nothing was changed" in job.message or "ingenting ändrades" in job.message
    assert job.message in page or "Misslyckades" in page or "Failed" in page
    assert Task.objects.get(ref=f"importjob:{job.pk}", name__endswith="apply_job").status == (
        Task.Status.FAILED
    )
    assert Activity.objects.count() == before

    editor.post(upload, {"file": SimpleUploadedFile("stor.csv", _csv(2500))})  # rerun
    again = ImportJob.objects.exclude(pk=job.pk).get()
    _run_worker_to_the_end()
    editor.post(reverse("landscape:import_confirm", args=[alfa.code, again.pk]))
    _run_worker_to_the_end()
    again.refresh_from_db()
    assert again.status == ImportJob.Status.DONE, again.message
    assert Activity.objects.count() == before + 2500


def _two_municipalities_with_25_shared_services(alfa: Organisation, beta: Organisation) -> None:
    for organisation in (alfa, beta):
        Activity.objects.bulk_create(
            Activity(organisation=organisation, key=f"s{i}", name=name,
                     annual_cost_sek=Decimal(100_000 * (i + 1)))
            for i, name in enumerate(SERVICES)
        )


def test_an_analysis_killed_while_saving_keeps_the_previous_results(
    alfa: Organisation, beta: Organisation, alice: User, tmp_path: Path, settings: SettingsWrapper
) -> None:
    _two_municipalities_with_25_shared_services(alfa, beta)
    settings.TASKS_INLINE = True
    first = commonality.do_start_analysis(Scope.of(), acting_user=alice)
    assert first.status == AnalysisRun.Status.DONE
    settings.TASKS_INLINE = False
    results = sorted(Membership.objects.values_list("concept__concept_id", "activity_id"))
    assert Concept.objects.filter(run=first).count() >= 20

    run = commonality.do_start_analysis(Scope.of(), acting_user=alice)
    assert run.status == AnalysisRun.Status.QUEUED
    process, marker, _go = _start_worker(tmp_path, "execute_run")
    paused = _wait_for(marker, process)
    assert 0 < paused["done"] < paused["total"]
    _kill(process)

    assert sorted(Membership.objects.values_list("concept__concept_id", "activity_id")) == results
    assert set(Concept.objects.values_list("run", flat=True)) == {first.pk}
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.RUNNING  # as left by the dead process
    client = Client()
    client.force_login(alice)
    client.get(reverse("commonality:run", args=[run.pk]))  # the next look
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED
    assert run.message
    assert commonality.live_progress(run)[0] != AnalysisRun.Stage.FINISHED

    rerun = commonality.do_start_analysis(Scope.of(), acting_user=alice)  # not "already running"
    assert rerun.pk != run.pk
    _run_worker_to_the_end()
    rerun.refresh_from_db()
    assert rerun.status == AnalysisRun.Status.DONE, rerun.message
    assert set(Concept.objects.values_list("run", flat=True)) == {rerun.pk}


def test_progress_of_a_job_run_by_another_process_shows_on_the_page(
    alfa: Organisation, alice: User, tmp_path: Path
) -> None:
    editor = _editor(alice)
    editor.post(reverse("landscape:import", args=[alfa.code]),
                {"file": SimpleUploadedFile("stor.csv", _csv(3000))})
    job = ImportJob.objects.get()
    process, marker, go = _start_worker(tmp_path, "validate_job", go=True)
    try:
        paused = _wait_for(marker, process)
        page = editor.get(reverse("landscape:import_status", args=[alfa.code, job.pk]),
                          headers={"HX-Request": "true"}).content.decode()
        job.refresh_from_db()
        assert job.status == ImportJob.Status.VALIDATING
        assert (job.progress_done, job.progress_total) == (paused["done"], paused["total"])
        percent = round(100 * paused["done"] / paused["total"])
        assert f"{percent}" in page and "hx-get" in page  # still polling, with the number
        task = Task.objects.get(ref=f"importjob:{job.pk}")
        assert task.status == Task.Status.RUNNING and not tasks.is_lost(task)
        go.write_text("go")
        assert process.wait(timeout=120) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert Task.objects.get(ref=f"importjob:{job.pk}").status == Task.Status.DONE
