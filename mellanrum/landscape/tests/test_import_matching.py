"""The web import's mapping step, matching by name, and one stored plan from preview to commit."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape import actions, imports
from mellanrum.landscape.models import (
    Activity,
    Category,
    ColumnMapping,
    Contact,
    ImportJob,
    Organisation,
)

NACKA = (Path(__file__).parent / "data" / "nacka_verksamhetskatalog.csv").read_bytes()


@pytest.fixture(autouse=True)
def inline_tasks(settings: object) -> None:
    settings.TASKS_INLINE = True  # type: ignore[attr-defined]


@pytest.fixture
def editor(client: Client, alice: User) -> Client:
    client.login(username="alice", password=PASSWORD)
    return client


def upload(client: Client, organisation: Organisation, data: bytes,
           name: str = "v.csv") -> str:
    url = reverse("landscape:import", args=[organisation.code])
    response = client.post(url, {"file": SimpleUploadedFile(name, data)}, follow=True)
    return str(response.content.decode())


def confirm(client: Client, job: ImportJob) -> str:
    url = reverse("landscape:import_confirm", args=[job.organisation.code, job.pk])
    return str(client.post(url, follow=True).content.decode())


def mapping_post(job: ImportJob, **fields: str) -> dict[str, str]:
    columns = job.summary["mapping"]["columns"]
    by_header = {column["header"]: f"col_{column['index']}" for column in columns}
    return {by_header[header]: value for header, value in fields.items()}


NACKA_CHOICES = {"Verksamhet": "name", "Kostnad (kr)": "annual_cost_sek",
                 "Handläggningstid": "lead_time_days", "Kontaktperson": "owner",
                 "Förvaltning": ""}


# --- Mapping step -------------------------------------------------------------------------


def test_own_headers_get_a_mapping_step_that_is_remembered(
    editor: Client, alfa: Organisation, contact: Contact
) -> None:
    html = upload(editor, alfa, NACKA, "nacka.csv")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.MAPPING
    assert "Vilken kolumn är vilken?" in html
    assert "Kolumnrubrikerna hittades på rad 3" in html
    assert "Filen saknar rubrikrad" not in html
    # Each column with its suggestion selected, Förvaltning to be ignored.
    suggested = {c["header"]: c["field"] for c in job.summary["mapping"]["columns"]}
    assert suggested == NACKA_CHOICES
    assert '<option value="lead_time_days" selected>Ledtid (dagar)</option>' in html
    assert not Activity.objects.exists()

    url = reverse("landscape:import_mapping", args=[alfa.code, job.pk])
    html = editor.post(url, mapping_post(job, **NACKA_CHOICES), follow=True).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.message
    assert "Förhandsgranskning" in html and job.summary["new"] == 5
    assert not Activity.objects.exists()  # nothing saved before confirming

    assert "Klart: 5 verksamheter lades till." in confirm(editor, job)
    bygglov = Activity.objects.get(name="Bygglov för enbostadshus")
    assert bygglov.annual_cost_sek == Decimal("4250000.50")
    assert bygglov.lead_time_days == 28 and bygglov.owner == contact
    assert Activity.objects.get(name="Färdtjänst").owner == contact  # by e-mail
    assert ColumnMapping.objects.get(organisation=alfa).columns["förvaltning"] == ""
    assert AuditEntry.objects.filter(action="import.map_columns", organisation=alfa).exists()

    # The organisation's next import of a file with the same headers needs no mapping step.
    html = upload(editor, alfa, NACKA.replace(b"28;", b"30;"), "nacka.csv")
    again = ImportJob.objects.latest("pk")
    assert again.status == ImportJob.Status.READY, again.message
    assert again.summary["changed"] == 1 and again.summary["new"] == 0
    assert "matchad på namn" in html


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({**NACKA_CHOICES, "Förvaltning": "name"},
         "Kolumnerna ”Verksamhet”, ”Förvaltning” är kopplade till samma fält, Namn."),
        ({**NACKA_CHOICES, "Verksamhet": ""}, "Ingen kolumn är kopplad till Namn."),
    ],
    ids=["two-columns-one-field", "no-name"],
)
def test_a_bad_mapping_is_explained_and_saves_nothing(
    editor: Client, alfa: Organisation, choices: dict[str, str], message: str
) -> None:
    upload(editor, alfa, NACKA, "nacka.csv")
    job = ImportJob.objects.get()
    url = reverse("landscape:import_mapping", args=[alfa.code, job.pk])
    response = editor.post(url, mapping_post(job, **choices))

    assert response.status_code == 400
    assert message in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING and job.column_map == {}
    assert not ColumnMapping.objects.exists() and not Activity.objects.exists()


def test_only_editors_of_the_organisation_may_map_its_columns(
    editor: Client, alfa: Organisation, charlie: User
) -> None:
    upload(editor, alfa, NACKA, "nacka.csv")
    job = ImportJob.objects.get()
    other = Client()
    other.force_login(charlie)
    url = reverse("landscape:import_mapping", args=[alfa.code, job.pk])
    assert other.post(url, mapping_post(job, **NACKA_CHOICES)).status_code == 403
    assert not ColumnMapping.objects.exists()
    remap = reverse("landscape:import_remap", args=[alfa.code, job.pk])
    assert other.post(remap).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING


# --- Matching by name ---------------------------------------------------------------------


def _activities(organisation: Organisation, count: int, category: Category,
                contact: Contact) -> None:
    for n in range(1, count + 1):
        actions.do_create_activity(
            organisation, acting_user=None, key=f"nacka-{n:03}", name=f"Verksamhet nr {n} – del",
            description=f"Beskrivning {n}", category=category if n % 2 else None,
            annual_cost_sek=Decimal(n * 1000) + Decimal("0.5"), owner=contact if n % 3 else None,
            systems=[("Platina", "Formpipe")] if n % 5 == 0 else [],
        )


def _without_column(data: bytes, header: str) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    drop = rows[0].index(header)
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(
        [cell for i, cell in enumerate(row) if i != drop] for row in rows
    )
    return out.getvalue().encode("utf-8-sig")


def test_reimporting_an_export_without_its_key_column_creates_nothing_new(
    editor: Client, alfa: Organisation, category: Category, contact: Contact
) -> None:
    _activities(alfa, 121, category, contact)
    exported = editor.get(reverse("landscape:export", args=[alfa.code, "csv"])).content
    data = _without_column(exported, "Nyckel")
    assert "Nyckel" not in data.decode("utf-8-sig").splitlines()[0]

    html = upload(editor, alfa, data)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.READY, (job.message, job.errors[:3])
    summary = job.summary
    assert (summary["new"], summary["changed"], summary["unchanged"]) == (0, 0, 121)
    assert summary["matched_by_name"] == 121
    assert "121 rader utan nyckel kopplades till befintliga verksamheter" in html
    confirm(editor, job)
    assert Activity.objects.filter(organisation=alfa).count() == 121


def test_rows_without_key_are_matched_by_name_and_previewed_so(
    editor: Client, alfa: Organisation
) -> None:
    for n in range(17):
        actions.do_create_activity(alfa, acting_user=None, key=f"k{n}", name=f"Tjänst {n} – Bas")
    lines = ["Namn;Årskostnad (kr)"]
    lines += [f"TJÄNST {n}-bas;{n}" for n in range(17)]  # case and dashes differ
    lines += [f"Helt ny verksamhet {n};1" for n in range(22)]
    html = upload(editor, alfa, "\r\n".join(lines).encode())
    job = ImportJob.objects.get()

    assert (job.summary["new"], job.summary["changed"]) == (22, 17)
    assert "TJÄNST 3-bas (Namn, Årskostnad (kr)) – matchad på namn" in html
    confirm(editor, job)
    assert Activity.objects.filter(organisation=alfa).count() == 39
    assert Activity.objects.get(key="k3").annual_cost_sek == 3
    assert Activity.objects.get(key="k3").name == "TJÄNST 3-bas"  # the file's spelling wins


def test_a_name_two_activities_share_is_reported_not_guessed(
    editor: Client, alfa: Organisation
) -> None:
    actions.do_create_activity(alfa, acting_user=None, key="a", name="Hemtjänst")
    actions.do_create_activity(alfa, acting_user=None, key="b", name="hemtjänst ")
    html = upload(editor, alfa, "Namn;Årskostnad (kr)\r\nHemtjänst;5\r\nBygglov;1\r\n".encode())
    job = ImportJob.objects.get()

    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [(2, "Namn", "Hemtjänst")]
    assert "2 verksamheter i Mellanrum heter så" in html
    assert "1 problem hittades. Ingenting importerades." in html
    assert Activity.objects.count() == 2 and not Activity.objects.filter(annual_cost_sek=5)


def test_a_row_matched_by_name_to_an_activity_another_row_has_by_key_is_reported(
    editor: Client, alfa: Organisation
) -> None:
    actions.do_create_activity(alfa, acting_user=None, key="gammal", name="Bygglov")
    html = upload(editor, alfa, b"Nyckel;Namn\r\ngammal;Bygglov, nytt namn\r\n;Bygglov\r\n")
    job = ImportJob.objects.get()

    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["value"]) for e in job.errors] == [(3, "Bygglov")]
    assert "Ingenting importerades" in html
    assert list(Activity.objects.values_list("name", flat=True)) == ["Bygglov"]


def test_a_row_with_a_key_is_still_matched_by_key_only(
    editor: Client, alfa: Organisation
) -> None:
    actions.do_create_activity(alfa, acting_user=None, key="gammal", name="Bygglov")
    upload(editor, alfa, b"Nyckel;Namn\r\nny;Bygglov\r\ngammal;Bygglov, nytt namn\r\n")
    job = ImportJob.objects.get()
    assert (job.summary["new"], job.summary["changed"], job.summary["matched_by_name"]) == (1, 1, 0)


def test_problem_counts_use_the_right_plural() -> None:
    with translation.override("en"):
        assert imports.problems_message(1) == "1 problem was found. Nothing was imported."
        assert imports.problems_message(2) == "2 problems were found. Nothing was imported."


# --- One plan from preview to commit ------------------------------------------------------


def test_the_commit_writes_the_stored_plan_without_reading_the_file_again(
    editor: Client, alfa: Organisation
) -> None:
    upload(editor, alfa, "Namn;Årskostnad (kr)\r\nBygglov;1 000\r\n".encode())
    job = ImportJob.objects.get()
    # Had the file been parsed again, this would fail or import something else.
    ImportJob.objects.filter(pk=job.pk).update(data=b"Namn\r\nN\xe5got annat\r\n")
    confirm(editor, job)

    assert list(Activity.objects.values_list("name", "annual_cost_sek")) == [
        ("Bygglov", Decimal(1000))]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.plan == {} and not job.data


def test_validation_loads_categories_and_contacts_once(
    alfa: Organisation, category: Category, contact: Contact
) -> None:
    data = "Namn;Kategori;Ansvarig\r\n" + "".join(
        f"V{n};3.2.2;Anna Andersson\r\n" for n in range(30)
    )
    with CaptureQueriesContext(connection) as queries:
        checked = imports.check_file(alfa, data.encode(), "v.csv")
    assert not checked.errors and len(checked.plan.new) == 30
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "landscape_category"' in s for s in sql) == 1
    assert sum('FROM "landscape_contact"' in s for s in sql) == 1


def test_an_edit_after_the_preview_makes_the_commit_ask_for_a_new_preview(
    editor: Client, alfa: Organisation
) -> None:
    bygglov = actions.do_create_activity(alfa, acting_user=None, key="bygglov", name="Bygglov",
                                         annual_cost_sek=Decimal(100))
    upload(editor, alfa, "Namn;Årskostnad (kr)\r\nBygglov;200\r\nHemtjänst;5\r\n".encode())
    job = ImportJob.objects.get()
    actions.do_update_activity(bygglov, acting_user=None, annual_cost_sek=Decimal(150))

    html = confirm(editor, job)
    assert "ändrades efter förhandsgranskningen" in html
    assert "Försök igen" in html
    bygglov.refresh_from_db()
    assert bygglov.annual_cost_sek == 150 and Activity.objects.count() == 1

    # A new preview is made from the current data, and then the import goes through.
    editor.post(reverse("landscape:import_retry", args=[alfa.code, job.pk]))
    again = ImportJob.objects.latest("pk")
    assert again.status == ImportJob.Status.READY and again.summary["changed"] == 1
    confirm(editor, again)
    bygglov.refresh_from_db()
    assert bygglov.annual_cost_sek == 200 and Activity.objects.count() == 2


def test_an_activity_created_after_the_preview_makes_the_plan_stale(alfa: Organisation) -> None:
    checked = imports.check_file(alfa, "Namn\r\nHemtjänst\r\n".encode(), "v.csv")
    assert len(checked.plan.new) == 1
    actions.do_create_activity(alfa, acting_user=None, key="x", name="HEMTJÄNST")
    plan = actions.ImportPlan.from_json(checked.plan.to_json())
    with pytest.raises(actions.StaleImport):
        actions.do_apply_import(alfa, plan, acting_user=None)
    assert Activity.objects.count() == 1


def test_a_remembered_mapping_can_be_changed_from_the_preview(
    editor: Client, alfa: Organisation, contact: Contact
) -> None:
    upload(editor, alfa, NACKA, "nacka.csv")
    job = ImportJob.objects.get()
    editor.post(reverse("landscape:import_mapping", args=[alfa.code, job.pk]),
                mapping_post(job, **NACKA_CHOICES))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert "Ändra hur kolumnerna läses" in editor.get(
        reverse("landscape:import_status", args=[alfa.code, job.pk])).content.decode()

    html = editor.post(reverse("landscape:import_remap", args=[alfa.code, job.pk]),
                       follow=True).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING and job.plan == {}
    assert '<option value="owner" selected>Ansvarig</option>' in html  # the choice made before
    editor.post(reverse("landscape:import_mapping", args=[alfa.code, job.pk]),
                mapping_post(job, **{**NACKA_CHOICES, "Kontaktperson": ""}))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert ColumnMapping.objects.get(organisation=alfa).columns["kontaktperson"] == ""
    confirm(editor, job)
    assert not Activity.objects.filter(owner__isnull=False).exists()


def test_the_mapping_step_speaks_english_in_the_english_interface(
    editor: Client, alfa: Organisation
) -> None:
    editor.cookies["django_language"] = "en"
    html = upload(editor, alfa, NACKA, "nacka.csv")
    job = ImportJob.objects.get()

    assert "Which column is which?" in html and "Vilken kolumn" not in html
    assert '<option value="lead_time_days" selected>Lead time (days)</option>' in html
    assert "Ignore the column" in html
    url = reverse("landscape:import_mapping", args=[alfa.code, job.pk])
    response = editor.post(url, mapping_post(job, **{**NACKA_CHOICES, "Verksamhet": ""}))
    assert "No column is mapped to Name." in response.content.decode()
