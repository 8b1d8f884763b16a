"""Charts rendered on the server as SVG with Vega-Lite (Altair + vl-convert).

No JavaScript runs in the browser and nothing is fetched from outside; each chart is shown as an
<img> with a text alternative, and every page that shows one also shows the numbers as a table.

A page does not draw its charts. ``bar_chart_url`` and ``grouped_bar_chart_url`` store what a
chart is drawn from (the kind of chart, the rows, the titles in the request's language, the
width) in the ``charts`` cache under a hash of it, and return the address ``/diagram/<hash>.svg``
of the picture; ``chart_svg`` draws it when the browser asks for it (``core.views.chart``) and
keeps the drawing; ``draw_ahead`` draws it before anyone asks (``core.predraw`` draws the charts
of organisation and concept pages when an analysis, an import or a Kolada sync has finished).
Because the address is a hash of the content:

* the page is not held up by drawing (60-100 ms of CPU per chart in vl-convert), and the
  browser fetches the pictures in parallel;
* a picture can never be out of date (an edited cost makes a new address), nothing has to be
  invalidated, and browsers may keep it for as long as they like;
* the address of a chart of *public* data works as a capability: only someone who was shown
  the page knows it, and anyone may keep the picture (``Cache-Control: public``).

Every chart is described for a ``viewer``, a required argument, so that no call site can make
a picture public by forgetting something:

* ``viewer=request.user`` (private, for any page of data that is not public — everything behind
  a log-in): the address carries a signature (``?a=<user id>:<time>:<signature>``, made with
  django.core.signing and ``SECRET_KEY``) bound to that user and valid for
  ``PRIVATE_LINK_SECONDS``. The picture is served only to the same user (an anonymous viewer's
  charts only to anonymous visitors) while the signature is valid, with
  ``Cache-Control: private``; anyone else, and a tampered or expired address, gets 404;
* ``viewer=PUBLIC`` (public pages: the organisation list, the public calculator): no
  signature, and the picture may be cached by anyone.

A private chart and a public chart of the same content have different keys, so a public address
can never reveal a private picture.

The ``charts`` cache is on disk by default (``CHART_CACHE_DIR``), so every app process on the
machine shares it and it survives restarts; installations on several machines configure a
shared cache (Redis) in local_settings.py.

vl-convert holds the interpreter lock while it draws, so the web process hands the drawing to
``CHART_RENDER_PROCESSES`` helper processes (``chart_worker.py``) and its other request threads
keep serving meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

import altair as alt
import vl_convert
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import InvalidCacheBackendError, caches
from django.urls import reverse
from django.utils import translation

from mellanrum.core import page_cache

from . import chart_worker

__all__ = [
    "PUBLIC", "PRIVATE_LINK_SECONDS", "ChartPicture", "Viewer", "bar_chart_url", "chart_picture",
    "chart_svg", "draw_ahead", "grouped_bar_chart_url", "is_chart_key", "line_chart_url",
    "private_token", "start_helpers",
]

PUBLIC: Final = "public"
# Who a chart is described for: the user who sees the page, or PUBLIC.
Viewer: TypeAlias = AbstractBaseUser | AnonymousUser | Literal["public"]
# How long the address of a private chart works: the browser fetches the picture right after
# the page; a page shown again gets new addresses.
PRIVATE_LINK_SECONDS = 3600
_SIGNING_SALT = "mellanrum.lib.charts.private"

# Dark blue on white: contrast 8.6:1, readable for people with colour-vision deficiencies.
BAR_COLOUR = "#1d4f91"
# Bump when the look of the charts changes, so that cached pictures are not reused.
CHART_VERSION = 4
# A chart's description and picture are kept this long; a page shown later describes it again.
CACHE_SECONDS = 7 * 24 * 3600
_KEY = re.compile(r"[0-9a-f]{64}")
# Number formats by interface language, from vl-convert's (d3-format's) own locale table:
# Swedish writes 1\u00a0234,5 (a no-break space between thousands, a decimal comma).
FORMAT_LOCALES: Final[dict[str, dict[str, Any]]] = {
    "sv": dict(vl_convert.get_format_locale("sv-SE")),
    "en": dict(vl_convert.get_format_locale("en-US")),
}
_DEFAULT_OPTIONS: Final[dict[str, Any]] = {"locale": FORMAT_LOCALES["en"], "kronor": False,
                                           "domain": None}


def _cache() -> Any:
    try:
        return caches["charts"]
    except InvalidCacheBackendError:
        return caches["default"]


def cache_key(kind: str, payload: Any) -> str:
    """A chart's key: a hash of everything it is drawn from."""
    text = json.dumps([CHART_VERSION, kind, payload], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_chart_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def _viewer_id(viewer: AbstractBaseUser | AnonymousUser) -> str:
    return str(viewer.pk) if viewer.is_authenticated and viewer.pk is not None else "0"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SIGNING_SALT)


def _describe(kind: str, payload: list[Any], viewer: Viewer) -> str:
    """Stores what the chart is drawn from and returns the address of its picture."""
    if isinstance(viewer, str) and viewer != PUBLIC:
        raise ValueError(f"viewer must be a user or PUBLIC, not {viewer!r}")
    private = viewer != PUBLIC
    key = cache_key(kind, [*payload, "private"] if private else payload)
    # Kept if already there.
    _cache().add(f"chart-spec:{key}", [kind, payload, private], CACHE_SECONDS)
    # A page kept in the shared page cache is served only while the description is there.
    page_cache.needs("charts" if "charts" in settings.CACHES else "default",
                     f"chart-spec:{key}")
    address = reverse("chart", args=[key])
    if isinstance(viewer, str):
        return address
    # ... and while this address works, with ten minutes to spare for fetching the picture.
    page_cache.valid_for(PRIVATE_LINK_SECONDS - 600)
    return f"{address}?a={private_token(key, viewer)}"


def private_token(key: str, viewer: AbstractBaseUser | AnonymousUser) -> str:
    """The signature of a private chart's address for ``viewer`` (``?a=…``), valid for
    ``PRIVATE_LINK_SECONDS`` from now."""
    return _signer().sign(f"{key}/{_viewer_id(viewer)}").split("/", 1)[1]


@dataclass(frozen=True)
class ChartPicture:
    svg: str
    private: bool


def chart_picture(key: str, *, token: str | None,
                  viewer: AbstractBaseUser | AnonymousUser) -> ChartPicture | None:
    """The picture for ``/diagram/<key>.svg?a=<token>`` as ``viewer`` asks for it, or None
    (to be answered 404) when there is no such chart, or it is private and the token is
    missing, tampered with, expired or made for someone else."""
    if not is_chart_key(key):
        return None
    described = _cache().get(f"chart-spec:{key}")
    if described is None:
        return None
    private = bool(described[2]) if len(described) > 2 else False
    if private:
        if not token or len(token) > 200:
            return None
        try:
            signed = _signer().unsign(f"{key}/{token}", max_age=PRIVATE_LINK_SECONDS)
        except signing.BadSignature:  # also SignatureExpired
            return None
        if signed.split("/", 1)[1] != _viewer_id(viewer):
            return None
    svg = chart_svg(key)
    return None if svg is None else ChartPicture(svg, private)


def chart_svg(key: str) -> str | None:
    """The picture of the chart with this key, drawn now if it has not been drawn yet; None
    when no page has described such a chart (or it has expired)."""
    if not is_chart_key(key):
        return None
    cache = _cache()
    svg: str | None = cache.get(f"chart-svg:{key}")
    if svg is None:
        described = cache.get(f"chart-spec:{key}")
        if described is None:
            return None
        kind, payload = described[0], described[1]
        svg = _svg(_SPECS[kind](*payload))
        cache.set(f"chart-svg:{key}", svg, CACHE_SECONDS)
    return svg


def draw_ahead(address: str) -> bool:
    """Draws the picture of a chart address (as ``bar_chart_url`` returns it) unless it is
    drawn already, so that the page's viewers get it from the cache; True if drawn now.

    For pictures drawn in the background before anyone asks (``core.predraw``). The key is a
    hash of everything the picture is drawn from, so a picture drawn ahead can never be out of
    date: a page whose data changed describes a chart with another key."""
    key = address.rsplit("/", 1)[-1].split(".svg", 1)[0]
    if not is_chart_key(key) or _cache().has_key(f"chart-svg:{key}"):
        return False
    return chart_svg(key) is not None


log = logging.getLogger(__name__)
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _render_pool() -> ProcessPoolExecutor | None:
    """The helper processes that draw charts (``CHART_RENDER_PROCESSES``; 0 draws in-process)."""
    global _pool
    processes = getattr(settings, "CHART_RENDER_PROCESSES", 0)
    if processes <= 0:
        return None
    with _pool_lock:
        if _pool is None:
            # "spawn": forking a process with running request threads could copy held locks.
            _pool = ProcessPoolExecutor(
                processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=chart_worker.start,
                initargs=(os.getpid(), getattr(settings, "MALLOC_TRIM_SECONDS", 0)),
            )
        return _pool


def start_helpers() -> None:
    """Starts the chart helper processes now (in the background) rather than when the first
    chart is drawn: a server started with ``mellanrum serve`` calls this in each app process,
    so that the first picture does not wait for a helper to start, and the app's memory is
    the same from its first minute on."""
    pool = _render_pool()
    if pool is not None:
        pool.submit(chart_worker.ready)


def _shut_down(exc: Exception) -> bool:
    """Whether the pool refused the work because it was shut down rather than broken.

    This module never shuts down a pool it still hands work to; Python does, as the process
    exits, while a background thread may still be drawing pictures ahead (the end of
    ``mellanrum demo``). Nothing is wrong then, so nothing is worth a warning."""
    return isinstance(exc, RuntimeError) and not isinstance(exc, BrokenExecutor)


def _svg(spec: str) -> str:
    global _pool
    pool = _render_pool()
    if pool is not None:
        try:
            return pool.submit(chart_worker.render_svg, spec).result(timeout=120)
        except Exception as exc:  # a broken pool must not break the chart: draw here instead
            if _shut_down(exc):
                log.debug("chart helpers were shut down as the process exits; drawing here")
            else:
                log.warning("chart helper process failed (%s); drawing in the web process", exc)
            with _pool_lock:
                _pool = None
            pool.shutdown(wait=False, cancel_futures=True)
    return vl_convert.vegalite_to_svg(spec)


def _options(*, kronor: bool, domain: tuple[float, float] | None) -> dict[str, Any]:
    """What else a chart is drawn from: the number format of the request's language, whether
    the values are kronor, and the measure's own range (such as 1-5 for a survey scale)."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return {
        "locale": FORMAT_LOCALES.get(language, FORMAT_LOCALES["en"]),
        "kronor": kronor,
        "domain": [float(domain[0]), float(domain[1])] if domain is not None else None,
    }


def bar_chart_url(
    rows: Sequence[tuple[str, float]],
    *,
    viewer: Viewer,
    category_title: str,
    value_title: str,
    width: int = 560,
    kronor: bool = False,
    domain: tuple[float, float] | None = None,
) -> str:
    """The address of a horizontal bar chart, bars in the given order, for ``viewer``
    (``request.user``, or ``PUBLIC`` on a public page).

    Numbers are written as in the request's language; ``kronor`` writes large amounts in
    tkr/mnkr; ``domain`` is the measure's own range (a 1-5 scale is drawn from 1 to 5)."""
    data = [{"label": str(label), "value": float(value)} for label, value in rows]
    return _describe("bar", [data, str(category_title), str(value_title), width,
                             _options(kronor=kronor, domain=domain)], viewer)


def _value_formats(values: Sequence[float], options: dict[str, Any]) -> tuple[str, str]:
    """Vega expressions writing ``datum.value`` for the axis and for the bars' own labels,
    in the chart's language: decimal comma and a space between thousands in Swedish, and
    tkr/mnkr (kSEK/MSEK in English) for large amounts of kronor; never SI suffixes."""
    largest = max((abs(v) for v in values), default=0.0)
    if options.get("kronor"):
        swedish = options["locale"]["decimal"] == ","
        if largest >= 1_000_000:
            divisor, unit = 1_000_000, " mnkr" if swedish else " MSEK"
        elif largest >= 10_000:
            divisor, unit = 1_000, " tkr" if swedish else " kSEK"
        else:
            divisor, unit = 1, " kr" if swedish else " SEK"
        axis = f"format(datum.value / {divisor}, ',~r') + '{unit}'"
        label = f"format(datum.value / {divisor}, ',.3~r') + '{unit}'"
        return axis, label
    return "format(datum.value, ',~r')", "format(datum.value, ',.1~f')"


def _value_scale(options: dict[str, Any], values: Sequence[float]) -> alt.Scale:
    domain = options.get("domain")
    if domain is None:
        # Room left of negative bars for their labels, clear of the category labels.
        return alt.Scale(padding=70) if min(values, default=0.0) < 0 else alt.Scale()
    return alt.Scale(domain=domain, zero=False, nice=False)


def _bar_start(options: dict[str, Any]) -> dict[str, Any]:
    """Where bars start: at zero, or at the start of the measure's own range."""
    domain = options.get("domain")
    return {} if domain is None else {"x2": alt.datum(domain[0])}


def _value_text(chart: alt.Chart, label_format: str, gap: int) -> alt.Chart:
    """Each bar's value just beyond its end (left of negative bars), clear of the axes."""
    text: alt.Chart = chart.mark_text(
        baseline="middle", fontSize=11, color="#1a1a1a",
        align=alt.expr("datum.value < 0 ? 'right' : 'left'"),
        dx=alt.expr(f"datum.value < 0 ? -{gap} : {gap}"),
    ).encode(text=alt.Text("label_text:N")).transform_calculate(label_text=label_format)
    return text


def _config(chart: alt.Chart | alt.LayerChart, options: dict[str, Any]) -> str:
    configured = chart.configure_axis(labelFontSize=12, titleFontSize=13, labelLimit=260,
                                      titlePadding=10)
    # Not validated against the Vega-Lite schema on every drawing (about 20 ms of the request
    # thread, with the interpreter lock held): the specs are built only by this module, and
    # the chart tests draw every kind, so a wrong spec fails there.
    spec: dict[str, Any] = configured.to_dict(validate=False)
    # Vega-Lite's own number locale (the same table vl-convert's format_locale uses).
    spec["config"]["locale"] = {"number": options["locale"]}
    return json.dumps(spec)


# Category labels longer than this many characters are cut (with "…") before drawing. The
# axis keeps labels within 260 px (``labelLimit``); a longer label made vl-convert measure it
# again and again to find where to cut it (1.4 s of CPU for 40 long names instead of 40 ms).
# 36 characters of 12 px text fit in 260 px unless most of them are capitals.
LABEL_CHARACTERS = 36


def fitted_labels(labels: Sequence[str]) -> list[str]:
    """Each label as the chart's axis shows it: cut to ``LABEL_CHARACTERS`` with "…", and
    still one distinct label per bar (a cut label that another already has gets " (2)",
    " (3)", …, so that two categories are never drawn as one)."""
    whole = set(labels)
    taken: set[str] = set()
    fitted = []
    for label in labels:
        short, n = label, 1
        if len(label) > LABEL_CHARACTERS:
            short = _cut(label, "")
            while short in taken or short in whole:
                n += 1
                short = _cut(label, f" ({n})")
        taken.add(short)
        fitted.append(short)
    return fitted


def _cut(label: str, suffix: str) -> str:
    return label[:LABEL_CHARACTERS - 1 - len(suffix)].rstrip() + "…" + suffix


def _fit(data: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """The rows with ``field`` fitted (``fitted_labels``); the same label always fitted alike."""
    names = list(dict.fromkeys(row[field] for row in data))
    short = dict(zip(names, fitted_labels(names), strict=True))
    return [{**row, field: short[row[field]]} for row in data]


def _category_axis() -> alt.Axis:
    """The bars' category axis, its title written level above the labels and ending where
    they end. Turned along the axis (Vega-Lite's default) the title was drawn over labels
    near ``LABEL_CHARACTERS`` long: vl-convert placed it by a narrower estimate of their
    width than it drew them with."""
    return alt.Axis(titleAngle=0, titleAlign="right", titleBaseline="bottom", titleX=0,
                    titleY=-6)


def _bar_spec(data: list[dict[str, Any]], category_title: str, value_title: str,
              width: int, options: dict[str, Any] | None = None) -> str:
    options = options or _DEFAULT_OPTIONS
    data = _fit(data, "label")
    axis_format, label_format = _value_formats([row["value"] for row in data], options)
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("label:N", title=category_title, sort=None, axis=_category_axis()),
        x=alt.X("value:Q", title=value_title,
                scale=_value_scale(options, [row["value"] for row in data]),
                axis=alt.Axis(labelExpr=axis_format, titlePadding=10, tickCount=6,
                              labelOverlap=True)),
    )
    bars = base.mark_bar(color=BAR_COLOUR).encode(tooltip=["label:N", "value:Q"],
                                                  **_bar_start(options))
    labels = _value_text(base, label_format, 4)
    chart = alt.layer(bars, labels).properties(width=width, height=max(60, 18 * len(data)))
    return _config(chart, options)


def grouped_bar_chart_url(
    rows: Sequence[tuple[str, str, float]],
    *,
    viewer: Viewer,
    category_title: str,
    series_title: str,
    value_title: str,
    width: int = 560,
    kronor: bool = False,
    domain: tuple[float, float] | None = None,
) -> str:
    """The address of horizontal bars grouped by category, one bar per series.

    Series are told apart by colour, by a shape at the end of each bar (the legend shows
    both) and by their order within each group (the legend lists them in the same order),
    and the page shows the numbers as a table too. For ``viewer`` (``request.user``, or
    ``PUBLIC`` on a public page); ``kronor`` and ``domain`` as for ``bar_chart_url``.
    """
    data = [{"category": str(c), "series": str(s), "value": float(v)} for c, s, v in rows]
    return _describe("grouped", [data, str(category_title), str(series_title),
                                 str(value_title), width,
                                 _options(kronor=kronor, domain=domain)], viewer)


# Shapes that stay distinct in print and for people who cannot tell the colours apart.
SERIES_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down",
                 "triangle-right", "triangle-left", "stroke", "wedge"]


def _grouped_spec(data: list[dict[str, Any]], category_title: str, series_title: str,
                  value_title: str, width: int, options: dict[str, Any] | None = None) -> str:
    options = options or _DEFAULT_OPTIONS
    data = _fit(data, "category")
    series = list(dict.fromkeys(row["series"] for row in data))
    categories = list(dict.fromkeys(row["category"] for row in data))
    axis_format, label_format = _value_formats([row["value"] for row in data], options)
    colour = alt.Color("series:N", title=series_title,
                       scale=alt.Scale(domain=series, scheme="tableau10"))
    shape = alt.Shape("series:N", title=series_title,
                      scale=alt.Scale(domain=series,
                                      range=SERIES_SHAPES[:max(1, len(series))]))
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("category:N", title=category_title, sort=categories, axis=_category_axis()),
        yOffset=alt.YOffset("series:N", sort=series),
        x=alt.X("value:Q", title=value_title,
                scale=_value_scale(options, [row["value"] for row in data]),
                axis=alt.Axis(labelExpr=axis_format, titlePadding=10, tickCount=6,
                              labelOverlap=True)),
    )
    bars = base.mark_bar(opacity=0.85).encode(color=colour, **_bar_start(options))
    ends = base.mark_point(filled=True, size=60, stroke="#1a1a1a", strokeWidth=0.8,
                           opacity=1).encode(color=colour, shape=shape)
    labels = _value_text(base, label_format, 9)
    chart = (
        alt.layer(bars, ends, labels)
        .properties(width=width, height=max(80, 16 * len(data) + 10 * len(categories)))
        .configure_legend(labelFontSize=12, titleFontSize=13, labelLimit=320, offset=60)
    )
    return _config(chart, options)


def line_chart_url(
    rows: Sequence[tuple[str, str, float]],
    *,
    viewer: Viewer,
    date_title: str,
    series_title: str,
    value_title: str,
    width: int = 560,
) -> str:
    """The address of a trend chart: one line per series through its dated values
    (``(series, "YYYY-MM-DD", value)``), each point marked with the series' shape as well as
    its colour, so that no series is told apart by colour alone; a series whose name starts
    with "~" is drawn dashed (a planned path). For ``viewer`` as for ``bar_chart_url``."""
    data = [{"series": str(s), "date": str(d), "value": float(v)} for s, d, v in rows]
    return _describe("line", [data, str(date_title), str(series_title), str(value_title),
                              width, _options(kronor=False, domain=None)], viewer)


def _line_spec(data: list[dict[str, Any]], date_title: str, series_title: str,
               value_title: str, width: int, options: dict[str, Any] | None = None) -> str:
    options = options or _DEFAULT_OPTIONS
    series = list(dict.fromkeys(row["series"].lstrip("~") for row in data))
    for row in data:
        row["dashed"] = row["series"].startswith("~")
        row["series"] = row["series"].lstrip("~")
    axis_format, _label = _value_formats([row["value"] for row in data], options)
    colour = alt.Color("series:N", title=series_title,
                       scale=alt.Scale(domain=series, scheme="tableau10"))
    shape = alt.Shape("series:N", title=series_title,
                      scale=alt.Scale(domain=series,
                                      range=SERIES_SHAPES[:max(1, len(series))]))
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("date:T", title=date_title, axis=alt.Axis(format="%Y", tickCount="year")),
        y=alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=False),
                axis=alt.Axis(labelExpr=axis_format, tickCount=6)),
    )
    lines = base.mark_line(strokeWidth=2).encode(
        color=colour, detail="series:N",
        strokeDash=alt.condition("datum.dashed", alt.value([6, 4]), alt.value([1, 0])))
    points = base.mark_point(filled=True, size=70, stroke="#1a1a1a", strokeWidth=0.8,
                             opacity=1).encode(color=colour, shape=shape,
                                               tooltip=["series:N", "date:T", "value:Q"])
    chart = (alt.layer(lines, points).properties(width=width, height=260)
             .configure_legend(labelFontSize=12, titleFontSize=13, labelLimit=320,
                               orient="bottom", columns=2))
    return _config(chart, options)


_SPECS: dict[str, Callable[..., str]] = {"bar": _bar_spec, "grouped": _grouped_spec,
                                         "line": _line_spec}
