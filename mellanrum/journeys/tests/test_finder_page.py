from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mellanrum.journeys.models import FinderUsage
from mellanrum.landscape.models import Activity

URL = "/hitta/"


def test_the_finder_url_is_hitta() -> None:
    assert reverse("journeys:finder") == URL


def test_an_empty_finder_needs_no_login(client: Client, catalogue: None) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert 'role="search"' in response.content.decode()


def test_a_place_and_a_need_give_life_events_and_services(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    response = client.get(URL, {"place": "Nacka", "q": "mamma klarar sig inte hemma längre"})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["life_events"][0]["id"] == "aldras-stod-hemma"
    names = [s["name"] for s in result["services"]]
    assert names[:2] == ["Hemtjänst", "Trygghetslarm"]
    assert result["services"][0]["organisation"] == "Nacka kommun"
    body = response.content.decode()
    assert "Bli äldre och behöva stöd hemma" in body
    assert "personnummer" in body  # what to prepare


def test_the_place_may_be_a_code_or_a_long_name_or_slightly_misspelt(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    for place in ("0182", "Nacka kommun", "nacka", "Nackka"):
        response = client.get(URL, {"place": place, "q": "hemtjänst"})
        assert response.context["municipality"].code == "0182", place


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"place": "Nacka", "q": ""}, "query_problem"),
        ({"place": "Nacka", "q": "x" * 10_000}, "query_problem"),
        ({"place": "Nacka", "q": "<b><i></i></b>"}, "query_problem"),
    ],
)
def test_bad_queries_get_a_helpful_page(
    client: Client, catalogue: None, params: dict[str, str], problem: str
) -> None:
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context[problem]
    assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize(("place", "problem"), [("114 55", "postcode"), ("Atlantis", "unknown"),
                                                ("9999", "unknown")])
def test_bad_places_get_a_helpful_page_and_life_events_anyway(
    client: Client, catalogue: None, place: str, problem: str
) -> None:
    response = client.get(URL, {"place": place, "q": "flyttar"})
    assert response.status_code == 200
    assert response.context["lookup"].problem == problem
    assert response.context["result"]["life_events"][0]["id"] == "flytta-till-annan-kommun"
    assert 'id="finder-problems"' in response.content.decode()


def test_a_script_in_the_query_is_never_echoed_as_markup(client: Client, catalogue: None) -> None:
    response = client.get(URL, {"place": "Nacka", "q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()
    assert response.context["result"]["life_events"] == []


def test_markup_in_the_query_is_shown_as_text(client: Client, catalogue: None) -> None:
    response = client.get(URL, {"place": "Nacka", "q": "<img src=x onerror=alert(1)>flyttar"})
    body = response.content.decode()
    assert "<img src=x" not in body
    assert response.context["result"]["life_events"][0]["id"] == "flytta-till-annan-kommun"


def test_only_anonymous_counts_are_kept(client: Client, catalogue: None) -> None:
    client.get(URL, {"place": "Nacka", "q": "hemligt ärende flyttar"})
    client.get(URL, {"place": "Nacka", "q": ""})
    usage = FinderUsage.objects.get()
    assert (usage.searches, usage.with_results, usage.rejected) == (2, 1, 1)
    from django.apps import apps

    for model in apps.get_app_config("journeys").get_models():
        for row in model._default_manager.values():
            assert "hemligt" not in str(row)


def test_a_move_named_in_the_query_shows_services_in_the_new_municipality(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    response = client.get(URL, {"place": "Nacka",
                                "q": "vi ska flytta till Malmö och barnet behöver förskola"})
    result = response.context["result"]
    assert result["to"]["code"] == "1280"
    assert result["life_events"][0]["id"] == "flytta-till-annan-kommun"
    services = {(s["name"], s["organisation"]) for s in result["services"]}
    assert ("Söka plats i förskola", "Malmö kommun") in services
    assert ("Välj vårdcentral", "Region Skåne") in services
    # No child named: the preschool step does not apply.
    response = client.get(URL, {"place": "Nacka", "q": "vi ska flytta till Malmö"})
    names = {s["name"] for s in response.context["result"]["services"]}
    assert "Söka plats i förskola" not in names
    assert all(s["kind"] in ("service", "eservice")
               for s in response.context["result"]["services"])
    assert 'id="finder-destination"' in response.content.decode()


def test_only_a_name_after_till_is_taken_for_a_destination(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    response = client.get(URL, {"place": "Nacka", "q": "det ska vara lätt att flytta i Malmö"})
    assert response.context["result"]["to"] is None


@pytest.mark.parametrize("value", ["\x00", "0182\x00", "😀" * 50, "%", "'; DROP TABLE x; --"])
def test_odd_characters_anywhere_get_a_page_not_an_error(
    client: Client, catalogue: None, value: str
) -> None:
    assert client.get(URL, {"place": value, "q": value}).status_code == 200
    assert client.get(URL, {"place": "Nacka", "q": value + " flyttar"}).status_code == 200
    page = reverse("journeys:life_event", args=["fa-barn"])
    assert client.get(page, {"municipality": value, "to": value}).status_code == 200
    assert client.get("/api/find", {"q": "flyttar", "municipality": value}).status_code == 404
