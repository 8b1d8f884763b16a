"""Net gain on the organisation page and in the portfolio (page, XLSX and API)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from mellanrum.benefits import actions as ledger_actions
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import basic, login
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_ledger(initiative: Initiative, alice: User, alfa: Organisation,
                beta: Organisation) -> Initiative:
    ledger_actions.do_set_economics(initiative, acting_user=alice, discount_rate_percent=0,
                             hourly_cost=600, base_year=2024)
    ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=alfa, year=2024,
                              kind="investment", planned=Decimal(1000))
    ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=alfa, year=2025,
                              kind="money", planned=Decimal(4000))
    ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=beta, year=2025,
                              kind="hours", planned=Decimal(10))
    return initiative


def test_the_organisation_page_lists_collaborations_and_net_gain(
    client: Client, alice: User, with_ledger: Initiative, alfa: Organisation,
) -> None:
    html = login(client, alice).get(alfa.get_absolute_url()).content.decode()
    assert 'id="organisation-collaborations"' in html
    assert with_ledger.title in html
    net = html.split('id="organisation-net-gain">')[1].split("<")[0]
    assert net.replace("\xa0", "").replace(" ", "") == "3000"


def test_the_organisation_page_hides_private_collaborations_from_outsiders(
    client: Client, dave: User, with_ledger: Initiative, alfa: Organisation,
) -> None:
    html = login(client, dave).get(alfa.get_absolute_url()).content.decode()
    assert with_ledger.title not in html
    Initiative.objects.filter(pk=with_ledger.pk).update(is_public=True)
    html = client.get(alfa.get_absolute_url()).content.decode()
    assert with_ledger.title in html


def test_the_portfolio_shows_net_gain(client: Client, bob: User,
                                      with_ledger: Initiative) -> None:
    login(client, bob)
    html = client.get("/samverkan/").content.decode()
    assert "9\xa0000" in html or "9 000" in html  # 3 000 for Alfa + 6 000 for Beta
    workbook = load_workbook(io.BytesIO(client.get("/samverkan/export.xlsx").content))
    header, row = list(workbook.worksheets[0].iter_rows(values_only=True))[:2]
    assert len(header) == 14 and row[11] == 9000  # after Conflicts
    data = client.get("/api/portfolio", **basic(bob)).json()
    assert Decimal(data["rows"][0]["net_gain"]) == Decimal(9000)
