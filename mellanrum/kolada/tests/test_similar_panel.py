"""Kolada's similar municipalities on the organisation page, beside Mellanrum's own measure."""

from __future__ import annotations

import pytest
from django.test import Client

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def stockholm(db: None) -> Organisation:
    for code, name, county, population in (
        ("1280", "Malmö stad", "12", 360_000), ("0182", "Nacka kommun", "01", 110_000),
        ("2584", "Kiruna kommun", "25", 22_000),
    ):
        Organisation.objects.create(code=code, name=name, kind="municipality",
                                    county_code=county, population=population)
    return Organisation.objects.create(code="0180", name="Stockholms stad", kind="municipality",
                                       county_code="01", population=990_000)


def test_every_area_lists_koladas_seven_similar_municipalities(
    client: Client, stockholm: Organisation
) -> None:
    page = client.get("/organisationer/0180/").content.decode()
    panel = page[page.index('id="kolada-similar"'):]
    assert panel.count("<tr>") == 1 + 12  # header and 12 areas
    for name in ("Uppsala", "Linköping", "Norrköping", "Malmö stad", "Göteborg", "Örebro",
                 "Västerås"):
        assert name in panel
    assert "äldreomsorg" in panel and "räddningstjänst" in panel
    assert "även Mellanrum" not in panel  # the comparison needs a login
    assert "Logga in" in panel


def test_logged_in_users_see_where_kolada_and_mellanrum_agree(
    client: Client, stockholm: Organisation, alice: User
) -> None:
    client.login(username="alice", password=PASSWORD)
    response = client.get("/organisationer/0180/")
    page = response.content.decode()
    panel = page[page.index('id="kolada-similar"'):]
    # Malmö is among Kolada's overall similar and, with only four other municipalities in the
    # database, among Mellanrum's 7 most alike; Nacka and Kiruna are not Kolada's.
    assert "Malmö stad</a> <strong>(även Mellanrum)</strong>" in panel
    assert "1 av 7" in panel


def test_regions_have_no_similar_municipalities_panel(client: Client, db: None) -> None:
    Organisation.objects.create(code="01", name="Region Stockholm", kind="region")
    assert 'id="kolada-similar"' not in client.get("/organisationer/01/").content.decode()
