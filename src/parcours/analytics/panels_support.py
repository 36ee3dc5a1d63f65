"""Presenter of the support and relapse measure (the journey's Maintenance step): for the roles
that may learn of support only (the dashboard leaves it out for the others)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.analytics.charts import bar_chart, point
from parcours.analytics.measures.relapse import WINDOW
from parcours.analytics.privacy import NOT_SHOWN, Audience

TITLE = gettext_lazy("Personalised support and relapses")


def relapse(r, labels, who: Audience):
    from parcours.analytics.panels import Panel, num, pct

    def days(d, n):
        return [who.derived(num(d[k]), n) for k in ("median", "p75", "p90")]

    rows = [
        [_("Support cases opened"), who.count(r.opened), NOT_SHOWN, NOT_SHOWN, NOT_SHOWN],
        [_("Support cases closed"), who.count(r.closed), *days(r.time_in_support, r.closed)],
        [_("Still open at the end of the period"), who.count(r.open_at_end),
         NOT_SHOWN, NOT_SHOWN, NOT_SHOWN],
        [_("Closed a year before, followed for a year"), who.count(r.closures),
         NOT_SHOWN, NOT_SHOWN, NOT_SHOWN],
        [_("Support opened again within 12 months"), who.count(r.relapsed),
         *days(r.time_to_relapse, r.relapsed)],
    ]  # fmt: skip
    share = pct(who.ratio(r.relapsed, r.closures))
    chart = bar_chart(
        [row[0] for row in rows],
        [{"name": _("Cases or %(households)s") % labels.words,
          "data": [point(who, n) for n in (r.opened, r.closed, r.open_at_end, r.closures,
                                          r.relapsed)]}],
        horizontal=True,
    )  # fmt: skip
    return Panel(
        "relapse",
        str(TITLE),
        _(
            "Support cases opened and closed during the period, and the days in support of "
            "those closed (median, 75th and 90th percentile). Relapses: among the "
            "%(households)s whose support closed in the same period a year earlier, those "
            "whose support opened again within %(window)s days, and after how many days. "
            "Share of relapses: %(share)s."
        )
        % {**labels.words, "window": WINDOW, "share": share},
        [
            _("Support"),
            _("Count"),
            _("Median days"),
            _("75th percentile (days)"),
            _("90th percentile (days)"),
        ],
        rows,
        chart,
        height=300,
    )
