"""From a measure's result to what the dashboard and the CSV show: a table (the chart's text
alternative and the CSV rows), an ECharts option, and for staff the households behind a bar.

One presenter per measure kind, in a registry (``PRESENTERS``). Counts go through the
:class:`~parcours.analytics.privacy.Audience`, so for the board and in exports small counts are
hidden and the others rounded (tables, charts and CSV alike; shares from the rounded counts), and
names appear only for staff. A hidden count is drawn as a dashed box labelled "< 5" up to the
threshold (:func:`point`), never as a zero or a missing bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.analytics.charts import HIDDEN_FLOW, HIDDEN_LABEL, HIDDEN_STYLE, bar_chart, point
from parcours.analytics.privacy import HIDDEN, NOT_SHOWN, SMALL, Audience, coarse_survival


@dataclass
class Labels:
    stage: Callable[[str], str]
    status: Callable[[str], str]
    channel: dict[str, str] = field(default_factory=dict)
    activity: dict[int, str] = field(default_factory=dict)
    action: dict[int, str] = field(default_factory=dict)
    household: dict[int, str] = field(default_factory=dict)  # names, for staff only
    order: tuple[str, ...] = ()  # stage keys in the journey's order
    words: dict[str, str] = field(default_factory=dict)  # the vocabulary's words, see vocab_words
    priority: frozenset[str] = frozenset()  # the priority neighbourhoods


#: At most this many names per funnel bar on the page (the count says how many there are).
DROPOUT_NAMES = 100


@dataclass
class Dropout:
    label: str
    households: list[tuple[int, str]]  # the first DROPOUT_NAMES
    total: int


@dataclass
class Panel:
    kind: str
    title: str
    intro: str
    columns: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any]
    dropouts: list[Dropout] = field(default_factory=list)
    height: int = 320

    @property
    def chart_id(self) -> str:
        return f"chart-data-{self.kind}"


TITLES = {
    "funnel": gettext_lazy("Funnel: how far the %(households)s go"),
    "entry_points": gettext_lazy("Entry points"),
    "distribution": gettext_lazy("Where the %(households)s are now"),
    "flows": gettext_lazy("Moves between stages"),
    "cohorts": gettext_lazy("Monthly cohorts: who keeps coming"),
    "time_in_stage": gettext_lazy("Time spent in each stage"),
    "lifecycle": gettext_lazy("Activity month by month"),
    "channels": gettext_lazy("How the %(households)s heard of us"),
    "activities": gettext_lazy("%(Activity)s and progress"),
    "process_map": gettext_lazy("Journey map and most common paths"),
}


def vocab_words(word: Callable[[str], str]) -> dict[str, str]:
    """The words a panel uses, from the association's vocabulary in the user's language."""
    out = {k: word(k) for k in ("households", "activity", "attendance", "intake")}
    out["Households"] = out["households"][:1].upper() + out["households"][1:]
    out["Activity"] = out["activity"][:1].upper() + out["activity"][1:]
    return out


def title(labels: Labels, kind: str) -> str:
    return str(TITLES[kind]) % labels.words


def pct(x: float | None) -> str:
    if x is None:
        return NOT_SHOWN
    return f"{number_format(100 * x, 1)} %"


def num(x: float | None) -> str:
    return NOT_SHOWN if x is None else number_format(x, 1 if x % 1 else 0)


# -- one presenter per measure ------------------------------------------------------------


def funnel(r, labels: Labels, who: Audience) -> Panel:
    rows, reached, names = [], [], [_("Reached this stage or a later one")]
    prev = None
    dropouts = []
    for s in r.steps:
        label = labels.stage(s.stage)
        rows.append(
            [
                label,
                who.count(s.reached),
                NOT_SHOWN if s.conversion is None else pct(who.ratio(s.reached, prev)),
                pct(who.ratio(s.reached, r.households)),
                who.derived(num(s.days["median"]), s.reached),
                who.derived(num(s.days["p75"]), s.reached),
                who.derived(num(s.days["p90"]), s.reached),
                who.count(len(s.dropped)),
            ]
        )
        reached.append(point(who, s.reached))
        prev = s.reached
        if who.names and s.dropped:
            dropouts.append(
                Dropout(
                    label,
                    [(h, labels.household.get(h, f"#{h}")) for h in s.dropped[:DROPOUT_NAMES]],
                    len(s.dropped),
                )
            )
    return Panel(
        "funnel",
        title(labels, "funnel"),
        _(
            "Among the %(households)s whose journey started during the period (%(n)s): how "
            "many reached each stage or a later one by the end of the period, the share that "
            "went on from the stage before, and the days it took (median, 75th and 90th "
            "percentile)."
        )
        % {**labels.words, "n": who.count(r.households)},
        [
            _("Stage"),
            labels.words["Households"],
            _("From the stage before"),
            _("Of all who entered"),
            _("Median days"),
            _("75th percentile (days)"),
            _("90th percentile (days)"),
            _("Went no further"),
        ],
        rows,
        bar_chart(
            [labels.stage(s.stage) for s in r.steps],
            [{"name": names[0], "data": reached}],
            horizontal=True,
        ),
        dropouts,
        height=380,
    )


def entry_points(r, labels: Labels, who: Audience) -> Panel:
    keys = list(r.counts)
    return Panel(
        "entry_points",
        title(labels, "entry_points"),
        _(
            "Among the %(households)s whose journey started during the period (%(n)s): the "
            "stage at which it started."
        )
        % {**labels.words, "n": who.count(r.households)},
        [_("Stage"), labels.words["Households"]],
        [[labels.stage(k), who.count(r.counts[k])] for k in keys],
        bar_chart(
            [labels.stage(k) for k in keys],
            [{"name": labels.words["Households"], "data": [point(who, r.counts[k]) for k in keys]}],
            horizontal=True,
        ),
        height=340,
    )


def distribution(r, labels: Labels, who: Audience) -> Panel:
    stage_keys, status_keys = list(r.stages), list(r.statuses)
    rows = [[_("Stage"), labels.stage(k), who.count(r.stages[k])] for k in stage_keys]
    rows += [[_("Status"), labels.status(k), who.count(r.statuses[k])] for k in status_keys]
    chart = bar_chart(
        [labels.stage(k) for k in stage_keys],
        [
            {
                "name": labels.words["Households"],
                "data": [point(who, r.stages[k]) for k in stage_keys],
            }
        ],
        horizontal=True,
    )
    return Panel(
        "distribution",
        title(labels, "distribution"),
        _(
            "%(Households)s by current stage and by status on %(day)s (the last day of the "
            "period); several statuses can hold at once."
        )
        % {**labels.words, "day": date_format(date.fromisoformat(r.day), "SHORT_DATE_FORMAT")},
        [_("By"), _("Stage or status"), labels.words["Households"]],
        rows,
        chart,
        height=340,
    )


def flows(r, labels: Labels, who: Audience) -> Panel:
    arrow = "→ "
    nodes: dict[str, None] = {}
    links = []
    rows = []
    for f in r.links:
        source, target = labels.stage(f.source), arrow + labels.stage(f.target)
        rows.append(
            [
                labels.stage(f.source),
                labels.stage(f.target),
                who.count_of(f.transitions, f.households),
                who.count(f.households),
                _("yes") if f.regression else _("no"),
            ]
        )
        if not f.transitions:
            continue
        nodes[source] = nodes[target] = None
        if who.hidden(f.households):  # a thin grey band, its tooltip "< 5"
            grey = {"color": "#777", "opacity": 0.25}
            links.append({"source": source, "target": target, "value": HIDDEN_FLOW,
                          "hidden": True, "lineStyle": grey})  # fmt: skip
            continue
        links.append(
            {
                "source": source,
                "target": target,
                "value": who.shown(f.transitions),
                "lineStyle": {"color": "#c0392b" if f.regression else "source"},
            }
        )
    chart = {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "sankey",
                "data": [{"name": n} for n in nodes],
                "links": links,
                "emphasis": {"focus": "adjacency"},
                "lineStyle": {"curveness": 0.5, "opacity": 0.4},
                "label": {"fontSize": 11},
                "left": 8,
                "right": 110,
                **({"hiddenLabel": HIDDEN} if any(x.get("hidden") for x in links) else {}),
            }
        ],
    }
    return Panel(
        "flows",
        title(labels, "flows"),
        _(
            "Moves from one stage to the next during the period, going back included "
            "(in red). Moves: %(n)s, by %(h)s %(households)s."
        )
        % {**labels.words, "n": who.count(r.transitions), "h": who.count(r.households)},
        [_("From"), _("To"), _("Moves"), labels.words["Households"], _("Going back")],
        rows,
        chart,
        height=420,
    )


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


def channels(r, labels: Labels, who: Audience) -> Panel:
    keys = list(r.channels[0].reached) if r.channels else []
    shown_stages = keys[3:6] if len(keys) >= 6 else keys
    rows = []
    for group, kind in ((r.channels, _("Channel")), (r.actions, _("Outreach action"))):
        for a in group:
            name = (
                labels.channel.get(a.key, a.key or _("Unknown"))
                if kind == _("Channel")
                else labels.action.get(a.key, f"#{a.key}")
            )
            rows.append(
                [kind, name, who.count(a.households), *(who.count(a.reached[k]) for k in keys)]
            )
    cats = [labels.channel.get(a.key, a.key or _("Unknown")) for a in r.channels]
    series = [
        {"name": labels.words["Households"], "data": [point(who, a.households) for a in r.channels]}
    ]
    series += [
        {"name": labels.stage(k), "data": [point(who, a.reached[k]) for a in r.channels]}
        for k in shown_stages
    ]
    return Panel(
        "channels",
        title(labels, "channels"),
        _(
            "Among the %(households)s whose journey started during the period, by how they "
            "heard of us, and among those reached by each outreach action: how many reached "
            "each stage or a later one."
        )
        % labels.words,
        [
            _("By"),
            _("Channel or action"),
            labels.words["Households"],
            *(labels.stage(k) for k in keys),
        ],
        rows,
        bar_chart(cats, series),
        height=360,
    )


def activities(r, labels: Labels, who: Audience) -> Panel:
    acts = sorted(r.activities, key=lambda a: -a.attendees)
    names = [labels.activity.get(a.activity, f"#{a.activity}") for a in acts]
    rows = [
        [
            n,
            who.count(a.attendees),
            who.count(a.progressed),
            pct(who.ratio(a.progressed, a.attendees)),
        ]
        for n, a in zip(names, acts, strict=True)
    ]
    chart = bar_chart(
        names,
        [
            {
                "name": _("With at least one “%(attendance)s”") % labels.words,
                "data": [point(who, a.attendees) for a in acts],
            },
            {
                "name": _("Went further afterwards"),
                "data": [point(who, a.progressed) for a in acts],
            },
        ],
        horizontal=True,
    )
    return Panel(
        "activities",
        title(labels, "activities"),
        _(
            "For each %(activity)s: the %(households)s with at least one “%(attendance)s” "
            "touchpoint during the period, and how many of them reached a later stage after "
            "the first one."
        )
        % labels.words,
        [
            labels.words["Activity"],
            _("With at least one “%(attendance)s”") % labels.words,
            _("Went further afterwards"),
            _("Share"),
        ],
        rows,
        chart,
        height=max(260, 36 * len(acts) + 80),
    )


def process_map(r, labels: Labels, who: Audience) -> Panel:
    rows = [
        [
            _("Move"),
            f"{labels.stage(t.source)} → {labels.stage(t.target)}",
            who.count_of(t.count, t.households),
            who.count(t.households),
            who.derived(num(t.median_days), t.households),
        ]
        for t in r.transitions
    ]
    rows += [
        [_("Path"), " → ".join(labels.stage(s) for s in v.stages), who.count(v.households),
         who.count(v.households), NOT_SHOWN]
        for v in r.variants
    ]  # fmt: skip
    present = {s for t in r.transitions for s in (t.source, t.target)}
    stages = [k for k in labels.order if k in present]
    order = {k: labels.order.index(k) for k in stages}
    nodes = [
        {"name": labels.stage(k), "x": order[k] * 100, "y": (order[k] % 2) * 60,
         "symbolSize": 18}
        for k in stages
    ]  # fmt: skip
    edges = []
    for t in r.transitions:
        shown = who.count_of(t.count, t.households)
        hidden = shown == HIDDEN  # a dashed grey arrow labelled "< 5"
        edges.append(
            {
                "source": labels.stage(t.source),
                "target": labels.stage(t.target),
                "value": SMALL if hidden else shown,
                "label": {"show": True, "formatter": str(shown)},
                "lineStyle": {
                    "width": 1 if hidden else 1 + min(8, shown**0.5),
                    "curveness": 0.3,
                    "type": "dashed" if hidden else "solid",
                    "color": "#777"
                    if hidden
                    else ("#c0392b" if order[t.target] < order[t.source] else "#2a6f97"),
                },
                **({"hidden": True} if hidden else {}),
            }
        )
    chart = {
        "tooltip": {},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "left": 56,
                "right": 56,
                "roam": True,
                "data": nodes,
                "links": edges,
                "edgeSymbol": ["none", "arrow"],
                "label": {"show": True, "position": "bottom", "fontSize": 11},
                **({"hiddenLabel": HIDDEN} if any(e.get("hidden") for e in edges) else {}),
            }
        ],
    }
    return Panel(
        "process_map",
        title(labels, "process_map"),
        _(
            "Among the %(households)s whose journey started during the period: every move "
            "between two stages with its count and the median days spent before it, and the "
            "%(top)s most common paths (out of %(n)s different paths)."
        )
        % {**labels.words, "top": len(r.variants), "n": r.variant_count},
        [_("Kind"), _("Move or path"), _("Times"), labels.words["Households"], _("Median days")],
        rows,
        chart,
        height=300,
    )


PRESENTERS: dict[str, Callable[[Any, Labels, Audience], Panel]] = {
    "funnel": funnel,
    "entry_points": entry_points,
    "distribution": distribution,
    "flows": flows,
    "cohorts": cohorts,
    "time_in_stage": time_in_stage,
    "lifecycle": lifecycle,
    "channels": channels,
    "activities": activities,
    "process_map": process_map,
}


def _people_presenters() -> None:
    from parcours.analytics import panels_people, panels_support

    PRESENTERS["people"] = panels_people.people
    PRESENTERS["hours"] = panels_people.hours
    PRESENTERS["relapse"] = panels_support.relapse
    PRESENTERS["engagement"] = panels_people.engagement


_people_presenters()
