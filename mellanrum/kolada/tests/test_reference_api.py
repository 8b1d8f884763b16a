"""The open reference API: readable without login, bulk CSV/NDJSON, ETag/Last-Modified,
rate-limited per client address; what organisations enter stays login-only."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from mellanrum.kolada.models import KoladaValue
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings: Any) -> None:
    settings.REFERENCE_API_RATE = "1000/min"
    cache.clear()


@pytest.fixture
def reference(db: None) -> None:
    malmo = Organisation.objects.create(code="1280", name="Malmö stad", short_name="Malmö",
                                        kind="municipality", county_code="12",
                                        website="http://www.malmo.se", is_reference=True)
    lund = Organisation.objects.create(code="1281", name="Lunds kommun", kind="municipality",
                                       county_code="12", is_reference=True)
    Organisation.objects.create(code="12", name="Region Skåne", kind="region",
                                county_code="12", is_reference=True)
    association = Organisation.objects.create(code="G99", name="Sydvästra Skåne",
                                              kind="association", is_reference=True)
    association.members.set([malmo, lund])
    Organisation.objects.create(code="X1", name="Egen förening", kind="other")  # not reference
    when = datetime(2025, 4, 2, 10, 0, tzinfo=UTC)
    for code, value in (("1280", 20.6), ("1281", None), ("0012", 11.18)):
        KoladaValue.objects.create(kpi_id="N00901", municipality_code=code, year=2024,
                                   gender="T", value=value, changed_at=when)


def test_organisations_are_open_in_json_csv_and_ndjson(client: Client, reference: None) -> None:
    data = client.get("/api/reference/organisations").json()
    assert [o["code"] for o in data] == ["12", "1280", "1281", "G99"]
    malmo = data[1]
    assert malmo["name"] == "Malmö stad" and malmo["website_verified"] is False
    assert data[0]["kolada_code"] == "0012"
    text = client.get("/api/reference/organisations", {"format": "csv"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[1]["name"] == "Malmö stad" and rows[1]["population"] == ""
    lines = client.get("/api/reference/organisations", {"format": "ndjson"}).content.decode()
    assert [json.loads(line)["code"] for line in lines.splitlines()] == ["12", "1280", "1281",
                                                                          "G99"]


def test_one_organisation_with_its_members(client: Client, reference: None) -> None:
    assert client.get("/api/reference/organisations/G99").json()["member_codes"] == [
        "1280", "1281"]
    assert client.get("/api/reference/organisations/1280").json()["association_codes"] == [
        "G99"]
    assert client.get("/api/reference/organisations/X1").status_code == 404


def test_associations_one_row_per_membership(client: Client, reference: None) -> None:
    text = client.get("/api/reference/associations", {"format": "csv"}).content.decode()
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["G99", "Sydvästra Skåne", "1280", "Malmö stad"],
        ["G99", "Sydvästra Skåne", "1281", "Lunds kommun"]]


def test_similar_municipalities_per_area(client: Client, db: None) -> None:
    areas = client.get("/api/reference/similar/0180").json()
    assert len(areas) == 12 and areas[0]["area"] == "övergripande"
    assert "1280" in areas[0]["similar"] and len(areas[0]["similar"]) == 7
    assert client.get("/api/reference/similar/9999").status_code == 404
    text = client.get("/api/reference/similar", {"area": "LSS", "format": "csv"}
                      ).content.decode()
    assert len(text.strip().splitlines()) == 1 + 289  # Gnosjö has no LSS group


def test_kpi_values_with_null_and_last_modified(client: Client, reference: None) -> None:
    response = client.get("/api/reference/kpis/N00901/values", {"year": 2024})
    assert response.json() == [
        {"kpi": "N00901", "municipality": "0012", "year": 2024, "gender": "T", "value": 11.18,
         "status": "", "source": "Kolada"},
        {"kpi": "N00901", "municipality": "1280", "year": 2024, "gender": "T", "value": 20.6,
         "status": "", "source": "Kolada"},
        {"kpi": "N00901", "municipality": "1281", "year": 2024, "gender": "T", "value": None,
         "status": "", "source": "Kolada"},
    ]
    assert response["Last-Modified"] == "Wed, 02 Apr 2025 10:00:00 GMT"
    again = client.get("/api/reference/kpis/N00901/values", {"year": 2024},
                       HTTP_IF_MODIFIED_SINCE="Wed, 02 Apr 2025 10:00:00 GMT")
    assert again.status_code == 304
    assert client.get("/api/reference/kpis/X00000/values").status_code == 404


def test_an_unchanged_list_answers_304_to_its_etag(client: Client, reference: None) -> None:
    first = client.get("/api/reference/organisations")
    etag = first["ETag"]
    assert client.get("/api/reference/organisations",
                      HTTP_IF_NONE_MATCH=etag).status_code == 304
    Organisation.objects.filter(code="1281").update(name="Lunds kommun!")
    changed = client.get("/api/reference/organisations", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_each_client_address_is_rate_limited(client: Client, settings: Any,
                                             reference: None) -> None:
    settings.REFERENCE_API_RATE = "3/min"
    codes = [client.get("/api/reference/kpis", {"search": "skattesats"}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = client.get("/api/reference/kpis", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_a_client_cannot_escape_the_limit_by_writing_x_forwarded_for(
    client: Client, settings: Any, reference: None
) -> None:
    # The address is the one log-in throttling uses (core.login.client_address): REMOTE_ADDR,
    # unless TRUSTED_PROXY_COUNT says a proxy of ours wrote X-Forwarded-For.
    settings.REFERENCE_API_RATE = "3/min"
    codes = [client.get("/api/reference/kpis", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
             for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_life_events_are_open_for_bulk_download(client: Client, db: None) -> None:
    from mellanrum.journeys.models import LifeEvent

    LifeEvent.objects.create(slug="flytta", label_sv="Flytta", label_en="Moving",
                             audience="person")
    lines = client.get("/api/reference/life-events", {"format": "ndjson"}).content.decode()
    assert json.loads(lines.splitlines()[0])["id"] == "flytta"


def test_openapi_marks_the_open_endpoints_and_the_rest_stays_login_only(
    client: Client, reference: None
) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/reference/organisations"]["get"]
    assert operation["security"] == [] and "open reference data" in operation["tags"]
    assert "security" in schema["paths"]["/api/activities"]["get"]
    assert client.get("/api/activities").status_code == 401
    assert client.get("/api/organisations").status_code == 401
