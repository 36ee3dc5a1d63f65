"""The panels over time: monthly cohorts, time spent in each stage (survival), activity
month by month.

See panel_base for what a panel is; counts go through the Audience (analytics.privacy)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parcours.analytics.charts import HIDDEN_LABEL, HIDDEN_STYLE, bar_chart, point
from parcours.analytics.panel_base import Labels, Panel, pct, title
from parcours.analytics.privacy import HIDDEN, NOT_SHOWN, Audience, coarse_survival


def cohorts(r, labels: Labels, who: Audience) -> Panel:
    width = max((len(c.attended) for c in r.cohorts), default=0)
    months = [_("Month %(n)s") % {"n": m} for m in range(width)]
    rows, data, hidden = [], [], []
    for y, c in enumerate(r.cohorts):
        cells = [c.month, who.count(c.households)]
        for m, n in enumerate(c.attended):
            share = who.ratio(n, c.households)
            cells.append(pct(share))
            if share is not None:
                data.append([m, y, round(100 * share, 1)])
            elif c.households:  # hidden, drawn as a dashed "< 5" cell
                hidden.append({"value": [m, y, 0], "hidden": True, "itemStyle": HIDDEN_STYLE,
                               "label": HIDDEN_LABEL})  # fmt: skip
        cells += [""] * (width - len(c.attended))
        rows.append(cells)
    chart = {
        "tooltip": {"position": "top"},
        "grid": {"containLabel": True, "left": 8, "right": 8, "top": 8, "bottom": 80},
        "xAxis": {"type": "category", "data": months, "splitArea": {"show": True}},
        "yAxis": {"type": "category", "data": [c.month for c in r.cohorts], "inverse": True},
        "visualMap": {
            "seriesIndex": 0,
            "min": 0,
            "max": 100,
            "calculable": True,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "inRange": {"color": ["#f7fbff", "#08519c"]},
        },
        "series": [
            {
                "type": "heatmap",
                "name": _("Share (%)"),
                "data": data,
                "label": {"show": True},
            },
            {"type": "heatmap", "name": _("Share (%)"), "data": hidden, "hiddenLabel": HIDDEN},
        ],
    }
    return Panel(
        "cohorts",
        title(labels, "cohorts"),
        _(
            "Cohorts by the month of the first “%(intake)s” touchpoint: the share of the "
            "%(households)s with at least one “%(attendance)s” touchpoint in that month "
            "(month 0) and in each later month."
        )
        % labels.words,
        [_("Cohort"), labels.words["Households"], *months],
        rows,
        chart,
        height=max(240, 40 * len(r.cohorts) + 100),
        phone_table=True,
    )


def time_in_stage(r, labels: Labels, who: Audience) -> Panel:
    rows, series = [], []
    for s in r.stages:
        if not s.spans:
            continue
        shown = not who.hidden(s.households)
        curve = s.curve if not who.hide_small else coarse_survival(s.curve, s.exits)
        median = next((t for t, p in curve if p <= 0.5), None)
        rows.append(
            [
                labels.stage(s.stage),
                who.count(s.households),
                who.count(s.events) if shown else NOT_SHOWN,
                who.count(s.censored) if shown else NOT_SHOWN,
                (NOT_SHOWN if median is None else median) if shown else NOT_SHOWN,
            ]
        )
        if shown and len(curve) > (1 if who.hide_small else 0):
            points = [[t, round(100 * p, 1)] for t, p in curve]
            if not who.hide_small:
                points.insert(0, [0, 100.0])
            series.append(
                {
                    "type": "line",
                    "step": "end",
                    "name": labels.stage(s.stage),
                    "data": points,
                    "showSymbol": False,
                }
            )
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 36, "bottom": 24},
        "xAxis": {"type": "value", "name": _("days"), "nameLocation": "middle", "nameGap": 24},
        "yAxis": {"type": "value", "max": 100, "name": "%"},
        "series": series,
    }
    return Panel(
        "time_in_stage",
        title(labels, "time_in_stage"),
        _(
            "Share of the %(households)s still in a stage after a number of days "
            "(Kaplan–Meier). Those still there at the end of the period count until that day "
            "(censored)."
        )
        % labels.words,
        [
            _("Stage"),
            labels.words["Households"],
            _("Left the stage"),
            _("Still in it"),
            _("Median days"),
        ],
        rows,
        chart,
        height=360,
        phone_table=True,
    )


def lifecycle(r, labels: Labels, who: Audience) -> Panel:
    months = [m.month for m in r.months]
    names = {
        "new": _("New"),
        "returning": _("Returning"),
        "resurrecting": _("Back after a break"),
        "dormant": _("Gone quiet"),
    }

    def series(attr: str, sign: int = 1) -> dict:
        return {
            "name": names[attr],
            "stack": "all",
            "data": [point(who, getattr(m, attr), sign) for m in r.months],
        }

    chart = bar_chart(
        months,
        [series("new"), series("returning"), series("resurrecting"), series("dormant", -1)],
    )
    return Panel(
        "lifecycle",
        title(labels, "lifecycle"),
        _(
            "Each month, among the %(households)s: new this month, returning from the month "
            "before, back after a break, and gone quiet (active the month before, not this "
            "month). Messages from the association do not count as activity."
        )
        % labels.words,
        [_("Month"), *names.values()],
        [[m.month, *(who.count(getattr(m, a)) for a in names)] for m in r.months],
        chart,
    )
