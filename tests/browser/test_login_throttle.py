"""Password guessing in a real browser: after five wrong passwords — typed with a look-alike
user name — the log-in page says, in Swedish and in an alert, how long to wait (issue 13)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mellanrum.conftest import PASSWORD
from mellanrum.core.login import FREE_FAILURES
from mellanrum.landscape.models import Organisation

from .test_collaborations import _axe_violations, _editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _try(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def test_guessing_is_slowed_down_with_a_clear_message(axe_page: Page,
                                                      live_server: object) -> None:
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    _editor("karin", nacka)
    base = str(live_server)
    page = axe_page
    for _ in range(FREE_FAILURES):
        _try(page, base, "\uff4barin", "fel lösenord")  # fullwidth k: the same account
        expect(page.get_by_role("alert")).to_be_visible()
    _try(page, base, "KARIN", PASSWORD)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("För många misslyckade inloggningar för det här användarnamnet")
    expect(alert).to_contain_text(re.compile(r"Vänta (1[0-5]|[1-9]) sekunder? och försök igen"))
    assert page.url == f"{base}/konto/logga-in/"
    assert _axe_violations(page) == []
