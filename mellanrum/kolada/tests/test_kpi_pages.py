"""The KPI pages: catalogue search, every organisation's value, filters, spread, export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.test import Client
from openpyxl import load_workbook

from mellanrum.kolada.models import KoladaValue
from mellanrum.landscape.models import Organisation
from mellanrum.lib.xlsx import active_sheet

pytestmark = pytest.mark.django_db

WHEN = datetime(2025, 3, 1, tzinfo=UTC)


def org(code: str, name: str, county: str = "01", skr: str = "", kind: str = "municipality"
        ) -> Organisation:
    return Organisation.objects.create(code=code, name=name, short_name=name, kind=kind,
                                       county_code=county, county_name=f"Län {county}",
                                       skr_group_code=skr, skr_group_name=f"Grupp {skr}")


def value(code: str, number: float | None, kpi: str = "N00901", year: int = 2024,
          gender: str = "T") -> None:
    KoladaValue.objects.create(kpi_id=kpi, municipality_code=code, year=year, gender=gender,
                               value=number, changed_at=WHEN)


@pytest.fixture
def figures(db: None) -> dict[str, Organisation]:
    orgs = {
        "0180": org("0180", "Stockholms stad", skr="A1"),
        "0182": org("0182", "Nacka kommun", skr="A2"),
        "1280": org("1280", "Malmö stad", county="12", skr="A1"),
        "1281": org("1281", "Lunds kommun", county="12", skr="B3"),
        "0114": org("0114", "Upplands Väsby kommun", skr="B3"),
        "01": org("01", "Region Stockholm", kind="region"),
    }
    for code, number in (("0180", 30.0), ("0182", 20.0), ("1280", 40.0), ("1281", 10.0)):
        value(code, number)
    value("0114", None)
    value("0001", 11.0)
    value("0180", 31.0, year=2023)
    return orgs


def test_the_catalogue_search_finds_kpis_and_says_which_have_values(
    client: Client, figures: dict[str, Organisation]
) -> None:
    page = client.get("/nyckeltal/", {"q": "skattesats kommun"}).content.decode()
    assert "N00901" in page and "Skattesats till kommun (%)" in page
    assert "inte hämtat än" in page or "ja" in page
    listing = client.get("/nyckeltal/").content.decode()
    assert "N00901" in listing  # among the KPIs with values


def test_the_kpi_page_lists_every_organisation_sorted_with_computed_spread(
    client: Client, figures: dict[str, Organisation]
) -> None:
    response = client.get("/nyckeltal/N00901/", {"year": "2024"})
    page = response.content.decode()
    assert response.status_code == 200
    table = page[page.index("Källa: Kolada</caption>"):]
    order = [table.index(n) for n in ("Malmö stad", "Stockholms stad", "Nacka kommun",
                                     "Lunds kommun", "Upplands Väsby kommun")]
    assert order == sorted(order)  # highest value first, the empty value last
    assert "Källa: Kolada" in page
    assert "beräknade av Mellanrum" in page
    # five municipalities with values 10, 20, 30, 40 and one empty; the region is not mixed in
    assert "Region Stockholm" not in table
    assert response.context["summary"].count == 4
    assert response.context["summary"].median == 25.0
    assert response.context["summary"].lower_quartile == 17.5
    assert response.context["summary"].upper_quartile == 32.5
    assert "/diagram/" in page


def test_sorting_by_name_reverses_on_request(client: Client, figures: dict[str, Organisation]
                                             ) -> None:
    page = client.get("/nyckeltal/N00901/", {"sort": "-name"}).content.decode()
    table = page[page.index("Källa: Kolada</caption>"):]
    assert table.index("Upplands Väsby kommun") < table.index("Lunds kommun")


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"county": "12"}, ["Malmö stad", "Lunds kommun"], ["Nacka kommun"]),
        ({"skr": "A1"}, ["Malmö stad", "Stockholms stad"], ["Lunds kommun"]),
        ({"similar": "0180", "area": "övergripande"}, ["Stockholms stad", "Malmö stad"],
         ["Nacka kommun", "Lunds kommun"]),
    ],
)
def test_filters_limit_the_organisations(
    client: Client, figures: dict[str, Organisation], params: dict[str, str], shown: list[str],
    hidden: list[str]
) -> None:
    response = client.get("/nyckeltal/N00901/", params)
    names = [r.organisation.name for r in response.context["rows"]]
    assert set(shown) <= set(names)
    assert not set(hidden) & set(names)


def test_the_association_filter_uses_members(client: Client,
                                             figures: dict[str, Organisation]) -> None:
    association = org("K1", "Skåneförbundet", kind="association")
    association.members.set([figures["1280"], figures["1281"]])
    response = client.get("/nyckeltal/N00901/", {"association": "K1"})
    assert {r.organisation.code for r in response.context["rows"]} == {"1280", "1281"}


def test_csv_and_xlsx_exports_carry_the_values_and_the_source(
    client: Client, figures: dict[str, Organisation]
) -> None:
    text = client.get("/nyckeltal/N00901/export.csv", {"county": "12"}).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["kpi", "municipality", "name", "year", "gender", "value", "status",
                       "source"]
    assert ["N00901", "1280", "Malmö stad", "2024", "T", "40.0", "", "Kolada"] in rows
    assert rows[-1][0].startswith("Källa: Kolada")
    data = client.get("/nyckeltal/N00901/export.xlsx").content
    sheet = active_sheet(load_workbook(io.BytesIO(data)))
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["N00901", "1281", "Lunds kommun", 2024, "T", 10, "", "Kolada"] in [
        [c if c is not None else "" for c in row] for row in cells]


def test_an_unknown_kpi_is_not_found(client: Client, db: None) -> None:
    assert client.get("/nyckeltal/X99999/").status_code == 404


def test_a_kpi_without_values_says_how_to_fetch_them(client: Client, db: None) -> None:
    page = client.get("/nyckeltal/N15004/").content.decode()
    assert "mellanrum kolada sync --kpi N15004" in page


def test_the_organisation_page_shows_its_series_beside_computed_medians(
    client: Client, figures: dict[str, Organisation]
) -> None:
    response = client.get("/organisationer/0180/")
    page = response.content.decode()
    assert "Skattesats till kommun (%)" in page
    assert "beräknad av Mellanrum" in page
    # 2024: Stockholm 30; its Kolada-similar municipalities in the data: Malmö (40);
    # all municipalities: 10, 20, 30, 40 -> 25
    assert "25" in page and "40" in page


@pytest.mark.parametrize("query", [
    {"county": "\x00", "skr": "\x00x", "association": "\x00", "year": "abc", "gender": "X",
     "sort": "drop table", "similar": "\x00", "area": "\x00", "kind": "\x00"},
    {"year": "99999999999999999999", "similar": "0180", "area": "nonsense"},
    {"q": "\x00" * 5 + "x" * 5000},
])
def test_malformed_queries_never_cause_a_server_error(
    client: Client, figures: dict[str, Organisation], query: dict[str, str]
) -> None:
    for url in ("/nyckeltal/", "/nyckeltal/N00901/", "/nyckeltal/N00901/export.csv",
                "/nyckeltal/N00901%00/"):
        assert client.get(url, query).status_code in {200, 404}, url


def test_histogram_ranges_are_written_in_the_interface_language() -> None:
    from django.utils import translation

    from mellanrum.kolada.views import _edge

    with translation.override("sv"):
        assert [_edge(12345.678), _edge(2.5), _edge(0.01234)] == ["12\u00a0350", "2,5", "0,01234"]
    with translation.override("en"):
        assert [_edge(12345.678), _edge(2.5)] == ["12,350", "2.5"]


def test_the_organisation_page_follows_a_changed_value_and_kind_at_once(
    client: Client, figures: dict[str, Organisation]
) -> None:
    """The values and the kinds behind the medians are kept per process between pages
    (kolada/analysis.py, with the data versions of what they were read from): an update that
    no model signal sees is still shown on the next request, as the page cache's is."""
    from mellanrum.kolada.analysis import organisation_series

    def points() -> list[tuple[int, float | None, float | None, float | None]]:
        return organisation_series(figures["0180"])[0].years

    # 2024: Stockholm 30, its similar Malmö 40, all municipalities 10, 20, 30, 40 -> 25.
    assert points()[-1] == (2024, 30.0, 40.0, 25.0)
    page = client.get("/organisationer/0180/").content.decode()
    KoladaValue.objects.filter(municipality_code="1281", year=2024).update(value=36.0)
    assert points()[-1] == (2024, 30.0, 40.0, 33.0)  # 20, 30, 36, 40
    Organisation.objects.filter(code="1281").update(kind="region")
    assert points()[-1] == (2024, 30.0, 40.0, 30.0)  # 20, 30, 40
    KoladaValue.objects.filter(municipality_code="1280", year=2024).update(value=44.0)
    changed = client.get("/organisationer/0180/").content.decode()
    assert changed != page
    assert points()[-1] == (2024, 30.0, 44.0, 30.0)  # 20, 30, 44
