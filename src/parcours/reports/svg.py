"""Bar charts drawn as SVG on the server, for the printed report (no JavaScript in a PDF).

They read the same chart option the dashboard gives ECharts (``parcours.analytics.charts``), so
they show the same figures; a hidden count (the dashboard's dashed "< 5" marker) is drawn as a
dashed box labelled "< 5", never as a zero bar. Charts other than bars (Sankey, heat map,
graph, lines) are left to their table.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from parcours.analytics.privacy import HIDDEN

COLOURS = ("#2a6f97", "#e07a5f", "#3d9970", "#8e6c8a", "#b08d57", "#5c677d")
WIDTH = 640
LABEL_W = 210
ROW_H = 16
GAP = 6


def _value(point) -> tuple[float, bool]:
    if isinstance(point, dict):
        return abs(float(point.get("value", 0))), bool(point.get("hidden"))
    return abs(float(point)), False


def bar_svg(chart: dict) -> SafeString | None:
    """Horizontal grouped bars of a dashboard bar chart, or None for another kind of chart."""
    series = [s for s in chart.get("series", []) if s.get("type") == "bar"]
    axis = chart.get("yAxis") if chart.get("yAxis", {}).get("type") == "category" else None
    axis = axis or (
        chart.get("xAxis") if chart.get("xAxis", {}).get("type") == "category" else None
    )
    if not series or not axis or len(series) != len(chart.get("series", [])):
        return None
    categories = [str(c) for c in axis.get("data", [])]
    if not categories:
        return None
    top = max((_value(p)[0] for s in series for p in s.get("data", [])), default=0) or 1
    group_h = ROW_H * len(series) + GAP
    legend_h = 18 if len(series) > 1 else 0
    height = legend_h + group_h * len(categories) + GAP
    span = WIDTH - LABEL_W - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" font-family="DejaVu Sans, sans-serif" font-size="10">'
    ]
    if legend_h:
        x = LABEL_W
        for i, s in enumerate(series):
            parts.append(f'<rect x="{x}" y="4" width="10" height="10" '
                         f'fill="{COLOURS[i % len(COLOURS)]}"/>')  # fmt: skip
            parts.append(f'<text x="{x + 14}" y="13">{escape(s.get("name", ""))}</text>')
            x += 24 + 7 * len(str(s.get("name", "")))
    for row, label in enumerate(categories):
        y0 = legend_h + row * group_h
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y0 + group_h / 2 + 2:.0f}" text-anchor="end">'
            f"{escape(label[:38])}</text>"
        )
        for i, s in enumerate(series):
            data = s.get("data", [])
            value, hidden = _value(data[row]) if row < len(data) else (0.0, False)
            y = y0 + i * ROW_H
            w = max(1.0, span * value / top)
            if hidden:
                parts.append(
                    f'<rect x="{LABEL_W}" y="{y + 1}" width="{w:.1f}" height="{ROW_H - 3}" '
                    'fill="#eee" stroke="#555" stroke-dasharray="3 2"/>'
                    f'<text x="{LABEL_W + w + 4:.1f}" y="{y + ROW_H - 4}">{escape(HIDDEN)}</text>'
                )
                continue
            shown = number_format(value, 0 if value == int(value) else 1)
            parts.append(
                f'<rect x="{LABEL_W}" y="{y + 1}" width="{w:.1f}" height="{ROW_H - 3}" '
                f'fill="{COLOURS[i % len(COLOURS)]}"/>'
                f'<text x="{LABEL_W + w + 4:.1f}" y="{y + ROW_H - 4}">{shown}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
