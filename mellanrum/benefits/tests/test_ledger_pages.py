"""The benefits follow-up pages: ledger rows per partner, NPV, economics settings, export."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from mellanrum.benefits import actions as ledger_actions
from mellanrum.benefits.models import Economics, LedgerRow
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import login
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(initiative: Initiative, alfa: Organisation, beta: Organisation,
         alice: User) -> list[LedgerRow]:
    add = ledger_actions.do_add_ledger_row
    return [
        add(initiative, acting_user=alice, organisation=alfa, year=2024, kind="investment",
            planned=Decimal("100000"), realised=Decimal("110000")),
        add(initiative, acting_user=alice, organisation=alfa, year=2025, kind="money",
            planned=Decimal("80000")),
        add(initiative, acting_user=alice, organisation=beta, year=2025, kind="hours",
            planned=Decimal("100"), description="Färre samtal"),
        add(initiative, acting_user=alice, organisation=beta, year=2025, kind="qualitative",
            description="Nöjdare invånare"),
    ]


def test_the_ledger_page_shows_rows_npv_and_chart(client: Client, alice: User,
                                                 initiative: Initiative,
                                                 rows: list[LedgerRow]) -> None:
    response = login(client, alice).get(f"/samverkan/{initiative.pk}/nyttorealisering/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="npv"' in html and 'id="per-year"' in html and "<img" in html
    assert "Nöjdare invånare" in html and "Färre samtal" in html
    assert "<td>2025</td>" in html and "2\xa0025" not in html  # years are not grouped
    # Beta: 100 h × 600 kr = 60 000 kr in 2025, base year 2024 at 3.5 %: 57 971
    assert "57\xa0971" in html or "57 971" in html
    detail = client.get(f"/samverkan/{initiative.pk}/").content.decode()
    assert 'id="net-gain-summary"' in detail


def test_an_editor_adds_a_row_for_their_own_organisation(client: Client, charlie: User,
                                                        initiative: Initiative,
                                                        beta: Organisation) -> None:
    response = login(client, charlie).post(
        f"/samverkan/{initiative.pk}/nyttorealisering/ny/",
        {"organisation": beta.code, "year": "2025", "kind": "running",
         "planned": "12 500,50", "realised": "", "description": "Licens"})
    assert response.status_code == 302
    row = LedgerRow.objects.get()
    assert row.organisation == beta and row.planned == Decimal("12500.50")
    assert row.realised is None
    assert AuditEntry.objects.filter(action="collaborations.add_ledger_row").exists()


def test_a_partner_cannot_add_or_edit_rows_of_another_partner(
    client: Client, charlie: User, initiative: Initiative, alfa: Organisation,
    rows: list[LedgerRow],
) -> None:
    login(client, charlie)
    response = client.post(f"/samverkan/{initiative.pk}/nyttorealisering/ny/",
                           {"organisation": alfa.code, "year": "2025", "kind": "money",
                            "planned": "1"})
    assert response.status_code == 200  # the form refuses the organisation
    assert LedgerRow.objects.count() == 4
    alfa_row = rows[0]
    assert client.get(f"/samverkan/nyttorad/{alfa_row.pk}/andra/").status_code == 403
    response = client.post(f"/samverkan/nyttorad/{alfa_row.pk}/andra/",
                           {"year": "2024", "kind": "investment", "planned": "1"})
    assert response.status_code == 403
    assert client.post(f"/samverkan/nyttorad/{alfa_row.pk}/ta-bort/").status_code == 403
    alfa_row.refresh_from_db()
    assert alfa_row.planned == Decimal("100000.00")


def test_a_reader_of_a_partner_reads_but_cannot_add(client: Client, erin: User,
                                                   initiative: Initiative,
                                                   rows: list[LedgerRow]) -> None:
    login(client, erin)
    page = client.get(f"/samverkan/{initiative.pk}/nyttorealisering/")
    assert page.status_code == 200 and "nyttorealisering/ny/" not in page.content.decode()
    assert client.get(f"/samverkan/{initiative.pk}/nyttorealisering/ny/").status_code == 403


def test_non_partners_see_the_ledger_only_of_public_initiatives(
    client: Client, dave: User, initiative: Initiative, rows: list[LedgerRow],
) -> None:
    login(client, dave)
    url = f"/samverkan/{initiative.pk}/nyttorealisering/"
    assert client.get(url).status_code == 404
    assert client.get(url + "export.xlsx").status_code == 404
    assert client.get(f"/samverkan/{initiative.pk}/kostnadsfordelning/").status_code == 404
    Initiative.objects.filter(pk=initiative.pk).update(is_public=True)
    page = client.get(url)
    assert page.status_code == 200
    assert "nyttorealisering/ny/" not in page.content.decode()
    assert "/andra/" not in page.content.decode().split('id="ledger-rows"')[1]


def test_editing_a_row_with_a_stale_version_is_refused(client: Client, alice: User,
                                                       rows: list[LedgerRow]) -> None:
    row = rows[1]
    login(client, alice)
    data = {"year": "2025", "kind": "money", "planned": "90000", "realised": "",
            "description": "", "version": str(row.version)}
    assert client.post(f"/samverkan/nyttorad/{row.pk}/andra/", data).status_code == 302
    row.refresh_from_db()
    assert row.planned == Decimal("90000.00") and row.version == 2
    data["planned"] = "1"  # the same old version again: someone else saved in between
    response = client.post(f"/samverkan/nyttorad/{row.pk}/andra/", data)
    assert response.status_code == 409
    row.refresh_from_db()
    assert row.planned == Decimal("90000.00")


def test_removing_a_row(client: Client, alice: User, rows: list[LedgerRow]) -> None:
    response = login(client, alice).post(f"/samverkan/nyttorad/{rows[0].pk}/ta-bort/")
    assert response.status_code == 302
    assert not LedgerRow.objects.filter(pk=rows[0].pk).exists()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"planned": "-5"}, "planned", "negative"),
    ({"planned": "1e15"}, "planned", "unreasonably large"),
    ({"planned": "abc"}, "planned", "number"),
    ({"year": "1850"}, "year", "between 2000 and 2100"),
    ({"year": "20255"}, "year", "between 2000 and 2100"),
    ({"kind": "qualitative", "planned": "5", "description": "x"}, "planned", "qualitative"),
    ({"kind": "qualitative", "planned": "", "description": ""}, "description", "Describe"),
    ({"realised": "5", "year": "2099"}, "realised", "future year"),
    ({"planned": "NaN"}, "planned", "number"),
])
def test_bad_ledger_input_gets_a_message_and_changes_nothing(
    client: Client, alice: User, initiative: Initiative, alfa: Organisation,
    data: dict[str, str], field: str, message: str,
) -> None:
    posted = {"organisation": alfa.code, "year": "2025", "kind": "money", "planned": "100",
              "realised": "", "description": "", **data}
    with_english: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
    response = login(client, alice).post(
        f"/samverkan/{initiative.pk}/nyttorealisering/ny/", posted, **with_english)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert LedgerRow.objects.count() == 0


def test_a_non_partner_organisation_is_refused(client: Client, alice: User,
                                              initiative: Initiative, gamma: Organisation,
                                              ) -> None:
    with pytest.raises(Exception, match="partners"):
        ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=gamma,
                                  year=2025, kind="money", planned=Decimal(1))
    assert LedgerRow.objects.count() == 0


def test_the_lead_sets_the_economics(client: Client, alice: User, charlie: User,
                                     initiative: Initiative) -> None:
    url = f"/samverkan/{initiative.pk}/nyttorealisering/kalkyl/"
    assert login(client, charlie).get(url).status_code == 403
    login(client, alice)
    response = client.post(url, {"discount_rate_percent": "25", "hourly_cost": "600",
                                 "base_year": ""})
    assert response.status_code == 200 and "discount_rate_percent" in response.context[
        "form"].errors
    assert not Economics.objects.exists()
    response = client.post(url, {"discount_rate_percent": "4,5", "hourly_cost": "750",
                                 "base_year": "2025"})
    assert response.status_code == 302
    economics = Economics.objects.get()
    assert economics.discount_rate_percent == Decimal("4.50")
    assert economics.hourly_cost == Decimal("750") and economics.base_year == 2025


def test_the_xlsx_export_holds_the_rows_and_the_npv(client: Client, bob: User,
                                                   initiative: Initiative,
                                                   rows: list[LedgerRow]) -> None:
    response = login(client, bob).get(
        f"/samverkan/{initiative.pk}/nyttorealisering/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert len(workbook.sheetnames) == 3
    ledger = workbook.worksheets[2]
    assert ledger.max_row == 5  # header + 4 rows
    summary = [row for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert any(row and row[0] == "Beta kommun" for row in summary)


def test_a_partner_with_ledger_rows_cannot_be_removed(client: Client, alice: User,
                                                     initiative: Initiative,
                                                     rows: list[LedgerRow]) -> None:
    partner = initiative.partners.get(role="partner")
    login(client, alice)
    response = client.post(f"/samverkan/{initiative.pk}/ta-bort/partner/{partner.pk}/",
                           follow=True)
    assert response.status_code == 200
    assert initiative.partners.filter(pk=partner.pk).exists()
    assert LedgerRow.objects.count() == 4
    LedgerRow.objects.filter(organisation=partner.organisation).delete()
    client.post(f"/samverkan/{initiative.pk}/ta-bort/partner/{partner.pk}/")
    assert not initiative.partners.filter(pk=partner.pk).exists()
