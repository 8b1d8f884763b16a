"""Automated WCAG 2.1 A/AA checks (axe-core, vendored) on every landscape page."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.actions import do_load_reference_data
from mellanrum.landscape.models import Activity, Contact, ImportJob, Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core-4.10.2.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


def test_pages_have_no_wcag_violations(axe_page: Page, live_server: object) -> None:
    do_load_reference_data()
    nacka = Organisation.objects.get(code="0182")
    Contact.objects.create(organisation=nacka, name="Karin Berg", role="Bygglovschef",
                           email="karin.berg@nacka.example")
    activity = Activity.objects.create(
        organisation=nacka, key="bygglov", name="Ansök om bygglov", kind="eservice",
        annual_cost_sek=Decimal("5000000"), volume_per_year=Decimal("900"),
        volume_unit="ärenden", lead_time_days=Decimal("28"), is_illustrative=True,
    )
    editor = User(username="karin", organisation=nacka, role="editor")
    editor.set_password(PASSWORD)
    editor.save()
    job = ImportJob.objects.create(
        organisation=nacka, created_by=editor, filename="fel.csv", data=b"x", status="invalid",
        message="1 problem hittades.",
        errors=[{"row": 2, "column": "Årskostnad (kr)", "value": "tolv", "message": "Inget tal"}],
    )
    columns = [
        {"index": 0, "header": "Verksamhet", "field": "name", "source": "suggested",
         "samples": ["Bygglov"]},
        {"index": 1, "header": "Förvaltning", "field": "", "source": "suggested",
         "samples": ["Stadsbyggnad"]},
    ]
    mapping = ImportJob.objects.create(
        organisation=nacka, created_by=editor, filename="egen.csv", data=b"x", status="mapping",
        summary={"mapping": {"header_row": 2, "columns": columns}},
    )
    ready = ImportJob.objects.create(
        organisation=nacka, created_by=editor, filename="egen.csv", data=b"x", status="ready",
        summary={"new": 1, "changed": 1, "unchanged": 0, "untouched": 0, "matched_by_name": 1,
                 "header_row": 2, "columns": columns, "new_sample": ["Färdtjänst"],
                 "changed_sample": [{"name": "Bygglov", "fields": ["lead_time_days"],
                                     "matched_by": "name"}],
                 "name_sample": ["Bygglov"]},
    )
    base = str(live_server)
    page = axe_page
    public = ["/", "/om/", "/organisationer/", "/organisationer/?county=01&band=50-100k",
              "/organisationer/0182/", "/konto/logga-in/", "/finns-inte/", "/api/docs"]
    found = {url: violations(page, base + url) for url in public}

    page.goto(f"{base}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("karin")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/")
    private = [
        "/organisationer/0182/",
        "/verksamheter/",
        f"/verksamheter/{activity.pk}/",
        f"/verksamheter/{activity.pk}/andra/",
        "/organisationer/0182/verksamheter/ny/",
        "/organisationer/0182/kontakter/ny/",
        "/organisationer/0182/import/",
        f"/organisationer/0182/import/{job.pk}/",
        f"/organisationer/0182/import/{mapping.pk}/",
        f"/organisationer/0182/import/{ready.pk}/",
        f"/verksamheter/{activity.pk}/ta-bort/",
    ]
    found |= {f"{url} (logged in)": violations(page, base + url) for url in private}

    # A form with errors must stay accessible too.
    page.goto(f"{base}/organisationer/0182/verksamheter/ny/")
    page.get_by_role("button", name="Spara").click()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    found["new activity with errors"] = [v["id"] for v in result["violations"]]
    assert "error-summary" in page.content()

    problems = {url: v for url, v in found.items() if v}
    assert not problems, problems
