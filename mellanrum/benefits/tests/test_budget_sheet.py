"""Each paying partner's budget sheet: its share and ledger per year in its own budget
language, printable, as XLSX, in the API and the CLI."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import Client
from openpyxl import load_workbook

from mellanrum.benefits import actions as ledger_actions
from mellanrum.benefits.ledger_cli import benefits
from mellanrum.benefits.models import PartnerBudget
from mellanrum.collaborations import actions
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import basic, login
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation
from mellanrum.lib.xlsx import active_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(initiative: Initiative, alice: User, charlie: User, alfa: Organisation,
            beta: Organisation) -> Initiative:
    """Beta: its share of an 800 kr investment (500 kr in 2026), 100 kr running costs a year,
    savings of 200 kr in 2027 and 2 hours at 150 kr plus 300 kr in 2028."""
    ledger_actions.do_set_economics(initiative, acting_user=alice, discount_rate_percent=0,
                                    hourly_cost=Decimal(150), base_year=2026)
    ledger_actions.do_choose_cost_split(initiative, acting_user=alice, joint_cost=Decimal(800),
                                        standalone={alfa.code: 400, beta.code: 600},
                                        method="shapley", first_year=2026)
    add = ledger_actions.do_add_ledger_row
    for year in (2026, 2027, 2028):
        add(initiative, acting_user=charlie, organisation=beta, year=year, kind="running",
            planned=Decimal(100))
    add(initiative, acting_user=charlie, organisation=beta, year=2027, kind="money",
        planned=Decimal(200))
    add(initiative, acting_user=charlie, organisation=beta, year=2028, kind="money",
        planned=Decimal(300))
    add(initiative, acting_user=charlie, organisation=beta, year=2028, kind="hours",
        planned=Decimal(2))
    actions.do_add_statement(initiative, acting_user=charlie, organisation=beta, kind="goal",
                             text="Kortare handläggningstid för bygglov")
    return initiative


def test_the_budget_sheet_sums_the_partners_years_and_finds_the_payback_year(
    client: Client, erin: User, planned: Initiative, beta: Organisation,
) -> None:
    response = login(client, erin).get(
        f"/samverkan/{planned.pk}/budgetunderlag/{beta.code}/")
    assert response.status_code == 200
    sheet = response.context["sheet"]
    rows = [(y.year, y.operating, y.investment, y.saving, y.net, y.cumulative)
            for y in sheet.years]
    assert rows == [(2026, 100, 500, 0, -600, -600), (2027, 100, 0, 200, 100, -500),
                    (2028, 100, 0, 600, 500, 0)]
    assert (sheet.operating, sheet.investment, sheet.saving, sheet.net) == (300, 500, 800, 0)
    assert sheet.payback_year == 2028 and sheet.dip == -600
    assert sheet.npv == 0  # at a discount rate of 0 the NPV is the plain sum
    html = response.content.decode()
    assert 'id="payback-year">2028<' in html and "Kortare handläggningstid för bygglov" in html
    assert 'id="total-saving">800<' in html
    assert "inväntar partnerns bekräftelse" in html  # the share is not confirmed yet


def test_the_partner_names_its_committee_and_others_may_not(
    client: Client, alice: User, charlie: User, planned: Initiative, beta: Organisation,
) -> None:
    url = f"/samverkan/{planned.pk}/budgetunderlag/{beta.code}/budgetrad/"
    assert login(client, alice).post(url, {"committee": "Fel nämnd"}).status_code == 403
    response = login(client, charlie).post(url, {"committee": " Byggnadsnämnden ",
                                                 "activity": "Bygglov"})
    assert response.status_code == 302
    budget = PartnerBudget.objects.get(organisation=beta)
    assert (budget.committee, budget.activity) == ("Byggnadsnämnden", "Bygglov")
    too_long = client.post(url, {"committee": "x" * 201})
    assert too_long.status_code == 422
    assert PartnerBudget.objects.get(organisation=beta).committee == "Byggnadsnämnden"
    page = client.get(f"/samverkan/{planned.pk}/budgetunderlag/{beta.code}/").content.decode()
    assert "Byggnadsnämnden" in page


def test_observers_have_no_budget_sheet(client: Client, alice: User, planned: Initiative,
                                         gamma: Organisation) -> None:
    actions.do_add_partner(planned, acting_user=alice, organisation=gamma, role="observer")
    login(client, alice)
    assert client.get(f"/samverkan/{planned.pk}/budgetunderlag/{gamma.code}/").status_code \
        == 404
    response = client.get(f"/api/initiatives/{planned.pk}/budget/{gamma.code}", **basic(alice))
    assert response.status_code == 404 and "paying partner" in response.json()["detail"]


def test_the_xlsx_api_and_cli_give_the_same_sums(
    client: Client, erin: User, planned: Initiative, beta: Organisation, tmp_path: Path,
) -> None:
    login(client, erin)
    xlsx = client.get(f"/samverkan/{planned.pk}/budgetunderlag/{beta.code}/export.xlsx")
    assert xlsx.status_code == 200
    sheet = active_sheet(load_workbook(io.BytesIO(xlsx.content)))
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    total = next(r for r in values if r[0] == "Totalt")
    assert total[1:5] == [300, 500, 800, 0]
    api = client.get(f"/api/initiatives/{planned.pk}/budget/{beta.code}", **basic(erin)).json()
    assert api["payback_year"] == 2028
    assert {k: Decimal(v) for k, v in api["totals"].items()} == {
        "operating": 300, "investment": 500, "saving": 800, "net": 0, "dip": -600}
    target = tmp_path / "budget.xlsx"
    result = CliRunner().invoke(benefits, ["budget-sheet", str(planned.pk), beta.code,
                                           "-O", str(target)])
    assert result.exit_code == 0, result.output
    assert active_sheet(load_workbook(target)).max_row == sheet.max_row
    printed = CliRunner().invoke(benefits, ["budget-sheet", str(planned.pk), beta.code])
    assert json.loads(printed.output)["own_goals"] == ["Kortare handläggningstid för bygglov"]
    refused = CliRunner().invoke(benefits, ["budget-sheet", str(planned.pk), "0000"])
    assert refused.exit_code != 0 and "not a paying partner" in refused.output


def test_the_sheets_are_linked_from_the_initiative_and_the_organisation(
    client: Client, erin: User, planned: Initiative, beta: Organisation,
) -> None:
    login(client, erin)
    url = f"/samverkan/{planned.pk}/budgetunderlag/{beta.code}/"
    assert url in client.get(f"/samverkan/{planned.pk}/").content.decode()
    assert url in client.get(f"/organisationer/{beta.code}/").content.decode()
