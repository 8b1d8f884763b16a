"""The Kolada client's parsing and request plan (no network)."""

from __future__ import annotations

import json

import pytest

from mellanrum.kolada.client import KoladaClient, KoladaError, KoladaValue, parse_page

URL = "https://api.kolada.se/v3/data/kpi/N00945/year/2023"


def page(values: list[object], **extra: object) -> bytes:
    return json.dumps({"values": values, **extra}).encode()


def test_a_page_gives_one_value_per_gender_and_the_next_address() -> None:
    body = page(
        [{"kpi": "N00945", "municipality": "1860", "period": 2023,
          "values": [{"gender": "T", "value": 1.5, "count": 1, "status": ""},
                     {"gender": "K", "value": None, "count": 1, "status": "Saknas"}]}],
        count=1, next_url="https://api.kolada.se/v3/next",
    )
    values, next_url = parse_page(body, URL)
    assert values == [KoladaValue("N00945", "1860", 2023, "T", 1.5, ""),
                      KoladaValue("N00945", "1860", 2023, "K", None, "Saknas")]
    assert next_url == "https://api.kolada.se/v3/next"


def test_an_empty_next_url_ends_paging_and_deleted_rows_are_dropped() -> None:
    body = page([{"kpi": "N1", "municipality": "0180", "period": "2022", "isdeleted": True,
                  "values": [{"gender": "T", "value": 2}]}], next_url="")
    assert parse_page(body, URL) == ([], None)


@pytest.mark.parametrize(
    "body",
    [
        b'{"values": [{"kpi": "N1", "munic',
        b"[]",
        page([{"kpi": "N1", "municipality": "0180", "period": 2022,
               "values": [{"gender": "X", "value": 1}]}]),
        page([{"kpi": "N1", "municipality": "0180", "period": 2022,
               "values": [{"gender": "T", "value": "12,3"}]}]),
        page([{"kpi": "N1", "municipality": "0180", "period": "last year", "values": []}]),
        page([{"kpi": "N1", "municipality": "0180", "period": 2022}]),
    ],
    ids=["truncated", "not-an-object", "gender", "value-text", "period", "no-values"],
)
def test_malformed_pages_raise_one_clear_error(body: bytes) -> None:
    with pytest.raises(KoladaError) as caught:
        parse_page(body, URL)
    assert caught.value.code == "malformed"
    assert "\n" not in str(caught.value)


def test_more_than_25_ids_are_split_into_requests_of_at_most_25() -> None:
    client = KoladaClient(base_url="https://api.kolada.se/v3/", per_page=100)
    kpis = [f"N{n:05d}" for n in range(30)]
    urls = client.urls(kpis, [2023], ["0180"])
    assert len(urls) == 2
    assert urls[0].startswith("https://api.kolada.se/v3/data/kpi/N00000,")
    assert urls[0].count(",") == 24
    assert urls[1].endswith("/municipality/0180/year/2023?page=1&per_page=100")
