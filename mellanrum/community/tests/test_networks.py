"""Networks of practice: creating, joining and leaving, coordinators managing, visibility."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from mellanrum.collaborations import actions as collaborations
from mellanrum.community import actions
from mellanrum.community.models import Network, NetworkMember
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import login


def test_an_editor_creates_a_network_and_becomes_coordinator(
    client: Client, alice: User, alfa: Organisation
) -> None:
    login(client, alice)
    response = client.post("/natverk/nytt/", {"title": "Förskolenätverket",
                                               "description": "Förskolechefer.",
                                               "visibility": "public"})
    network = Network.objects.get()
    assert response["Location"] == f"/natverk/{network.pk}/"
    member = network.members.get()
    assert (member.user, member.role) == (alice, "coordinator")
    assert list(network.organisations.all()) == [alfa]


def test_a_reader_cannot_create_a_network(client: Client, bob: User) -> None:
    login(client, bob)
    assert client.post("/natverk/nytt/", {"title": "X", "visibility": "public"}
                       ).status_code == 403
    assert not Network.objects.exists()


def test_bad_network_input_is_a_form_error(client: Client, alice: User) -> None:
    login(client, alice)
    for data in ({"title": "", "visibility": "public"},
                 {"title": "x" * 201, "visibility": "public"},
                 {"title": "Nät", "visibility": "secret"},
                 {"title": "Nät\x00verk", "visibility": "public"}):
        response = client.post("/natverk/nytt/", data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Network.objects.exists()


def test_join_and_leave_for_yourself(client: Client, network: Network, bob: User,
                                     alfa: Organisation) -> None:
    login(client, bob)
    client.post(f"/natverk/{network.pk}/ga-med/")
    assert network.members.filter(user=bob, role="member").exists()
    assert network.organisations.filter(pk=alfa.pk).exists()
    page = client.get(f"/natverk/{network.pk}/").content.decode()
    assert 'id="membership-status"' in page
    response = client.post(f"/natverk/{network.pk}/ga-med/", follow=True)
    assert "message-error" in response.content.decode()
    assert network.members.filter(user=bob).count() == 1
    client.post(f"/natverk/{network.pk}/lamna/")
    assert not network.members.filter(user=bob).exists()


def test_the_last_coordinator_cannot_leave(network: Network, charlie: User) -> None:
    with pytest.raises(ValidationError, match="only coordinator"):
        actions.do_leave_network(network, charlie)
    assert network.members.filter(user=charlie).exists()


def test_a_coordinator_manages_members_and_links(
    client: Client, network: Network, charlie: User, bob: User, alice: User,
    beta: Organisation, alfa: Organisation,
) -> None:
    actions.do_join_network(network, bob)
    member = network.members.get(user=bob)
    login(client, charlie)
    client.post(f"/natverk/{network.pk}/medlem/{member.pk}/", {"role": "coordinator"})
    member.refresh_from_db()
    assert member.role == "coordinator"
    client.post(f"/natverk/{network.pk}/lagg-till/person/", {"username": "alice"})
    assert network.members.filter(user=alice).exists()
    response = client.post(f"/natverk/{network.pk}/lagg-till/person/", {"username": "nobody"})
    assert response.context["form"].errors["username"]
    client.post(f"/natverk/{network.pk}/medlem/{member.pk}/", {"remove": "1"})
    assert not network.members.filter(user=bob).exists()
    client.post(f"/natverk/{network.pk}/ta-bort/organisation/{alfa.pk}/")
    assert not network.organisations.filter(pk=alfa.pk).exists()
    response = client.post(f"/natverk/{network.pk}/lagg-till/organisation/", {"organisation": "x"})
    assert response.context["form"].errors["organisation"]


def test_a_member_cannot_manage(client: Client, network: Network, bob: User,
                                charlie: User) -> None:
    actions.do_join_network(network, bob)
    coordinator = network.members.get(user=charlie)
    login(client, bob)
    assert client.post(f"/natverk/{network.pk}/medlem/{coordinator.pk}/",
                       {"remove": "1"}).status_code == 403
    assert client.get(f"/natverk/{network.pk}/andra/").status_code == 403
    assert client.get(f"/natverk/{network.pk}/lagg-till/concept/").status_code == 403
    assert network.members.filter(user=charlie).exists()


def test_the_only_coordinator_cannot_be_demoted(network: Network, charlie: User) -> None:
    member = network.members.get(user=charlie)
    with pytest.raises(ValidationError, match="at least one coordinator"):
        actions.do_set_member_role(network, member, NetworkMember.Role.MEMBER,
                                   acting_user=charlie)


def test_visitors_see_a_public_network_without_peoples_names(
    client: Client, network: Network, closed_network: Network
) -> None:
    page = client.get(f"/natverk/{network.pk}/").content.decode()
    assert network.title in page and "charlie" not in page
    assert client.get(f"/natverk/{closed_network.pk}/").status_code == 404
    listing = client.get("/natverk/").content.decode()
    assert network.title in listing and closed_network.title not in listing


def test_linked_initiatives_are_shown_only_to_those_who_may_see_them(
    client: Client, network: Network, alice: User, alfa: Organisation, charlie: User,
    bob: User,
) -> None:
    initiative = collaborations.do_create_initiative(
        acting_user=alice, lead=alfa, title="Hemligt initiativ", purpose="P", is_public=False,
        phase="idea", citizen_value=3, savings=3, feasibility=3, reach=3, risk_level=3)
    actions.do_link_network_initiative(network, acting_user=charlie, initiative=initiative)
    assert "Hemligt initiativ" in login(client, bob).get(
        f"/natverk/{network.pk}/").content.decode()
    assert "Hemligt initiativ" not in login(client, charlie).get(
        f"/natverk/{network.pk}/").content.decode()
