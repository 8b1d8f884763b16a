"""Joining is consent and proposals are answered, in a real browser: an invitation accepted
from the start page, and a proposal blocked with a reason, resolved, and closed into the
decision log. Every page is checked with axe and photographed at 390 and 1,366 px."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import (
    do_add_measurement,
    do_answer_invitation,
    do_set_goal_tracking,
)
from mellanrum.collaborations.models import DecisionEntry, Initiative
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import ARTIFACTS, save_screenshot
from .test_collaborations import _axe_violations, _editor, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _photograph(page: Page, name: str) -> list[str]:
    """Screenshots at 390 and 1,366 px; what fails: sideways scrolling at 390 px."""
    problems = []
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        save_screenshot(page, f"consent-{name}-{width}.png")
        page.screenshot(path=str(ARTIFACTS / f"consent-{name}-{width}-full.png"), full_page=True)
        if width == 390 and not _no_sideways_scroll(page):
            problems.append(f"{name} scrolls sideways at 390 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def _facilitated(leader: User, forum: Organisation, *partners: Organisation) -> Initiative:
    initiative = actions.do_create_initiative(
        acting_user=leader, lead=forum, lead_role="facilitator", title="Gemensam e-arkivering",
        purpose="Ett gemensamt e-arkiv för länets kommuner.", is_public=False,
        phase="prestudy", start_date=timezone.localdate() - datetime.timedelta(days=400),
        citizen_value=3, savings=4, feasibility=3, reach=3, risk_level=2)
    for organisation in partners:
        actions.do_add_partner(initiative, acting_user=leader, organisation=organisation)
    return initiative


def test_an_invitation_is_accepted_from_the_start_page(
    axe_page: Page, live_server: object,
) -> None:
    forum = Organisation.objects.create(code="STORSTHLM", name="Storsthlm", kind="association")
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    _editor("processledare", forum)
    _editor("karin", nacka)
    initiative = _facilitated(User.objects.get(username="processledare"), forum, nacka)
    base, page = str(live_server), axe_page
    found: dict[str, list[str]] = {}
    problems: list[str] = []

    _log_in(page, base, "karin")
    invitations = page.locator("#invitations")
    expect(invitations).to_contain_text("Gemensam e-arkivering")
    found["start page"] = _axe_violations(page)
    problems += _photograph(page, "start-page")
    invitations.get_by_role("link", name="Gemensam e-arkivering").click()
    expect(page.locator("#invitation")).to_contain_text("Nacka kommun är inbjuden")
    expect(page.locator("#partners")).to_contain_text("Processledare")
    found["invitation"] = _axe_violations(page)
    problems += _photograph(page, "invitation")
    # Declining without a reason is refused, and nothing changes.
    page.get_by_label("Tacka nej: vi deltar inte").check()
    page.get_by_role("button", name="Skicka svaret").click()
    expect(page.locator("main")).to_contain_text("Skriv varför organisationen tackar nej")
    expect(page.locator("#partners")).to_contain_text("inget svar än")
    page.get_by_label("Tacka ja: vi deltar").check()
    page.get_by_role("button", name="Skicka svaret").click()
    expect(page.locator("#partners")).to_contain_text("✓ Tackat ja")
    expect(page.locator("#invitation")).to_have_count(0)
    page.goto(f"{base}/")
    expect(page.locator("#invitations")).to_have_count(0)
    assert initiative.partners.get(organisation=nacka).status == "accepted"
    assert {k: v for k, v in found.items() if v} == {} and problems == []


def test_a_blocked_proposal_is_resolved_and_closed_into_the_decision_log(
    axe_page: Page, live_server: object,
) -> None:
    forum = Organisation.objects.create(code="STORSTHLM", name="Storsthlm", kind="association")
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    vaxholm = Organisation.objects.create(code="0187", name="Vaxholms stad",
                                          kind="municipality")
    for username, organisation in (("processledare", forum), ("karin", nacka),
                                   ("vera", vaxholm)):
        _editor(username, organisation)
    leader = User.objects.get(username="processledare")
    initiative = _facilitated(leader, forum, nacka, vaxholm)
    for partner in initiative.partners.filter(status="invited"):
        do_answer_invitation(partner, acting_user=None, accept=True)
    goal = actions.do_add_goal(initiative, acting_user=leader, title="Allt arkiveras digitalt",
                               indicator="Andel digitalt arkiverade ärenden (%)",
                               baseline="20 %", target="80 %",
                               target_date=timezone.localdate() + datetime.timedelta(days=400))
    do_set_goal_tracking(goal, acting_user=leader, per_partner=True, baseline_date=None)
    for organisation, values in ((nacka, (35, 52)), (vaxholm, (22, 24))):
        for days, value in zip((200, 20), values, strict=True):
            do_add_measurement(goal, acting_user=None, organisation=organisation,
                               period_end=timezone.localdate() - datetime.timedelta(days=days),
                               value=Decimal(value))
    base, page = str(live_server), axe_page
    found: dict[str, list[str]] = {}
    problems: list[str] = []

    _log_in(page, base, "processledare")
    page.goto(f"{base}/samverkan/{initiative.pk}/forslag/")
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    page.locator("#id_title").fill("E-arkivet upphandlas gemensamt")
    page.locator("#id_text").fill("Kommunerna upphandlar e-arkivet "
                                                   "tillsammans genom Storsthlm.")
    page.locator("#id_deadline").fill(deadline.isoformat())
    page.get_by_role("button", name="Öppna förslaget för svar").click()
    expect(page.locator("#proposal-status")).to_contain_text("Öppet för svar")
    proposal_url = page.url

    _log_in(page, base, "vera")
    page.goto(proposal_url)
    page.get_by_label("Blockerar").check()
    page.get_by_role("button", name="Spara svaret").click()
    expect(page.locator(".error-summary")).to_contain_text("Ange ett skäl")
    found["answer with error"] = _axe_violations(page)
    page.get_by_label("Blockerar").check()
    page.locator("#id_reason").fill("Vaxholm har ett avtal som löper till 2027.")
    page.get_by_role("button", name="Spara svaret").click()
    expect(page.locator("#answers")).to_contain_text("⛔ Blockerar")
    problems += _photograph(page, "proposal")
    found["proposal"] = _axe_violations(page)
    # Resolved: the proposal is worded around the contract, and Vaxholm agrees.
    page.get_by_label("Instämmer").check()
    page.get_by_role("button", name="Spara svaret").click()
    expect(page.locator("#answers")).to_contain_text("✓ Instämmer")

    _log_in(page, base, "karin")
    page.goto(proposal_url)
    page.get_by_label("Instämmer").check()
    page.get_by_role("button", name="Spara svaret").click()
    page.goto(f"{base}/samverkan/{initiative.pk}/beslut/nytt/")
    found["formal decision form"] = _axe_violations(page)
    problems += _photograph(page, "formal-decision-form")

    _log_in(page, base, "processledare")
    page.goto(proposal_url)
    page.get_by_role("button", name="Stäng förslaget nu").click()
    expect(page.locator("#proposal-status")).to_contain_text("Antaget")
    entry = DecisionEntry.objects.get()
    assert "E-arkivet upphandlas gemensamt" in entry.decision
    page.goto(f"{base}/samverkan/{initiative.pk}/")
    expect(page.locator("#decisions")).to_contain_text("E-arkivet upphandlas gemensamt")
    expect(page.locator("#formal-decisions")).to_contain_text("✗ Inte än")
    expect(page.locator("#goals")).to_contain_text("✗ Avviker")
    found["initiative"] = _axe_violations(page)
    problems += _photograph(page, "initiative")
    page.goto(f"{base}/samverkan/{initiative.pk}/forslag/")
    found["proposals"] = _axe_violations(page)
    problems += _photograph(page, "proposals")
    page.goto(f"{base}/samverkan/mal/{goal.pk}/")
    expect(page.locator("#series")).to_contain_text("Vaxholms stad")
    expect(page.locator("figure img")).to_be_visible()
    found["goal"] = _axe_violations(page)
    problems += _photograph(page, "goal")
    assert {k: v for k, v in found.items() if v} == {} and problems == []
