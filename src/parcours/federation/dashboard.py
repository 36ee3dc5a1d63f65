"""The federation's page as its viewers see it: every count through the board's privacy rules.

Each count, in each association's row and in the federation's total row, on its own: hidden
under 5 ("< 5") and otherwise rounded down to its band of five (parcours.analytics.privacy).
The totals are summed from the true figures and then banded, never summed from shown cells,
so a total minus the shown cells leaves each hidden cell open. Shares come from the middles of
the shown bands; a median in a stage is shown only when at least 5 households were in it and
at least 5 left it. Association names are shown (comparing them is the point); never a
household's or a person's name, id or address (there are none in the figures).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.formats import number_format
from django_scopes import scopes_disabled

from parcours.analytics.privacy import BOARD, NOT_SHOWN
from parcours.federation.figures import AssociationFigures, StageTime
from parcours.federation.store import figures_for

WHO = BOARD  # the federation learns what the board learns, no more
MONTHS = (3, 6, 12, 24)
DEFAULT_MONTHS = 12


def period(last: date, months: int) -> tuple[date, date]:
    """The ``months`` months ending on ``last`` (the day after the same day months before)."""
    y, m = divmod(last.year * 12 + last.month - 1 - months, 12)
    m += 1
    day = min(last.day, calendar.monthrange(y, m)[1])
    return date(y, m, day) + timedelta(days=1), last


@dataclass
class Row:
    name: str
    total: int | str  # households in the journey on the last day
    stages: list[int | str]
    entries: int | str
    reached: list[int | str]
    shares: list[str]  # reached / entries, from the shown bands
    medians: list[int | str]
    is_total: bool = False

    @property
    def progression(self) -> list[tuple[int | str, str]]:
        return list(zip(self.reached, self.shares, strict=True))


@dataclass
class Page:
    federation: object
    first: date
    last: date
    months: int
    stage_keys: tuple[str, ...]
    stage_labels: list[str]
    rows: list[Row] = field(default_factory=list)
    computed: int = 0  # associations whose figures were computed for this request


def _pct(x: float | None) -> str:
    return NOT_SHOWN if x is None else f"{number_format(round(100 * x), 0)} %"


def _row(name: str, f: AssociationFigures, keys: tuple[str, ...], *, is_total=False) -> Row:
    total = sum(f.stages[k] for k in keys)
    return Row(
        name=name,
        total=WHO.count(total),
        stages=[WHO.count(f.stages[k]) for k in keys],
        entries=WHO.count(f.entries),
        reached=[WHO.count(r) for r in f.reached],
        shares=[_pct(WHO.ratio(r, f.entries)) for r in f.reached],
        medians=[
            WHO.derived(f.time[k].median_days, f.time[k].households, f.time[k].exits) for k in keys
        ],
        is_total=is_total,
    )


def federation_total(figures: list[AssociationFigures], keys: tuple[str, ...]):
    """The federation's true figures: sums of the associations' (no median: a median of the
    whole federation is not the sum of its members', and is not shown)."""
    out = AssociationFigures(
        stages={k: sum(f.stages[k] for f in figures) for k in keys},
        entries=sum(f.entries for f in figures),
        reached=[sum(f.reached[i] for f in figures) for i in range(len(keys))],
        time={k: StageTime() for k in keys},
    )
    return out


def members(federation):
    """The member associations (by name) and the journey whose stages split the figures: the
    first member's (the shipped one when there is none)."""
    from django.conf import settings

    from parcours.journey.definitions import definition_for

    associations = list(federation.associations.order_by("name", "id"))
    if associations:
        return associations, definition_for(associations[0])
    from parcours.engine.definition import shipped_definition

    return associations, shipped_definition(settings.PARCOURS_JOURNEY)


def refresh(*, today: date) -> int:
    """Compute and store every federation's figures for the default period ending ``today``
    (the daily run does it at night, so the day's first visit finds them); returns how many
    associations' figures were computed."""
    from parcours.federation.models import Federation

    first, last = period(today, DEFAULT_MONTHS)
    computed = 0
    with scopes_disabled():
        for federation in Federation.objects.all():
            associations, definition = members(federation)
            _, n = figures_for([a.pk for a in associations], first=first, last=last,
                               stage_keys=tuple(definition.stage_keys))  # fmt: skip
            computed += n
    return computed


def build(federation, *, last: date, months: int, lang: str) -> Page:
    first, last = period(last, months)
    with scopes_disabled():
        associations, definition = members(federation)
        keys = tuple(definition.stage_keys)
        found, computed = figures_for(
            [a.pk for a in associations], first=first, last=last, stage_keys=keys
        )
    page = Page(
        federation=federation,
        first=first,
        last=last,
        months=months,
        stage_keys=keys,
        stage_labels=[definition.stage_label(k, lang) for k in keys],
        computed=computed,
    )
    page.rows = [_row(a.name, found[a.pk], keys) for a in associations]
    total = federation_total([found[a.pk] for a in associations], keys)
    page.rows.append(_row(federation.name, total, keys, is_total=True))
    return page
