"""Renders Vega-Lite to SVG in a helper process, so that the web process's threads keep running.

vl-convert holds Python's global interpreter lock while it draws (60-100 ms per chart, about a
second for hundreds of bars), which would stall every other request thread of the process.
This module imports nothing but vl-convert, so the helper process starts quickly.
"""

from __future__ import annotations

import os
import threading
import time

import vl_convert


def start(parent: int, trim_seconds: float) -> None:
    """Run in each helper process as it starts: exits with its web process, and hands the
    memory vl-convert frees back to the system every ``trim_seconds``, as the web process
    does."""
    from mellanrum.lib.memory import start_trimming

    watch_parent(parent)
    start_trimming(trim_seconds)


def watch_parent(parent: int) -> None:
    """Exit when the web process is gone (it may be killed without shutting the pool down)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


# The smallest chart vl-convert draws the way the app's charts are drawn.
_WARM_UP_SPEC = (
    '{"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": "bar",'
    ' "data": {"values": [{"label": "a", "value": 1}]},'
    ' "encoding": {"y": {"field": "label", "type": "nominal"},'
    ' "x": {"field": "value", "type": "quantitative"}}}'
)


def ready() -> bool:
    """Submitted once to start the helper process before any chart is drawn. It draws a tiny
    chart, so that vl-convert's JavaScript engine is loaded now: otherwise the first picture
    a viewer asks for waits for it, and the helper's memory grows by about 50 MB then."""
    return render_svg(_WARM_UP_SPEC).lstrip().startswith("<svg")


def render_svg(spec: str) -> str:
    return vl_convert.vegalite_to_svg(spec)
