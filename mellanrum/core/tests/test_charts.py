"""Chart pictures: a page describes a chart, the browser fetches its picture from /diagram/."""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.test import Client
from django.utils import translation
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


# --- Numbers in the interface's language, scales over the measure's range --------------------


def _texts(address: str) -> list[str]:
    svg = charts.chart_svg(_key(address))
    assert svg is not None
    return [html.unescape(text) for text in re.findall(r">([^<]+)</text>", svg)]


def test_a_swedish_chart_writes_numbers_the_swedish_way(drawn_here: None) -> None:
    with translation.override("sv"):
        address = charts.bar_chart_url([("Alfa kommun", 1234.5), ("Beta kommun", 2_400_000.0)],
                                       **PUBLIC, category_title="Organisation",
                                       value_title="Invånare")
    texts = _texts(address)
    assert "1\u00a0234,5" in texts  # a no-break space between thousands, a decimal comma
    assert "2\u00a0400\u00a0000" in texts
    assert "2\u00a0000\u00a0000" in texts  # the axis too
    assert not [t for t in texts if re.fullmatch(r"[\d.,\u00a0]+[kMG]", t)]  # no SI suffixes


def test_an_english_chart_keeps_english_number_formats(drawn_here: None) -> None:
    with translation.override("en"):
        address = charts.bar_chart_url([("Alfa kommun", 1234.5), ("Beta kommun", 2_400_000.0)],
                                       **PUBLIC, category_title="Organisation",
                                       value_title="Population")
    texts = _texts(address)
    assert "1,234.5" in texts and "2,400,000" in texts
    assert not [t for t in texts if "\u00a0" in t or re.fullmatch(r"[\d.,]+[kMG]", t)]


def test_the_language_is_part_of_a_charts_address() -> None:
    rows = [("Alfa kommun", 1234.5)]
    with translation.override("sv"):
        swedish = charts.bar_chart_url(rows, **PUBLIC, category_title="O", value_title="kr")
    with translation.override("en"):
        english = charts.bar_chart_url(rows, **PUBLIC, category_title="O", value_title="kr")
    assert swedish != english


def test_large_amounts_of_kronor_are_written_in_tkr_and_mnkr(drawn_here: None) -> None:
    with translation.override("sv"):
        millions = charts.grouped_bar_chart_url(
            [("2026", "Plan", 2_412_345.0), ("2026", "Utfall", -150_000.0)], **PUBLIC,
            category_title="År", series_title="Siffror", value_title="Nettonytta",
            kronor=True)
        thousands = charts.bar_chart_url([("Alfa kommun", 45_600.0)], **PUBLIC,
                                         category_title="O", value_title="Kostnad",
                                         kronor=True)
    texts = _texts(millions)
    assert "2,41 mnkr" in texts and "\u22120,15 mnkr" in texts  # d3 writes a real minus
    assert "45,6 tkr" in _texts(thousands)
    with translation.override("en"):
        english = charts.bar_chart_url([("Alfa kommun", 45_600.0)], **PUBLIC,
                                       category_title="O", value_title="Cost", kronor=True)
    assert "45.6 kSEK" in _texts(english)


def test_a_one_to_five_scale_is_drawn_from_one_to_five(drawn_here: None) -> None:
    with translation.override("sv"):
        address = charts.bar_chart_url([("Tillit", 3.4), ("Mål", 2.5)], **PUBLIC,
                                       category_title="Faktor", value_title="Medel (1–5)",
                                       domain=(1, 5))
    texts = _texts(address)
    assert "1" in texts and "5" in texts and "3,4" in texts
    assert "0" not in texts  # the axis starts at 1, not at zero


def test_series_are_told_apart_by_shape_as_well_as_colour(drawn_here: None) -> None:
    address = charts.grouped_bar_chart_url(
        [("Tillit", "Hösten 2026", 3.0), ("Tillit", "Våren 2026", 4.0)], **PUBLIC,
        category_title="Faktor", series_title="Omgång", value_title="Medel", domain=(1, 5))
    described = caches["charts"].get(f"chart-spec:{_key(address)}")
    spec = json.loads(charts._SPECS["grouped"](*described[1]))
    shapes = [layer["encoding"]["shape"] for layer in spec["layer"]
              if "shape" in layer["encoding"]]
    assert shapes and shapes[0]["field"] == "series"
    assert len(set(shapes[0]["scale"]["range"])) == 2  # one shape per series
    svg = charts.chart_svg(_key(address))
    assert svg is not None
    # One legend (colour and shape together) names both series, besides the bars' values.
    assert svg.count(">Omgång</text>") == 1
    assert ">Hösten 2026</text>" in svg and ">Våren 2026</text>" in svg
    assert ">3</text>" in svg and ">4</text>" in svg


def test_long_category_labels_are_cut_before_drawing_and_stay_distinct() -> None:
    short = "Nacka kommun"
    long = "Gemensam e-tjänst för ansökan om ekonomiskt bistånd i länet"
    twin = long + " (etapp två)"
    fitted = charts.fitted_labels([short, long, twin])
    assert fitted[0] == short  # a label that fits is drawn as it is
    assert all(len(label) <= charts.LABEL_CHARACTERS for label in fitted)
    assert fitted[1] == "Gemensam e-tjänst för ansökan om ek…"
    assert fitted[2].endswith("… (2)") and fitted[2].startswith("Gemensam e-tjänst")
    assert len(set(fitted)) == 3  # two long names sharing a beginning are still two bars


def test_a_chart_of_long_names_shows_them_cut_and_is_drawn_quickly(drawn_here: None) -> None:
    names = [f"Gemensam e-tjänst för ansökan om bistånd, initiativ nummer {n}" for n in range(30)]
    address = charts.bar_chart_url([(name, n + 1.0) for n, name in enumerate(names)], **PUBLIC,
                                   category_title="Initiativ", value_title="Poäng")
    started = time.process_time()
    svg = charts.chart_svg(_key(address))
    assert svg is not None
    assert time.process_time() - started < 1.0  # it took 1.4 s while vl-convert cut them
    text = html.unescape(svg)
    assert "Gemensam e-tjänst för ansökan om bi…" in text
    assert "Gemensam e-tjänst för ansökan o… (2)" in text
    assert names[0] not in text


def _axis_texts(svg: str, role: str) -> list[tuple[str, float, str]]:
    """Each text of the picture's axis ``role`` ("title" or "label"): (transform, y, text)."""
    found = []
    for group in re.findall(rf'<g class="mark-text role-axis-{role}"[^>]*>(.*?)</g>', svg, re.S):
        for transform, text in re.findall(r'transform="([^"]*)"[^>]*>([^<]*)</text>', group):
            moved = re.search(r"translate\([^,]+,([^)]+)\)", transform)
            assert moved is not None
            found.append((transform, float(moved.group(1)), html.unescape(text)))
    return found


def test_the_category_title_is_drawn_level_above_long_labels(drawn_here: None) -> None:
    # Turned along the axis, the title was drawn over labels near the cut length.
    names = ["M" * 40, "Göteborgsregionens kommunalförbund, Västra Götaland", "Nacka"]
    address = charts.bar_chart_url([(name, n + 1.0) for n, name in enumerate(names)], **PUBLIC,
                                   category_title="Organisation", value_title="Kronor")
    svg = charts.chart_svg(_key(address))
    assert svg is not None
    [(transform, title_y, _text)] = [t for t in _axis_texts(svg, "title")
                                     if t[2] == "Organisation"]
    assert "rotate" not in transform
    label_ys = [y for _t, y, text in _axis_texts(svg, "label") if not text[0].isdigit()]
    assert len(label_ys) == 3
    assert title_y < min(label_ys) - 12  # its baseline above the first label's top


class _RefusingPool:
    """A helper pool that refuses work: shut down (as Python does at exit) or broken."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def submit(self, *args: object, **kwargs: object) -> None:
        raise self.error

    def shutdown(self, *args: object, **kwargs: object) -> None:
        pass


SPEC = json.dumps({"mark": "bar", "data": {"values": [{"a": "x", "b": 1}]},
                   "encoding": {"x": {"field": "a", "type": "nominal"},
                                "y": {"field": "b", "type": "quantitative"}}})


@pytest.mark.parametrize(("error", "level"), [
    (BrokenProcessPool("a helper died"), logging.WARNING),
    (RuntimeError("cannot schedule new futures after shutdown"), logging.DEBUG),
])
def test_a_broken_helper_warns_and_one_shut_down_at_exit_does_not(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    error: Exception, level: int,
) -> None:
    monkeypatch.setattr(charts, "_render_pool", lambda: _RefusingPool(error))
    with caplog.at_level(logging.DEBUG, logger=charts.log.name):
        assert charts._svg(SPEC).startswith("<svg")  # drawn in the process instead
    assert [r.levelno for r in caplog.records] == [level]
