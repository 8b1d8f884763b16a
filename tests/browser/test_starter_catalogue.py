"""A new organisation starts its catalogue by ticking shared activities, in a real browser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality import actions
from mellanrum.commonality.analysis import Scope
from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation

from .conftest import save_screenshot
from .test_accessibility import violations
from .test_commonality import small_landscape

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_organisation_ticks_shared_activities_and_fixes_a_bad_figure(
    axe_page: Page, live_server: object, settings: SettingsWrapper
) -> None:
    settings.TASKS_INLINE = True
    small_landscape()
    actions.do_run_analysis(Scope.of(), acting_user=None)
    gamma = Organisation.objects.create(code="9903", name="Gamma kommun", kind="municipality")
    user = User(username="greta", organisation=gamma, role="editor")
    user.set_password(PASSWORD)
    user.save()
    base = str(live_server)
    page = axe_page
    page.goto(f"{base}/konto/logga-in/?next=/organisationer/9903/")
    page.get_by_label("Användarnamn").fill("greta")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Starta från en startkatalog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Starta från en startkatalog")
    assert violations(page, page.url) == []

    page.get_by_role("checkbox", name="Hemtjänst – Det här gör vi").check()
    page.get_by_label("Årskostnad (kr) – Hemtjänst").fill("tolv miljoner")
    page.get_by_role("button", name="Lägg till de ikryssade verksamheterna").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Inget lades till")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Årskostnad (kr) – Hemtjänst")).to_be_focused()
    assert not Activity.objects.filter(organisation=gamma).exists()

    page.get_by_label("Årskostnad (kr) – Hemtjänst").fill("12 000 000")
    page.get_by_role("button", name="Lägg till de ikryssade verksamheterna").click()
    expect(page.get_by_role("status")).to_contain_text("1 verksamhet lades till")
    assert list(Activity.objects.filter(organisation=gamma).values_list(
        "name", "annual_cost_sek")) == [("Hemtjänst", Decimal(12_000_000))]
    page.goto(f"{base}/organisationer/9903/startkatalog/")
    expect(page.locator("li.present")).to_contain_text("Hemtjänst – finns redan")
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator(".starter-list").first.scroll_into_view_if_needed()
        save_screenshot(page, f"starter-catalogue-{width}.png")
