"""A process leader compares every municipality's Kolada figure, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mellanrum.kolada.demo import do_load_demo_kpis
from mellanrum.landscape.actions import do_load_reference_data

from .conftest import save_screenshot
from .test_accessibility import AXE, WCAG_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]


def test_search_a_kpi_filter_by_county_and_sort(axe_page: Page, live_server: object) -> None:
    do_load_reference_data()
    do_load_demo_kpis()
    page = axe_page
    page.goto(f"{live_server}/nyckeltal/")
    page.get_by_label("Sök i nyckeltalskatalogen (ord i titeln, eller id)").fill(
        "skattesats till kommun")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Skattesats till kommun (%)").first.click()
    assert _axe_violations(page) == []

    page.get_by_label("Län").select_option(label="Gotlands län")
    page.get_by_role("button", name="Visa").click()
    table = page.get_by_role("table", name="Skattesats till kommun (%), 2025")
    expect(table.get_by_role("link", name="Region Gotland")).to_be_visible()
    expect(page.locator("caption", has_text="Källa: Skatteverket")).to_be_visible()

    page.get_by_label("Län").select_option(label="Stockholms län")
    page.get_by_role("button", name="Visa").click()
    page.get_by_role("link", name="Organisation", exact=True).click()  # sort by name, A first
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text("Botkyrka kommun")
    save_screenshot(page, "kolada-kpi.png")
    assert _axe_violations(page) == []
