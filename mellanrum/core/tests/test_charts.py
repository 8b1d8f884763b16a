"""Chart pictures: a page describes a chart, the browser fetches its picture from /diagram/."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mellanrum.core.models import User
from mellanrum.lib import charts


@contextlib.contextmanager
def freeze_time_after(seconds: int) -> Iterator[None]:
    """Signatures are checked against time.time(): pretend that many seconds have passed."""
    real = time.time
    with mock.patch("time.time", lambda: real() + seconds):
        yield


PUBLIC: dict[str, Any] = {"viewer": charts.PUBLIC}


def _key(address: str) -> str:
    address = address.split("?")[0]
    assert address.startswith("/diagram/") and address.endswith(".svg")
    return address.removeprefix("/diagram/").removesuffix(".svg")


@pytest.fixture
def drawn_here(settings: SettingsWrapper) -> None:
    settings.CHART_RENDER_PROCESSES = 0


def test_a_described_chart_is_drawn_when_its_picture_is_fetched(
    client: Client, drawn_here: None
) -> None:
    address = charts.bar_chart_url([("Alfa kommun", 1200.0), ("Beta kommun", 800.0)],
                                   **PUBLIC, category_title="Organisation", value_title="kr")
    assert charts.is_chart_key(_key(address))
    assert caches["charts"].get(f"chart-svg:{_key(address)}") is None  # the page drew nothing
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=604800, immutable"
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "Alfa kommun" in svg and "Beta kommun" in svg
    assert caches["charts"].get(f"chart-svg:{_key(address)}") == svg  # drawn once, kept


def test_the_same_content_gets_the_same_address_and_other_content_another() -> None:
    rows = [("Alfa kommun", 1.0)]
    first = charts.bar_chart_url(rows, **PUBLIC, category_title="Org", value_title="kr")
    assert charts.bar_chart_url(rows, **PUBLIC, category_title="Org", value_title="kr") == first
    assert charts.bar_chart_url([("Alfa kommun", 2.0)], **PUBLIC, category_title="Org",
                                value_title="kr") != first
    assert charts.grouped_bar_chart_url([("2025", "Plan", 1.0)], **PUBLIC, category_title="År",
                                        series_title="Serie", value_title="kr") != first


def test_an_unknown_or_malformed_chart_address_is_not_found(client: Client) -> None:
    assert client.get("/diagram/" + "0" * 64 + ".svg").status_code == 404
    assert client.get("/diagram/" + "A" * 64 + ".svg").status_code == 404
    assert client.get("/diagram/../../etc/passwd.svg").status_code == 404
    assert charts.chart_svg("not-a-key") is None
    assert client.post(charts.bar_chart_url([("A", 1.0)], **PUBLIC, category_title="O",
                                            value_title="kr")).status_code == 405


def test_labels_with_markup_are_text_in_the_picture(client: Client, drawn_here: None) -> None:
    address = charts.bar_chart_url([("<script>alert(1)</script>", 5.0)],
                                   **PUBLIC, category_title="<b>Org</b>", value_title="kr")
    svg = client.get(address).content.decode()
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


# --- Private charts: only for the user who was shown the page -------------------------------


def _private(user: Any) -> str:
    return charts.bar_chart_url([("Hemligt projekt", 42.0)], viewer=user,
                                category_title="Org", value_title="kr")


def test_a_private_chart_is_served_only_to_its_viewer(
    client: Client, alice: User, bob: User, drawn_here: None
) -> None:
    address = _private(alice)
    assert "?a=" in address
    client.force_login(alice)
    response = client.get(address)
    assert response.status_code == 200 and "Hemligt projekt" in response.content.decode()
    assert response["Cache-Control"] == f"private, max-age={charts.PRIVATE_LINK_SECONDS}"
    assert Client().get(address).status_code == 404  # anonymous
    other = Client()
    other.force_login(bob)
    assert other.get(address).status_code == 404  # another user of the same organisation
    bare = address.split("?")[0]
    assert client.get(bare).status_code == 404  # without its signature, not even for alice


def test_a_tampered_or_expired_private_address_is_refused(
    client: Client, alice: User, bob: User, drawn_here: None
) -> None:
    client.force_login(alice)
    address = _private(alice)
    path, token = address.split("?a=")
    user_id, stamp, signature = token.split(":")
    assert client.get(f"{path}?a={bob.pk}:{stamp}:{signature}").status_code == 404
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert client.get(f"{path}?a={user_id}:{stamp}:{flipped}").status_code == 404
    for junk in ["", "x", ":::", "%00", "a" * 5000, f"{user_id}:{stamp}"]:
        assert client.get(path, {"a": junk}).status_code == 404
    other = _private(bob).split("?a=")[1]  # bob's valid token for another chart
    assert client.get(f"{path}?a={other}").status_code == 404
    with freeze_time_after(charts.PRIVATE_LINK_SECONDS + 1):
        assert client.get(address).status_code == 404
    assert client.get(address).status_code == 200


def test_an_anonymous_visitors_private_chart_is_not_served_to_a_logged_in_user(
    client: Client, alice: User, drawn_here: None
) -> None:
    address = _private(AnonymousUser())
    assert Client().get(address).status_code == 200
    client.force_login(alice)
    assert client.get(address).status_code == 404


def test_a_public_chart_is_served_to_anyone_and_may_be_kept_by_anyone(
    client: Client, alice: User, drawn_here: None
) -> None:
    address = charts.bar_chart_url([("Alfa kommun", 1.0)], **PUBLIC, category_title="Org",
                                   value_title="kr")
    assert "?" not in address
    response = Client().get(address)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=604800, immutable"
    assert "Cookie" not in response.get("Vary", "")
    client.force_login(alice)
    assert client.get(address).status_code == 200


def test_the_same_content_private_and_public_has_two_addresses(alice: User) -> None:
    rows = [("Alfa kommun", 1.0)]
    public = charts.bar_chart_url(rows, **PUBLIC, category_title="Org", value_title="kr")
    private = charts.bar_chart_url(rows, viewer=alice, category_title="Org", value_title="kr")
    assert _key(public) != _key(private)
    # The public address of a private chart's key does not exist.
    assert Client().get(private.split("?")[0]).status_code == 404


def test_a_viewer_must_be_a_user_or_public() -> None:
    with pytest.raises(ValueError):
        charts.bar_chart_url([("A", 1.0)], viewer="everyone",  # type: ignore[arg-type]
                             category_title="O", value_title="kr")
    with pytest.raises(TypeError):
        charts.bar_chart_url([("A", 1.0)], category_title="O",  # type: ignore[call-arg]
                             value_title="kr")
