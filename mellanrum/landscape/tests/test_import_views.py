"""The web import: validate, preview, confirm; bad files change nothing and say why."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from pytest_django.fixtures import SettingsWrapper

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, ImportJob, Organisation
from mellanrum.lib.xlsx import active_sheet

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


@pytest.fixture(autouse=True)
def inline_tasks(settings: SettingsWrapper) -> None:
    settings.TASKS_INLINE = True


@pytest.fixture
def editor(client: Client, alice: User) -> Client:
    client.login(username="alice", password=PASSWORD)
    return client


def upload(client: Client, organisation: Organisation, name: str, data: bytes) -> TestResponse:
    url = reverse("landscape:import", args=[organisation.code])
    return client.post(url, {"file": SimpleUploadedFile(name, data)}, follow=True)


SWEDISH_CSV = (
    "\ufeffNamn;Typ;Årskostnad (kr);Volym per år;IT-system\r\n"
    "Ansökan om bygglov;e-tjänst;1\u00a0234\u00a0567,50;850;ByggR (Exempel AB)\r\n"
    "Hemtjänst;tjänst;98 000 000;1 100;\r\n"
).encode()


def test_preview_then_confirm_imports_everything(editor: Client, alfa: Organisation) -> None:
    response = upload(editor, alfa, "verksamheter.csv", SWEDISH_CSV)
    html = response.content.decode()
    assert "Förhandsgranskning" in html
    assert not Activity.objects.exists()
    job = ImportJob.objects.get()
    assert job.status == "ready" and job.summary["new"] == 2
    confirm = editor.post(reverse("landscape:import_confirm", args=[alfa.code, job.pk]),
                          follow=True)
    assert "2 verksamheter lades till" in confirm.content.decode()
    bygglov = Activity.objects.get(name="Ansökan om bygglov")
    assert str(bygglov.annual_cost_sek) == "1234567.50"
    assert [str(s) for s in bygglov.systems.all()] == ["ByggR (Exempel AB)"]


def test_reimporting_the_same_file_updates_instead_of_duplicating(
    editor: Client, alfa: Organisation
) -> None:
    for _ in range(2):
        upload(editor, alfa, "v.csv", SWEDISH_CSV)
        job = ImportJob.objects.latest("pk")
        editor.post(reverse("landscape:import_confirm", args=[alfa.code, job.pk]))
    assert Activity.objects.count() == 2
    assert ImportJob.objects.latest("pk").summary["unchanged"] == 2


def test_changed_row_is_previewed_as_update(editor: Client, alfa: Organisation) -> None:
    upload(editor, alfa, "v.csv", SWEDISH_CSV)
    editor.post(reverse("landscape:import_confirm",
                        args=[alfa.code, ImportJob.objects.get().pk]))
    changed = SWEDISH_CSV.replace(b"98 000 000", b"99 000 000")
    html = upload(editor, alfa, "v.csv", changed).content.decode()
    assert "Hemtjänst (Årskostnad (kr))" in html  # named by its column
    assert ImportJob.objects.latest("pk").summary["changed"] == 1


def _import(client: Client, organisation: Organisation, data: bytes) -> ImportJob:
    upload(client, organisation, "v.csv", data)
    job = ImportJob.objects.latest("pk")
    client.post(reverse("landscape:import_confirm", args=[organisation.code, job.pk]))
    job.refresh_from_db()
    return job


def test_columns_the_file_lacks_are_left_as_they_are(editor: Client, alfa: Organisation) -> None:
    _import(editor, alfa, SWEDISH_CSV)
    Activity.objects.filter(name="Ansökan om bygglov").update(description="Via e-tjänsten.")
    costs_only = "\ufeffNamn;Årskostnad (kr)\r\nAnsökan om bygglov;2 000 000\r\n".encode()
    assert _import(editor, alfa, costs_only).summary["changed"] == 1
    bygglov = Activity.objects.get(name="Ansökan om bygglov")
    assert bygglov.annual_cost_sek == 2_000_000 and bygglov.version == 2
    assert bygglov.description == "Via e-tjänsten." and bygglov.kind == "eservice"
    assert bygglov.volume_per_year == 850
    assert [str(s) for s in bygglov.systems.all()] == ["ByggR (Exempel AB)"]

    # A column that is there but empty does clear the field.
    empty_systems = "\ufeffNamn;IT-system;Beskrivning\r\nAnsökan om bygglov;;\r\n".encode()
    assert _import(editor, alfa, empty_systems).summary["changed"] == 1
    bygglov.refresh_from_db()
    assert not bygglov.systems.exists() and bygglov.description == ""
    assert bygglov.annual_cost_sek == 2_000_000


def test_a_failed_import_can_be_tried_again_without_uploading_the_file(
    editor: Client, alfa: Organisation, charlie: User
) -> None:
    upload(editor, alfa, "verksamheter.csv", SWEDISH_CSV)
    job = ImportJob.objects.get()
    # As when the process applying it was killed: the job is marked failed, nothing was saved.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED,
                                               message="Servern stannade mitt i importen.")
    status_url = reverse("landscape:import_status", args=[alfa.code, job.pk])
    retry_url = reverse("landscape:import_retry", args=[alfa.code, job.pk])
    assert "Försök igen" in editor.get(status_url).content.decode()

    other = Client()
    other.force_login(charlie)  # an editor of another organisation
    assert other.post(retry_url).status_code == 403
    assert ImportJob.objects.count() == 1

    html = editor.post(retry_url, follow=True).content.decode()
    again = ImportJob.objects.latest("pk")
    assert again.pk != job.pk and again.status == ImportJob.Status.READY
    assert again.summary["new"] == 2 and "Förhandsgranskning" in html
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED  # kept as it was, for the record
    assert not Activity.objects.exists()  # a retry starts with a preview, as an upload does

    # Only a failed job can be retried.
    editor.post(reverse("landscape:import_retry", args=[alfa.code, again.pk]))
    assert ImportJob.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("tom.csv", b"", "ilen är tom"),
        ("rubrik.csv", "Beskrivning;Typ\nx;tjänst\n".encode(), "Namn"),
        ("okand.csv", b"Namn;Budget 2025\nX;5\n", "Budget 2025"),
        ("gammal.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xlsx"),
        ("bild.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "Filformatet känns inte igen"),
    ],
    ids=["empty", "no-name-column", "unknown-column", "old-xls", "binary"],
)
def test_bad_files_are_rejected_with_a_reason_and_change_nothing(
    editor: Client, alfa: Organisation, name: str, data: bytes, expected: str
) -> None:
    response = upload(editor, alfa, name, data)
    html = response.content.decode()
    assert expected in html, html[:3000]
    assert "Traceback" not in html
    assert not Activity.objects.exists()


def test_row_errors_are_listed_by_row_column_and_value(
    editor: Client, alfa: Organisation
) -> None:
    data = "Namn;Årskostnad (kr);Webbadress\nBygglov;tolv;\n;5;\nHemtjänst;-5;javascript:alert(1)\n"
    html = upload(editor, alfa, "fel.csv", data.encode()).content.decode()
    assert "Filen har fel, så ingenting importerades" in html
    assert "tolv" in html and "javascript:alert(1)" in html
    job = ImportJob.objects.get()
    rows = sorted({e["row"] for e in job.errors})
    assert rows == [2, 3, 4]
    assert not Activity.objects.exists()


def test_hostile_strings_are_stored_as_text_and_escaped(
    editor: Client, alfa: Organisation
) -> None:
    data = b"Namn;Beskrivning\n<script>alert(1)</script>;=HYPERLINK(\"http://x\")\n"
    upload(editor, alfa, "x.csv", data)
    editor.post(reverse("landscape:import_confirm", args=[alfa.code, ImportJob.objects.get().pk]))
    activity = Activity.objects.get()
    assert activity.name == "<script>alert(1)</script>"
    html = editor.get(activity.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    exported = editor.get(reverse("landscape:export", args=[alfa.code, "csv"]))
    assert "'=HYPERLINK" in exported.content.decode("utf-8-sig")


def test_xlsx_upload_works(editor: Client, alfa: Organisation) -> None:
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.append(["Namn", "Årskostnad (kr)", "Ledtid (dagar)"])
    sheet.append(["Färdtjänst", 1500000, 21])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(editor, alfa, "v.xlsx", buffer.getvalue())
    job = ImportJob.objects.get()
    assert job.status == "ready", job.message
    editor.post(reverse("landscape:import_confirm", args=[alfa.code, job.pk]))
    assert Activity.objects.get().lead_time_days == 21


def test_oversized_file_is_refused(
    editor: Client, alfa: Organisation, settings: SettingsWrapper,
) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    data = ("Namn\n" + "\n".join(f"Verksamhet {i}" for i in range(200_000))).encode()
    html = upload(editor, alfa, "stor.csv", data).content.decode()
    assert "högst 1 MB" in html
    assert not ImportJob.objects.exists() and not Activity.objects.exists()


def test_ten_megabyte_file_imports(editor: Client, alfa: Organisation) -> None:
    lines = ["Nyckel;Namn;Beskrivning;Årskostnad (kr);Volym per år;Ledtid (dagar)"]
    lines += [
        ";".join([
            f"v{i}",
            f"Verksamhet nummer {i}",
            "Beskrivning av verksamheten. " * 6,
            f"{i * 1000:,}".replace(",", " ") + ",50",
            str(i % 900),
            str(i % 60),
        ])
        for i in range(1, 50_001)
    ]
    data = "\r\n".join(lines).encode("utf-8")
    assert len(data) > 10 * 1000 * 1000
    upload(editor, alfa, "stor.csv", data)
    job = ImportJob.objects.get()
    assert job.status == "ready", job.message
    assert job.progress_total == 50_000
    editor.post(reverse("landscape:import_confirm", args=[alfa.code, job.pk]))
    assert Activity.objects.filter(organisation=alfa).count() == 50_000


def test_empty_form_says_a_file_is_needed(editor: Client, alfa: Organisation) -> None:
    response = editor.post(reverse("landscape:import", args=[alfa.code]), {})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
