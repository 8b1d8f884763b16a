"""A municipal manager compares ways to share a joint cost, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mellanrum.landscape.actions import do_load_reference_data

from .conftest import save_screenshot
from .test_accessibility import AXE, WCAG_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compare_methods_and_see_the_core_check(axe_page: Page, live_server: object) -> None:
    do_load_reference_data()
    page = axe_page
    page.goto(f"{live_server}/kostnadsfordelning/")
    partners = [("Nacka kommun", "2 400 000"), ("Värmdö kommun", "1 100 000"),
                ("Vaxholms stad", "450 000")]
    for row, (name, alone) in enumerate(partners, start=1):
        page.get_by_label(f"Partner {row}", exact=True).select_option(label=name)
        page.get_by_label(f"Belopp om den gör det ensam (kr per år) {row}").fill(alone)
    page.get_by_label("Belopp när alla partner gör det tillsammans (kr per år)").fill("2 900 000")
    page.get_by_role("button", name="Jämför metoderna").first.click()

    expect(page.get_by_role("heading", name="Resultat")).to_be_visible()
    table = page.get_by_role("table", name="Vad varje partner betalar per år")
    expect(table.get_by_role("rowheader", name="Vaxholms stad")).to_be_visible()
    core_check = page.get_by_role("table", name="Kärnkontroll")
    stable = core_check.get_by_role("row", name="Shapleyvärde")
    expect(stable).to_contain_text("Ingen grupp av partner skulle tjäna på att gå ur")
    save_screenshot(page, "cost-sharing.png")

    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    assert [v["id"] for v in result["violations"]] == []
