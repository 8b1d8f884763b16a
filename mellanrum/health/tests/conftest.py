from __future__ import annotations

import pytest
from django.test import Client

from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import (  # noqa: F401  (fixtures)
    basic,
    dave,
    erin,
    gamma,
    initiative,
    login,
)
from mellanrum.core.models import User
from mellanrum.engines.health import get_instrument
from mellanrum.health import actions
from mellanrum.health.models import Round
from mellanrum.landscape.models import Organisation

ITEMS = get_instrument().item_keys


def answers(value: int | None = 4, **overrides: int | None) -> dict[str, int | None]:
    return {**dict.fromkeys(ITEMS, value), **overrides}


def form_data(value: str = "4", **overrides: str) -> dict[str, str]:
    return {**dict.fromkeys(ITEMS, value), "comment": "", **overrides}


@pytest.fixture
def round_(initiative: Initiative, alice: User) -> Round:  # noqa: F811
    return actions.do_open_round(initiative, acting_user=alice, title="Våren 2026")


def tokens(round_: Round, organisation: Organisation, count: int) -> list[str]:
    links = actions.do_create_invitations(round_, acting_user=None, organisation=organisation,
                                          count=count)
    return [link.token for link in links]


def answer(round_: Round, organisation: Organisation, values: list[int],
           **overrides: int | None) -> None:
    for token, value in zip(tokens(round_, organisation, len(values)), values, strict=True):
        actions.do_submit_response(token, answers=answers(value, **overrides))


@pytest.fixture
def client() -> Client:
    """English pages: the Swedish catalogue entries are merged later, so tests check the
    English msgids (and the instrument's own Swedish text where it matters)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def lead_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client
