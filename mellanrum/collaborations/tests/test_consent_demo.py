"""Storsthlm's illustrative initiative, run as facilitator through consent and decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mellanrum.benefits import payers
from mellanrum.collaborations.consent_analysis import goal_view
from mellanrum.collaborations.consent_demo import (
    FACILITATOR,
    INVITED,
    LOGIN,
    TITLE,
    do_load_demo_consent,
)
from mellanrum.collaborations.models import Initiative
from mellanrum.conftest import _user
from mellanrum.landscape.models import Organisation


@pytest.fixture
def county(db: None, settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    Organisation.objects.create(code=FACILITATOR, name="Storsthlm", kind="association")
    for code, _answer, _reason in INVITED:
        organisation = Organisation.objects.create(code=code, name=f"Kommun {code}",
                                                   kind="municipality", county_code="01")
        _user(f"editor{code}", organisation, "editor")
    _user(LOGIN[0], Organisation.objects.get(code=FACILITATOR), "editor")


def test_the_facilitated_demo_initiative_tells_the_whole_story_once(
    county: None, client: Client,
) -> None:
    assert do_load_demo_consent() == 1
    assert do_load_demo_consent() == 0
    initiative = Initiative.objects.get(title=TITLE)
    facilitator = initiative.partners.get(organisation__code=FACILITATOR)
    assert facilitator.role == "facilitator" and not facilitator.pays
    statuses = dict(initiative.partners.values_list("organisation__code", "status"))
    assert statuses["0186"] == "declined" and statuses["0163"] == "invited"
    assert {p.organisation.code for p in payers.paying_partners(initiative)} == {
        "0182", "0120", "0187", "0138"}
    closed, open_ = initiative.proposals.order_by("pk")
    assert closed.outcome == "adopted" and closed.decision is not None
    assert open_.closed_at is None
    assert initiative.formal_decisions.count() == 3
    for decision in initiative.formal_decisions.all():
        assert decision.protocol.open("rb").read(5) == b"%PDF-"
    digital = goal_view(initiative.goals.get(title__startswith="Alla"))
    assert {s.status.status for s in digital.series if s.status} == {
        "on_track", "at_risk", "deviating"}
    client.login(username=LOGIN[0], password="correct horse battery staple")
    page = client.get(initiative.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "3 of 4 paying partners have recorded a formal decision" in page.content.decode()
