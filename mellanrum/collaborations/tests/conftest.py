from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.collaborations.models import Goal, Initiative
from mellanrum.conftest import PASSWORD, _user
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation


def basic(user: User) -> dict[str, Any]:
    """Test-client keyword arguments that log in with HTTP Basic."""
    token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def in_a_year() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=365)


@pytest.fixture
def gamma(db: None) -> Organisation:
    return Organisation.objects.create(code="9903", name="Gamma kommun", kind="municipality")


@pytest.fixture
def dave(gamma: Organisation) -> User:
    """An editor of Gamma, which is no partner of the initiative."""
    return _user("dave", gamma, "editor")


@pytest.fixture
def erin(beta: Organisation) -> User:
    """A reader of Beta, a partner."""
    return _user("erin", beta, "reader")


@pytest.fixture
def initiative(alice: User, alfa: Organisation, beta: Organisation) -> Initiative:
    """Alfa leads, Beta is a partner; private."""
    item = actions.do_create_initiative(
        acting_user=alice, lead=alfa, title="Gemensam e-tjänst för bygglov",
        purpose="En ingång för alla.", is_public=False, phase="idea",
        citizen_value=4, savings=3, feasibility=3, reach=4, risk_level=2,
    )
    invited = actions.do_add_partner(item, acting_user=alice, organisation=beta, role="partner")
    do_answer_invitation(invited, acting_user=None, accept=True)
    return item


@pytest.fixture
def goal(initiative: Initiative, alice: User) -> Goal:
    return actions.do_add_goal(
        initiative, acting_user=alice, title="Alla ansökningar om bygglov görs digitalt",
        indicator="Andel digitala ansökningar", baseline="40 %", target="90 %",
        target_date=in_a_year(),
    )
