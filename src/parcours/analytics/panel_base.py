"""What every panel of the dashboard is made of: labels, the panel itself, titles and number
formats. The presenters, one per measure kind, are in panels_journey, panels_time and
panels_reach; their registry ``PRESENTERS`` in panels.

Counts go through the :class:`~parcours.analytics.privacy.Audience`, so for the board and in
exports small counts are hidden and the others rounded (tables, charts and CSV alike; shares
from the rounded counts), and names appear only for staff. A hidden count is drawn as a dashed
box labelled "< 5" up to the threshold (charts.point), never as a zero or a missing bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy

from parcours.analytics.privacy import NOT_SHOWN


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
    # on a narrow screen the table is shown first and the chart hidden: a heatmap, a map of
    # moves or ten survival curves cannot be read on a phone (dashboard.js, dashboard.css)
    phone_table: bool = False

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
