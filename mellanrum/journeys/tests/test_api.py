from __future__ import annotations

from django.test import Client

from mellanrum.landscape.models import Activity


def test_the_life_event_list_is_public(client: Client, catalogue: None) -> None:
    response = client.get("/api/life-events")
    assert response.status_code == 200
    assert {"id": "fa-barn", "label": "Få barn", "label_en": "Having a child", "for": "person",
            "steps": 8} in response.json()


def test_journey_has_the_cli_shape(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    response = client.get("/api/journeys/flytta-till-annan-kommun",
                          {"municipality": "0114", "to": "1280"})
    assert response.status_code == 200
    body = response.json()
    assert body["analysis"]["borders"] == {"municipal": 1, "regional": 1, "state": 2}
    assert body["steps"][2]["activity"]["name"] == "Söka plats i förskola"


def test_find_has_the_cli_shape(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    response = client.get("/api/find", {"q": "äldreboende", "municipality": "0182"})
    assert response.status_code == 200
    body = response.json()
    assert body["life_events"][0]["id"] == "aldras-stod-hemma"
    assert body["services"][0]["organisation"] == "Nacka kommun"


def test_bad_requests_get_clear_errors(client: Client, catalogue: None) -> None:
    assert client.get("/api/journeys/finns-inte", {"municipality": "0182"}).status_code == 404
    assert client.get("/api/journeys/fa-barn", {"municipality": "9999"}).status_code == 404
    assert client.get("/api/journeys/fa-barn").status_code == 422
    assert client.get("/api/find", {"q": ""}).status_code == 422
    assert client.get("/api/find", {"q": "x" * 10_000}).status_code == 422
    response = client.get("/api/find", {"q": "flyttar", "municipality": "Atlantis"})
    assert response.status_code == 404
    assert "unknown municipality" in response.json()["detail"]
