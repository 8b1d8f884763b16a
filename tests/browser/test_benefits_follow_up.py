"""A partner's editor records planned and realised benefits, the lead chooses a split of the
joint cost, every partner sees the net gain and the chosen split, and a partner confirms its
share and reads its budget sheet, in a real browser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from mellanrum.benefits import actions as ledger_actions
from mellanrum.benefits.models import CostSplit, LedgerRow
from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.landscape.models import Organisation

from .conftest import save_screenshot
from .test_collaborations import _axe_violations, _editor, _log_in, _save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ledger_net_gain_and_cost_split(axe_page: Page, live_server: object) -> None:
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    varmdo = Organisation.objects.create(code="0120", name="Värmdö kommun",
                                         kind="municipality")
    _editor("karin", nacka)
    _editor("viktor", varmdo)
    initiative = actions.do_create_initiative(
        acting_user=None, lead=nacka, title="Gemensam e-tjänst", purpose="Syfte",
        phase="implementation")
    do_answer_invitation(actions.do_add_partner(initiative, acting_user=None,
                                                organisation=varmdo),
                         acting_user=None, accept=True)
    ledger_actions.do_add_ledger_row(initiative, acting_user=None, organisation=nacka, year=2025,
                              kind="investment", planned=Decimal(100000))
    base = str(live_server)
    page = axe_page
    found: dict[str, list[str]] = {}

    _log_in(page, base, "viktor")
    ledger = f"{base}/samverkan/{initiative.pk}/nyttorealisering/"
    page.goto(ledger)
    # Nacka's row is Nacka's: Värmdö's editor sees it but cannot change it.
    expect(page.locator("#ledger-rows")).to_contain_text("Nacka kommun")
    expect(page.locator("#ledger-rows a")).to_have_count(0)
    page.get_by_role("link", name="Lägg till en rad i nyttokalkylen").or_(
        page.locator(f"a[href$='/samverkan/{initiative.pk}/nyttorealisering/ny/']")).click()
    page.locator("#id_year").fill("2025")
    page.locator("#id_kind").select_option("money")
    page.locator("#id_planned").fill("-50")
    _save(page)
    expect(page.locator(".errorlist")).to_be_visible()
    found["ledger form with errors"] = _axe_violations(page)
    assert LedgerRow.objects.count() == 1
    page.locator("#id_planned").fill("60 000")
    page.locator("#id_realised").fill("45000")
    page.locator("#id_description").fill("Lägre portokostnad")
    _save(page)
    page.wait_for_url(ledger)
    expect(page.locator("#npv")).to_contain_text("Värmdö kommun")
    expect(page.locator("#per-year")).to_contain_text("2025")
    chart = page.locator("img[src^='/diagram/']")
    expect(chart).to_have_count(1)
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")  # the picture loaded
    found["ledger"] = _axe_violations(page)

    _log_in(page, base, "karin")
    page.goto(f"{base}/samverkan/{initiative.pk}/kostnadsfordelning/")
    page.locator("#id_joint_cost").fill("800000")
    page.locator("#id_alone_0182").fill("400000")
    page.locator("#id_alone_0120").fill("600000")
    page.locator("button[name=compare]").click()
    expect(page.locator("#split-preview")).to_be_visible()
    # Only stand-alone costs: the page says why every method agrees, and tells each story.
    expect(page.locator("#split-preview-facts")).to_contain_text(
        "Bara kostnaderna för var och en ensam är kända")
    expect(page.locator("#stories-preview p")).to_have_count(2)
    assert not CostSplit.objects.exists()
    found["split preview"] = _axe_violations(page)
    page.locator("#id_method").select_option("shapley")
    page.locator("button[name=save]").click()
    expect(page.locator("#split-current")).to_be_visible()
    assert CostSplit.objects.get().method == "shapley"
    save_screenshot(page, "collaboration-cost-split.png")

    _log_in(page, base, "viktor")
    page.goto(f"{base}/samverkan/{initiative.pk}/")
    expect(page.locator("#net-gain-summary")).to_contain_text("Värmdö kommun")
    expect(page.locator("#split-summary")).to_contain_text("Shapley")
    found["detail"] = _axe_violations(page)

    # The split is Värmdö's planned cost; its editor confirms it and opens its budget sheet.
    page.goto(f"{base}/samverkan/{initiative.pk}/kostnadsfordelning/")
    page.get_by_role("button", name="Bekräfta Värmdö kommuns andel").click()
    expect(page.locator("#split-shares")).to_contain_text("Bekräftat")
    assert LedgerRow.objects.get(organisation=varmdo, cost_split__isnull=False).confirmed_at
    found["split with shares"] = _axe_violations(page)
    page.goto(f"{base}/samverkan/{initiative.pk}/")
    page.locator("#budget-sheets").get_by_role("link", name="Värmdö kommun").click()
    expect(page.locator("#budget-years")).to_contain_text("500 000")  # its Shapley share
    expect(page.locator("#budget-facts")).to_contain_text("bekräftad av parten")
    found["budget sheet"] = _axe_violations(page)
    save_screenshot(page, "benefits-budget-sheet.png")
    assert {k: v for k, v in found.items() if v} == {}
