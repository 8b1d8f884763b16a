"""Property-based calls against every operation of the OpenAPI description (schemathesis).

The schema is loaded from the app in-process over WSGI, and every operation is called with
generated path, query and body values as an editor of Nacka kommun (HTTP Basic, the way a
script calls the API), on a database with the reference data, a few activities and a finished
commonality analysis. Every other call has its path parameters replaced by ids that exist, so
that the handlers behind the 404s are reached too. A server error, or a response that does not
match the documented schema or content type, fails the test.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from pytest_django.fixtures import SettingsWrapper
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.schemas import OpenApiSchema

from mellanrum.benefits import actions as ledger_actions
from mellanrum.collaborations.models import Initiative
from mellanrum.commonality.actions import do_run_analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Concept
from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.journeys.actions import do_load_catalogue
from mellanrum.journeys.models import LifeEvent
from mellanrum.landscape.actions import (
    do_create_activity,
    do_load_reference_data,
    do_save_contact,
)
from mellanrum.landscape.models import Activity, Organisation

# The schema's examples and ten generated calls per operation: about 50 s on two cores. The
# coverage phase (every boundary value of every parameter) takes three minutes, so it is off.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}}, "generation": {"max-examples": 10}}
)
# django-ninja documents only the success status of each operation, not its 401, 403, 404 and
# 422 answers (docs/api.md lists them), so the status code itself is not checked.
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]

ACTIVITIES = [
    ("bygglov", "Ansökan om bygglov"),
    ("bygglov-2", "Bygglovsansökan"),
    ("hemtjanst", "Hemtjänst"),
    ("stod-i-hemmet", "Stöd i hemmet"),
]


@pytest.fixture
def editor(db: None, settings: SettingsWrapper) -> User:
    settings.TASKS_INLINE = True
    do_load_reference_data()
    do_load_catalogue()
    nacka, varmdo = Organisation.objects.get(code="0182"), Organisation.objects.get(code="0120")
    user = User(username="fuzzer", organisation=nacka, role="editor")
    user.set_password(PASSWORD)
    user.save()
    owner = do_save_contact(nacka, acting_user=user, name="Anna Andersson", role="Chef")
    for index, (key, name) in enumerate(ACTIVITIES):
        organisation = nacka if index % 2 == 0 else varmdo
        do_create_activity(
            organisation, acting_user=user, key=key, name=name, kind="service",
            annual_cost_sek=Decimal("1000000"), lead_time_days=Decimal("12"),
            owner=owner if organisation == nacka else None, systems=[("Castor", "Exempel AB")],
        )
    do_run_analysis(Scope.of("", []), acting_user=user)
    _community(user, nacka)
    _collaboration(user, nacka, varmdo)
    return user


def _collaboration(user: User, lead: Organisation, partner: Organisation) -> None:
    """An initiative with a ledger and a cost split, so those endpoints reach their handlers."""
    from mellanrum.collaborations import actions as collab

    initiative = collab.do_create_initiative(acting_user=user, lead=lead, title="Samverkan",
                                             purpose="Syfte", phase="idea")
    from mellanrum.collaborations.consent_actions import do_answer_invitation

    do_answer_invitation(collab.do_add_partner(initiative, acting_user=user,
                                               organisation=partner),
                         acting_user=None, accept=True)
    ledger_actions.do_add_ledger_row(initiative, acting_user=user, organisation=lead, year=2025,
                             kind="money", planned=Decimal(1000))
    ledger_actions.do_choose_cost_split(initiative, acting_user=user, joint_cost=Decimal(800),
                                standalone={lead.code: 400, partner.code: 600},
                                method="shapley")
    _health_round(user, initiative, lead)


def _health_round(user: User, initiative: Initiative, lead: Organisation) -> None:
    """A health round with enough answers to show results, so the health API answers with data
    (not only 404s)."""
    from mellanrum.health import actions as health

    round_ = health.do_open_round(initiative, acting_user=user, title="Hösten 2026")
    for number, link in enumerate(health.do_create_invitations(
            round_, acting_user=user, organisation=lead, count=4)):
        answers = {key: 1 + (number + i) % 5 for i, key in enumerate(round_.instrument.item_keys)}
        health.do_submit_response(link.token, answers=answers, comment="")


def _community(user: User, organiser: Organisation) -> None:
    """An event with a network, so the community endpoints have something to answer with."""
    import datetime

    from django.utils import timezone

    from mellanrum.community.actions import do_create_event, do_create_network

    network = do_create_network(acting_user=user, title="Bygglovsnätverket",
                                visibility="public")
    start = timezone.now() + datetime.timedelta(days=30)
    do_create_event(acting_user=user, organiser=organiser, title="Seminarium", place="Nacka",
                    starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                    network=network, capacity=50)


@pytest.fixture
def open_connection() -> Iterator[None]:
    """Keep the database connection open between requests, as Django's test client does: the
    test's transaction lives on it, and a plain WSGI handler closes it after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(editor: User, open_connection: None) -> OpenApiSchema:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler(), config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")
calls = count()


def _existing(name: str) -> str | int | None:
    """An id that exists now for the path parameter `name` (activities may have been deleted)."""
    if name == "pk":
        own = Activity.objects.filter(organisation__code="0182")
        return own.values_list("pk", flat=True).order_by("-pk").first()
    if name == "code":
        return "0182"
    if name == "concept_id":
        return Concept.objects.values_list("concept_id", flat=True).order_by("-pk").first()
    if name == "run_id":
        return AnalysisRun.objects.values_list("pk", flat=True).order_by("-pk").first()
    if name == "life_event":
        return LifeEvent.objects.values_list("slug", flat=True).order_by("pk").first()
    if name in {"event_id", "network_id"}:
        from mellanrum.community.models import Event, Network

        model = Event if name == "event_id" else Network
        return model.objects.values_list("pk", flat=True).order_by("pk").first()
    if name == "activity_id":
        return Activity.objects.values_list("pk", flat=True).order_by("pk").first()
    if name == "round_id":
        from mellanrum.health.models import Round

        return Round.objects.values_list("pk", flat=True).order_by("pk").first()
    if name in {"initiative_id", "row_id"}:
        from mellanrum.benefits.models import LedgerRow
        from mellanrum.collaborations.models import Initiative

        collaboration_model = Initiative if name == "initiative_id" else LedgerRow
        return collaboration_model.objects.values_list("pk", flat=True).order_by("pk").first()
    return None


def _basic_auth(username: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_answers_with_a_server_error(case: schemathesis.Case[Any]) -> None:
    # Generated session cookies and Authorization headers would only test the log-in; the
    # editor's own credentials reach the handlers.
    if case.cookies:
        case.cookies.pop("sessionid", None)
    if case.path_parameters and next(calls) % 2 == 0:
        for name in list(case.path_parameters):
            value = _existing(name)
            if value is not None:
                case.path_parameters[name] = value
    case.call_and_validate(headers={"Authorization": _basic_auth("fuzzer")}, checks=CHECKS)


def test_a_script_writes_with_http_basic_and_no_csrf_token(editor: User) -> None:
    # The fuzzing above found every write refused: the session check demanded a CSRF token
    # before HTTP Basic was tried. A browser session still needs the token.
    client = Client(enforce_csrf_checks=True)
    url = reverse("api:create_activity", args=["0182"])
    body = json.dumps({"name": "Skolskjuts"})
    response = client.post(url, body, content_type="application/json",
                           HTTP_AUTHORIZATION=_basic_auth("fuzzer"))
    assert response.status_code == 201, response.content
    client.force_login(editor)
    response = client.post(url, json.dumps({"name": "Färdtjänst"}),
                           content_type="application/json")
    assert response.status_code == 403
    assert not Activity.objects.filter(name="Färdtjänst").exists()
