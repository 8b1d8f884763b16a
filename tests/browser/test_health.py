"""A lead opens a survey round and gets links; a partner's staff member without an account
answers through one in a fresh browser, and reopening the link tells only that browser it has
answered; the lead sees nothing while the round is open, closes it, and sees the results."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from mellanrum.collaborations import actions as collaboration_actions
from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.engines.health import get_instrument
from mellanrum.health import actions
from mellanrum.health.models import Response, Round
from mellanrum.landscape.models import Organisation

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


def test_answer_through_a_link_and_see_the_result_update(
    axe_page: Page, browser: Browser, live_server: object
) -> None:
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    varmdo = Organisation.objects.create(code="0120", name="Värmdö kommun",
                                         kind="municipality")
    karin = User(username="karin", organisation=nacka, role="editor")
    karin.set_password(PASSWORD)
    karin.save()
    initiative = collaboration_actions.do_create_initiative(
        acting_user=karin, lead=nacka, title="Gemensam e-tjänst för bygglov",
        purpose="En ingång.", phase="prestudy")
    do_answer_invitation(collaboration_actions.do_add_partner(
        initiative, acting_user=karin, organisation=varmdo), acting_user=None, accept=True)
    base = str(live_server)
    page = axe_page
    found: dict[str, list[str]] = {}

    page.goto(f"{base}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("karin")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/samverkan/{initiative.pk}/")
    page.locator(f"a[href='/samverkan/{initiative.pk}/halsa/']").click()
    page.wait_for_url(f"{base}/samverkan/{initiative.pk}/halsa/")
    found["health overview"] = _axe_violations(page)
    page.locator(f"a[href='/samverkan/{initiative.pk}/halsa/ny-omgang/']").click()
    page.locator("#id_title").fill("Våren 2026")
    page.locator("#id_invitation_days").fill("14")
    page.locator("form.form button[type=submit]").click()
    round_ = Round.objects.get()
    page.wait_for_url(f"{base}/halsa/omgang/{round_.pk}/inbjudningar/")
    found["invitation form"] = _axe_violations(page)
    page.locator("#id_organisation").select_option("0120")
    page.locator("#id_count").fill("3")
    page.locator("button[value=html]").click()
    link = page.locator("a.survey-link")
    expect(link).to_have_count(3)
    urls = [link.nth(i).get_attribute("href") or "" for i in range(3)]
    url = urls[0]
    # Built from SITE_ROOT, so point the browser at the live server with the same path.
    assert all("/enkat/" in u for u in urls)
    url = base + url[url.index("/enkat/"):]
    found["links"] = _axe_violations(page)

    # The respondent has no account and no session.
    respondent_context = browser.new_context(locale="sv-SE", bypass_csp=True)
    respondent = respondent_context.new_page()
    try:
        respondent.goto(url)
        expect(respondent.locator("h1")).to_contain_text("Gemensam e-tjänst för bygglov")
        expect(respondent.locator("body")).not_to_contain_text("Värmdö")
        respondent.locator("form.survey button[type=submit]").click()  # nothing chosen: errors
        expect(respondent.locator(".error-summary")).to_be_visible()
        found["survey with errors"] = _axe_violations(respondent)
        for index, item in enumerate(get_instrument().items):
            value = "dk" if index == 0 else str(2 + index % 4)
            respondent.locator(f"input[name='{item.key}'][value='{value}']").check()
        respondent.locator("#id_comment").fill("Bra möten men för lite tid.")
        found["survey"] = _axe_violations(respondent)
        save_screenshot(respondent, "health-survey.png")
        respondent.locator("form.survey button[type=submit]").click()
        expect(respondent.locator("[role=status]")).to_be_visible()
        assert Response.objects.count() == 1
        again = respondent.goto(url)
        assert again is not None and again.status == 200
        expect(respondent.locator("h1")).to_have_text("Du har redan svarat")
        found["answered link"] = _axe_violations(respondent)
    finally:
        respondent_context.close()
    # Anyone else, the lead included, sees the survey as if the link were unused.
    stranger_context = browser.new_context(locale="sv-SE")
    try:
        stranger = stranger_context.new_page()
        seen = stranger.goto(url)
        assert seen is not None and seen.status == 200
        expect(stranger.locator("form.survey")).to_be_visible()
    finally:
        stranger_context.close()
    for other in urls[1:]:
        token = other.rstrip("/").rsplit("/", 1)[1]
        actions.do_submit_response(token, answers=dict.fromkeys(
            get_instrument().item_keys, 4), comment="Tydliga roller.")

    page.goto(f"{base}/halsa/omgang/{round_.pk}/")
    # While the round is open nothing is released, not even the number of answers.
    expect(page.locator("#response-count")).to_have_text("när omgången har stängts")
    expect(page.locator("#invited-count")).to_have_text("3")
    expect(page.locator("#not-released")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Bra möten men för lite tid.")
    found["open round"] = _axe_violations(page)
    page.get_by_role("button", name="Stäng omgången").click()
    expect(page.locator("#round-status")).to_contain_text("Avslutad")
    expect(page.locator("#response-count")).to_have_text("3")
    expect(page.locator("#comments")).to_contain_text("Bra möten men för lite tid.")
    found["results"] = _axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
