"""Oversized and malformed input on every form, import and query string.

Each case must get a clear form error or a 4xx answer, change nothing, and never cause a server
error: megabyte strings, NUL bytes, invalid UTF-8, huge numbers, negative and oversized ids.
The cases the apps' own tests already cover (bad import files, negative costs, script URLs,
bad finder queries, bad decisions, bad game files) are not repeated here.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality.actions import do_run_analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Concept, Decision, SynonymSet
from mellanrum.conftest import (  # noqa: F401  (fixtures)
    PASSWORD,
    activity,
    alfa,
    alice,
    beta,
    beta_activity,
    category,
    contact,
    superuser,
)
from mellanrum.core.models import AuditEntry, User
from mellanrum.journeys.actions import do_load_catalogue
from mellanrum.journeys.models import LifeEvent, Step
from mellanrum.landscape.models import (
    Activity,
    Contact,
    ImportJob,
    ITSystem,
    Organisation,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

MEGABYTE = "x" * 1_000_000
NUL = "Bygg\x00lov"


@pytest.fixture(autouse=True)
def _inline_tasks(settings: SettingsWrapper) -> None:
    settings.TASKS_INLINE = True


@pytest.fixture
def editor(client: Client, alice: User) -> Client:  # noqa: F811
    client.force_login(alice)
    return client


@pytest.fixture
def root(client: Client, superuser: User) -> Client:  # noqa: F811
    client.force_login(superuser)
    return client


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row a user can change, to prove that a refused request changed nothing."""
    models: list[type[Model]] = [Organisation, Activity, Contact, ITSystem, ImportJob, LifeEvent,
                                 Step, SynonymSet, Decision, AnalysisRun]
    return {m.__name__: sorted(m._default_manager.values_list(), key=repr) for m in models}


def refused(client: Client, method: str, url: str, data: object = None,
            **extra: object) -> tuple[int, str]:
    """Send a request that must be refused; return its status and body, asserting no change."""
    before, audit = snapshot(), AuditEntry.objects.count()
    send: Callable[..., TestResponse] = getattr(client, method)
    response = send(url, data, **extra) if data is not None else send(url, **extra)
    status = response.status_code
    body = response.content.decode(errors="replace")
    assert status < 500, body[:2000]
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit
    return status, body


def shows_error(html: str) -> bool:
    """The page explains what is wrong: a field's error list or the form's error summary."""
    return "errorlist" in html or "error-summary" in html


# --- Activity and contact forms ------------------------------------------------------------

ACTIVITY_FORM = {"name": "Bygglov", "kind": "service", "description": "", "volume_unit": "",
                 "legal_basis": "", "url": "", "systems_text": ""}


@pytest.mark.parametrize("field", ["name", "description", "volume_unit", "legal_basis", "url",
                                   "systems_text"])
def test_a_megabyte_in_any_activity_field_is_a_form_error(
    editor: Client, alfa: Organisation, field: str  # noqa: F811
) -> None:
    url = reverse("landscape:activity_create", args=[alfa.code])
    status, html = refused(editor, "post", url, ACTIVITY_FORM | {field: MEGABYTE})
    assert status == 200
    assert shows_error(html)


@pytest.mark.parametrize("field", ["name", "description", "volume_unit", "legal_basis",
                                   "systems_text"])
def test_a_nul_byte_in_any_activity_field_is_a_form_error(
    editor: Client, activity: Activity, field: str  # noqa: F811
) -> None:
    url = reverse("landscape:activity_edit", args=[activity.pk])
    data = ACTIVITY_FORM | {"version": str(activity.version), field: NUL}
    status, html = refused(editor, "post", url, data)
    assert status == 200
    assert shows_error(html)


@pytest.mark.parametrize("text", ["Bygg\x0blov", "Bygglov\x1b[31m", "Bygg\x7flov"])
def test_a_control_character_in_a_form_is_refused_with_a_clear_page(
    editor: Client, activity: Activity, text: str  # noqa: F811
) -> None:
    url = reverse("landscape:activity_edit", args=[activity.pk])
    data = ACTIVITY_FORM | {"version": str(activity.version), "name": text}
    status, html = refused(editor, "post", url, data)
    assert status == 400
    assert "osynligt styrtecken" in html and "Inget har ändrats" in html
    assert '<main' in html  # the site's own page, with its landmarks


def test_tabs_and_line_breaks_are_not_control_characters_to_refuse(
    editor: Client, activity: Activity  # noqa: F811
) -> None:
    url = reverse("landscape:activity_edit", args=[activity.pk])
    data = ACTIVITY_FORM | {"version": str(activity.version),
                            "description": "rad ett\r\nrad två\tflik"}
    assert editor.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.description == "rad ett\r\nrad två\tflik"


def test_a_control_character_in_a_query_string_is_refused(client: Client, db: None) -> None:
    for query in ({"q": "flytta\x07", "place": "Nacka"}, {"q": ["flytta", "hem\x07"]}):
        status, html = refused(client, "get", "/hitta/", query)
        assert status == 400
        assert "osynligt styrtecken" in html


def test_a_control_character_escaped_in_api_json_is_refused(
    client: Client, alice: User, activity: Activity  # noqa: F811
) -> None:
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    url = reverse("api:update_activity", args=[activity.pk])
    body = json.dumps({"name": "Bygg\x0blov", "version": activity.version})
    assert "\\u000b" in body
    status, text = refused(client, "put", url, body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Basic {token}")
    assert status == 400
    assert "control character" in json.loads(text)["detail"] or \
        "styrtecken" in json.loads(text)["detail"]


def test_a_system_name_longer_than_the_column_is_a_form_error(
    editor: Client, alfa: Organisation  # noqa: F811
) -> None:
    url = reverse("landscape:activity_create", args=[alfa.code])
    for systems in ["P" * 150, f"Produkt ({'V' * 150})"]:
        status, html = refused(editor, "post", url, ACTIVITY_FORM | {"systems_text": systems})
        assert status == 200
        assert shows_error(html)


@pytest.mark.parametrize("value", ["9" * 40, "1e400", "NaN", "Infinity", "-0,0000001",
                                   "1" * 1000])
@pytest.mark.parametrize("field", ["annual_cost_sek", "volume_per_year", "fte",
                                   "lead_time_days"])
def test_huge_and_odd_numbers_are_form_errors(
    editor: Client, alfa: Organisation, field: str, value: str  # noqa: F811
) -> None:
    url = reverse("landscape:activity_create", args=[alfa.code])
    status, html = refused(editor, "post", url, ACTIVITY_FORM | {field: value})
    assert status == 200
    assert shows_error(html)


def test_unknown_category_and_owner_ids_are_form_errors(
    editor: Client, alfa: Organisation, beta: Organisation  # noqa: F811
) -> None:
    other = Contact.objects.create(organisation=beta, name="Berit")
    url = reverse("landscape:activity_create", args=[alfa.code])
    for field, value in [("category", "-1"), ("category", "9" * 30), ("category", "abc"),
                         ("owner", str(other.pk)), ("owner", "9" * 30), ("kind", "x" * 1000)]:
        status, html = refused(editor, "post", url, ACTIVITY_FORM | {field: value})
        assert status == 200, (field, value)
        assert shows_error(html)


def test_a_stale_or_garbage_version_changes_nothing(
    editor: Client, activity: Activity  # noqa: F811
) -> None:
    url = reverse("landscape:activity_edit", args=[activity.pk])
    for version in ["abc", "9" * 40, "-1"]:
        status, _html = refused(editor, "post", url, ACTIVITY_FORM | {"version": version})
        assert status in {200, 409}


@pytest.mark.parametrize("field,value", [("name", MEGABYTE), ("role", MEGABYTE),
                                         ("phone", MEGABYTE), ("email", MEGABYTE),
                                         ("name", NUL), ("email", "inte en adress")])
def test_contact_form_refuses_oversized_and_malformed_values(
    editor: Client, alfa: Organisation, field: str, value: str  # noqa: F811
) -> None:
    url = reverse("landscape:contact_create", args=[alfa.code])
    data = {"name": "Anna", "role": "", "email": "", "phone": ""} | {field: value}
    status, html = refused(editor, "post", url, data)
    assert status == 200
    assert shows_error(html)


# --- Imports -------------------------------------------------------------------------------


@pytest.mark.parametrize("name,data", [
    ("nul.csv", b"Namn;Beskrivning\nBygg\x00lov;text\n"),
    ("lang.csv", ("Namn;Beskrivning\n" + "B" * 300 + ";text\n").encode()),
    ("system.csv", ("Namn;IT-system\nBygglov;" + "P" * 150 + " (Leverantör)\n").encode()),
    ("beskrivning.csv", ("Namn;Beskrivning\nBygglov;" + "x" * 6000 + "\n").encode()),
    ("kolumner.csv", (";".join(f"k{i}" for i in range(20_000)) + "\n").encode()),
    ("tom.csv", b""),
    ("binary.xlsx", b"PK\x03\x04" + b"\x00" * 2000),
])
def test_malformed_import_files_are_refused_with_a_message(
    editor: Client, alfa: Organisation, name: str, data: bytes  # noqa: F811
) -> None:
    url = reverse("landscape:import", args=[alfa.code])
    response = editor.post(url, {"file": SimpleUploadedFile(name, data)}, follow=True)
    html = response.content.decode()
    assert response.status_code < 500, html[:2000]
    assert not Activity.objects.exists()
    job = ImportJob.objects.filter(organisation=alfa).first()
    assert job is None or job.status == ImportJob.Status.INVALID, job and job.status
    assert shows_error(html) or "Filen har fel" in html


def test_posts_to_unknown_or_negative_ids_are_404(
    editor: Client, alfa: Organisation  # noqa: F811
) -> None:
    for name in ["landscape:import_confirm", "landscape:import_cancel"]:
        status, _html = refused(editor, "post", reverse(name, args=[alfa.code, 999_999]))
        assert status == 404
    for method, path in [("get", "/organisationer/9901/import/-1/"),
                         ("post", "/organisationer/9901/import/" + "9" * 30 + "/bekrafta/"),
                         ("post", "/gemensamt/synonymer/" + "9" * 40 + "/ta-bort/"),
                         ("post", "/gemensamt/synonymer/-1/ta-bort/")]:
        status, _html = refused(editor, method, path)
        assert status == 404, path


# --- URLs and query strings ----------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/verksamheter/-1/", "/verksamheter/-1/andra/", "/kontakter/-1/andra/",
    "/verksamheter/" + "9" * 40 + "/", "/verksamheter/" + "9" * 40 + "/andra/",
    "/kontakter/" + "9" * 40 + "/ta-bort/", "/gemensamt/analys/-1/",
    "/gemensamt/analys/" + "9" * 40 + "/", "/gemensamt/begrepp/%00/",
"/organisationer/%00/",
    "/organisationer/" + "x" * 5000 + "/", "/livshandelser/%ff/",
    "/api/activities/-1", "/api/activities/" + "9" * 40, "/api/organisations/%00",
    "/api/commonality/runs/" + "9" * 40, "/api/concepts/%00",
])
def test_negative_malformed_and_oversized_ids_are_404(root: Client, path: str) -> None:
    status, _html = refused(root, "get", path)
    assert status == 404


QUERY_PAGES = ["/organisationer/", "/verksamheter/", "/hitta/", "/livshandelser/",
               "/gemensamt/", "/gemensamt/matris/", "/gemensamt/mojligheter/",
               "/api/organisations", "/api/activities", "/api/concepts", "/api/find",
               "/kostnadsfordelning/"]
QUERIES = [
    # Invalid UTF-8, NUL bytes, megabyte values, odd digits and numbers beyond any column.
    "q=%ff%fe%fd&county=%c3&place=%e2%82",
    "q=%00&county=%00&kind=%00&skr=%00&group=%00&association=%00&organisation=%00"
    "&category=%00&sort=%00&place=%00&municipality=%00",
    "q=" + "x" * 100_000 + "&organisation=" + "x" * 10_000,
    "system=%C2%B2&page=%C2%B2&limit=%C2%B2",
    "system=" + "9" * 40 + "&page=" + "9" * 40 + "&tax_min=1e999999&tax_max=-1e999999",
    "offset=-1&limit=-5&min_organisations=-1&band=%00",
    "limit=" + "9" * 40 + "&offset=" + "9" * 40 + "&min_organisations=" + "9" * 40,
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_malformed_query_strings_never_cause_a_server_error(
    client: Client, alice: User, activity: Activity, query: str  # noqa: F811
) -> None:
    client.force_login(alice)
    do_run_analysis(Scope.of("", []), acting_user=alice)
    do_load_catalogue()  # the finder and the list load it on first use otherwise
    for page in QUERY_PAGES:
        status, _html = refused(client, "get", f"{page}?{query}")
        assert status in {200, 302, 400, 404, 422}, (page, status)


def test_the_api_refuses_nul_bytes_and_oversized_values(
    client: Client, alice: User, activity: Activity  # noqa: F811
) -> None:
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    auth = {"HTTP_AUTHORIZATION": f"Basic {token}"}
    url = reverse("api:create_activity", args=["9901"])
    bodies = [
        {"name": NUL}, {"name": "Bygglov", "description": NUL},
        {"name": "Bygglov", "volume_unit": "\x00"}, {"name": "Bygglov", "systems": [NUL]},
        {"name": "Bygglov", "systems": ["P" * 150]}, {"name": "Bygglov", "owner": NUL},
        {"name": "Bygglov", "category": NUL}, {"name": "Bygglov", "legal_basis": MEGABYTE},
        {"name": "Bygglov", "annual_cost_sek": "1e400"}, {"name": "Bygglov", "fte": "NaN"},
        {"name": "Bygglov", "url": "https://exempel.se/\x00"},
    ]
    for body in bodies:
        status, text = refused(client, "post", url, json.dumps(body),
                               content_type="application/json", **auth)
        assert status == 422, (body if len(str(body)) < 200 else "megabyte", status, text[:300])
    for raw in [b"{", b"\xff\xfe", b'{"name": "' + b"x" * 2_000_000 + b'"}', b"[]", b"null"]:
        status, _text = refused(client, "post", url, raw, content_type="application/json",
                                **auth)
        assert status in {400, 422}


def test_api_update_refuses_nul_bytes(client: Client, alice: User,  # noqa: F811
                                      activity: Activity) -> None:  # noqa: F811
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    url = reverse("api:update_activity", args=[activity.pk])
    body = {"name": "Bygglov", "description": "a\x00b", "version": activity.version}
    status, _text = refused(client, "put", url, json.dumps(body), content_type="application/json",
                            HTTP_AUTHORIZATION=f"Basic {token}")
    assert status == 422


def test_commonality_api_refuses_nul_bytes(client: Client, alice: User,  # noqa: F811
                                           activity: Activity, beta_activity: Activity  # noqa: F811
                                           ) -> None:
    do_run_analysis(Scope.of("", []), acting_user=alice)
    concept = Concept.objects.filter(run=AnalysisRun.objects.latest("pk")).first()
    assert concept is not None
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    auth = {"HTTP_AUTHORIZATION": f"Basic {token}", "content_type": "application/json"}
    for url, body in [
        (reverse("api:start_run"), {"organisations": ["9901", "\x00"]}),
        (reverse("api:start_run"), {"county": "\x00"}),
        (reverse("api:post_decision", args=[concept.concept_id]),
         {"kind": "merge", "other_concept_ids": ["\x00"]}),
        (reverse("api:post_decision", args=[concept.concept_id]),
         {"kind": "rename", "label": "a\x00b"}),
        (reverse("api:post_decision", args=[concept.concept_id]),
         {"kind": "include", "activity_ids": [2**70]}),
    ]:
        status, text = refused(client, "post", url, json.dumps(body), **auth)
        assert status == 422, (body, text[:300])


# --- Commonality, journeys, calculator and log-in forms ------------------------------------


def test_thesaurus_form_refuses_oversized_and_nul_terms(
    editor: Client, alfa: Organisation  # noqa: F811
) -> None:
    url = reverse("commonality:thesaurus")
    for terms in [MEGABYTE, "hemtjänst, hem\x00hjälp", ",".join(["a"] * 100_000)]:
        status, html = refused(editor, "post", url, {"terms": terms})
        assert status == 400
        assert shows_error(html)


def test_decisions_with_oversized_or_malformed_values_change_nothing(
    editor: Client, alice: User, activity: Activity, beta_activity: Activity  # noqa: F811
) -> None:
    do_run_analysis(Scope.of("", []), acting_user=alice)
    concept = Concept.objects.filter(run=AnalysisRun.objects.latest("pk")).first()
    assert concept is not None
    url = reverse("commonality:decide", args=[concept.concept_id])
    for data in [{"kind": "rename", "label": MEGABYTE}, {"kind": "rename", "label": "a\x00b"},
                 {"kind": "x" * 10_000}, {"kind": "exclude", "activity": ["-1", "9" * 40]},
                 {"kind": "include", "activity": ["abc", "\x00"]},
                 {"kind": "include", "activity": ["²"]},
                 {"kind": "include", "activity": ["9" * 40]},
                 {"kind": "split", "activity": ["\x00"], "label": "\x00"},
                 {"kind": "merge", "other": ["\x00", "x" * 10_000]}]:
        status, _html = refused(editor, "post", url, data)
        assert status == 302


def test_run_form_refuses_unknown_scopes(editor: Client, activity: Activity) -> None:  # noqa: F811
    url = reverse("commonality:start_run")
    for data in [{"scope": "county", "county": "\x00"}, {"scope": "x" * 10_000},
                 {"scope": "organisations", "organisations": ["\x00", "9" * 40]}]:
        status, html = refused(editor, "post", url, data)
        assert status == 400
        assert shows_error(html)


def _life_event_form(**changes: str) -> dict[str, str]:
    data = {"slug": "ny-handelse", "label_sv": "Ny händelse", "label_en": "", "audience": "person",
            "description": "", "synonyms_text": "",
            "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "30", "steps-0-need": "Ansök",
            "steps-0-responsible": "home_municipality", "steps-0-provider": "",
            "steps-0-hints_text": "", "steps-0-data_items_text": "",
            "steps-0-lead_time_days": ""}
    return data | changes


@pytest.mark.parametrize("field,value", [
    ("label_sv", MEGABYTE), ("description", MEGABYTE), ("synonyms_text", MEGABYTE),
    ("steps-0-need", MEGABYTE), ("steps-0-hints_text", MEGABYTE), ("label_sv", NUL),
    ("slug", "\x00"), ("slug", "å" * 100), ("steps-0-need", NUL),
    ("steps-0-lead_time_days", "9" * 40), ("steps-0-responsible", "agency:\x00"),
    ("steps-TOTAL_FORMS", "100000"), ("steps-TOTAL_FORMS", "-1"), ("steps-TOTAL_FORMS", "x"),
])
def test_life_event_form_refuses_oversized_and_malformed_values(
    root: Client, field: str, value: str
) -> None:
    do_load_catalogue()
    status, html = refused(root, "post", reverse("journeys:life_event_create"),
                           _life_event_form(**{field: value}))
    assert status in {200, 400}
    assert shows_error(html)


def test_catalogue_import_refuses_malformed_json(root: Client) -> None:
    do_load_catalogue()
    url = reverse("journeys:import")
    for data in [b"\xff\xfe", b'{"life_events": "\x00"}', b"[" * 100_000, b'"' + b"x" * 3_000_000]:
        upload = SimpleUploadedFile("katalog.json", data, content_type="application/json")
        status, html = refused(root, "post", url, {"file": upload})
        assert status in {200, 400}
        assert shows_error(html)


CALCULATOR = {"p-TOTAL_FORMS": "5", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0",
              "p-MAX_NUM_FORMS": "20", "kind": "cost", "total": "1 500 000", "title": "",
              "action": "compute", "p-0-organisation": "9901", "p-0-alone": "1 000 000",
              "p-1-organisation": "9902", "p-1-alone": "800 000"}


@pytest.mark.parametrize("field,value", [
    ("title", MEGABYTE), ("title", NUL), ("groups", MEGABYTE), ("groups", "9901,\x00: 5"),
    ("total", "9" * 40), ("total", "1e400"), ("total", "NaN"), ("p-0-alone", "-1e400"),
    ("p-0-organisation", "\x00"), ("p-0-usage", "9" * 1000), ("p-TOTAL_FORMS", "100000"),
    ("p-TOTAL_FORMS", "x"), ("kind", "\x00"),
])
def test_calculator_refuses_oversized_and_malformed_values(
    client: Client, alfa: Organisation, beta: Organisation, field: str, value: str  # noqa: F811
) -> None:
    status, html = refused(client, "post", reverse("benefits:calculator"),
                           CALCULATOR | {field: value})
    assert status in {200, 400}
    assert shows_error(html)
    assert "Shapleyvärde" not in html


def test_login_form_with_oversized_or_nul_credentials_is_refused(
    client: Client, alice: User  # noqa: F811
) -> None:
    for username, password in [(MEGABYTE, "x"), ("alice", MEGABYTE), ("ali\x00ce", PASSWORD)]:
        before = snapshot()
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code in {200, 429}
        assert shows_error(response.content.decode(errors="replace"))
        assert snapshot() == before
    assert "_auth_user_id" not in client.session
    # A failed log-in is the one refusal that is recorded: in the audit trail, as a failure
    # (docs/security.md), never with the typed password.
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"login.failed"}
    assert not AuditEntry.objects.filter(detail__icontains="x" * 1000).exists()


def test_a_decimal_beyond_the_column_is_refused_by_the_action(
    alfa: Organisation, alice: User  # noqa: F811
) -> None:
    from django.core.exceptions import ValidationError

    from mellanrum.landscape.actions import do_create_activity

    with pytest.raises(ValidationError):
        do_create_activity(alfa, acting_user=alice, key="stor", name="Stor",
                           annual_cost_sek=Decimal("1e20"))
    assert not Activity.objects.exists()


# --- Networks, events and counterparts (community) -----------------------------------------


def _community_snapshot() -> dict[str, list[tuple[object, ...]]]:
    from mellanrum.community.models import Event, Network, NetworkMember, Registration

    return {m.__name__: sorted(m._default_manager.values_list(), key=repr)
            for m in (Event, Network, NetworkMember, Registration)}


def _event_form(**changes: str) -> dict[str, str]:
    data = {"title": "Träff", "description": "", "starts_at": "2031-05-05T13:00",
            "ends_at": "2031-05-05T15:00", "place": "Rum 1", "online_url": "",
            "capacity": "20", "registration_deadline": "", "network": "", "organiser": "9901"}
    return data | changes


@pytest.mark.parametrize("changes", [
    {"title": MEGABYTE}, {"title": NUL}, {"description": MEGABYTE}, {"place": NUL},
    {"place": "x" * 301}, {"online_url": "javascript:alert(1)", "is_digital": "on"},
    {"online_url": "https://exempel.se/\x00", "is_digital": "on"},
    {"starts_at": "2031-02-30T13:00"}, {"starts_at": "%ff"}, {"starts_at": "0001-01-01T00:00"},
    {"ends_at": "2031-05-05T12:00"}, {"ends_at": "2031-06-30T12:00"},
    {"capacity": "0"}, {"capacity": "-1"}, {"capacity": "1e9"}, {"capacity": "9" * 40},
    {"capacity": "²"}, {"network": "9" * 40}, {"network": "-1"}, {"organiser": NUL},
    {"registration_deadline": "2031-05-06T10:00"},
    {"starts_at": "2001-05-05T13:00", "ends_at": "2001-05-05T15:00"},
])
def test_event_form_refuses_bad_values_and_changes_nothing(
    editor: Client, changes: dict[str, str]
) -> None:
    before = _community_snapshot()
    status, html = refused(editor, "post", "/traffar/ny/", _event_form(**changes))
    assert status == 200 and shows_error(html), changes if len(str(changes)) < 200 else "big"
    assert _community_snapshot() == before


def test_network_form_refuses_oversized_and_nul_values(editor: Client) -> None:
    for data in ({"title": MEGABYTE, "visibility": "public"},
                 {"title": NUL, "visibility": "public"},
                 {"title": "Nät", "description": MEGABYTE, "visibility": "public"},
                 {"title": "Nät", "visibility": "%00"}):
        status, html = refused(editor, "post", "/natverk/nytt/", data)
        assert status == 200 and shows_error(html)
    assert _community_snapshot()["Network"] == []


@pytest.mark.parametrize("path", [
    "/traffar/-1/", "/traffar/" + "9" * 40 + "/", "/traffar/999999/kalender.ics",
    "/traffar/999999/deltagare.csv", "/natverk/999999/", "/natverk/" + "9" * 40 + "/",
    "/motparter/verksamhet/" + "9" * 40 + "/", "/motparter/begrepp/%00/",
    "/api/events/-1", "/api/events/" + "9" * 40, "/api/networks/999999",
    "/api/activities/999999/counterparts",
])
def test_unknown_community_ids_are_404(root: Client, path: str) -> None:
    status, _html = refused(root, "get", path)
    assert status in {404, 422}, path


def test_community_posts_to_unknown_ids_change_nothing(editor: Client) -> None:
    for path in ["/traffar/999999/anmal/", "/traffar/" + "9" * 40 + "/avanmal/",
                 "/natverk/999999/ga-med/", "/natverk/999999/lamna/",
                 "/natverk/999999/medlem/1/", "/natverk/999999/ta-bort/concept/1/",
                 "/api/events/999999/registration", "/api/networks/999999/membership"]:
        before = _community_snapshot()
        status, _html = refused(editor, "post", path)
        assert status == 404, path
        assert _community_snapshot() == before


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_community_pages_survive_malformed_query_strings(
    client: Client, alice: User, activity: Activity, query: str  # noqa: F811
) -> None:
    client.force_login(alice)
    for page in ["/traffar/", "/natverk/", "/traffar/ny/", f"/motparter/verksamhet/{activity.pk}/",
                 "/api/events", "/api/networks", f"/api/activities/{activity.pk}/counterparts"]:
        status, _html = refused(client, "get", f"{page}?{query}")
        assert status in {200, 302, 400, 404, 422}, (page, status)


def test_the_events_api_refuses_nul_bytes_and_oversized_values(
    client: Client, alice: User  # noqa: F811
) -> None:
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    auth = {"HTTP_AUTHORIZATION": f"Basic {token}"}
    good = {"title": "Träff", "starts_at": "2031-05-05T13:00:00+02:00",
            "ends_at": "2031-05-05T15:00:00+02:00", "place": "Rum 1"}
    for body in ({**good, "title": NUL}, {**good, "place": MEGABYTE},
                 {**good, "capacity": -1}, {**good, "capacity": 2**70},
                 {**good, "starts_at": "2031-13-01T10:00:00"}, {**good, "organiser": NUL},
                 {**good, "online_url": "https://e.se/\x00", "is_digital": True}):
        before = _community_snapshot()
        status, text = refused(client, "post", "/api/events", json.dumps(body),
                               content_type="application/json", **auth)
        assert status in {403, 422}, (status, text[:300])
        assert _community_snapshot() == before


# --- Collaboration health ------------------------------------------------------------------


def _health_snapshot() -> list[list[tuple[object, ...]]]:
    from mellanrum.health.models import Answer, Invitation, Response, Round

    return [sorted(m._default_manager.values_list(), key=repr)
            for m in (Round, Invitation, Response, Answer)]


def test_health_forms_and_links_refuse_malformed_input(
    client: Client, alice: User, alfa: Organisation, beta: Organisation  # noqa: F811
) -> None:
    from mellanrum.collaborations.actions import do_add_partner, do_create_initiative
    from mellanrum.collaborations.consent_actions import do_answer_invitation
    from mellanrum.health.actions import do_create_invitations, do_open_round

    initiative = do_create_initiative(acting_user=alice, lead=alfa, title="Samverkan",
                                      purpose="Syfte", phase="idea")
    do_answer_invitation(do_add_partner(initiative, acting_user=alice, organisation=beta),
                         acting_user=None, accept=True)
    round_ = do_open_round(initiative, acting_user=alice, title="Våren")
    [link] = do_create_invitations(round_, acting_user=alice, organisation=beta, count=1)
    client.force_login(alice)
    before = _health_snapshot()
    create = f"/samverkan/{initiative.pk}/halsa/ny-omgang/"
    for data in ({"title": MEGABYTE, "invitation_days": "30"},
                 {"title": NUL, "invitation_days": "30"},
                 {"title": "Hösten", "invitation_days": str(2**70)}):
        status, html = refused(client, "post", create, data)
        assert status == 200 and shows_error(html)
    invite = f"/halsa/omgang/{round_.pk}/inbjudningar/"
    for data in ({"organisation": NUL, "count": "2"},
                 {"organisation": "9902", "count": str(2**70)},
                 {"organisation": "9902", "emails": MEGABYTE}):
        status, html = refused(client, "post", invite, data)
        assert status == 200 and shows_error(html)
    for pk in (0, 2**63, 2**70):
        for url in (f"/halsa/omgang/{pk}/", f"/halsa/omgang/{pk}/resultat.xlsx",
                    f"/samverkan/{pk}/halsa/", f"/api/health/rounds/{pk}/results",
                    f"/api/initiatives/{pk}/health/rounds"):
            status, _html = refused(client, "get", url)
            assert status in {404, 422}, (url, status)
    client.logout()
    items = round_.instrument.item_keys
    survey = f"/enkat/{link.token}/"
    for data in ({**dict.fromkeys(items, str(2**70)), "comment": ""},
                 {**dict.fromkeys(items, "4"), "comment": MEGABYTE},
                 {**dict.fromkeys(items, NUL)}):
        status, _html = refused(client, "post", survey, data)
        assert status == 400
    assert _health_snapshot() == before


# --- Collaborations: ledger rows, economics, cost split and item edits ------------------------


def _ledger_snapshot() -> dict[str, list[tuple[object, ...]]]:
    from mellanrum.benefits.models import CostSplit, Economics, LedgerRow
    from mellanrum.collaborations.models import DecisionEntry, Goal, Risk, Statement

    models: list[type[Model]] = [LedgerRow, Economics, CostSplit, Goal, Risk, DecisionEntry,
                                 Statement]
    return {m.__name__: sorted(m._default_manager.values_list(), key=repr) for m in models}


def test_ledger_economics_split_and_edit_forms_refuse_malformed_values(
    client: Client, alice: User, alfa: Organisation, beta: Organisation,  # noqa: F811
) -> None:
    from mellanrum.benefits.actions import do_add_ledger_row
    from mellanrum.collaborations.actions import (
        do_add_goal,
        do_add_partner,
        do_add_risk,
        do_add_statement,
        do_create_initiative,
    )
    from mellanrum.collaborations.consent_actions import do_answer_invitation

    initiative = do_create_initiative(acting_user=alice, lead=alfa, title="Samverkan",
                                      purpose="Syfte", phase="idea")
    do_answer_invitation(do_add_partner(initiative, acting_user=alice, organisation=beta),
                         acting_user=None, accept=True)
    row = do_add_ledger_row(initiative, acting_user=alice, organisation=alfa, year=2025,
                            kind="money", planned=Decimal(100))
    import datetime

    goal = do_add_goal(initiative, acting_user=alice, title="Mål", indicator="Andel",
                       target="90 %", target_date=datetime.date(2099, 1, 1))
    risk = do_add_risk(initiative, acting_user=alice, description="Risk", likelihood=2,
                       impact=2)
    statement = do_add_statement(initiative, acting_user=alice, organisation=alfa,
                                 kind="goal", text="Lägre kostnad")
    client.force_login(alice)
    before = _ledger_snapshot()
    good = {"organisation": "9901", "year": "2025", "kind": "money", "planned": "100",
            "realised": "", "description": ""}
    add = f"/samverkan/{initiative.pk}/nyttorealisering/ny/"
    for changes in ({"description": MEGABYTE}, {"description": NUL}, {"planned": "9" * 40},
                    {"planned": "1e400"}, {"planned": "NaN"}, {"planned": "-0,01"},
                    {"realised": "Infinity"}, {"year": str(2**70)}, {"year": "-2025"},
                    {"kind": NUL}, {"organisation": NUL}, {"organisation": "9999"},
                    {"planned": "0.001"}):
        status, html = refused(client, "post", add, {**good, **changes})
        assert status == 200 and shows_error(html), changes
    edit = f"/samverkan/nyttorad/{row.pk}/andra/"
    for changes in ({"planned": "1e400"}, {"version": "garbage"}, {"version": str(2**70)},
                    {"description": NUL}):
        status, html = refused(client, "post", edit, {**good, **changes})
        assert status == 200 and shows_error(html), changes
    economics = f"/samverkan/{initiative.pk}/nyttorealisering/kalkyl/"
    for data in ({"discount_rate_percent": "20,01", "hourly_cost": "600"},
                 {"discount_rate_percent": "-1", "hourly_cost": "600"},
                 {"discount_rate_percent": "NaN", "hourly_cost": "600"},
                 {"discount_rate_percent": "3", "hourly_cost": "1e9"},
                 {"discount_rate_percent": "3", "hourly_cost": "600", "base_year": "1066"}):
        status, html = refused(client, "post", economics, data)
        assert status == 200 and shows_error(html), data
    split = f"/samverkan/{initiative.pk}/kostnadsfordelning/"
    for data in ({"joint_cost": MEGABYTE}, {"joint_cost": "1e400"},
                 {"joint_cost": "800", "alone_9901": NUL, "alone_9902": "600"},
                 {"joint_cost": "800", "alone_9901": "400", "alone_9902": "600",
                  "method": NUL},
                 {"joint_cost": "800", "alone_9901": "400", "alone_9902": "600",
                  "method": "shapley", "rationale": MEGABYTE}):
        status, html = refused(client, "post", split, {**data, "save": "1"})
        assert status == 422 and shows_error(html), data
    for url, data in (
        (f"/samverkan/{initiative.pk}/andra/goal/{goal.pk}/",
         {"title": MEGABYTE, "indicator": "x", "target": "x", "target_date": "2099-01-01"}),
        (f"/samverkan/{initiative.pk}/andra/goal/{goal.pk}/",
         {"title": "x", "indicator": "x", "target": "x", "target_date": "99999-01-01"}),
        (f"/samverkan/{initiative.pk}/andra/risk/{risk.pk}/",
         {"description": NUL, "likelihood": "2", "impact": "2"}),
        (f"/samverkan/{initiative.pk}/andra/risk/{risk.pk}/",
         {"description": "x", "likelihood": str(2**70), "impact": "2"}),
        (f"/samverkan/utgangspunkt/{statement.pk}/andra/", {"kind": "goal", "text": NUL}),
        (f"/samverkan/utgangspunkt/{statement.pk}/andra/", {"kind": NUL, "text": "x"}),
    ):
        status, html = refused(client, "post", url, data)
        assert status == 200 and shows_error(html), (url, data)
    for pk in (0, 2**63, 2**70):
        for url in (f"/samverkan/nyttorad/{pk}/andra/", f"/samverkan/{pk}/nyttorealisering/",
                    f"/samverkan/{pk}/kostnadsfordelning/",
                    f"/samverkan/{initiative.pk}/andra/goal/{pk}/",
                    f"/api/initiatives/{initiative.pk}/ledger/{pk}"):
            status, _html = refused(client, "get" if "api" not in url else "delete", url)
            assert status in {404, 405, 422}, (url, status)
    assert _ledger_snapshot() == before
