"""A lead's editor creates an initiative, a partner's editor puts a conflicting principle on
the table, and the conflict shows in the alignment view, in a real browser."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mellanrum.collaborations.models import Initiative
from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import save_screenshot
from .test_accessibility import AXE, WCAG_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _editor(username: str, organisation: Organisation) -> None:
    user = User(username=username, organisation=organisation, role="editor")
    user.set_password(PASSWORD)
    user.save()


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


def _save(page: Page) -> None:
    # Wait for the answer page: checking it while the browser is still leaving the form
    # fails at random (the document has no body yet).
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()


def test_conflicting_principle_shows_in_alignment_view(
    axe_page: Page, live_server: object
) -> None:
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    varmdo = Organisation.objects.create(code="0120", name="Värmdö kommun",
                                         kind="municipality")
    _editor("karin", nacka)
    _editor("viktor", varmdo)
    base = str(live_server)
    page = axe_page
    found: dict[str, list[str]] = {}

    _log_in(page, base, "karin")
    page.goto(f"{base}/samverkan/ny/")
    page.locator("#id_title").fill("Gemensam e-tjänst för bygglov")
    page.locator("#id_purpose").fill("En gemensam ingång för ansökningar om bygglov.")
    page.locator("#id_phase").select_option("prestudy")
    page.locator("#id_is_public").check()
    _save(page)
    initiative = Initiative.objects.get()
    page.wait_for_url(f"{base}/samverkan/{initiative.pk}/")
    found["detail"] = _axe_violations(page)

    page.goto(f"{base}/samverkan/{initiative.pk}/lagg-till/partner/")
    page.locator("#id_organisation").select_option("0120")
    _save(page)
    page.goto(f"{base}/samverkan/{initiative.pk}/lagg-till/goal/")
    page.locator("#id_title").fill("Alla ansökningar om bygglov lämnas digitalt")
    page.locator("#id_indicator").fill("Andel digitala ansökningar")
    page.locator("#id_target").fill("95 %")
    target = timezone.localdate() + datetime.timedelta(days=400)
    page.locator("#id_target_date").fill(target.isoformat())
    _save(page)
    expect(page.locator("#goals")).to_contain_text("Andel digitala ansökningar")
    expect(page.locator("#partners")).to_contain_text("Värmdö kommun")

    _log_in(page, base, "viktor")
    # Joining is consent: Värmdö accepts the invitation before it acts.
    page.goto(f"{base}/samverkan/{initiative.pk}/")
    page.get_by_label("Tacka ja: vi deltar").check()
    page.get_by_role("button", name="Skicka svaret").click()
    expect(page.locator("#partners")).to_contain_text("Tackat ja")
    page.goto(f"{base}/samverkan/{initiative.pk}/utgangspunkter/ny/")
    page.locator("#id_kind").select_option("constraint")
    page.locator("#id_text").fill("Ansökningar om bygglov får inte lämnas i en gemensam "
                                  "e-tjänst utanför kommunens plattform.")
    _save(page)
    page.wait_for_url(f"{base}/samverkan/{initiative.pk}/samstammighet/")
    table = page.locator("table#alignment")
    cell = table.locator("td.stance").first
    expect(cell).to_contain_text("✗")  # the suggestion, computed from the texts
    expect(cell).to_have_attribute("data-stance", "")  # not set by a person yet
    cell.get_by_role("combobox").select_option("conflicts")
    cell.get_by_role("button").click()
    cell = page.locator("table#alignment td.stance").first
    expect(cell).to_have_attribute("data-stance", "conflicts")
    expect(page.locator("#alignment-conflicts")).to_contain_text("1")
    save_screenshot(page, "collaboration-alignment.png")
    found["alignment"] = _axe_violations(page)

    page.goto(f"{base}/samverkan/{initiative.pk}/")
    expect(page.locator("#conflict-count")).to_contain_text("✗ 1")
    page.goto(f"{base}/samverkan/")
    expect(page.locator("#portfolio-table")).to_contain_text("Gemensam e-tjänst för bygglov")
    found["portfolio"] = _axe_violations(page)
    page.goto(f"{base}/samverkan/{initiative.pk}/utgangspunkter/ny/")
    _save(page)  # empty form: the error summary must stay accessible
    found["statement form with errors"] = _axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
