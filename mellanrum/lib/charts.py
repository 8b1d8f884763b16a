"""Charts rendered on the server as SVG with Vega-Lite (Altair + vl-convert).

No JavaScript runs in the browser and nothing is fetched from outside; each chart is shown as an
<img> with a text alternative, and every page that shows one also shows the numbers as a table.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import altair as alt
import vl_convert

__all__ = ["bar_chart_data_uri", "grouped_bar_chart_data_uri"]

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
    data = [{"category": c, "series": s, "value": float(v)} for c, s, v in rows]
    series = list(dict.fromkeys(s for _c, s, _v in rows))
    categories = list(dict.fromkeys(c for c, _s, _v in rows))
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
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
