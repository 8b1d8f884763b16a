from __future__ import annotations

import base64
import json
from typing import Any

from django.test import Client

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation


def basic(user: User) -> dict[str, Any]:
    """Test-client keyword arguments that log in with HTTP Basic."""
    token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def test_openapi_description_is_served(client: Client, db: None) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Mellanrum API"
    assert "/api/activities/{pk}" in schema["paths"]
    assert "put" in schema["paths"]["/api/activities/{pk}"]


def test_list_and_filter_organisations(
    client: Client, bob: User, alfa: Organisation, beta: Organisation
) -> None:
    data = client.get("/api/organisations", {"q": "Beta"}, **basic(bob)).json()
    assert data["count"] == 1
    assert data["items"][0]["code"] == "9902"
    assert data["items"][0]["population"] == 30000


def test_get_activity(client: Client, bob: User, activity: Activity) -> None:
    data = client.get(f"/api/activities/{activity.pk}", **basic(bob)).json()
    assert data["name"] == "Ansökan om bygglov"
    assert data["organisation"] == "9901"
    assert data["category"] == "3.2.2"


def test_editor_creates_updates_and_deletes(
    client: Client, alice: User, alfa: Organisation
) -> None:
    created = client.post(
        f"/api/organisations/{alfa.code}/activities",
        json.dumps({"name": "Färdtjänst", "annual_cost_sek": "1500000",
                    "systems": ["Resesystemet (Exempel AB)"]}),
        content_type="application/json", **basic(alice),
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["systems"] == [{"product": "Resesystemet", "vendor": "Exempel AB"}]
    updated = client.put(
        f"/api/activities/{body['id']}",
        json.dumps({"name": "Färdtjänst – ansökan", "version": body["version"]}),
        content_type="application/json", **basic(alice),
    )
    assert updated.status_code == 200
    assert updated.json()["version"] == body["version"] + 1
    stale = client.put(
        f"/api/activities/{body['id']}",
        json.dumps({"name": "Stale edit", "version": body["version"]}),
        content_type="application/json", **basic(alice),
    )
    assert stale.status_code == 409
    assert Activity.objects.get().name == "Färdtjänst – ansökan"
    assert client.delete(f"/api/activities/{body['id']}", **basic(alice)).status_code == 204
    assert not Activity.objects.exists()


def test_api_rejects_bad_values_without_saving(
    client: Client, alice: User, alfa: Organisation
) -> None:
    for payload in [
        {"name": ""},
        {"name": "X", "annual_cost_sek": "-1"},
        {"name": "X", "kind": "nonsense"},
        {"name": "X", "category": "99.99"},
        {"name": "X", "url": "javascript:alert(1)"},
    ]:
        response = client.post(
            f"/api/organisations/{alfa.code}/activities", json.dumps(payload),
            content_type="application/json", **basic(alice),
        )
        assert response.status_code == 422, (payload, response.content)
    assert not Activity.objects.exists()


def test_wrong_password_is_refused(client: Client, bob: User) -> None:
    token = base64.b64encode(b"bob:wrong").decode()
    assert client.get("/api/organisations", HTTP_AUTHORIZATION=f"Basic {token}"
                      ).status_code == 401
