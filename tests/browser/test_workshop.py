"""The workshop in a real browser: the facilitator records a statement on a partner's behalf,
the partner confirms it; and the draft agreement is downloaded and opened again."""

from __future__ import annotations

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.collaborations.models import Initiative, Statement
from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import save_screenshot
from .test_collaborations import _axe_violations, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _editor(username: str, organisation: Organisation) -> User:
    user = User(username=username, organisation=organisation, role="editor")
    user.set_password(PASSWORD)
    user.save()
    return user


def _initiative() -> tuple[Initiative, Organisation]:
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    vaxholm = Organisation.objects.create(code="0187", name="Vaxholms stad",
                                          kind="municipality")
    karin = _editor("karin", nacka)
    _editor("vera", vaxholm)
    initiative = actions.do_create_initiative(
        acting_user=karin, lead=nacka, title="Gemensam e-tjänst för ekonomiskt bistånd",
        purpose="En ingång för alla.", is_public=False, phase="prestudy", citizen_value=4,
        savings=3, feasibility=3, reach=4, risk_level=2)
    do_answer_invitation(actions.do_add_partner(initiative, acting_user=karin,
                                                organisation=vaxholm, role="partner"),
                         acting_user=None, accept=True)
    actions.do_add_statement(initiative, acting_user=karin, organisation=nacka,
                             kind="principle",
                             text="Vi återanvänder befintliga e-tjänsteplattformar.")
    return initiative, vaxholm


def test_a_statement_on_behalf_is_confirmed_by_the_partner(
    axe_page: Page, live_server: object,
) -> None:
    initiative, vaxholm = _initiative()
    base = str(live_server)
    page = axe_page

    _log_in(page, base, "karin")
    page.goto(f"{base}/samverkan/{initiative.pk}/")
    page.get_by_role("link", name="Workshop: för in utgångspunkter för partnernas räkning").click()
    page.get_by_label("Sagt av").select_option(vaxholm.code)
    page.get_by_label("Typ").select_option("budget_rule")
    page.get_by_label("Utgångspunkt").fill("Vaxholms andel får kosta högst 500 000 kr per år.")
    page.get_by_role("button", name="För in som utkast").click()
    expect(page.locator("#drafts")).to_contain_text("utkast – inväntar bekräftelse")
    assert _axe_violations(page) == []

    page.goto(f"{base}/samverkan/{initiative.pk}/spanningar/")
    pair = page.locator("#pairs li").first
    expect(pair).to_contain_text("⚠ Spänning")
    expect(pair).to_contain_text("tak på 500 000 kr")
    expect(page.get_by_role("button", name="Bekräfta")).to_have_count(0)

    _log_in(page, base, "vera")
    page.goto(f"{base}/samverkan/{initiative.pk}/spanningar/")
    statement = page.locator("#statements li", has_text="Vaxholms andel")
    expect(statement).to_contain_text("utkast – inväntar bekräftelse")
    statement.get_by_role("button", name="Bekräfta").click()
    expect(page.locator("#statements li", has_text="Vaxholms andel")).not_to_contain_text(
        "inväntar bekräftelse")
    assert _axe_violations(page) == []
    save_screenshot(page, "workshop-tensions.png")
    confirmed = Statement.objects.get(organisation=vaxholm)
    assert confirmed.confirmed_by is not None and confirmed.confirmed_by.username == "vera"


def test_the_draft_agreement_is_downloaded(page: Page, live_server: object) -> None:
    initiative, _vaxholm = _initiative()
    base = str(live_server)
    _log_in(page, base, "vera")
    page.goto(f"{base}/samverkan/{initiative.pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Utkast till samverkansavtal (Word)").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    document = Document(str(download.path()))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "Nacka kommun" in text and "Vaxholms stad" in text
    assert "UTKAST – för juridisk granskning" in text
