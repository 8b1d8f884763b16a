from __future__ import annotations

import base64
import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from mellanrum.community import actions
from mellanrum.community.models import Event, Network
from mellanrum.conftest import PASSWORD, _user
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These tests read messages in English (test_docs checks that Swedish exists for all)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def basic(user: User) -> dict[str, Any]:
    """Test-client keyword arguments that log in with HTTP Basic."""
    token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def soon(days: int = 30, hour: int = 13) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


@pytest.fixture
def gamma(db: None) -> Organisation:
    return Organisation.objects.create(code="9903", name="Gamma kommun", kind="municipality",
                                       county_code="98", county_name="Annat län")


@pytest.fixture
def dave(gamma: Organisation) -> User:
    """A reader of Gamma."""
    return _user("dave", gamma, "reader")


@pytest.fixture
def seminar(alice: User, alfa: Organisation) -> Event:
    """Alfa's seminar in a month, two places, registration until a week before."""
    start = soon()
    return actions.do_create_event(
        acting_user=alice, organiser=alfa, title="Seminarium om e-tjänster",
        description="Om gemensamma e-tjänster.", starts_at=start,
        ends_at=start + datetime.timedelta(hours=3), place="Alfa stadshus",
        is_digital=False, online_url="", network=None, capacity=2,
        registration_deadline=start - datetime.timedelta(days=7),
    )


@pytest.fixture
def network(charlie: User) -> Network:
    """A public network that charlie (Beta's editor) coordinates."""
    return actions.do_create_network(acting_user=charlie, title="Bygglovsnätverket",
                                     description="Bygglovschefer i länet.",
                                     visibility="public")


@pytest.fixture
def closed_network(charlie: User) -> Network:
    return actions.do_create_network(acting_user=charlie, title="Slutet forum",
                                     description="", visibility="members")
