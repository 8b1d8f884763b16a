"""The ledger chart of a private initiative is served only to users who may see the ledger
(issue 13, point 3): the address a partner was shown does not work for anyone else."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from mellanrum.benefits import actions as ledger_actions
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import login
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db


def _chart_address(client: Client, initiative: Initiative) -> str:
    html = client.get(f"/samverkan/{initiative.pk}/nyttorealisering/").content.decode()
    found = re.findall(r'<img src="(/diagram/[0-9a-f]{64}\.svg\?a=[^"]+)"', html)
    assert len(found) == 1
    return str(found[0]).replace("&amp;", "&")


def test_a_private_ledger_chart_is_served_to_the_partner_only(
    client: Client, alice: User, dave: User, initiative: Initiative, alfa: Organisation,
    settings: object,
) -> None:
    settings.CHART_RENDER_PROCESSES = 0  # type: ignore[attr-defined]
    ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=alfa, year=2025,
                              kind="money", planned=Decimal("80000"))
    address = _chart_address(login(client, alice), initiative)
    picture = client.get(address)
    assert picture.status_code == 200 and picture["Cache-Control"].startswith("private")
    assert Client().get(address).status_code == 404  # anyone with the address
    assert Client().get(address.split("?")[0]).status_code == 404
    assert login(Client(), dave).get(address).status_code == 404  # a non-partner
