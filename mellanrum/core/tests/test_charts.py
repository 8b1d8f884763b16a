"""Chart pictures: a page describes a chart, the browser fetches its picture from /diagram/."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mellanrum.lib import charts


def _key(address: str) -> str:
    assert address.startswith("/diagram/") and address.endswith(".svg")
    return address.removeprefix("/diagram/").removesuffix(".svg")


@pytest.fixture
def drawn_here(settings: SettingsWrapper) -> None:
    settings.CHART_RENDER_PROCESSES = 0


def test_a_described_chart_is_drawn_when_its_picture_is_fetched(
    client: Client, drawn_here: None
) -> None:
    address = charts.bar_chart_url([("Alfa kommun", 1200.0), ("Beta kommun", 800.0)],
                                   category_title="Organisation", value_title="kr")
    assert charts.is_chart_key(_key(address))
    assert caches["charts"].get(f"chart-svg:{_key(address)}") is None  # the page drew nothing
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=604800, immutable"
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "Alfa kommun" in svg and "Beta kommun" in svg
    assert caches["charts"].get(f"chart-svg:{_key(address)}") == svg  # drawn once, kept


def test_the_same_content_gets_the_same_address_and_other_content_another() -> None:
    rows = [("Alfa kommun", 1.0)]
    first = charts.bar_chart_url(rows, category_title="Org", value_title="kr")
    assert charts.bar_chart_url(rows, category_title="Org", value_title="kr") == first
    assert charts.bar_chart_url([("Alfa kommun", 2.0)], category_title="Org",
                                value_title="kr") != first
    assert charts.grouped_bar_chart_url([("2025", "Plan", 1.0)], category_title="År",
                                        series_title="Serie", value_title="kr") != first


def test_an_unknown_or_malformed_chart_address_is_not_found(client: Client) -> None:
    assert client.get("/diagram/" + "0" * 64 + ".svg").status_code == 404
    assert client.get("/diagram/" + "A" * 64 + ".svg").status_code == 404
    assert client.get("/diagram/../../etc/passwd.svg").status_code == 404
    assert charts.chart_svg("not-a-key") is None
    assert client.post(charts.bar_chart_url([("A", 1.0)], category_title="O",
                                            value_title="kr")).status_code == 405


def test_labels_with_markup_are_text_in_the_picture(client: Client, drawn_here: None) -> None:
    address = charts.bar_chart_url([("<script>alert(1)</script>", 5.0)],
                                   category_title="<b>Org</b>", value_title="kr")
    svg = client.get(address).content.decode()
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
