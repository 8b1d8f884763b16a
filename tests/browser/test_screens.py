"""Every main page fits the screen: nothing scrolls sideways, nothing is cut off without a cue.

The whole demo scenario is loaded (the same data as `make run`, so the wide pages are as wide as
people see them) and every page a person opens, found by walking the URL resolver, is shown at
390 px (a phone) and 1,366 px (a common laptop). On each:

- the page itself never scrolls sideways (`scrollWidth <= clientWidth` of the document);
- anything wider than the space it is given (a wide table above all) sits in a scroll region
  that a keyboard can reach and a screen reader names: `role="region"`, a label and
  `tabindex="0"`, with the first column kept in view (`position: sticky`) while it scrolls;
- nothing is clipped by an `overflow: hidden` box without a scroll bar.

A route that is neither a page here nor named in ``NOT_PAGES`` (with the reason: a download, a
form that only accepts POST) fails ``test_every_route_is_measured_or_excluded``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Browser, Page

from mellanrum.cli import DEMO_USERS

pytestmark = [pytest.mark.browser]

JS = Path(__file__).parent / "js"
WIDTHS = (320, 390, 1366)
ADMIN = next(user for user in DEMO_USERS if user[4])  # (username, password, ..., superuser)

# Routes that are no page to look at, and why.
NOT_PAGES = {
    "logout": "POST only",
    "set_language": "POST only",
    "chart": "an SVG picture, measured where a page shows it",
    "api:openapi-json": "JSON",
    "landscape:export": "download",
    "landscape:template": "download",
    "landscape:import_mapping": "POST only",
    "landscape:import_remap": "POST only",
    "landscape:import_confirm": "POST only",
    "landscape:import_retry": "POST only",
    "landscape:import_cancel": "POST only",
    "landscape:website_confirm": "POST only",
    "collaborations:portfolio_export": "download",
    "collaborations:item_remove": "POST only",
    "collaborations:statement_remove": "POST only",
    "commonality:start_run": "POST only",
    "commonality:decide": "POST only",
    "commonality:thesaurus_delete": "POST only",
    "commonality:learned_delete": "POST only",
    "community:network_join": "POST only",
    "community:network_leave": "POST only",
    "community:network_item_remove": "POST only",
    "community:network_member": "POST only",
    "community:event_delete": "POST only",
    "community:event_register": "POST only",
    "community:event_cancel": "POST only",
    "community:event_attendees": "download",
    "community:event_calendar": "download",
    "health:round_close": "POST only",
    "health:round_export": "download",
    "journeys:export": "download",
    "journeys:life_event_delete": "POST only",
    "kolada:concept_link": "POST only",
    "kolada:concept_unlink": "POST only",
    "kolada:kpi_export": "download",
    "benefits:ledger_export": "download",
    "benefits:budget_sheet_export": "download",
    "benefits:ledger_row_remove": "POST only",
    "benefits:confirm_split_share": "POST only",
    "collaborations:agreement": "download (a Word document)",
    "collaborations:protocol": "download (a PDF)",
    "collaborations:invitation_answer": "POST only",
    "collaborations:proposal_close": "POST only",
    "collaborations:measurement_remove": "POST only",
    "collaborations:statement_confirm": "POST only",
    "collaborations:principles_approve": "POST only",
    "commonality:opportunities_xlsx": "download",
    "commonality:rerank": "POST only",
    "commonality:start_initiative": "POST only",
}


@dataclass(frozen=True)
class Demo:
    """The demo objects that fill the URL parameters."""

    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


Url = Callable[[Demo], str]


def _url(name: str, query: str = "", **args: str) -> Url:
    """The address of a named route; an argument ``"@key"`` is the demo object ``key``."""
    return lambda demo: reverse(name, kwargs={
        k: demo[v[1:]] if v.startswith("@") else v for k, v in args.items()}) + query


# Every page, as the superuser (who may open all of them). The query strings fill the pages
# that are only wide once something is chosen (a journey map, search results).
PAGES: dict[str, list[Url]] = {
    "home": [_url("home")],
    "about": [_url("about")],
    "login": [_url("login")],
    "account": [_url("account")],
    "password_change": [_url("password_change")],
    "api:openapi-view": [_url("api:openapi-view")],
    "landscape:organisations": [_url("landscape:organisations"),
                                _url("landscape:organisations", "?county=01")],
    "landscape:organisation": [_url("landscape:organisation", code="@code")],
    "landscape:activity_create": [_url("landscape:activity_create", code="@code")],
    "landscape:contact_create": [_url("landscape:contact_create", code="@code")],
    "landscape:import": [_url("landscape:import", code="@code")],
    "landscape:import_status": [_url("landscape:import_status", code="@code", job_id="@job")],
    "landscape:audit_log": [_url("landscape:audit_log", code="@code")],
    "landscape:website_edit": [_url("landscape:website_edit", code="@code")],
    "landscape:activities": [_url("landscape:activities"),
                             _url("landscape:activities", "?organisation=0182")],
    "landscape:activity": [_url("landscape:activity", pk="@activity")],
    "landscape:activity_edit": [_url("landscape:activity_edit", pk="@activity")],
    "landscape:arrangement_edit": [_url("landscape:arrangement_edit", pk="@activity")],
    "landscape:activity_delete": [_url("landscape:activity_delete", pk="@activity")],
    "landscape:contact_edit": [_url("landscape:contact_edit", pk="@contact")],
    "landscape:contact_delete": [_url("landscape:contact_delete", pk="@contact")],
    "benefits:calculator": [_url("benefits:calculator")],
    "benefits:calculator_upload": [_url("benefits:calculator_upload")],
    "collaborations:portfolio": [_url("collaborations:portfolio")],
    "collaborations:initiative_create": [_url("collaborations:initiative_create")],
    "collaborations:initiative": [_url("collaborations:initiative", pk="@initiative")],
    "collaborations:initiative_edit": [_url("collaborations:initiative_edit", pk="@initiative")],
    "collaborations:item_add": [_url("collaborations:item_add", pk="@initiative", kind="goal")],
    "collaborations:item_edit": [_url("collaborations:item_edit", pk="@initiative", kind="risk",
                                      item_pk="@risk")],
    "collaborations:statement_add": [_url("collaborations:statement_add", pk="@initiative")],
    "collaborations:statement_edit": [_url("collaborations:statement_edit", pk="@statement")],
    "collaborations:alignment": [_url("collaborations:alignment", pk="@initiative")],
    "benefits:ledger": [_url("benefits:ledger", pk="@initiative")],
    "benefits:ledger_row_add": [_url("benefits:ledger_row_add", pk="@initiative")],
    "benefits:economics_edit": [_url("benefits:economics_edit", pk="@initiative")],
    "benefits:ledger_row_edit": [_url("benefits:ledger_row_edit", pk="@ledger_row")],
    "benefits:cost_split": [_url("benefits:cost_split", pk="@split_initiative")],
    "benefits:budget_sheet": [_url("benefits:budget_sheet", pk="@split_initiative",
                                   code="@payer")],
    "benefits:budget_line_edit": [_url("benefits:budget_line_edit", pk="@split_initiative",
                                       code="@payer")],
    "collaborations:proposals": [_url("collaborations:proposals", pk="@agreement_initiative")],
    "collaborations:proposal": [_url("collaborations:proposal", pk="@proposal")],
    "collaborations:formal_decision_add": [_url("collaborations:formal_decision_add",
                                                pk="@agreement_initiative")],
    "collaborations:goal": [_url("collaborations:goal", pk="@goal")],
    "collaborations:goal_tracking": [_url("collaborations:goal_tracking", pk="@goal")],
    "collaborations:record_on_behalf": [_url("collaborations:record_on_behalf",
                                             pk="@workshop_initiative")],
    "collaborations:tensions": [_url("collaborations:tensions", pk="@workshop_initiative")],
    "collaborations:principles": [_url("collaborations:principles", pk="@workshop_initiative")],
    "collaborations:principles_draft": [_url("collaborations:principles_draft",
                                             pk="@workshop_initiative")],
    "collaborations:principles_version": [_url("collaborations:principles_version",
                                               pk="@workshop_initiative", number="2")],
    "commonality:overview": [_url("commonality:overview")],
    "commonality:run": [_url("commonality:run", pk="@run")],
    "commonality:matrix": [_url("commonality:matrix")],
    "commonality:opportunities": [_url("commonality:opportunities")],
    "commonality:thesaurus": [_url("commonality:thesaurus")],
    "commonality:law": [_url("commonality:law")],
    "commonality:starter_catalogue": [_url("commonality:starter_catalogue", code="@code")],
    "commonality:concept": [_url("commonality:concept", concept_id="@concept")],
    "community:activity_counterparts": [_url("community:activity_counterparts",
                                             pk="@activity")],
    "community:concept_counterparts": [_url("community:concept_counterparts",
                                            concept_id="@concept")],
    "community:networks": [_url("community:networks")],
    "community:network_create": [_url("community:network_create")],
    "community:network": [_url("community:network", pk="@network")],
    "community:network_edit": [_url("community:network_edit", pk="@network")],
    "community:network_item_add": [_url("community:network_item_add", pk="@network",
                                        kind="concept")],
    "community:events": [_url("community:events")],
    "community:event_create": [_url("community:event_create")],
    "community:event": [_url("community:event", pk="@event")],
    "community:event_edit": [_url("community:event_edit", pk="@event")],
    "health:initiative": [_url("health:initiative", pk="@initiative")],
    "health:round_create": [_url("health:round_create", pk="@initiative")],
    "health:round": [_url("health:round", pk="@round")],
    "health:invitations": [_url("health:invitations", pk="@open_round")],
    "health:survey": [_url("health:survey", token="@token")],
    "journeys:life_events": [_url("journeys:life_events")],
    "journeys:life_event_create": [_url("journeys:life_event_create")],
    "journeys:import": [_url("journeys:import")],
    "journeys:life_event": [_url("journeys:life_event", slug="@life_event"),
                            _url("journeys:life_event", "?municipality=0182&to=0180",
                                 slug="@life_event")],
    "journeys:life_event_edit": [_url("journeys:life_event_edit", slug="@life_event")],
    "journeys:finder": [_url("journeys:finder"),
                        _url("journeys:finder", "?place=Nacka&q=bygglov")],
    "kolada:kpis": [_url("kolada:kpis")],
    "kolada:sync": [_url("kolada:sync")],
    "kolada:sync_status": [_url("kolada:sync_status", pk="@sync")],
    "kolada:kpi": [_url("kolada:kpi", kpi_id="@kpi")],
}

# What a visitor who is not logged in sees differently.
PUBLIC = ["home", "landscape:organisation", "journeys:finder", "journeys:life_event"]


def route_names() -> set[str]:
    """Every named route but the admin's and the API's operations (their pages are not ours)."""
    found: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns,
                     f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return {name for name in found if not name.startswith("admin:")
            and (not name.startswith("api:") or name in {"api:openapi-view", "api:openapi-json"})}


def test_every_route_is_measured_or_excluded() -> None:
    names = route_names()
    missing = sorted(names - PAGES.keys() - NOT_PAGES.keys())
    stale = sorted((PAGES.keys() | NOT_PAGES.keys()) - names)
    assert not missing, f"Add these routes to PAGES (or NOT_PAGES with a reason): {missing}"
    assert not stale, f"No such routes: {stale}"
    assert not PAGES.keys() & NOT_PAGES.keys()


def _load_demo() -> Demo:
    from mellanrum.benefits.models import CostSplit, LedgerRow
    from mellanrum.benefits.payers import paying_partners
    from mellanrum.collaborations.consent_models import Proposal
    from mellanrum.collaborations.models import Goal, Initiative, Risk, Statement
    from mellanrum.commonality.models import AnalysisRun, Concept
    from mellanrum.community.models import Event, Network
    from mellanrum.core.models import User
    from mellanrum.demo import do_load_full_demo
    from mellanrum.health.actions import do_create_invitations, do_open_round
    from mellanrum.health.models import Round
    from mellanrum.journeys.models import LifeEvent
    from mellanrum.kolada.models import KoladaSync, KoladaValue
    from mellanrum.landscape.models import Activity, Contact, ImportJob, Organisation

    do_load_full_demo(users=DEMO_USERS)
    nacka = Organisation.objects.get(code="0182")
    admin = User.objects.get(username=ADMIN[0])
    # The initiative with the most partners: its pages are the widest.
    # (among those with risks and a ledger, so that every kind of row can be opened).
    initiative = max(Initiative.objects.filter(
        pk__in=Risk.objects.values("initiative"),
    ).filter(pk__in=LedgerRow.objects.values("initiative")),
        key=lambda i: i.partners.count())
    rounds = Round.objects.filter(initiative=initiative)
    open_round = rounds.filter(closed_at__isnull=True).first() or do_open_round(
        initiative, acting_user=admin, title="Våren 2027")
    partner = initiative.partners.first()
    assert partner is not None
    token = do_create_invitations(open_round, acting_user=admin,
                                  organisation=partner.organisation, count=1)[0].token
    columns = [{"index": 0, "header": "Verksamhet", "field": "name", "source": "suggested",
                "samples": ["Bygglov"]}]
    job = ImportJob.objects.create(
        organisation=nacka, created_by=admin, filename="nacka-verksamheter-2025.csv", data=b"x",
        status="ready",
        summary={"new": 1, "changed": 1, "unchanged": 0, "untouched": 0, "matched_by_name": 1,
                 "header_row": 2, "columns": columns, "new_sample": ["Färdtjänst"],
                 "changed_sample": [{"name": "Ansökan om bygglov för nybyggnad av enbostadshus",
                                     "fields": ["lead_time_days", "annual_cost_sek"],
                                     "matched_by": "name"}],
                 "name_sample": ["Bygglov"]},
    )
    sync = KoladaSync.objects.create(kpis=["N01951"], years=[2024], status="done",
                                     finished_at=datetime.datetime.now(tz=datetime.UTC))
    run = AnalysisRun.objects.latest("pk")
    concept = max(Concept.objects.filter(run=run)[:40], key=lambda c: c.organisations)
    kpi = KoladaValue.objects.values_list("kpi_id", flat=True).first()
    split = CostSplit.objects.select_related("initiative").first()
    proposal = Proposal.objects.order_by("pk").first()
    assert split is not None and proposal is not None  # the demo chooses splits, makes proposals
    return Demo({
        "code": nacka.code,
        "job": str(job.pk),
        "activity": str(Activity.objects.filter(organisation=nacka)
                        .exclude(annual_cost_sek=Decimal(0)).first().pk),  # type: ignore[union-attr]  # the demo describes Nacka
        "contact": str(Contact.objects.filter(organisation=nacka).first().pk),  # type: ignore[union-attr]  # the demo has Nacka's contacts
        "initiative": str(initiative.pk),
        "risk": str(Risk.objects.filter(initiative=initiative).first().pk),  # type: ignore[union-attr]  # demo initiatives have risks
        "statement": str(Statement.objects.filter(initiative=initiative).first().pk),  # type: ignore[union-attr]  # and statements
        "ledger_row": str(LedgerRow.objects.filter(initiative=initiative).first().pk),  # type: ignore[union-attr]  # and ledgers
        "run": str(run.pk),
        "concept": concept.concept_id,
        "network": str(Network.objects.first().pk),  # type: ignore[union-attr]  # the demo has networks
        "event": str(Event.objects.first().pk),  # type: ignore[union-attr]  # and events
        "round": str((rounds.filter(closed_at__isnull=False).first() or open_round).pk),
        "open_round": str(open_round.pk),
        "token": token,
        "life_event": LifeEvent.objects.order_by("pk").first().slug,  # type: ignore[union-attr]  # the catalogue is loaded
        "sync": str(sync.pk),
        "kpi": kpi,
        "split_initiative": str(split.initiative_id),
        "payer": paying_partners(split.initiative)[0].organisation.code,
        "agreement_initiative": str(proposal.initiative_id),
        "proposal": str(proposal.pk),
        "goal": str(Goal.objects.filter(measurements__isnull=False)
                    .first().pk),  # type: ignore[union-attr]  # the demo measures goals
        "workshop_initiative": str(Initiative.objects.filter(principle_versions__number=2)
                                   .first().pk),  # type: ignore[union-attr]  # and principles
    })


# Measures the page in the browser. Returns a list of problems, each a sentence.
MEASURE = (JS / "overflow.js").read_text(encoding="utf-8")


def measure(page: Page, url: str) -> list[str]:
    response = page.goto(url, wait_until="load")
    assert response is not None
    if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
        return [f"answered {response.status} {response.headers.get('content-type')}"]
    return list(page.evaluate(MEASURE))


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/")


# Checks a long page's orientation: key figures, then "on this page" links to sections that exist.
ORIENTATION = (JS / "orientation.js").read_text(encoding="utf-8")

LONG_PAGES = ["landscape:organisation", "commonality:concept", "collaborations:initiative"]


@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_or_is_cut_off_and_long_pages_can_be_jumped_through(
        browser: Browser, live_server: Any) -> None:
    demo = _load_demo()
    base = str(live_server)
    problems: dict[str, list[str]] = {}
    for width in WIDTHS:
        context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": 800})
        page = context.new_page()
        for name in PUBLIC:
            for url in PAGES[name]:
                found = measure(page, base + url(demo))
                if found:
                    problems[f"{width} px, visitor: {url(demo)}"] = found
        log_in(page, base, ADMIN[0], ADMIN[1])
        for urls in PAGES.values():
            for url in urls:
                found = measure(page, base + url(demo))
                if found:
                    problems[f"{width} px: {url(demo)}"] = found
        for name in LONG_PAGES:
            path = PAGES[name][0](demo)
            page.goto(base + path)
            found = list(page.evaluate(ORIENTATION))
            if found:
                problems[f"{width} px, orientation: {path}"] = found
        context.close()
    assert not problems, "\n".join(f"{where}: {'; '.join(p)}" for where, p in problems.items())


def _header_rows(page: Page) -> dict[str, Any]:
    return dict(page.evaluate("""() => {
      // Boxes on one row share a horizontal line: the lowest top is above the highest bottom.
      const rowsOf = (els) => {
        const boxes = [...els].map(el => el.getBoundingClientRect());
        return Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom)) ? 1 : 2;
      };
      const row = document.querySelector('.header-row');
      const nav = document.querySelectorAll('.header-row .nav > li');
      const root = document.documentElement;
      return {height: document.querySelector('.site-header').getBoundingClientRect().height,
              rows: Math.max(rowsOf(row.children), rowsOf(nav)),
              overflow: root.scrollWidth - root.clientWidth};
    }"""))


@pytest.mark.django_db(transaction=True)
def test_the_header_fits_on_one_row_for_an_administrator_in_both_languages(
        browser: Browser, live_server: Any) -> None:
    from mellanrum.core.models import User
    from mellanrum.landscape.models import Organisation

    # A superuser with an organisation sees every link the header has.
    nacka = Organisation.objects.create(code="0182", name="Nacka kommun", kind="municipality")
    User.objects.create_superuser("administratör", password="pw-for-the-header-test-1",
                                  organisation=nacka, role="admin")
    base = str(live_server)
    context = browser.new_context(locale="sv-SE", viewport={"width": 1366, "height": 800})
    page = context.new_page()
    log_in(page, base, "administratör", "pw-for-the-header-test-1")
    swedish = _header_rows(page)
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    english = _header_rows(page)
    assert swedish["rows"] == english["rows"] == 1, (swedish, english)
    assert swedish["height"] < 70 and english["height"] < 70, (swedish, english)

    # The secondary links are one keyboard press away, in a disclosure that needs no script.
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_selector("html[lang=sv]")
    administration = page.get_by_role("link", name="Administration")
    assert not administration.is_visible()
    page.locator(".site-nav summary").focus()
    page.keyboard.press("Enter")
    assert administration.is_visible()
    page.locator(".account summary").click()  # one menu open at a time
    assert not administration.is_visible()
    assert page.get_by_role("button", name="Logga ut").is_visible()
    assert page.get_by_text("Inloggad som administratör").first.is_visible()

    # On a phone the header wraps but never scrolls sideways, with both menus open too.
    page.set_viewport_size({"width": 320, "height": 700})
    page.reload()
    assert _header_rows(page)["overflow"] <= 0
    page.locator(".site-nav summary").click()
    assert administration.is_visible()
    assert _header_rows(page)["overflow"] <= 0
    context.close()
