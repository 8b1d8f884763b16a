"""One truth: the chosen split is each paying partner's planned cost in its own ledger,
confirmed by the partner, and a new split replaces it the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from mellanrum.benefits import actions as ledger_actions
from mellanrum.benefits.models import CostSplit, LedgerRow
from mellanrum.collaborations import actions
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import basic, login
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db
JSON = "application/json"


def choose(initiative: Initiative, alice: User, alfa: Organisation, beta: Organisation,
           **kwargs: Any) -> CostSplit:
    # Shapley of the game A=400, B=600, AB=800: Alfa pays 300 and Beta 500.
    options: dict[str, Any] = {"joint_cost": Decimal(800), "method": "shapley",
                               "standalone": {alfa.code: 400, beta.code: 600},
                               "first_year": 2026}
    options.update(kwargs)
    return ledger_actions.do_choose_cost_split(initiative, acting_user=alice, **options)


@pytest.fixture
def split(initiative: Initiative, alice: User, alfa: Organisation,
          beta: Organisation) -> CostSplit:
    return choose(initiative, alice, alfa, beta)


def _planned(initiative: Initiative) -> dict[tuple[str, int], Decimal | None]:
    return {(r.organisation.code, r.year): r.planned
            for r in initiative.ledger_rows.select_related("organisation")}


def test_choosing_a_split_puts_each_paying_partners_share_in_its_ledger(
    initiative: Initiative, alice: User, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    actions.do_add_partner(initiative, acting_user=alice, organisation=gamma, role="observer")
    split = choose(initiative, alice, alfa, beta, cost_kind="running", years=2)
    assert _planned(initiative) == {("9901", 2026): Decimal(300), ("9901", 2027): Decimal(300),
                                    ("9902", 2026): Decimal(500), ("9902", 2027): Decimal(500)}
    rows = list(split.ledger_rows.all())
    assert all(r.kind == "running" and r.confirmed_at is None for r in rows)
    assert not LedgerRow.objects.filter(organisation=gamma).exists()  # observers pay nothing
    logged = AuditEntry.objects.filter(action="collaborations.split_rows_replaced")
    assert sorted(str(e.organisation.code) for e in logged if e.organisation) == ["9901", "9902"]


def test_a_partner_confirms_its_own_share_on_the_split_page(
    client: Client, charlie: User, initiative: Initiative, split: CostSplit, beta: Organisation,
) -> None:
    url = f"/samverkan/{initiative.pk}/kostnadsfordelning/"
    page = login(client, charlie).get(url).content.decode()
    assert 'id="split-shares"' in page and "Bekräfta Beta kommuns andel" in page
    response = client.post(url + "andel/", {"organisation": beta.code})
    assert response.status_code == 302
    row = LedgerRow.objects.get(organisation=beta)
    assert row.confirmed_by == charlie and row.confirmed_at is not None
    assert AuditEntry.objects.filter(action="collaborations.confirm_split_share").count() == 1
    page = client.get(url).content.decode()
    assert "Bekräfta Beta kommuns andel" not in page and "Bekräftat" in page


def test_confirming_another_partners_share_is_refused_and_changes_nothing(
    client: Client, alice: User, charlie: User, initiative: Initiative, split: CostSplit,
    alfa: Organisation, beta: Organisation,
) -> None:
    url = f"/samverkan/{initiative.pk}/kostnadsfordelning/andel/"
    # Beta's editor for Alfa, and the lead's editor (who chose the split) for Beta.
    for user, other in ((charlie, alfa), (alice, beta)):
        response = login(client, user).post(url, {"organisation": other.code}, follow=True)
        assert "bekräftar bara andelen för en organisation du redigerar för" in \
            response.content.decode()
    client.logout()
    api = client.post(f"/api/initiatives/{initiative.pk}/split/share",
                      {"organisation": alfa.code}, content_type=JSON, **basic(charlie))
    assert api.status_code == 403 and "Nothing was changed" in api.json()["detail"]
    assert not LedgerRow.objects.filter(confirmed_at__isnull=False).exists()


def test_a_new_split_replaces_the_rows_and_asks_for_a_new_confirmation(
    initiative: Initiative, alice: User, charlie: User, split: CostSplit, alfa: Organisation,
    beta: Organisation,
) -> None:
    ledger_actions.do_confirm_split_share(split, acting_user=charlie, organisation=beta)
    first = LedgerRow.objects.get(organisation=beta, year=2026)
    ledger_actions.do_update_ledger_row(first, acting_user=charlie, realised=Decimal(480))
    # The new split: equal shares, one year later. Beta's 2026 row has a realised amount and
    # stays as an ordinary row; the rest follows the new split.
    newer = choose(initiative, alice, alfa, beta, method="equal", first_year=2027)
    assert _planned(initiative) == {("9901", 2027): Decimal(400),
                                    ("9902", 2026): Decimal(500),
                                    ("9902", 2027): Decimal(400)}
    kept = LedgerRow.objects.get(pk=first.pk)
    assert kept.cost_split is None and kept.realised == Decimal(480)
    assert set(newer.ledger_rows.values_list("confirmed_at", flat=True)) == {None}
    assert not LedgerRow.objects.filter(cost_split=split).exists()
    with pytest.raises(ValidationError, match="nyare fördelning"):
        ledger_actions.do_confirm_split_share(split, acting_user=charlie, organisation=beta)


def test_a_share_changes_only_with_the_split(
    initiative: Initiative, charlie: User, split: CostSplit, beta: Organisation,
) -> None:
    row = LedgerRow.objects.get(organisation=beta)
    row.initiative = initiative
    with pytest.raises(ValidationError, match="ändras bara med fördelningen"):
        ledger_actions.do_update_ledger_row(row, acting_user=charlie, planned=Decimal(1))
    with pytest.raises(ValidationError):
        ledger_actions.do_remove_ledger_row(row, acting_user=charlie)
    assert LedgerRow.objects.get(pk=row.pk).planned == Decimal(500)
    updated = ledger_actions.do_update_ledger_row(row, acting_user=charlie,
                                                  realised=Decimal(510))
    assert updated.realised == Decimal(510) and updated.planned == Decimal(500)


@pytest.mark.parametrize("bad", [{"first_year": 1999}, {"years": 0}, {"years": 11},
                                 {"cost_kind": "money"}, {"first_year": "tjugo"}])
def test_bad_ledger_options_are_refused_and_nothing_is_stored(
    initiative: Initiative, alice: User, alfa: Organisation, beta: Organisation,
    bad: dict[str, Any],
) -> None:
    with pytest.raises(ValidationError):
        choose(initiative, alice, alfa, beta, **bad)
    assert not CostSplit.objects.exists() and not LedgerRow.objects.exists()


def test_the_api_confirms_the_share_and_shows_it_with_the_split(
    client: Client, charlie: User, initiative: Initiative, split: CostSplit,
) -> None:
    url = f"/api/initiatives/{initiative.pk}/split"
    confirmed = client.post(url + "/share", {}, content_type=JSON, **basic(charlie))
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert body["organisation"] == "9902" and Decimal(body["planned"]) == 500
    assert body["confirmed_by"] == "charlie" and body["years"] == [2026]
    shares = client.get(url, **basic(charlie)).json()["shares"]
    assert [(s["organisation"], s["confirmed_by"]) for s in shares] == [
        ("9901", None), ("9902", "charlie")]


def test_the_api_says_when_no_split_is_chosen(client: Client, charlie: User,
                                              initiative: Initiative) -> None:
    response = client.post(f"/api/initiatives/{initiative.pk}/split/share", {},
                           content_type=JSON, **basic(charlie))
    assert response.status_code == 404 and "No split" in response.json()["detail"]
