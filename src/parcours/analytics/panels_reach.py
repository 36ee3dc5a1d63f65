"""The panels of reach: how the households heard of us, and the activities that move them on.

See panel_base for what a panel is; counts go through the Audience (analytics.privacy)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parcours.analytics.charts import bar_chart, point
from parcours.analytics.panel_base import Labels, Panel, pct, title
from parcours.analytics.privacy import Audience


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
