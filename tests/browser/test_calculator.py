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
        page.get_by_label(f"Partner {row}", exact=True).fill(name)
        page.get_by_label(f"Belopp om den gör det ensam (kr per år) {row}").fill(alone)
    page.get_by_label("Belopp när alla partner gör det tillsammans (kr per år)").fill("2 900 000")
    page.get_by_label("Kända belopp för mindre grupper (frivilligt)").fill("")
    page.get_by_label("Användning (frivilligt) 1").fill("")
    page.get_by_label("Användning (frivilligt) 2").fill("")
    page.get_by_label("Användning (frivilligt) 3").fill("")
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


def test_a_failed_submit_moves_focus_to_the_summary_and_a_typed_name_works(
    axe_page: Page, live_server: object
) -> None:
    do_load_reference_data()
    page = axe_page
    page.goto(f"{live_server}/kostnadsfordelning/")
    # The worked example is filled in: Nacka, Värmdö and Tyresö.
    expect(page.get_by_label("Partner 1", exact=True)).to_have_value("Nacka kommun")
    expect(page.get_by_label("Kända belopp för mindre grupper (frivilligt)")).to_have_value(
        "Nacka, Värmdö: 2 900 000")
    radio = page.get_by_label("En gemensam kostnad")
    label = page.locator("label", has_text="En gemensam kostnad")
    radio_box, label_box = radio.bounding_box(), label.bounding_box()
    assert radio_box and label_box
    assert abs(radio_box["y"] - label_box["y"]) < 12  # on the same line
    assert 0 <= label_box["x"] - (radio_box["x"] + radio_box["width"]) < 24  # right beside it

    # Type a name that is not an organisation, and a bad amount; submit by keyboard.
    page.get_by_label("Partner 3", exact=True).fill("Tyresö kommu")
    page.get_by_label("Belopp om den gör det ensam (kr per år) 2").fill("mycket")
    page.get_by_label("Partner 3", exact=True).fill("Tyresöö")
    page.get_by_label("Partner 3", exact=True).press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Det finns 2 problem att rätta")
    expect(summary).to_contain_text("Ingen organisation heter ”Tyresöö”")
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        save_screenshot(page, f"calculator-errors-{width}.png")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the first link of the summary
    expect(page.get_by_label("Belopp om den gör det ensam (kr per år) 2")).to_be_focused()

    # Fix both by typing: a name chosen from the suggestions is matched on the server.
    page.get_by_label("Belopp om den gör det ensam (kr per år) 2").fill("1 100 000")
    page.get_by_label("Partner 3", exact=True).fill("Tyresö")
    page.get_by_role("button", name="Jämför metoderna").first.click()
    table = page.get_by_role("table", name="Vad varje partner betalar per år")
    expect(table.get_by_role("rowheader", name="Tyresö kommun")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_role("heading", name="Resultat").evaluate("e => e.scrollIntoView()")
        save_screenshot(page, f"calculator-result-{width}.png")
    page.goto(f"{live_server}/kostnadsfordelning/")
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator("table.partners").scroll_into_view_if_needed()
        save_screenshot(page, f"calculator-example-{width}.png")
