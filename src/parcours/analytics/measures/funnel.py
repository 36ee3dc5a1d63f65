"""Funnel: how far the households that entered the journey during the period went.

Population: households (after the filters) whose first stage span starts within the period.
For each stage k, ``reached`` counts those that were at stage k *or a later one* on some day
up to the period end (skipping a stage still counts as passing it). ``conversion`` is
reached[k] / reached[k-1]; ``overall`` is reached[k] / population. ``days`` are the median, 75th
and 90th percentile (linear interpolation) of the days between first being at stage k-1 or later
and first being at stage k or later, over the households that reached k. ``dropped`` lists the
households whose furthest stage is k: the people behind the bar who went no further.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parcours.analytics.measures.base import (
    NEVER,
    JourneyData,
    Query,
    entered_in_period,
    first_reach,
    percentiles,
    scope,
)

KIND = "funnel"


@dataclass
class FunnelStep:
    stage: str
    reached: int
    conversion: float | None
    overall: float | None
    days: dict[str, float | None]
    dropped: list[int] = field(default_factory=list)


@dataclass
class Funnel:
    households: int
    steps: list[FunnelStep]


def compute(data: JourneyData, query: Query) -> Funnel:
    entered, hh, st, start, _end = entered_in_period(data, query, scope(data, query))
    k_n = len(data.stage_keys)
    firsts = first_reach(entered, hh, st, start, k_n)
    reached_mask = firsts != NEVER
    reached = reached_mask.sum(axis=0)
    furthest = reached_mask.sum(axis=1) - 1
    total = int(entered.shape[0])
    steps = []
    for k, key in enumerate(data.stage_keys):
        r = int(reached[k])
        if k == 0:
            conv = None
            days = percentiles(np.empty(0))
        else:
            prev = int(reached[k - 1])
            conv = r / prev if prev else None
            rows = reached_mask[:, k]
            days = percentiles(firsts[rows, k].astype(np.int64) - firsts[rows, k - 1])
        steps.append(
            FunnelStep(
                stage=key,
                reached=r,
                conversion=conv,
                overall=r / total if total else None,
                days=days,
                dropped=entered[furthest == k].tolist(),
            )
        )
    return Funnel(households=total, steps=steps)
