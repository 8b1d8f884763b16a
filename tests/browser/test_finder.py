"""A resident finds help through the public "no wrong door" finder, in a real browser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from mellanrum.journeys.actions import do_load_catalogue
from mellanrum.landscape.actions import do_load_reference_data
from mellanrum.landscape.models import Activity, Organisation

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


def test_a_resident_finds_life_events_and_services(axe_page: Page, live_server: object) -> None:
    do_load_reference_data()
    do_load_catalogue()
    nacka = Organisation.objects.get(code="0182")
    for key, name in [("hemtjanst", "Hemtjänst"), ("larm", "Trygghetslarm")]:
        Activity.objects.create(organisation=nacka, key=key, name=name,
                                lead_time_days=Decimal(14))
    page = axe_page
    page.goto(f"{live_server}/hitta/")
    assert _axe_violations(page) == []

    page.locator("#id_place").fill("Nacka")
    page.locator("#id_q").fill("mamma klarar sig inte hemma längre")
    page.locator("form[role=search] button[type=submit]").click()

    events = page.locator("#finder-life-events")
    expect(events.locator("li[data-life-event]").first).to_have_attribute(
        "data-life-event", "aldras-stod-hemma")
    expect(events.get_by_role("link", name="Bli äldre och behöva stöd hemma")).to_be_visible()
    services = page.locator("#finder-services li[data-activity-id]")
    expect(services.first).to_contain_text("Hemtjänst")
    expect(services.first).to_contain_text("Nacka kommun")
    expect(services.first).to_contain_text("personnummer")
    save_screenshot(page, "finder.png")
    assert _axe_violations(page) == []

    events.get_by_role("link", name="Bli äldre och behöva stöd hemma").click()
    expect(page.locator("#journey-map")).to_be_visible()
    journey_map = page.locator("#journey-map")
    expect(journey_map.get_by_role("rowheader", name="Nacka kommun")).to_be_visible()
    assert _axe_violations(page) == []


def test_a_postcode_gets_a_helpful_page(axe_page: Page, live_server: object) -> None:
    do_load_reference_data()
    page = axe_page
    page.goto(f"{live_server}/hitta/?place=131+40&q=flyttar")
    expect(page.locator("#finder-problems")).to_be_visible()
    expect(page.locator("#finder-life-events li[data-life-event]").first).to_have_attribute(
        "data-life-event", "flytta-till-annan-kommun")
    assert _axe_violations(page) == []
