"""The journey's panels: how far the households go, where they start, where they are now,
their moves and their paths.

See panel_base for what a panel is; counts go through the Audience (analytics.privacy)."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parcours.analytics.charts import HIDDEN_FLOW, bar_chart, point
from parcours.analytics.panel_base import DROPOUT_NAMES, Dropout, Labels, Panel, num, pct, title
from parcours.analytics.privacy import HIDDEN, NOT_SHOWN, SMALL, Audience


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
        phone_table=True,
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
        phone_table=True,
    )
