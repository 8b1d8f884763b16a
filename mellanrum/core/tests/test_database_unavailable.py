"""A database that is briefly unreachable gives a 503 page (or JSON), then the app recovers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.db.backends.utils import CursorWrapper
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mellanrum.core.middleware_db import API_DETAIL, RETRY_AFTER_SECONDS
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

MIDDLEWARE = "mellanrum.core.middleware_db.DatabaseUnavailableMiddleware"


@pytest.fixture(autouse=True)
def with_middleware(settings: SettingsWrapper) -> None:
    # Where it belongs: after WhiteNoise, before everything that can touch the database.
    others = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    position = others.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
    settings.MIDDLEWARE = [*others[:position], MIDDLEWARE, *others[position:]]


class Outage:
    """Every query fails as it does when the server has gone away, until ``end()``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, error: type[Exception]) -> None:
        self.active = True
        self.closed: list[str] = []
        execute = CursorWrapper.execute
        close = type(connections[DEFAULT_DB_ALIAS]).close

        def failing_execute(cursor: CursorWrapper, sql: str, params: Any = None) -> Any:
            if self.active:
                raise error("server closed the connection unexpectedly")
            return execute(cursor, sql, params)

        def recording_close(wrapper: Any) -> None:
            self.closed.append(wrapper.alias)
            close(wrapper)

        monkeypatch.setattr(CursorWrapper, "execute", failing_execute)
        monkeypatch.setattr(type(connections[DEFAULT_DB_ALIAS]), "close", recording_close)

    def end(self) -> None:
        self.active = False


@pytest.fixture
def outage(monkeypatch: pytest.MonkeyPatch, transactional_db: None) -> Iterator[Outage]:
    Organisation.objects.create(code="9901", name="Alfa kommun", kind="municipality")
    current = Outage(monkeypatch, OperationalError)
    yield current
    current.end()  # so the test database can be flushed afterwards


def test_a_page_gets_a_503_and_the_next_request_recovers(outage: Outage) -> None:
    client = Client()

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    assert [t.name for t in response.templates] == ["core/database_unavailable.html"]
    assert b'<html lang="en">' in response.content
    assert b"Traceback" not in response.content
    assert "default" in outage.closed
    if connection.vendor == "postgresql":  # Django never closes an in-memory SQLite database
        assert connection.connection is None

    outage.end()
    recovered = client.get("/")

    assert recovered.status_code == 200
    assert recovered.context["counts"]["organisations"] == 1


def test_the_page_follows_the_visitors_language(outage: Outage) -> None:
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 503
    assert b'<html lang="sv">' in response.content


def test_the_api_gets_json_with_a_503(
    outage: Outage, monkeypatch: pytest.MonkeyPatch
) -> None:
    outage.end()
    user = User.objects.create_user("alice", password="correct horse battery staple",
                                    organisation=Organisation.objects.get(), role="editor")
    client = Client()
    client.force_login(user)
    outage.active = True

    response = client.get("/api/organisations")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": API_DETAIL}

    outage.end()
    recovered = client.get("/api/organisations")
    assert recovered.status_code == 200
    assert [o["code"] for o in recovered.json()["items"]] == ["9901"]


def test_a_lost_connection_while_logged_in_is_a_503(
    monkeypatch: pytest.MonkeyPatch, transactional_db: None
) -> None:
    user = User.objects.create_user("bob", password="correct horse battery staple")
    client = Client()
    client.force_login(user)
    outage = Outage(monkeypatch, InterfaceError)

    try:
        response = client.get("/om/")  # the session and user lookups fail
    finally:
        outage.end()

    assert response.status_code == 503
    assert client.get("/om/").status_code == 200


def test_a_failure_inside_another_middleware_is_a_503(
    monkeypatch: pytest.MonkeyPatch, transactional_db: None
) -> None:
    def broken(middleware: SessionMiddleware, request: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(SessionMiddleware, "process_request", broken)
    # Django turns this into a 500 page before our middleware sees it; it must become a 503.
    response = Client(raise_request_exception=False).get("/om/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    monkeypatch.undo()
    assert Client().get("/om/").status_code == 200


def test_other_errors_are_left_alone(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    def broken(middleware: SessionMiddleware, request: Any) -> None:
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(SessionMiddleware, "process_request", broken)
    response = Client(raise_request_exception=False).get("/om/")
    assert response.status_code == 500
    assert "Retry-After" not in response
