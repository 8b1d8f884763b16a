"""The illustrative demo initiatives among Stockholm County municipalities."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from mellanrum.collaborations.demo import DEMO, do_load_demo_initiatives
from mellanrum.collaborations.models import Alignment, Initiative
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation


@pytest.fixture
def stockholm(db: None) -> None:
    codes = {code for item in DEMO for code in [item.lead, *(c for c, _r in item.partners)]}
    for code in codes:
        Organisation.objects.create(code=code, name=f"Kommun {code}", kind="municipality",
                                    county_code="01")


def test_demo_creates_three_illustrative_initiatives_once(stockholm: None) -> None:
    assert do_load_demo_initiatives() == 3
    assert do_load_demo_initiatives() == 0
    assert Initiative.objects.filter(is_illustrative=True).count() == 3
    conflict = Alignment.objects.get(stance="conflicts")
    assert conflict.statement.kind == "budget_rule"
    for initiative in Initiative.objects.all():
        assert initiative.goals.exists() and initiative.statements.exists()
        assert initiative.risks.exists()


def test_demo_is_marked_illustrative_in_the_ui(
    client: Client, stockholm: None, superuser: User
) -> None:
    do_load_demo_initiatives()
    client.force_login(superuser)
    page = client.get("/samverkan/")
    assert page.context["has_illustrative"]
    assert page.content.decode().count("badge-illustrative") == 3
    initiative = Initiative.objects.get(title__startswith="Gemensam e-tjänst")
    detail = client.get(f"/samverkan/{initiative.pk}/")
    assert detail.context["conflicts"] == 1
    assert 'class="notice"' in detail.content.decode()


def test_demo_without_organisations_creates_nothing(db: None) -> None:
    assert do_load_demo_initiatives() == 0


def test_demo_ledgers_and_splits_are_deterministic(stockholm: None, superuser: User,
                                                   client: Client) -> None:
    from mellanrum.benefits.ledger import ledger_view

    do_load_demo_initiatives()
    first = {i.title: ledger_view(i).result.net_gain for i in Initiative.objects.all()}
    for initiative in Initiative.objects.all():
        view = ledger_view(initiative)
        paying = [p for p in view.result.partners if p.cost_planned > 0]
        assert 2 <= len(paying) <= 4
        start = initiative.start_date
        assert start is not None
        # The ledger starts in the year the initiative started; only years that are over (the
        # demo's today is December 2026) have realised figures.
        assert {y.year for y in view.result.years} == set(range(start.year, start.year + 5))
        realised = {y.year for y in view.result.years if y.has_realised}
        assert realised == set(range(start.year, 2026))
        assert view.qualitative
        split = initiative.cost_splits.get()
        assert split.in_core is not None and len(split.comparison) >= 5
    do_load_demo_initiatives()  # idempotent: no second ledger or split
    assert {i.title: ledger_view(i).result.net_gain for i in Initiative.objects.all()} == first
    assert all(i.cost_splits.count() == 1 for i in Initiative.objects.all())
    client.force_login(superuser)
    initiative = Initiative.objects.get(title__startswith="Gemensam e-tjänst")
    page = client.get(f"/samverkan/{initiative.pk}/nyttorealisering/").content.decode()
    assert 'class="notice"' in page and "<img" in page


def test_demo_dates_agree_with_each_other(stockholm: None) -> None:
    do_load_demo_initiatives()
    today = datetime.date(2026, 12, 6)  # the demo's today
    for initiative in Initiative.objects.all():
        start = initiative.start_date
        assert start is not None and start <= today, initiative
        for decision in initiative.decisions.all():
            assert start <= decision.date <= today, (initiative, decision)
        for goal in initiative.goals.all():
            assert goal.target_date is not None and goal.target_date > today, goal
        assert min(initiative.ledger_rows.values_list("year", flat=True)) == start.year
        if initiative.phase == "idea":
            assert not initiative.ledger_rows.filter(realised__isnull=False).exists()


def test_demo_splits_use_cost_models_so_the_methods_differ(stockholm: None) -> None:
    from mellanrum.benefits.models import CostSplit

    do_load_demo_initiatives()
    splits = list(CostSplit.objects.all())
    assert sorted(s.game["model"] for s in splits) == ["capacity", "formula", "known"]
    for split in splits:
        if split.game["model"] == "known":
            assert len(split.game["groups"]) == 3
        amounts = {m["method"]: m["amounts"] for m in split.comparison}
        assert any(abs(amounts["shapley"][c] - amounts["nucleolus"][c]) > 1
                   or abs(amounts["shapley"][c] - amounts["scrb"][c]) > 1
                   for c in amounts["shapley"]), split.game["model"]


def test_each_demo_partner_has_its_share_in_its_ledger_and_a_budget_sheet(
    stockholm: None, superuser: User, client: Client,
) -> None:
    from mellanrum.benefits.budget import budget_sheet, sheet_organisations

    do_load_demo_initiatives()
    client.force_login(superuser)
    waiting = 0
    for initiative in Initiative.objects.all():
        split = initiative.cost_splits.get()
        for organisation in sheet_organisations(initiative):
            rows = list(split.ledger_rows.filter(organisation=organisation))
            assert [r.planned for r in rows] == [
                Decimal(str(split.amounts[organisation.code])).quantize(Decimal("0.01"))]
            waiting += rows[0].confirmed_at is None
            sheet = budget_sheet(initiative, organisation)
            assert sheet.committee and sheet.years and sheet.share == rows[0].planned
            assert sheet.investment == rows[0].planned  # the share is its only investment
            page = client.get(f"/samverkan/{initiative.pk}/budgetunderlag/"
                              f"{organisation.code}/")
            assert page.status_code == 200
    assert waiting == 1  # one partner has not yet confirmed, so the page shows both states
