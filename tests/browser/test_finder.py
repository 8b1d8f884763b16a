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


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    from mellanrum.journeys.analysis import forget_cached

    forget_cached()


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


def _no_horizontal_scroll(page: Page) -> None:
    """Nothing on the page is wider than the screen, except data tables in their own
    scrolling region (`.table-scroll`)."""
    too_wide = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const wide = [];
          for (const el of document.querySelectorAll('body *')) {
            if (el.closest('.table-scroll')) continue;
            const box = el.getBoundingClientRect();
            if (box.width > 0 && box.right > width + 1) wide.push(el.tagName + '#' + el.id);
          }
          return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
        }"""
    )
    assert too_wide["scroll"] <= too_wide["width"], too_wide
    assert too_wide["wide"] == [], too_wide


def test_at_phone_width_the_front_door_finder_and_journey_map_fit_the_screen(
    browser: object, live_server: object
) -> None:
    do_load_reference_data()
    do_load_catalogue()
    nacka = Organisation.objects.get(code="0182")
    Activity.objects.create(organisation=nacka, key="forskola", name="Ansök om förskoleplats",
                            lead_time_days=Decimal(90))
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="sv-SE", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/")
        _no_horizontal_scroll(page)
        page.locator("#home_place").fill("Saltsjöbaden")
        page.locator("#home_q").fill("vi flyttar till Malmö och barnet behöver förskola")
        page.locator("#front-finder button[type=submit]").click()
        expect(page.locator("#finder-place-note")).to_contain_text("Nacka kommun")
        expect(page.locator("#finder-destination")).to_contain_text("Malmö")
        _no_horizontal_scroll(page)
        save_screenshot(page, "finder-phone.png")

        page.locator("#finder-life-events").get_by_role(
            "link", name="Flytta till en annan kommun").click()
        journey_map = page.locator("#journey-map")
        expect(journey_map).to_be_visible()
        expect(journey_map.locator("th[data-phase]")).to_have_count(2)
        expect(page.locator("#figure-critical-path")).to_be_visible()
        _no_horizontal_scroll(page)
        save_screenshot(page, "journey-phone.png")
        # The check sees an element wider than the screen outside a data table.
        # (Set through the CSSOM: the site's CSP rightly ignores inline style attributes.)
        page.evaluate("() => { const d = document.createElement('div'); d.textContent = 'x';"
                      " d.style.width = '900px'; document.querySelector('main').append(d); }")
        with pytest.raises(AssertionError):
            _no_horizontal_scroll(page)
    finally:
        context.close()
