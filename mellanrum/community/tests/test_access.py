"""Every permission rule of the community gate, each role once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mellanrum.community import access, actions
from mellanrum.community.models import Event, Network
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation


def test_anonymous_sees_public_networks_but_not_members_only(
    network: Network, closed_network: Network, django_user_model: type[User]
) -> None:
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert list(access.visible_networks(anonymous)) == [network]
    with pytest.raises(Http404):
        access.access_network(anonymous, closed_network.pk)
    assert not access.can_see_people(anonymous)


def test_a_members_only_network_is_hidden_from_non_members(
    closed_network: Network, bob: User, charlie: User, superuser: User
) -> None:
    with pytest.raises(Http404):
        access.access_network(bob, closed_network.pk)
    assert access.access_network(charlie, closed_network.pk) == closed_network
    assert access.access_network(superuser, closed_network.pk) == closed_network
    assert closed_network not in access.visible_networks(bob)
    actions.do_add_member(closed_network, bob, acting_user=charlie)
    assert access.access_network(bob, closed_network.pk) == closed_network


def test_events_of_a_members_only_network_are_hidden_too(
    seminar: Event, closed_network: Network, bob: User, charlie: User, alice: User
) -> None:
    actions.do_update_event(seminar, acting_user=alice, network=closed_network)
    with pytest.raises(Http404):
        access.access_event(bob, seminar.pk)
    assert access.access_event(charlie, seminar.pk).pk == seminar.pk


def test_only_coordinators_and_superusers_manage_a_network(
    network: Network, alice: User, bob: User, charlie: User, superuser: User
) -> None:
    actions.do_join_network(network, bob)
    assert access.access_network(charlie, network.pk, write=True) == network
    assert access.access_network(superuser, network.pk, write=True) == network
    for user in (alice, bob):  # an editor elsewhere; a plain member
        with pytest.raises(PermissionDenied):
            access.access_network(user, network.pk, write=True)


def test_editors_create_networks_and_readers_do_not(alice: User, bob: User) -> None:
    assert access.can_create_network(alice)
    assert not access.can_create_network(bob)


def test_editors_of_the_organiser_edit_the_event(
    seminar: Event, alice: User, bob: User, charlie: User, superuser: User
) -> None:
    assert access.access_event(alice, seminar.pk, write=True) == seminar
    assert access.access_event(superuser, seminar.pk, write=True) == seminar
    for user in (bob, charlie):  # a reader of the organiser; an editor elsewhere
        with pytest.raises(PermissionDenied):
            access.access_event(user, seminar.pk, write=True)


def test_only_the_organisers_editors_export_attendees(
    seminar: Event, alice: User, bob: User, charlie: User
) -> None:
    assert access.access_attendees(alice, seminar.pk) == seminar
    for user in (bob, charlie):
        with pytest.raises(PermissionDenied):
            access.access_attendees(user, seminar.pk)


def test_events_are_organised_for_ones_own_organisation_only(
    alice: User, bob: User, superuser: User, alfa: Organisation, beta: Organisation
) -> None:
    assert list(access.event_organisations(alice)) == [alfa]
    assert not access.event_organisations(bob).exists()
    assert set(access.event_organisations(superuser)) == {alfa, beta}


def test_oversized_and_negative_ids_are_not_found(bob: User) -> None:
    for pk in (0, -1, 2**63):
        with pytest.raises(Http404):
            access.access_event(bob, pk)
        with pytest.raises(Http404):
            access.access_network(bob, pk)
