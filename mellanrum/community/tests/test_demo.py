"""The illustrative networks, events and registrations of the demo scenario."""

from __future__ import annotations

import pytest
from django.test import Client

from mellanrum.collaborations.demo import DEMO, do_load_demo_initiatives
from mellanrum.commonality.actions import do_run_analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.community.demo import EVENTS, NETWORKS, do_load_demo_community
from mellanrum.community.models import Event, Network, Registration
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Contact, Organisation


@pytest.fixture
def stockholm(db: None) -> None:
    codes = {c for n in NETWORKS for c in n.organisations} | {e.organiser for e in EVENTS} | {
        code for item in DEMO for code in [item.lead, *(c for c, _r in item.partners)]}
    for code in sorted(codes):
        org = Organisation.objects.create(code=code, name=f"Kommun {code}",
                                          kind="municipality", county_code="01")
        Contact.objects.create(organisation=org, name=f"Anna {code}", role="Socialchef",
                               email=f"anna@{code}.example", is_illustrative=True)
        Activity.objects.create(organisation=org, key="eb", name="Ekonomiskt bistånd",
                                is_illustrative=True)
    do_run_analysis(Scope(), acting_user=None)
    do_load_demo_initiatives()


def test_demo_creates_networks_events_and_registrations_once(stockholm: None) -> None:
    summary = do_load_demo_community()
    assert summary == {"networks": 3, "events": 3}
    assert do_load_demo_community() == {"networks": 3, "events": 0}
    assert Network.objects.filter(is_illustrative=True).count() == 3
    seminar = Event.objects.get(title__startswith="Seminarium")
    assert seminar.is_illustrative and not seminar.is_past
    assert seminar.network is not None and seminar.network.initiatives.exists()
    assert seminar.registered_count == Registration.objects.filter(event=seminar).count() == 4
    assert Event.objects.filter(is_illustrative=True, ends_at__lt=seminar.starts_at).count() == 1
    attendee = User.objects.get(username="demo-0120")
    assert not attendee.has_usable_password()
    network = Network.objects.get(title__startswith="Nätverket för ekonomiskt")
    assert network.concept_links.exists()
    assert Activity.objects.filter(owner__isnull=False).count() >= 5


def test_demo_is_marked_illustrative_in_the_ui(client: Client, stockholm: None) -> None:
    do_load_demo_community()
    assert client.get("/traffar/").context["has_illustrative"]
    assert "badge-illustrative" in client.get("/natverk/").content.decode()
