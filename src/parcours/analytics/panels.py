"""From a measure's result to what the dashboard and the CSV show: one presenter per measure
kind, in a registry (``PRESENTERS``). What a panel is: panel_base; the presenters:
panels_journey, panels_time, panels_reach. A hidden count is drawn as a dashed box labelled
"< 5" up to the threshold (charts.point), never as a zero or a missing bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parcours.analytics.panel_base import DROPOUT_NAMES, Labels, Panel, num, pct, vocab_words
from parcours.analytics.panels_journey import (
    distribution,
    entry_points,
    flows,
    funnel,
    process_map,
)
from parcours.analytics.panels_reach import activities, channels
from parcours.analytics.panels_time import cohorts, lifecycle, time_in_stage
from parcours.analytics.privacy import Audience

__all__ = ["DROPOUT_NAMES", "PRESENTERS", "Labels", "Panel", "num", "pct", "vocab_words"]

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
