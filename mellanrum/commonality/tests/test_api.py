"""The commonality JSON API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Decision, Membership
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity

from .conftest import login

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


@pytest.fixture
def analysed(landscape: dict[str, Activity], alice: User) -> dict[str, Activity]:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    return landscape


def concept_id(activity: Activity) -> str:
    membership = Membership.objects.get(activity=activity, concept__run=analysis.current_run())
    return membership.concept.concept_id


def post(client: Client, url: str, body: object) -> TestResponse:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_concepts_filter_by_organisation_and_size(
    client: Client, analysed: dict[str, Activity], bob: User
) -> None:
    login(client, bob)
    items = client.get("/api/concepts", {"min_organisations": 2}).json()["items"]
    assert len(items) == 2 and all(c["organisations"] == 2 for c in items)
    items = client.get("/api/concepts", {"organisation": "9902"}).json()["items"]
    assert "Vägljus" in {c["label"] for c in items} and len(items) == 3
    assert client.get("/api/concepts", {"min_organisations": 0}).status_code == 422


def test_concept_detail_lists_members(
    client: Client, analysed: dict[str, Activity], bob: User
) -> None:
    cid = concept_id(analysed["alfa_hemtjanst"])
    body = login(client, bob).get(f"/api/concepts/{cid}").json()
    assert {m["name"] for m in body["members"]} == {"Hemtjänst", "Stöd i hemmet"}
    assert body["stats"]["lead_time_days"]["count"] == 2
    assert client.get("/api/concepts/nope").status_code == 404


def test_opportunities_are_ranked(client: Client, analysed: object, bob: User) -> None:
    items = login(client, bob).get("/api/opportunities").json()["items"]
    # Bygglov; hemtjänst as a whole is a core mandate and is not ranked.
    assert [o["rank"] for o in items] == [1]
    assert items[0]["status"] == "open" and 0 < items[0]["score"] <= 100
    assert items[0]["explanation_sv"].startswith("2 kommuner gör detta")


def test_similar_organisations(client: Client, analysed: object, bob: User) -> None:
    body = login(client, bob).get("/api/organisations/9901/similar").json()
    assert body[0]["organisation"] == "9902"
    assert "2 gemensamma verksamheter" in body[0]["reasons"]
    assert client.get("/api/organisations/0000/similar").status_code == 404


def test_an_editor_starts_a_run_and_a_reader_may_not(
    client: Client, landscape: object, alice: User, bob: User
) -> None:
    assert post(login(client, bob), "/api/commonality/runs", {}).status_code == 403
    response = post(login(client, alice), "/api/commonality/runs", {"county": "99"})
    assert response.status_code == 202
    assert response.json()["status"] == "done"
    assert client.get(f"/api/commonality/runs/{response.json()['id']}").json()["concept_count"] == 4
    bad = post(client, "/api/commonality/runs", {"organisations": ["0000"]})
    assert bad.status_code == 422 and "0000" in json.dumps(bad.json())
    assert AnalysisRun.objects.count() == 1


def test_decisions_through_the_api(
    client: Client, analysed: dict[str, Activity], alice: User, bob: User
) -> None:
    cid = concept_id(analysed["alfa_hemtjanst"])
    url = f"/api/concepts/{cid}/decisions"
    assert post(client, url, {"kind": "confirm"}).status_code == 401
    assert post(login(client, bob), url, {"kind": "confirm"}).status_code == 403
    login(client, alice)
    assert post(client, url, {"kind": "explode"}).status_code == 422
    bad = post(client, url, {"kind": "rename", "label": ""})
    assert bad.status_code == 422 and "label" in bad.json()["detail"]
    assert not Decision.objects.exists()
    response = post(client, url, {"kind": "rename", "label": "Hemtjänst (alla former)"})
    assert response.status_code == 201
    assert response.json()["run"]["status"] == "done"
    assert client.get(f"/api/concepts/{cid}").json()["label"] == "Hemtjänst (alla former)"
