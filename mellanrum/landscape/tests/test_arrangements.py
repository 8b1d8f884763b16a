"""Samverkansläge: `mellanrum arrangements import`, the arrangement page and its gate."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse

from mellanrum.cli import main
from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Arrangement, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(db: None) -> Organisation:
    return Organisation.objects.create(code="99", name="Region Test", kind="region")


def run(tmp_path: Path, text: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "samverkan.csv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["arrangements", "import", str(path), *args])
    return result.exit_code, result.output


GOOD = (
    "Organisationskod;Verksamhet;Form;Parter;Från;Till;Länk\n"
    "9901;ANSÖKAN OM  bygglov;avtalssamverkan;9902|99;2024-01-01;2027-12-31;"
    "https://example.org/avtal\n"
    "9902;hemtjanst;egen;;;;\n"
)


def test_import_matches_by_name_or_key_and_prints_json(
    tmp_path: Path, activity: Activity, beta_activity: Activity, region: Organisation,
) -> None:
    code, output = run(tmp_path, GOOD, "--format", "json")
    assert code == 0, output
    assert json.loads(output) == {"new": 2, "changed": 0, "unchanged": 0, "errors": []}
    arrangement = Arrangement.objects.get(activity=activity)
    assert arrangement.form == "avtalssamverkan"
    assert sorted(p.code for p in arrangement.partners.all()) == ["99", "9902"]
    assert arrangement.end_date == datetime.date(2027, 12, 31)
    assert Arrangement.objects.get(activity=beta_activity).form == "egen"
    code, output = run(tmp_path, GOOD, "--format", "json", "--dry-run")
    assert json.loads(output)["unchanged"] == 2


def test_dry_run_saves_nothing(tmp_path: Path, activity: Activity, beta_activity: Activity,
                               region: Organisation) -> None:
    code, output = run(tmp_path, GOOD, "--dry-run")
    assert code == 0, output
    assert "2 nya" in output or "2 new" in output
    assert not Arrangement.objects.exists()


def test_bad_rows_are_reported_row_by_row_and_nothing_changes(
    tmp_path: Path, activity: Activity, beta_activity: Activity, region: Organisation,
) -> None:
    text = (
        "Organisationskod;Verksamhet;Form;Parter;Från;Till;Länk\n"
        "9901;bygglov;avtalssamverkan;9902;2024-01-01;;\n"  # fine on its own
        "0000;bygglov;egen;;;;\n"
        "9902;hemtjanst;gemensam namnd;;;;\n"
        "9901;bygglov;region;XX77;2025-02-30;;\n"
        "9902;hemtjanst;egen;;2025-05-01;2024-01-01;inte en länk\n"
    )
    code, output = run(tmp_path, text, "--format", "json")
    assert code == 1
    errors = json.loads(output)["errors"]
    found = {(e["row"], e["column"]) for e in errors}
    assert (3, "Organisationskod") in found  # unknown code
    assert (4, "Form") in found  # unknown form
    assert (5, "Parter") in found  # partner not an organisation
    assert (5, "Från") in found  # impossible date
    assert (5, "Verksamhet") in found  # the same activity as on row 2
    assert (6, "Till") in found and (6, "Länk") in found
    assert not Arrangement.objects.exists()


def test_text_report_names_file_row_and_column(tmp_path: Path, activity: Activity) -> None:
    code, output = run(tmp_path, "Organisationskod;Verksamhet;Form\n9901;bygglov;kommun\n")
    assert code == 1
    assert "samverkan.csv" in output and "Form" in output
    assert not Arrangement.objects.exists()


def test_a_missing_column_is_a_file_error(tmp_path: Path, activity: Activity) -> None:
    code, output = run(tmp_path, "Organisationskod;Verksamhet\n9901;bygglov\n", "--format",
                       "json")
    assert code == 1
    assert json.loads(output)["errors"][0]["row"] is None


def test_a_user_may_import_only_for_organisations_they_may_edit(
    tmp_path: Path, activity: Activity, beta_activity: Activity, region: Organisation,
    charlie: User,
) -> None:
    code, output = run(tmp_path, GOOD, "--format", "json", "--user", "charlie")
    assert code == 1
    rows = {e["row"] for e in json.loads(output)["errors"]}
    assert rows == {2}  # Alfa's row; Beta's is charlie's own
    assert not Arrangement.objects.exists()


def _login(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_an_editor_records_the_arrangement_and_nature_on_the_web(
    client: Client, activity: Activity, alice: User, beta: Organisation,
) -> None:
    url = reverse("landscape:arrangement_edit", args=[activity.pk])
    page = _login(client, alice).get(url)
    assert page.status_code == 200
    response = client.post(url, {"form": "gemensam_namnd", "partners": "9902",
                                 "start_date": "2023-01-01", "end_date": "",
                                 "url": "", "nature": "service",
                                 "lead_time_note": "Från första kontakt"})
    assert response.status_code == 302
    arrangement = Arrangement.objects.get(activity=activity)
    assert arrangement.form == "gemensam_namnd" and arrangement.partners.get() == beta
    activity.refresh_from_db()
    assert activity.nature == "service" and activity.lead_time_note == "Från första kontakt"
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "Beta kommun" in html and "GN" in html


def test_bad_partner_codes_and_dates_are_refused_on_the_web(
    client: Client, activity: Activity, alice: User,
) -> None:
    url = reverse("landscape:arrangement_edit", args=[activity.pk])
    response = _login(client, alice).post(url, {
        "form": "avtalssamverkan", "partners": "NOPE", "start_date": "2025-01-01",
        "end_date": "2024-01-01", "url": "", "nature": ""})
    assert response.status_code == 400
    assert "NOPE" in response.content.decode()
    response = client.post(url, {"form": "avtalssamverkan", "partners": "",
                                 "start_date": "2025-01-01", "end_date": "2024-01-01",
                                 "url": "", "nature": ""})
    assert response.status_code == 400
    assert not Arrangement.objects.exists()


def test_another_organisations_editor_may_not_record_it(
    client: Client, activity: Activity, charlie: User,
) -> None:
    url = reverse("landscape:arrangement_edit", args=[activity.pk])
    assert _login(client, charlie).get(url).status_code == 403
    assert client.post(url, {"form": "egen"}).status_code == 403
    assert not Arrangement.objects.exists()


def test_an_association_administrator_records_it_for_a_member(
    client: Client, activity: Activity, alfa: Organisation,
) -> None:
    association = Organisation.objects.create(code="ASSOC", name="Förbundet",
                                              kind="association")
    association.members.add(alfa)
    admin = User(username="assoc", organisation=association, role="admin")
    admin.set_password(PASSWORD)
    admin.save()
    url = reverse("landscape:arrangement_edit", args=[activity.pk])
    response = _login(client, admin).post(url, {"form": "kommunalforbund", "partners": "",
                                                "url": "", "nature": ""})
    assert response.status_code == 302
    assert Arrangement.objects.get(activity=activity).form == "kommunalforbund"
    association.members.remove(alfa)
    assert client.get(url).status_code == 403


def test_the_activity_page_shows_the_default_nature(
    client: Client, activity: Activity, bob: User,
) -> None:
    html = _login(client, bob).get(activity.get_absolute_url()).content.decode()
    assert "myndighetsutövning" in html.casefold()
    assert reverse("landscape:arrangement_edit", args=[activity.pk]) not in html  # a reader
