"""Time in stage as a survival curve (Kaplan–Meier), households still in the stage censored.

Each stage span that starts within the period is one observation: its duration is
``end - start`` days when it ended on or before the period end (an event: the household left the
stage), otherwise ``period end + 1 - start`` and it is censored (the household was still there).
The Kaplan–Meier estimate after t days is the product over event durations u <= t of
(1 - d_u / n_u), where d_u spans ended after exactly u days and n_u spans lasted at least u days.
``median_days`` is the first duration where the survival falls to 0.5 or below (None if never).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parcours.analytics.measures.base import (
    OPEN,
    JourneyData,
    Query,
    group_firsts,
    scope,
    span_mask,
)

KIND = "time_in_stage"


@dataclass
class StageSurvival:
    stage: str
    spans: int
    households: int
    events: int
    censored: int
    median_days: int | None
    curve: list[tuple[int, float]]  # (days, share still in the stage after that many days)
    exits: list[int] = field(default_factory=list)  # spans ended at each day of ``curve``


@dataclass
class TimeInStage:
    stages: list[StageSurvival]


def kaplan_meier(duration: np.ndarray, event: np.ndarray) -> list[tuple[int, float]]:
    return _kaplan_meier(duration, event)[0]


def _kaplan_meier(duration: np.ndarray, event: np.ndarray) -> tuple[list, list[int]]:
    """The curve [(days, survival)] at each day with an exit, and the exits of each such day."""
    if duration.size == 0:
        return [], []
    duration = duration.astype(np.int64)
    deaths = np.bincount(duration, weights=event.astype(np.float64))
    at_risk = np.bincount(duration)[::-1].cumsum()[::-1]
    times = np.flatnonzero(deaths > 0)
    surv = np.cumprod(1.0 - deaths[times] / at_risk[times])
    exits = deaths[times].astype(np.int64).tolist()
    return list(zip(times.tolist(), surv.tolist(), strict=True)), exits


def compute(data: JourneyData, query: Query) -> TimeInStage:
    first, last = query.period.first, query.period.last
    sel = span_mask(data, scope(data, query)) & (data.span_start >= first)
    sel &= data.span_start <= last
    hh, st, start, end = (data.span_household[sel], data.span_stage[sel],
                          data.span_start[sel], data.span_end[sel])  # fmt: skip
    event = (end != OPEN) & (end <= last)
    duration = np.where(event, end, last + 1).astype(np.int64) - start
    out = []
    for k, key in enumerate(data.stage_keys):
        m = st == k
        curve, exits = _kaplan_meier(duration[m], event[m])
        median = next((t for t, s in curve if s <= 0.5), None)
        out.append(
            StageSurvival(
                stage=key,
                spans=int(m.sum()),
                households=int(group_firsts(hh[m]).sum()),  # spans are sorted by household
                events=int(event[m].sum()),
                censored=int((~event[m]).sum()),
                median_days=median,
                curve=curve,
                exits=exits,
            )
        )
    return TimeInStage(out)
