"""Each paying partner enters its share of the chosen split in its own benefits ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from mellanrum.collaborations import actions
from mellanrum.collaborations.models import CostSplit, Initiative, LedgerRow
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Organisation

from .conftest import basic, login

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def split(initiative: Initiative, alice: User, alfa: Organisation,
          beta: Organisation) -> CostSplit:
    # Shapley of the game A=400, B=600, AB=800: Alfa pays 300 and Beta 500.
    return actions.do_choose_cost_split(initiative, acting_user=alice, joint_cost=Decimal(800),
                                        standalone={alfa.code: 400, beta.code: 600},
                                        method="shapley")


def test_a_partner_enters_its_share_once_as_a_planned_cost(
    client: Client, charlie: User, initiative: Initiative, split: CostSplit, beta: Organisation,
) -> None:
    url = f"/samverkan/{initiative.pk}/kostnadsfordelning/"
    page = login(client, charlie).get(url).content.decode()
    assert 'id="share-form"' in page and "Beta kommun betalar 500 kr" in page

    response = client.post(url + "andel/", {"organisation": beta.code, "year": "2026",
                                            "kind": "running"})
    row = LedgerRow.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#row-{row.pk}")
    assert (row.organisation, row.year, row.kind) == (beta, 2026, "running")
    assert row.planned == Decimal(500) and row.realised is None and row.cost_split == split
    assert "Shapley" in row.description
    assert AuditEntry.objects.filter(action="collaborations.take_split_share").count() == 1

    page = client.get(url).content.decode()
    assert 'id="share-form"' not in page  # entered: the form is gone, the entry is listed
    assert 'id="shares-taken"' in page and f"#row-{row.pk}" in page
    again = client.post(url + "andel/", {"organisation": beta.code, "year": "2027",
                                         "kind": "running"}, follow=True)
    assert "finns redan i nyttokalkylen (2026)" in again.content.decode()
    assert LedgerRow.objects.count() == 1


def test_a_partner_cannot_enter_another_partners_share(
    client: Client, charlie: User, dave: User, initiative: Initiative, split: CostSplit,
    alfa: Organisation,
) -> None:
    url = f"/samverkan/{initiative.pk}/kostnadsfordelning/andel/"
    login(client, charlie).post(url, {"organisation": alfa.code, "year": "2026",
                                      "kind": "investment"})
    assert not LedgerRow.objects.exists()  # Alfa is not among Beta's editor's choices
    login(client, dave)  # no partner at all: a private initiative is not found
    assert client.post(url, {"organisation": alfa.code, "year": "2026",
                             "kind": "investment"}).status_code == 404
    assert not LedgerRow.objects.exists()


@pytest.mark.parametrize(("year", "kind"), [("1999", "investment"), ("2026", "money"),
                                            ("tjugo", "running"), ("", "")])
def test_bad_input_gets_a_message_and_enters_nothing(
    client: Client, charlie: User, initiative: Initiative, split: CostSplit, beta: Organisation,
    year: str, kind: str,
) -> None:
    url = f"/samverkan/{initiative.pk}/kostnadsfordelning/"
    response = login(client, charlie).post(url + "andel/", {"organisation": beta.code,
                                                             "year": year, "kind": kind},
                                           follow=True)
    assert '<p class="message message-error">' in response.content.decode()
    assert not LedgerRow.objects.exists()


def test_the_action_refuses_observers_wrong_kinds_and_a_second_time(
    initiative: Initiative, split: CostSplit, alice: User, alfa: Organisation,
    gamma: Organisation,
) -> None:
    actions.do_add_partner(initiative, acting_user=alice, organisation=gamma, role="observer")
    with pytest.raises(ValidationError, match="betalar en andel"):
        actions.do_take_split_share(split, acting_user=alice, organisation=gamma, year=2026,
                                    kind="investment")
    with pytest.raises(ValidationError):
        actions.do_take_split_share(split, acting_user=alice, organisation=alfa, year=2026,
                                    kind="money")
    actions.do_take_split_share(split, acting_user=alice, organisation=alfa, year=2026,
                                kind="investment")
    with pytest.raises(ValidationError, match="finns redan"):
        actions.do_take_split_share(split, acting_user=alice, organisation=alfa, year=2027,
                                    kind="investment")
    assert LedgerRow.objects.get().planned == Decimal(300)


def test_the_api_enters_the_share_and_says_which_split_it_came_from(
    client: Client, charlie: User, initiative: Initiative, split: CostSplit,
) -> None:
    url = f"/api/initiatives/{initiative.pk}/split/share"
    created = client.post(url, {"year": 2026, "kind": "investment"}, content_type=JSON,
                          **basic(charlie))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["organisation"] == "9902" and Decimal(body["planned"]) == 500
    assert body["cost_split"] == split.pk
    second = client.post(url, {"year": 2026, "kind": "investment"}, content_type=JSON,
                         **basic(charlie))
    assert second.status_code == 422 and LedgerRow.objects.count() == 1
    assert client.post(url, {"year": 2026, "kind": "money"}, content_type=JSON,
                       **basic(charlie)).status_code == 422


def test_the_api_says_when_no_split_is_chosen(client: Client, charlie: User,
                                              initiative: Initiative) -> None:
    response = client.post(f"/api/initiatives/{initiative.pk}/split/share",
                           {"year": 2026, "kind": "investment"}, content_type=JSON,
                           **basic(charlie))
    assert response.status_code == 404 and "No split" in response.json()["detail"]
