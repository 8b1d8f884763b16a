"""The community endpoints of the JSON API."""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING

from django.test import Client

from mellanrum.community import actions
from mellanrum.community.models import Event, Network
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Activity

from .conftest import basic, soon

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def _post(client: Client, url: str, user: User, data: object = None) -> TestResponse:
    return client.post(url, json.dumps(data) if data is not None else "",
                       content_type="application/json", **basic(user))


def test_list_and_read_events(client: Client, seminar: Event, bob: User) -> None:
    listed = client.get("/api/events", **basic(bob)).json()
    assert [e["id"] for e in listed["items"]] == [seminar.pk]
    detail = client.get(f"/api/events/{seminar.pk}", **basic(bob)).json()
    assert detail["capacity"] == 2 and detail["registered"] == 0
    assert detail["registration_open"] is True and detail["registered_self"] is False
    assert client.get("/api/events?when=past", **basic(bob)).json()["items"] == []
    assert client.get("/api/events", ).status_code == 401


def test_register_and_cancel_through_the_api(client: Client, seminar: Event,
                                             bob: User) -> None:
    response = _post(client, f"/api/events/{seminar.pk}/registration", bob)
    assert response.status_code == 201 and response.json()["registered"] == 1
    again = _post(client, f"/api/events/{seminar.pk}/registration", bob)
    assert again.status_code == 422 and "already" in json.dumps(again.json())
    assert client.get(f"/api/events/{seminar.pk}", **basic(bob)).json()["registered_self"]
    cancel = client.delete(f"/api/events/{seminar.pk}/registration", **basic(bob))
    assert cancel.status_code == 204
    assert client.delete(f"/api/events/{seminar.pk}/registration",
                         **basic(bob)).status_code == 422


def test_a_full_event_is_a_422(client: Client, seminar: Event, alice: User, bob: User,
                               charlie: User) -> None:
    actions.do_register(seminar, alice)
    actions.do_register(seminar, bob)
    audit = AuditEntry.objects.count()
    response = _post(client, f"/api/events/{seminar.pk}/registration", charlie)
    assert response.status_code == 422 and "full" in json.dumps(response.json())
    assert AuditEntry.objects.count() == audit


def test_create_event_and_refuse_bad_input(client: Client, alice: User, bob: User) -> None:
    start = soon()
    good = {"title": "Träff", "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=1)).isoformat(), "place": "Rum 3",
            "capacity": 10}
    response = _post(client, "/api/events", alice, good)
    assert response.status_code == 201, response.json()
    assert response.json()["organiser"] == "9901"
    for bad in ({**good, "capacity": 0}, {**good, "capacity": 10**9},
                {**good, "ends_at": start.isoformat()},
                {**good, "starts_at": "2001-01-01T10:00:00+01:00",
                 "ends_at": "2001-01-01T12:00:00+01:00"},
                {**good, "starts_at": "9999-12-31T23:59:59-23:59"},
                {**good, "title": "x\x00y"}, {**good, "network": 2**63}):
        assert _post(client, "/api/events", alice, bad).status_code == 422, bad
    assert _post(client, "/api/events", bob, good).status_code == 403
    assert _post(client, "/api/events", alice, {**good, "organiser": "9902"}).status_code in (
        403, 422)
    assert Event.objects.count() == 1


def test_naive_times_are_swedish_time(client: Client, alice: User) -> None:
    good = {"title": "Träff", "starts_at": "2031-01-15T13:00:00",
            "ends_at": "2031-01-15T14:00:00", "place": "Rum 3"}
    assert _post(client, "/api/events", alice, good).status_code == 201
    assert Event.objects.get().starts_at.astimezone(datetime.UTC).hour == 12


def test_attendees_only_for_the_organisers_editors(
    client: Client, seminar: Event, alice: User, bob: User
) -> None:
    actions.do_register(seminar, bob)
    listed = client.get(f"/api/events/{seminar.pk}/attendees", **basic(alice)).json()
    assert [a["username"] for a in listed] == ["bob"]
    assert client.get(f"/api/events/{seminar.pk}/attendees", **basic(bob)).status_code == 403


def test_networks_join_and_leave(client: Client, network: Network, closed_network: Network,
                                 bob: User) -> None:
    listed = client.get("/api/networks", **basic(bob)).json()["items"]
    assert [n["id"] for n in listed] == [network.pk]
    assert client.get(f"/api/networks/{closed_network.pk}", **basic(bob)).status_code == 404
    response = _post(client, f"/api/networks/{network.pk}/membership", bob)
    assert response.status_code == 201 and response.json()["role"] == "member"
    detail = client.get(f"/api/networks/{network.pk}", **basic(bob)).json()
    assert {m["username"] for m in detail["members"]} == {"bob", "charlie"}
    assert client.delete(f"/api/networks/{network.pk}/membership",
                         **basic(bob)).status_code == 204
    assert _post(client, f"/api/networks/{closed_network.pk}/membership",
                 bob).status_code == 404


def test_counterparts_endpoint(client: Client, bob: User, activity: Activity) -> None:
    response = client.get(f"/api/activities/{activity.pk}/counterparts",
                          **basic(bob))
    assert response.status_code == 200
    assert response.json() == {"concept_id": None, "concept_label": None, "counterparts": []}
    assert client.get("/api/activities/0/counterparts", **basic(bob)).status_code == 404
    assert client.get(f"/api/activities/{2**63}/counterparts",
                      **basic(bob)).status_code in (404, 422)
