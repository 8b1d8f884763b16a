"""The API documentation page renders from vendored files under the site's strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_without_csp_violations(page: Page, live_server: object) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    external: list[str] = []
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith(str(live_server)) else None)

    page.goto(f"{live_server}/")
    page.get_by_role("link", name="API-dokumentation").click()
    expect(page.get_by_role("heading", name="Mellanrum API")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/organisations/{code}", exact=True)).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert external == []

