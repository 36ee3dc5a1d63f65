"""The measures of the journey (../shared/docs/journey.md), one module per measure.

Each module has ``KIND``, a result dataclass and ``compute(data: JourneyData, query: Query)``,
a pure function over plain columns. ``MEASURES`` is the registry dispatching by kind; ``run``
computes one measure, ``run_all`` every one (the dashboard).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from parcours.analytics.measures import (
    activities,
    channels,
    cohorts,
    distribution,
    engagement,
    entry_points,
    flows,
    funnel,
    hours,
    lifecycle,
    people,
    process_map,
    relapse,
    time_in_stage,
)
from parcours.analytics.measures.base import Filters, JourneyData, Period, Query

_MODULES: tuple[ModuleType, ...] = (
    funnel,
    entry_points,
    distribution,
    flows,
    cohorts,
    time_in_stage,
    lifecycle,
    channels,
    activities,
    process_map,
    people,
    hours,
    relapse,
    engagement,
)
MEASURES: dict[str, Callable[[JourneyData, Query], Any]] = {m.KIND: m.compute for m in _MODULES}


def run(kind: str, data: JourneyData, query: Query) -> Any:
    try:
        measure = MEASURES[kind]
    except KeyError:
        raise ValueError(f"unknown measure {kind!r}; known: {', '.join(MEASURES)}") from None
    return measure(data, query)


def run_all(data: JourneyData, query: Query) -> dict[str, Any]:
    return {kind: measure(data, query) for kind, measure in MEASURES.items()}


__all__ = ["MEASURES", "Filters", "JourneyData", "Period", "Query", "run", "run_all"]
