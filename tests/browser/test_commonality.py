"""An editor runs the commonality analysis, opens a concept and renames it, in a real browser."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality.actions import do_run_analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Concept, Decision
from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, ITSystem, Organisation

from .conftest import save_screenshot
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def small_landscape() -> None:
    alfa = Organisation.objects.create(code="9901", name="Alfa kommun", short_name="Alfa",
                                       kind="municipality", county_code="99",
                                       county_name="Testlän", population=85_000)
    beta = Organisation.objects.create(code="9902", name="Beta kommun", short_name="Beta",
                                       kind="municipality", county_code="99",
                                       county_name="Testlän", population=30_000)
    rows = [
        (alfa, "Hemtjänst", 90_000_000, 10, "Lifecare"),
        (beta, "Stöd i hemmet", 40_000_000, 12, "Treserva"),
        (alfa, "Ansökan om bygglov", 4_250_000, 28, "Castor"),
        (beta, "Bygglovsansökan", 1_500_000, 70, "Ärendia"),
        (alfa, "Gatubelysning", 3_000_000, None, ""),
    ]
    for n, (organisation, name, cost, lead, system) in enumerate(rows):
        activity = Activity.objects.create(
            organisation=organisation, key=f"a{n}", name=name, annual_cost_sek=Decimal(cost),
            lead_time_days=None if lead is None else Decimal(lead),
        )
        if system:
            activity.systems.add(ITSystem.objects.get_or_create(product=system, vendor="")[0])
    editor = User(username="karin", organisation=alfa, role="editor")
    editor.set_password(PASSWORD)
    editor.save()


def test_editor_runs_analysis_and_renames_a_concept(
    axe_page: Page, live_server: object, settings: SettingsWrapper
) -> None:
    settings.TASKS_INLINE = True
    small_landscape()
    base = str(live_server)
    page = axe_page
    page.goto(f"{base}/konto/logga-in/?next=/gemensamt/")
    page.get_by_label("Användarnamn").fill("karin")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/gemensamt/")

    page.get_by_role("button", name="Kör analysen").click()
    expect(page.get_by_role("status").filter(has_text="Analysen av")).to_contain_text(
        "5 verksamheter i 3 begrepp"
    )
    page.get_by_role("link", name="Se resultatet").click()
    table = page.get_by_role("table", name="De tio bästa samverkansmöjligheterna")
    expect(table).to_contain_text("2 kommuner gör detta")
    expect(table).not_to_contain_text("Hemtjänst")  # a whole care form is not an opportunity
    page.get_by_role("link", name="Vem gör vad").first.click()
    page.get_by_role("link", name="Hemtjänst", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hemtjänst")
    expect(page.get_by_role("table", name="Verksamheter i begreppet")).to_contain_text(
        "Stöd i hemmet"
    )
    concept_url = page.url

    page.get_by_label("Nytt namn").fill("Hemtjänst och stöd i hemmet")
    page.get_by_role("button", name="Byt namn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hemtjänst och stöd i hemmet")
    expect(page.get_by_role("status")).to_contain_text("Ditt beslut sparades")
    assert page.url == concept_url
    save_screenshot(page, "commonality-concept.png")

    # Tick a member and move it out; the decision is stored and the analysis reruns.
    page.get_by_label("Välj Stöd i hemmet (Beta kommun)").check()
    page.get_by_role("button", name="Flytta ut de valda verksamheterna").click()
    expect(page.get_by_role("status")).to_contain_text("Ditt beslut sparades")
    moved_out = Decision.objects.get(kind="exclude")
    assert moved_out.activity_ids == [str(Activity.objects.get(name="Stöd i hemmet").pk)]

    found = {url: violations(page, base + url)
             for url in ("/gemensamt/", "/gemensamt/matris/", "/gemensamt/mojligheter/",
                         "/gemensamt/lagen/", "/gemensamt/synonymer/",
                         concept_url.removeprefix(base),
                         "/organisationer/9901/")}
    problems = {url: v for url, v in found.items() if v}
    assert not problems, problems


def test_editor_runs_the_analysis_on_the_configured_dask_cluster(
    axe_page: Page, live_server: object, settings: SettingsWrapper
) -> None:
    from distributed import LocalCluster

    settings.TASKS_INLINE = True
    small_landscape()
    base = str(live_server)
    page = axe_page
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        settings.DASK_SCHEDULER = cluster.scheduler_address
        page.goto(f"{base}/konto/logga-in/?next=/gemensamt/")
        page.get_by_label("Användarnamn").fill("karin")
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{base}/gemensamt/")
        expect(page.locator("#run-where")).to_contain_text("Dask-kluster")
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate("document.getElementById('run-heading').scrollIntoView()")
            save_screenshot(page, f"commonality-run-on-cluster-{width}.png")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_role("button", name="Kör analysen").click()
        expect(page.get_by_role("status").filter(has_text="Analysen av")).to_contain_text(
            "5 verksamheter i 3 begrepp"
        )
    # The cluster is gone: the next run fails with a clear message and keeps the results.
    settings.DASK_SCHEDULER = "tcp://127.0.0.1:9"
    page.goto(f"{base}/gemensamt/")
    page.get_by_role("button", name="Kör analysen").click()
    expect(page.get_by_role("alert")).to_contain_text("svarar inte")
    save_screenshot(page, "commonality-cluster-unreachable-1366.png")
    assert violations(page, page.url) == []
    assert Concept.objects.count() == 3  # the cluster run's results are still there


def test_editor_merges_a_candidate_after_a_confirmation_and_sees_what_was_learned(
    axe_page: Page, live_server: object, settings: SettingsWrapper
) -> None:
    settings.TASKS_INLINE = True
    small_landscape()
    alfa, beta = Organisation.objects.get(code="9901"), Organisation.objects.get(code="9902")
    Activity.objects.create(organisation=alfa, key="ark", name="Skateparker")
    Activity.objects.create(organisation=beta, key="hant", name="Skateboardramper")
    from mellanrum.commonality import actions
    from mellanrum.commonality.analysis import Scope

    actions.do_run_analysis(Scope.of(), acting_user=None)
    concept = Concept.objects.get(label="Skateparker")
    base = str(live_server)
    page = axe_page
    page.goto(f"{base}/konto/logga-in/?next={concept.get_absolute_url()}")
    page.get_by_label("Användarnamn").fill("karin")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{concept.get_absolute_url()}")
    assert violations(page, page.url) == []
    section = page.get_by_role("region", name="Kanske samma som")
    expect(section).to_contain_text("ingen gör båda")
    confirm = page.get_by_role("button", name="Ja, slå ihop ”Skateboardramper” med ”Skateparker”")
    expect(confirm).to_be_hidden()  # one click opens the confirmation, naming both
    section.locator("summary").first.focus()
    page.keyboard.press("Enter")
    expect(confirm).to_be_visible()
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("document.getElementById('maybe-heading').scrollIntoView()")
        save_screenshot(page, f"commonality-maybe-same-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    confirm.click()
    expect(page.get_by_role("status")).to_contain_text("Ditt beslut sparades")
    expect(page.get_by_role("table", name="Verksamheter i begreppet")).to_contain_text(
        "Skateboardramper")
    page.goto(f"{base}/gemensamt/synonymer/")
    expect(page.get_by_role("table", name="1 namnpar lärt av beslut")).to_contain_text(
        "Skateparker = Skateboardramper")
    page.evaluate("document.getElementById('learned-heading').scrollIntoView()")
    save_screenshot(page, "commonality-learned-1366.png")
    assert violations(page, page.url) == []


def test_a_decision_reruns_in_the_background_and_the_page_leads_back_to_the_concept(
    page: Page, live_server: object, settings: SettingsWrapper
) -> None:
    settings.TASKS_INLINE = True
    small_landscape()
    do_run_analysis(Scope.of(), acting_user=None)
    settings.TASKS_INLINE = False  # the rerun after the decision runs in a background thread
    base = str(live_server)
    page.goto(f"{base}/konto/logga-in/?next=/gemensamt/matris/")
    page.get_by_label("Användarnamn").fill("karin")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Hemtjänst", exact=True).click()

    page.get_by_label("Nytt namn").fill("Hemtjänst och stöd i hemmet")
    with page.expect_navigation(url=re.compile(r"/gemensamt/analys/\d+/\?concept=")):
        page.get_by_role("button", name="Byt namn").click()
    expect(page.get_by_role("status").first).to_contain_text("Analysen körs om med beslutet")
    back = page.get_by_role("link", name="Tillbaka till begreppet Hemtjänst och stöd i hemmet")
    expect(back).to_be_visible(timeout=60_000)  # htmx polls the run until it is done
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        save_screenshot(page, f"commonality-rerun-{width}.png")
    back.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hemtjänst och stöd i hemmet")
