"""Distribution as of a day (the period's last day): households by current stage and by status.

``stages[stage]``: households whose stage span covers the day (start <= day < end, or still
open). ``statuses[status]``: households whose status span covers the day; a household can hold
several statuses at once (active and in support), so statuses do not add up to the total.
``households``: households with a current stage on that day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import (
    OPEN,
    STATUSES,
    JourneyData,
    Query,
    day_iso,
    distinct_sorted,
    member,
    scope,
)

KIND = "distribution"


@dataclass
class Distribution:
    day: str
    households: int
    stages: dict[str, int]
    statuses: dict[str, int]


def _covering(hh, start, end, day, ids, every):
    sel = (start <= day) & ((end == OPEN) | (end > day))
    return sel & member(hh, ids, every)


def compute(data: JourneyData, query: Query) -> Distribution:
    ids = scope(data, query)
    day = query.period.last
    sel = _covering(data.span_household, data.span_start, data.span_end, day, ids, data.household)
    counts = np.bincount(data.span_stage[sel].astype(np.int64), minlength=len(data.stage_keys))
    ssel = _covering(
        data.status_household, data.status_start, data.status_end, day, ids, data.household
    )
    scounts = np.bincount(data.status_code[ssel].astype(np.int64), minlength=len(STATUSES))
    return Distribution(
        day=day_iso(day),
        households=int(distinct_sorted(data.span_household[sel]).shape[0]),
        stages={k: int(counts[i]) for i, k in enumerate(data.stage_keys)},
        statuses={k: int(scounts[i]) for i, k in enumerate(STATUSES)},
    )
