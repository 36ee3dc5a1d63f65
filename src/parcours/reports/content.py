"""The period activity report: the dashboard's own panels for a period, in the order a general
assembly or a funder reads them, with a chart drawn as SVG where the panel has bars.

The figures are the dashboard's by construction: the same selectors, measures, presenters and
audience (small cells hidden and rounded for the board and in every export,
``parcours.analytics.privacy``), for the same period and filters. The report never carries
names: the funnel's lists of households are not part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils import timezone

from parcours.accounts.roles import ROLE_CAPABILITIES
from parcours.analytics.measures import Query
from parcours.analytics.panels import Panel
from parcours.analytics.privacy import EXPORT, Audience, audience_for
from parcours.analytics.views import dashboard_kinds, panels_for
from parcours.reports.svg import bar_svg

#: The report's sections, in reading order (those a member may not see are left out).
SECTIONS = ("people", "funnel", "flows", "hours", "activities", "relapse", "engagement")


NUMBER = re.compile(r"[<\d\s\u202f\xa0,.%–-]+")


@dataclass
class Section:
    panel: Panel
    svg: str | None

    @property
    def rows(self) -> list[list[tuple[object, bool]]]:
        """The panel's rows, each cell with whether it is a figure (aligned right)."""
        return [
            [(c, isinstance(c, int | float) or bool(NUMBER.fullmatch(str(c)))) for c in row]
            for row in self.panel.rows
        ]


@dataclass
class Report:
    association: object
    query: Query
    who: Audience
    sections: list[Section] = field(default_factory=list)
    words: dict = field(default_factory=dict)
    volunteers: int = 0
    generated: date | None = None
    form: object = None

    @property
    def logo_uri(self) -> str | None:
        """The association's logo as a file URI for WeasyPrint, when the settings have one."""
        logo = getattr(self.association, "logo", None)
        try:
            return Path(logo.path).as_uri() if logo else None
        except (ValueError, NotImplementedError, AttributeError):
            return None


def default_year(today: date) -> tuple[date, date]:
    """The last whole calendar year: what a general assembly reports on."""
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def with_default_period(request):
    """The request's GET parameters, the period defaulting to the last whole year."""
    params = request.GET.copy()
    start, end = default_year(timezone.localdate())
    if not params.get("start"):
        params["start"] = start.isoformat()
    if not params.get("end"):
        params["end"] = end.isoformat()
    return params


def build(request, *, export: bool) -> Report:
    """The report of the request's period and filters for its member; ``export``: as a file
    leaving Parcours (PDF, XLSX), whose counts are those of every export (EXPORT)."""
    from parcours.accounts.models import Membership
    from parcours.accounts.roles import Role

    association = request.membership.association
    own = audience_for(ROLE_CAPABILITIES[request.membership.role])
    who = EXPORT if export else own
    request.GET = with_default_period(request)
    visible = set(dashboard_kinds(request.membership))
    kinds = [k for k in SECTIONS if k in visible]
    form, query, panels, words = panels_for(request, association, kinds, who,
                                            months=own.hide_small)  # fmt: skip
    sections = [Section(p, bar_svg(p.chart)) for p in panels]
    volunteers = Membership.objects.filter(
        association=association, role=Role.VOLUNTEER, user__is_active=True
    ).count()
    return Report(association, query, who, sections, words, volunteers,
                  timezone.localdate(), form)  # fmt: skip
