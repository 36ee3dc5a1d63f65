"""Per activity: attendees during the period, and how many progressed afterwards.

``attendees``: households (after the filters) with at least one ``attendance`` of the activity
within the period. A household *progressed* when, after the day of its first attendance of that
activity in the period (d), it entered a stage later than the one it was at on d, on or before
the period end: some stage span starting in (d, period end] has a higher stage than the span
covering d (no span covering d counts as below every stage).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import (
    ATTENDANCE,
    OPEN,
    JourneyData,
    Query,
    group_firsts,
    scope,
    spans_until,
    tp_mask,
)

KIND = "activities"
SHIFT = 1 << 20  # day numbers fit in 20 bits until year 4840


@dataclass
class ActivityContribution:
    activity: int
    attendees: int
    progressed: int


@dataclass
class Activities:
    activities: list[ActivityContribution]


def _suffix_max(hh: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Per position, the highest stage of that household's spans from this one on."""
    if hh.size == 0:
        return stage.astype(np.int64)
    group = np.cumsum(group_firsts(hh)) - 1  # 0.. in household order
    # reversed, groups decrease: lift each by (n - group) so that no group reaches into another
    lift = (int(group[-1]) + 1 - group) * 64
    return np.maximum.accumulate((lift + stage)[::-1])[::-1] - lift


def _first_per_pair(hh: np.ndarray, act: np.ndarray) -> np.ndarray:
    """Row of the first occurrence of each (household, activity), rows in (household, day)
    order; through a dense table when it is small enough, else a stable sort."""
    if hh.size == 0:
        return np.empty(0, dtype=np.int64)
    a_lo, a_n = int(act.min()), int(act.max()) - int(act.min()) + 1
    h_lo, h_n = int(hh[0]), int(hh[-1]) - int(hh[0]) + 1
    key = (hh - h_lo) * a_n + (act - a_lo)
    if h_n * a_n <= 64_000_000:
        first = np.full(h_n * a_n, hh.size, dtype=np.int64)
        np.minimum.at(first, key, np.arange(hh.size, dtype=np.int64))
        return first[first < hh.size]  # ascending key: (household, activity) order
    order = np.argsort(key, kind="stable")
    return order[group_firsts(key[order])]


def compute(data: JourneyData, query: Query) -> Activities:
    ids = scope(data, query)
    first, last = query.period.first, query.period.last
    sel = tp_mask(data, ids) & (data.tp_kind == ATTENDANCE) & (data.tp_activity >= 0)
    sel &= (data.tp_day >= first) & (data.tp_day <= last)
    hh, act, day = data.tp_household[sel], data.tp_activity[sel], data.tp_day[sel]
    # first attendance of each (household, activity): rows are sorted by (household, day), and
    # np.unique's index is the first occurrence
    first_rows = _first_per_pair(hh, act)
    hh, act, day = hh[first_rows], act[first_rows], day[first_rows].astype(np.int64)

    s_hh, s_st, s_start, s_end = spans_until(data, query, np.unique(hh))
    sufmax = _suffix_max(s_hh, s_st)
    # a sentinel span at the end so that positions i and j are always valid
    s_hh, s_st, s_end = np.r_[s_hh, -1], np.r_[s_st, -1], np.r_[s_end, OPEN]
    sufmax = np.r_[sufmax, -1]
    s_key = s_hh[:-1] * SHIFT + s_start
    j = np.searchsorted(s_key, hh * SHIFT + day, side="right")  # first span starting after d
    i = np.where(j > 0, j - 1, s_hh.shape[0] - 1)  # the span holding on d, or the sentinel
    covers = (s_hh[i] == hh) & ((s_end[i] == OPEN) | (s_end[i] > day))
    stage_at = np.where(covers, s_st[i], -1)
    later = np.where(s_hh[j] == hh, sufmax[j], -1)
    progressed = later > stage_at
    out = []
    for a in np.unique(act).tolist():
        m = act == a
        out.append(ActivityContribution(int(a), int(m.sum()), int(progressed[m].sum())))
    return Activities(out)
