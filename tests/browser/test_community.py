"""A logged-in user registers for a seminar, sees themself counted and cancels, in a real
browser; the event pages pass the axe-core audit."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mellanrum.community import actions
from mellanrum.community.models import Event, Registration
from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import save_screenshot
from .test_accessibility import AXE, WCAG_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _user(username: str, organisation: Organisation, role: str) -> User:
    user = User(username=username, organisation=organisation, role=role,
                first_name=username.capitalize())
    user.set_password(PASSWORD)
    user.save()
    return user


def _log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/")


def _axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]


def test_register_for_a_seminar_see_yourself_counted_and_cancel(
    axe_page: Page, live_server: object
) -> None:
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    varmdo = Organisation.objects.create(code="0120", name="Värmdö kommun",
                                         kind="municipality")
    organiser = _user("karin", nacka, "editor")
    _user("viktor", varmdo, "reader")
    start = timezone.now() + datetime.timedelta(days=30)
    event = actions.do_create_event(
        acting_user=organiser, organiser=nacka,
        title="Seminarium: en gemensam e-tjänst för ekonomiskt bistånd",
        description="Förstudien presenteras.", place="Nacka stadshus", starts_at=start,
        ends_at=start + datetime.timedelta(hours=3), capacity=40)
    base = str(live_server)
    page = axe_page
    found: dict[str, list[str]] = {}

    page.goto(f"{base}/traffar/")
    expect(page.locator("#upcoming-events")).to_contain_text("gemensam e-tjänst")
    found["event list"] = _axe_violations(page)

    _log_in(page, base, "viktor")
    page.goto(f"{base}/traffar/{event.pk}/")
    expect(page.locator("#registered-count")).to_contain_text("0")
    found["event before registering"] = _axe_violations(page)
    page.get_by_role("button", name="Anmäl dig").or_(
        page.get_by_role("button", name="Register")).click()
    expect(page.locator("#registration-status")).to_be_visible()
    expect(page.locator("#registered-count")).to_contain_text("1")
    assert Registration.objects.filter(event=event, user__username="viktor").exists()
    save_screenshot(page, "community-event.png")
    found["event after registering"] = _axe_violations(page)
    page.goto(f"{base}/traffar/")
    expect(page.locator("#upcoming-events")).to_contain_text("1 / 40")

    page.goto(f"{base}/traffar/{event.pk}/")
    page.locator("form[action$='/avanmal/'] button").click()
    expect(page.locator("#registered-count")).to_contain_text("0")
    assert not Registration.objects.exists()
    assert Event.objects.get().registered_count == 0

    _log_in(page, base, "karin")
    network = actions.do_create_network(acting_user=organiser, title="Nätverket för ekonomiskt "
                                        "bistånd", description="Handläggare i länet.",
                                        visibility="public")
    page.goto(f"{base}/natverk/{network.pk}/")
    expect(page.locator("#network-members")).to_contain_text("Karin")
    found["network as coordinator"] = _axe_violations(page)
    page.goto(f"{base}/natverk/")
    found["network list"] = _axe_violations(page)
    page.goto(f"{base}/traffar/{event.pk}/")
    found["event as organiser"] = _axe_violations(page)
    page.goto(f"{base}/traffar/ny/")
    page.locator("form.form button[type=submit]").click()  # empty: the error summary shows
    expect(page.locator(".error-summary")).to_be_visible()
    found["event form with errors"] = _axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
