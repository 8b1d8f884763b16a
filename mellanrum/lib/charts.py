"""Charts rendered on the server as SVG with Vega-Lite (Altair + vl-convert).

No JavaScript runs in the browser and nothing is fetched from outside; each chart is shown as an
<img> with a text alternative, and every page that shows one also shows the numbers as a table.

Rendering one chart costs 60-100 ms of CPU in vl-convert, so rendered charts are kept in Django's
cache (the ``charts`` cache if configured, otherwise ``default``). The key is a hash of
everything the picture is made from (the kind of chart, the rows, the titles in the request's
language, the width and ``CHART_VERSION``), so a cached chart can never be out of date: when an
activity's cost changes, the rows change and so does the key. Old entries simply expire. The
default cache is per process (settings.py); several processes can share one by configuring
``CACHES["charts"]`` as a file-system or Redis cache in local_settings.py.

vl-convert holds the interpreter lock while it draws, so the web process hands the drawing to
``CHART_RENDER_PROCESSES`` helper processes (``chart_worker.py``) and its other request threads
keep serving meanwhile.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import altair as alt
import vl_convert
from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches

from . import chart_worker

__all__ = ["bar_chart_data_uri", "grouped_bar_chart_data_uri"]

# Dark blue on white: contrast 8.6:1, readable for people with colour-vision deficiencies.
BAR_COLOUR = "#1d4f91"
# Bump when the look of the charts changes, so that cached pictures are not reused.
CHART_VERSION = 1
CACHE_SECONDS = 24 * 3600


def _cache() -> Any:
    try:
        return caches["charts"]
    except InvalidCacheBackendError:
        return caches["default"]


def cache_key(kind: str, payload: Any) -> str:
    """The cache key of a chart: a hash of everything it is drawn from."""
    text = json.dumps([CHART_VERSION, kind, payload], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str)
    return "chart:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cached(kind: str, payload: Any, render: Callable[[], str]) -> str:
    cache, key = _cache(), cache_key(kind, payload)
    uri = cache.get(key)
    if uri is None:
        uri = render()
        cache.set(key, uri, CACHE_SECONDS)
    return uri


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
        except Exception as exc:  # a broken pool must not break the page: draw here instead
            log.warning("chart helper process failed (%s); drawing in the web process", exc)
            with _pool_lock:
                _pool = None
            pool.shutdown(wait=False, cancel_futures=True)
    return vl_convert.vegalite_to_svg(spec)


def _data_uri(spec: str) -> str:
    svg = _svg(spec)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def bar_chart_data_uri(
    rows: Sequence[tuple[str, float]],
    *,
    category_title: str,
    value_title: str,
    width: int = 560,
) -> str:
    """A horizontal bar chart as a ``data:image/svg+xml`` URI, bars in the given order."""
    data = [{"label": str(label), "value": float(value)} for label, value in rows]
    payload = [data, str(category_title), str(value_title), width]
    return _cached("bar", payload, lambda: _bar(data, category_title, value_title, width))


def _bar(data: list[dict[str, Any]], category_title: str, value_title: str, width: int) -> str:
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
    return _data_uri(chart.to_json())


def grouped_bar_chart_data_uri(
    rows: Sequence[tuple[str, str, float]],
    *,
    category_title: str,
    series_title: str,
    value_title: str,
    width: int = 560,
) -> str:
    """Horizontal bars grouped by category, one bar per series, as a data URI.

    Series are told apart by colour and by their order within each group (the legend lists
    them in the same order), and the page shows the numbers as a table too.
    """
    data = [{"category": str(c), "series": str(s), "value": float(v)} for c, s, v in rows]
    payload = [data, str(category_title), str(series_title), str(value_title), width]
    return _cached("grouped", payload, lambda: _grouped(
        data, category_title, series_title, value_title, width))


def _grouped(data: list[dict[str, Any]], category_title: str, series_title: str,
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
    return _data_uri(chart.to_json())
