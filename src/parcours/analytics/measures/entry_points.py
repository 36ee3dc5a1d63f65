"""Entry points: the stage at which households entered the journey.

Population: households (after the filters) whose first stage span starts within the period.
``counts[stage]`` is how many of them had ``stage`` as the stage of their first span (a family
brought by a peer enters at selection, skipping awareness and research).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import (
    JourneyData,
    Query,
    group_firsts,
    scope,
    spans_until,
)

KIND = "entry_points"


@dataclass
class EntryPoints:
    households: int
    counts: dict[str, int]


def compute(data: JourneyData, query: Query) -> EntryPoints:
    hh, st, start, _end = spans_until(data, query, scope(data, query))
    firsts = group_firsts(hh)
    first_stage = st[firsts][start[firsts] >= query.period.first]
    counts = np.bincount(first_stage.astype(np.int64), minlength=len(data.stage_keys))
    return EntryPoints(
        households=int(first_stage.shape[0]),
        counts={k: int(counts[i]) for i, k in enumerate(data.stage_keys)},
    )
