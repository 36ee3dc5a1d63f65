"""ECharts options for the dashboard's panels, and how a hidden count is drawn in them.

A hidden count (fewer than 5 households, see :mod:`parcours.analytics.privacy`) is never drawn as
a zero or as a missing bar: a bar becomes an empty dashed box from 0 to the threshold labelled
"< 5" (:func:`point`), a Sankey flow a thin grey band, a map arrow a dashed grey one; the series
carries ``hiddenLabel`` so that dashboard.js makes their tooltips say "< 5" too.
"""

from __future__ import annotations

from parcours.analytics.privacy import HIDDEN, SMALL, Audience

#: The width of a hidden flow in the Sankey diagram: a thin band whose tooltip says "< 5".
HIDDEN_FLOW = 1

#: How a hidden count is drawn: an empty dashed box from 0 to the threshold, labelled "< 5".
HIDDEN_STYLE = {
    "color": "rgba(110, 110, 110, 0.12)",
    "borderColor": "#555",
    "borderType": "dashed",
    "borderWidth": 1,
}


#: The "< 5" label of a hidden marker: dark text, readable on its light box.
HIDDEN_LABEL = {"show": True, "formatter": HIDDEN, "color": "#333", "textBorderWidth": 0}


def point(who: Audience, n: int, sign: int = 1) -> int | dict:
    """One bar of a chart: the shown count, or the hidden marker (see HIDDEN_STYLE). In a stack
    the markers sit on top of each other: each is a box of the threshold's height."""
    if not who.hidden(n):
        return sign * who.shown(n)
    return {"value": sign * SMALL, "hidden": True, "itemStyle": HIDDEN_STYLE,
            "label": dict(HIDDEN_LABEL)}  # fmt: skip


def _mark_hidden(series: dict, position: str) -> dict:
    """Name the hidden marker for dashboard.js (tooltips say "< 5") and place its labels."""
    hidden = [d for d in series.get("data", []) if isinstance(d, dict) and d.get("hidden")]
    if hidden:
        series["hiddenLabel"] = HIDDEN
        for d in hidden:
            # In a stack the boxes sit on top of each other: each label inside its own box.
            outside = "bottom" if d["value"] < 0 else position
            d["label"] = {**d["label"], "position": "inside" if "stack" in series else outside}
    return series


def bar_chart(
    categories: list[str], series: list[dict], *, horizontal: bool = False, **extra
) -> dict:
    cat_axis = {"type": "category", "data": categories, "axisLabel": {"interval": 0}}
    val_axis = {"type": "value", "minInterval": 1}
    if horizontal:
        cat_axis["inverse"] = True
        axes = {"yAxis": cat_axis, "xAxis": val_axis}
    else:
        cat_axis["axisLabel"]["rotate"] = 30
        axes = {"xAxis": cat_axis, "yAxis": val_axis}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 36, "bottom": 8},
        **axes,
        "series": [
            _mark_hidden({"type": "bar", **s}, "right" if horizontal else "top") for s in series
        ],
        **extra,
    }
