"""Issue 18, the citizen's side: front door, places, only citizen services, moves across
borders, time, once-only paperwork and English, through pages, the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import Client

from mellanrum.journeys.cli import find, journey, places_import
from mellanrum.journeys.models import PlaceName
from mellanrum.landscape.models import Activity, Organisation

FINDER = "/hitta/"


def test_the_start_page_leads_with_the_finder_and_every_page_links_to_it(
    client: Client, catalogue: None
) -> None:
    home = client.get("/").content.decode()
    assert home.index('id="front-finder"') < home.index('class="figures"')
    assert 'action="/hitta/"' in home and 'name="place"' in home and 'name="q"' in home
    for path in ("/", "/livshandelser/", "/om/", FINDER):
        page = client.get(path)
        assert page.status_code == 200
        assert '<a href="/hitta/" id="nav-finder"' in page.content.decode()


@pytest.mark.parametrize("place", ["Malmö stad", "malmö kommun", "MALMO", "Malmöö", "1280"])
def test_municipality_names_in_every_common_form_resolve(
    client: Client, catalogue: None, place: str
) -> None:
    response = client.get(FINDER, {"place": place, "q": "flytta"})
    assert response.status_code == 200
    assert response.context["municipality"].code == "1280"


def test_a_locality_from_the_shipped_list_resolves_and_says_where_it_is(
    client: Client, catalogue: None
) -> None:
    response = client.get(FINDER, {"place": "Saltsjöbaden", "q": "hemtjänst"})
    assert response.context["municipality"].code == "0182"
    assert 'id="finder-place-note"' in response.content.decode()


def test_an_unknown_place_gets_a_helpful_page_with_suggestions(
    client: Client, catalogue: None
) -> None:
    response = client.get(FINDER, {"place": "Malmöhus", "q": "flytta"})
    assert response.status_code == 200
    assert response.context["municipality"] is None
    assert [o.code for o in response.context["lookup"].suggestions][:1] == ["1280"]
    page = response.content.decode()
    assert 'id="finder-unknown-place"' in page and "?place=1280" in page
    # The life events are still shown.
    assert response.context["result"]["life_events"][0]["id"] == "flytta-till-annan-kommun"


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "places.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_postcode_resolves_once_an_operator_has_loaded_a_table(
    client: Client, catalogue: None, tmp_path: Path
) -> None:
    before = client.get(FINDER, {"place": "131 40", "q": "flytta"})
    assert before.context["lookup"].problem == "postcode"
    result = CliRunner().invoke(places_import, [_write(
        tmp_path, "place,municipality_code\n131 40,0182\n19140;0180\n".replace(";", ","))])
    assert result.exit_code == 0, result.output
    assert "Imported 2 places" in result.stdout
    after = client.get(FINDER, {"place": "13140", "q": "flytta"})
    assert after.context["municipality"].code == "0182"


def test_a_place_spanning_municipalities_asks_which_one(
    client: Client, catalogue: None, tmp_path: Path
) -> None:
    result = CliRunner().invoke(places_import, [_write(
        tmp_path, "place;municipality_code\nGrankulla;0180\nGrankulla;0182\n")])
    assert result.exit_code == 0, result.output
    response = client.get(FINDER, {"place": "grankulla", "q": "flytta"})
    assert response.context["lookup"].problem == "ambiguous"
    assert [o.code for o in response.context["lookup"].choices] == ["0182", "0180"]
    assert 'id="finder-choices"' in response.content.decode()


def test_a_bad_place_file_reports_every_bad_row_and_changes_nothing(
    catalogue: None, tmp_path: Path
) -> None:
    PlaceName.objects.create(name="13140", kind="postcode",
                             municipality=Organisation.objects.get(code="0182"))
    path = _write(tmp_path, "place,municipality_code\n131 40,0182\n,0182\n222 22,9999\n"
                            "Foo,12\n")
    result = CliRunner().invoke(places_import, [path, "--replace"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[:3] == ["row 3: the place is empty",
                         "row 4: unknown municipality code 9999",
                         "row 5: municipality code '12' is not four digits"]
    assert "nothing was imported" in lines[-1]
    assert list(PlaceName.objects.values_list("name", flat=True)) == ["13140"]


def test_a_place_file_without_the_columns_is_refused(catalogue: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(places_import, [_write(tmp_path, "postnummer,kommun\n1,2\n")])
    assert result.exit_code == 1
    assert "missing column(s) place, municipality_code" in result.stderr
    assert not PlaceName.objects.exists()


def test_find_json_carries_the_kind_of_every_service_and_never_a_process(
    activities: dict[tuple[str, str], Activity]
) -> None:
    nacka = Organisation.objects.get(code="0182")
    Activity.objects.create(organisation=nacka, key="bf", name="Bostadsförsörjning",
                            kind="process")
    for text in ("bostadsförsörjning", "behöver lägenhet", "mamma klarar sig inte hemma"):
        result = CliRunner().invoke(find, [text, "--municipality", "0182"])
        services = json.loads(result.stdout)["services"]
        assert all(s["kind"] in ("service", "eservice") for s in services)
        assert "Bostadsförsörjning" not in [s["name"] for s in services]


def test_journey_json_carries_the_critical_path_and_what_could_be_fetched(
    activities: dict[tuple[str, str], Activity]
) -> None:
    result = CliRunner().invoke(journey, ["flytta-till-annan-kommun", "--municipality", "0114",
                                          "--to", "1280"])
    data = json.loads(result.stdout)
    analysis = data["analysis"]
    assert analysis["critical_path_days"] < analysis["total_lead_time_days"]
    assert analysis["critical_path"][0] == 1
    assert data["steps"][2]["waits_for"] == [1]
    assert data["steps"][1]["waits_for"] == []  # notice in the old municipality: at once
    assert "personnummer" not in [r["item"] for r in analysis["repeated_information"]]
    fetchable = {f["item"]: f for f in analysis["fetchable_information"]}
    assert "SSBTEK" in fetchable["inkomst"]["basis"]
    assert analysis["fetchable_count"] == sum(len(s["fetchable"]) for s in data["steps"])


def test_the_api_carries_the_same_figures(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    data = client.get("/api/journeys/flytta-till-annan-kommun",
                      {"municipality": "0114", "to": "1280"}).json()
    assert {"critical_path_days", "fetchable_count", "fetchable_information"} <= set(
        data["analysis"])
    found = client.get("/api/find", {"q": "hemtjänst", "municipality": "0182"}).json()
    assert found["services"] and all("kind" in s for s in found["services"])


def test_the_journey_map_shows_parallel_steps_in_one_phase(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    response = client.get("/livshandelser/flytta-till-annan-kommun/",
                          {"municipality": "0114", "to": "1280"})
    columns = response.context["columns"]
    assert columns[0]["steps"] == [1, 2]
    assert columns[1]["steps"] == [3, 4, 5, 6, 7, 8]
    page = response.content.decode()
    assert 'id="figure-critical-path"' in page and 'id="journey-fetchable"' in page


def test_a_destination_without_services_is_a_plain_gap_with_its_web_site(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    Activity.objects.filter(organisation__code="1280").delete()
    Organisation.objects.filter(code="1280").update(website="https://malmo.se")
    response = client.get(FINDER, {"place": "Nacka", "q": "vi flyttar till Malmö"})
    assert response.context["result"]["to"]["service_count"] == 0
    page = response.content.decode()
    assert 'id="finder-destination-gap"' in page and 'href="https://malmo.se"' in page
    journey_page = client.get("/livshandelser/flytta-till-annan-kommun/",
                              {"municipality": "0182", "to": "1280"})
    steps = journey_page.context["journey"]["steps"]
    assert steps[2]["gap"] == "no_services" and steps[2]["website"] == "https://malmo.se"


def test_life_events_steps_and_answers_are_english_in_the_english_interface(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    client.cookies.load({"django_language": "en"})
    response = client.get(FINDER, {"place": "Nacka", "q": "mamma klarar sig inte hemma"})
    page = response.content.decode()
    assert "Growing old and needing support at home" in page
    assert "Help at home (home help service)" in page
    journey_page = client.get("/livshandelser/flytta-till-annan-kommun/",
                              {"municipality": "0114", "to": "1280"}).content.decode()
    assert "Moving to another municipality" in journey_page
    assert "Reporting the move" in journey_page
    listing = client.get("/livshandelser/").content.decode()
    assert "Having a child" in listing and "Få barn" not in listing
