"""Charts rendered on the server as SVG with Vega-Lite (Altair + vl-convert).

No JavaScript runs in the browser and nothing is fetched from outside; each chart is shown as an
<img> with a text alternative, and every page that shows one also shows the numbers as a table.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import altair as alt
import vl_convert

__all__ = ["bar_chart_data_uri"]

# Dark blue on white: contrast 8.6:1, readable for people with colour-vision deficiencies.
BAR_COLOUR = "#1d4f91"


def bar_chart_data_uri(
    rows: Sequence[tuple[str, float]],
    *,
    category_title: str,
    value_title: str,
    width: int = 560,
) -> str:
    """A horizontal bar chart as a ``data:image/svg+xml`` URI, bars in the given order."""
    data = [{"label": label, "value": float(value)} for label, value in rows]
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
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
