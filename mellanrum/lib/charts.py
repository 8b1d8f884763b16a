"""Charts rendered on the server as SVG with Vega-Lite (Altair + vl-convert).

No JavaScript runs in the browser and nothing is fetched from outside; each chart is shown as an
<img> with a text alternative, and every page that shows one also shows the numbers as a table.

A page does not draw its charts. ``bar_chart_url`` and ``grouped_bar_chart_url`` store what a
chart is drawn from (the kind of chart, the rows, the titles in the request's language, the
width) in the ``charts`` cache under a hash of it, and return the address ``/diagram/<hash>.svg``
of the picture; ``chart_svg`` draws it when the browser asks for it (``core.views.chart``) and
keeps the drawing. Because the address is a hash of the content:

* the page is not held up by drawing (60-100 ms of CPU per chart in vl-convert), and the
  browser fetches the pictures in parallel;
* a picture can never be out of date (an edited cost makes a new address), nothing has to be
  invalidated, and browsers may keep it for as long as they like;
* the address works as a capability: only someone who was shown the page knows it.

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
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import altair as alt
import vl_convert
from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.urls import reverse

from . import chart_worker

__all__ = ["bar_chart_url", "chart_svg", "grouped_bar_chart_url", "is_chart_key"]

# Dark blue on white: contrast 8.6:1, readable for people with colour-vision deficiencies.
BAR_COLOUR = "#1d4f91"
# Bump when the look of the charts changes, so that cached pictures are not reused.
CHART_VERSION = 2
# A chart's description and picture are kept this long; a page shown later describes it again.
CACHE_SECONDS = 7 * 24 * 3600
_KEY = re.compile(r"[0-9a-f]{64}")


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


def _describe(kind: str, payload: list[Any]) -> str:
    """Stores what the chart is drawn from and returns the address of its picture."""
    key = cache_key(kind, payload)
    _cache().add(f"chart-spec:{key}", [kind, payload], CACHE_SECONDS)  # kept if already there
    return reverse("chart", args=[key])


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
        kind, payload = described
        svg = _svg(_SPECS[kind](*payload))
        cache.set(f"chart-svg:{key}", svg, CACHE_SECONDS)
    return svg


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
                initializer=chart_worker.watch_parent, initargs=(os.getpid(),),
            )
        return _pool


def _svg(spec: str) -> str:
    global _pool
    pool = _render_pool()
    if pool is not None:
        try:
            return pool.submit(chart_worker.render_svg, spec).result(timeout=120)
        except Exception as exc:  # a broken pool must not break the chart: draw here instead
            log.warning("chart helper process failed (%s); drawing in the web process", exc)
            with _pool_lock:
                _pool = None
            pool.shutdown(wait=False, cancel_futures=True)
    return vl_convert.vegalite_to_svg(spec)


def bar_chart_url(
    rows: Sequence[tuple[str, float]],
    *,
    category_title: str,
    value_title: str,
    width: int = 560,
) -> str:
    """The address of a horizontal bar chart, bars in the given order."""
    data = [{"label": str(label), "value": float(value)} for label, value in rows]
    return _describe("bar", [data, str(category_title), str(value_title), width])


def _bar_spec(data: list[dict[str, Any]], category_title: str, value_title: str,
              width: int) -> str:
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=BAR_COLOUR)
        .encode(
            y=alt.Y("label:N", title=category_title, sort=None),
            x=alt.X("value:Q", title=value_title, axis=alt.Axis(format="~s")),
            tooltip=["label:N", "value:Q"],
        )
        .properties(width=width, height=max(60, 18 * len(data)))
        .configure_axis(labelFontSize=12, titleFontSize=13, labelLimit=260)
    )
    return str(chart.to_json())


def grouped_bar_chart_url(
    rows: Sequence[tuple[str, str, float]],
    *,
    category_title: str,
    series_title: str,
    value_title: str,
    width: int = 560,
) -> str:
    """The address of horizontal bars grouped by category, one bar per series.

    Series are told apart by colour and by their order within each group (the legend lists
    them in the same order), and the page shows the numbers as a table too.
    """
    data = [{"category": str(c), "series": str(s), "value": float(v)} for c, s, v in rows]
    return _describe("grouped", [data, str(category_title), str(series_title),
                                 str(value_title), width])


def _grouped_spec(data: list[dict[str, Any]], category_title: str, series_title: str,
                  value_title: str, width: int) -> str:
    series = list(dict.fromkeys(row["series"] for row in data))
    categories = list(dict.fromkeys(row["category"] for row in data))
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("category:N", title=category_title, sort=categories),
            yOffset=alt.YOffset("series:N", sort=series),
            x=alt.X("value:Q", title=value_title, axis=alt.Axis(format="~s")),
            color=alt.Color(
                "series:N", title=series_title, sort=series,
                scale=alt.Scale(scheme="tableau10"),
            ),
        )
        .properties(width=width, height=max(80, 14 * len(data) + 10 * len(categories)))
        .configure_axis(labelFontSize=12, titleFontSize=13, labelLimit=260)
        .configure_legend(labelFontSize=12, titleFontSize=13, labelLimit=320)
    )
    return str(chart.to_json())


_SPECS: dict[str, Callable[..., str]] = {"bar": _bar_spec, "grouped": _grouped_spec}
