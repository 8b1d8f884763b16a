"""The ledger, economics and split endpoints of the JSON API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from mellanrum.benefits import actions as ledger_actions
from mellanrum.benefits.models import CostSplit, LedgerRow
from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import basic
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db
JSON = "application/json"
ROW = {"year": 2025, "kind": "money", "planned": "1000", "description": "Porto"}


def test_a_partner_creates_updates_and_deletes_its_own_rows(
    client: Client, charlie: User, initiative: Initiative,
) -> None:
    base = f"/api/initiatives/{initiative.pk}/ledger"
    created = client.post(base, ROW, content_type=JSON, **basic(charlie))
    assert created.status_code == 201, created.content
    row = created.json()
    assert row["organisation"] == "9902" and Decimal(row["planned"]) == 1000
    updated = client.put(f"{base}/{row['id']}", {**ROW, "realised": "900", "version": 1},
                         content_type=JSON, **basic(charlie))
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = client.put(f"{base}/{row['id']}", {**ROW, "realised": "1", "version": 1},
                       content_type=JSON, **basic(charlie))
    assert stale.status_code == 409
    listed = client.get(base, **basic(charlie)).json()
    assert listed["count"] == 1 and [Decimal(r["realised"]) for r in listed["items"]] == [900]
    assert client.delete(f"{base}/{row['id']}", **basic(charlie)).status_code == 204
    assert not LedgerRow.objects.exists()


def test_a_partner_cannot_touch_another_partners_rows(
    client: Client, charlie: User, alice: User, initiative: Initiative, alfa: Organisation,
) -> None:
    row = ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=alfa,
                                    year=2025, kind="money", planned=Decimal(5))
    base = f"/api/initiatives/{initiative.pk}/ledger"
    assert client.post(base, {**ROW, "organisation": "9901"}, content_type=JSON,
                       **basic(charlie)).status_code == 403
    assert client.put(f"{base}/{row.pk}", ROW, content_type=JSON,
                      **basic(charlie)).status_code == 403
    assert client.delete(f"{base}/{row.pk}", **basic(charlie)).status_code == 403
    row.refresh_from_db()
    assert row.planned == Decimal(5) and LedgerRow.objects.count() == 1


def test_outsiders_get_404_on_private_initiatives(client: Client, dave: User,
                                                 initiative: Initiative) -> None:
    for path in ("ledger", "economics", "split"):
        assert client.get(f"/api/initiatives/{initiative.pk}/{path}",
                          **basic(dave)).status_code == 404
    assert client.post(f"/api/initiatives/{initiative.pk}/ledger", ROW, content_type=JSON,
                       **basic(dave)).status_code == 404


@pytest.mark.parametrize("bad", [
    {"planned": "-1"}, {"planned": "1e11"}, {"year": 1999}, {"year": 2101},
    {"kind": "gift"}, {"organisation": "9903"}, {"organisation": "nope"},
    {"kind": "qualitative", "planned": "3"}, {"description": "x" * 501},
    {"planned": "1.234"}, {"kind": "hours", "planned": "20000000"},
])
def test_bad_rows_are_422_and_change_nothing(client: Client, alice: User,
                                             initiative: Initiative, gamma: Organisation,
                                             bad: dict[str, object]) -> None:
    response = client.post(f"/api/initiatives/{initiative.pk}/ledger", {**ROW, **bad},
                           content_type=JSON, **basic(alice))
    assert response.status_code in (403, 422), response.content
    if bad.get("organisation") != "9903":
        assert response.status_code == 422
    assert not LedgerRow.objects.exists()


def test_economics_summary_and_settings(client: Client, alice: User, charlie: User,
                                        initiative: Initiative, alfa: Organisation) -> None:
    ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=alfa, year=2025,
                              kind="money", planned=Decimal(1000))
    url = f"/api/initiatives/{initiative.pk}/economics"
    data = client.get(url, **basic(charlie)).json()
    assert data["is_default"] and Decimal(data["discount_rate_percent"]) == Decimal("3.5")
    assert Decimal(data["net_gain"]) == 1000
    body = {"discount_rate_percent": "10", "hourly_cost": "500", "base_year": 2024}
    assert client.put(url, body, content_type=JSON, **basic(charlie)).status_code == 403
    assert client.put(url, {**body, "discount_rate_percent": "21"}, content_type=JSON,
                      **basic(alice)).status_code == 422
    data = client.put(url, body, content_type=JSON, **basic(alice)).json()
    assert Decimal(data["net_gain"]) == Decimal("909.09")


def test_split_read_by_partners_and_chosen_by_the_lead(
    client: Client, alice: User, charlie: User, initiative: Initiative,
) -> None:
    url = f"/api/initiatives/{initiative.pk}/split"
    assert client.get(url, **basic(charlie)).status_code == 404
    body = {"joint_cost": "800", "standalone": {"9901": "400", "9902": "600"},
            "method": "nucleolus"}
    assert client.post(url, body, content_type=JSON, **basic(charlie)).status_code == 403
    for bad in ({"method": "coin"}, {"standalone": {"9901": "400"}},
                {"standalone": {"9901": "400", "9902": "600", "9903": "1"}},
                {"joint_cost": "0"}):
        assert client.post(url, {**body, **bad}, content_type=JSON,
                           **basic(alice)).status_code == 422
    assert not CostSplit.objects.exists()
    created = client.post(url, body, content_type=JSON, **basic(alice))
    assert created.status_code == 201, created.content
    data = client.get(url, **basic(charlie)).json()
    assert data["method"] == "nucleolus" and data["chosen_by"] == "alice"
    assert data["amounts"] == {"9901": 300.0, "9902": 500.0}
    assert data["in_core"] is True and len(data["comparison"]) >= 5


def test_the_ledger_list_is_paginated(
    client: Client, alice: User, initiative: Initiative, alfa: Organisation,
) -> None:
    for year in (2027, 2025, 2026):
        ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=alfa,
                                  year=year, kind="money", planned=Decimal(year))
    base = f"/api/initiatives/{initiative.pk}/ledger"
    first = client.get(f"{base}?limit=2", **basic(alice)).json()
    rest = client.get(f"{base}?limit=2&offset=2", **basic(alice)).json()
    assert first["count"] == rest["count"] == 3
    assert [r["year"] for r in first["items"] + rest["items"]] == [2025, 2026, 2027]
    assert client.get(f"{base}?limit=0", **basic(alice)).status_code == 422


def test_split_through_the_api_takes_subgroup_costs_and_tells_each_partners_story(
    client: Client, alice: User, initiative: Initiative, gamma: Organisation,
) -> None:
    do_answer_invitation(actions.do_add_partner(initiative, acting_user=alice,
                                                organisation=gamma, role="partner"),
                         acting_user=None, accept=True)
    url = f"/api/initiatives/{initiative.pk}/split"
    body = {"joint_cost": "900000",
            "standalone": {"9901": "600000", "9902": "400000", "9903": "300000"},
            "method": "shapley"}
    for bad in ({"groups": [{"partners": ["9901", "9904"], "cost": "700000"}]},
                {"groups": [{"partners": ["9901", "9902"], "cost": "700000"},
                            {"partners": ["Beta kommun", "Alfa kommun"], "cost": "1"}]},
                {"fixed_percent": "101"}, {"model": "airport"}):
        assert client.post(url, {**body, **bad}, content_type=JSON,
                           **basic(alice)).status_code == 422
    assert not CostSplit.objects.exists()
    created = client.post(url, {**body, "groups": [
        {"partners": ["Alfa kommun", "Beta kommun"], "cost": "700000"}]},
        content_type=JSON, **basic(alice))
    assert created.status_code == 201, created.content
    data = created.json()
    # By hand (see test_split_game): Alfa adds 600, 600, 300, 200, 600, 200 thousand.
    assert data["amounts"]["9901"] == pytest.approx(2_500_000 / 6, abs=0.01)
    assert data["methods_agree"] is False and data["standalone_only"] is False
    assert [s["code"] for s in data["stories"]] == ["9901", "9902", "9903"]
    assert data["game"]["groups"] == [[["9901", "9902"], "700000"]]


def test_split_through_the_api_with_the_cost_model(
    client: Client, alice: User, initiative: Initiative,
) -> None:
    url = f"/api/initiatives/{initiative.pk}/split"
    formula: dict[str, Any] = {"fixed": "100000", "unit_cost": "1000", "exponent": "1",
                               "volume": {"9901": "300", "9902": "100"}}
    body = {"method": "shapley", "model": "formula", "formula": formula}
    bad = {**body, "formula": {**formula, "volume": {"9901": "300"}}}
    assert client.post(url, bad, content_type=JSON, **basic(alice)).status_code == 422
    assert not CostSplit.objects.exists()
    created = client.post(url, body, content_type=JSON, **basic(alice))
    assert created.status_code == 201, created.content
    # c(A) = 400 000, c(B) = 200 000, c(AB) = 500 000: the fixed part is shared equally.
    assert created.json()["amounts"] == {"9901": 350000.0, "9902": 150000.0}
    assert created.json()["joint_cost"] == "500000.00"
