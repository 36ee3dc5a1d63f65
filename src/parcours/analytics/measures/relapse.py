"""Personalised support and relapse: the journey's Maintenance step.

A support case is a ``support_opened`` touchpoint and, once closed, a ``support_closed`` one,
both carrying the case id in ``ref``. Only touchpoints on or before the period end are read, of
the households after the filters.

- ``opened`` / ``closed``: cases opened / closed within the period; ``households``: distinct
  households with a case opened within the period; ``open_at_end``: cases opened on or before
  the period end and not closed by then.

  A case is a household and a ``ref``: a closure closes the latest opening of its case on or
  before its day; an opening is still open when no closure of its case falls on or after it.
- **Time in support**: days from opening to closing of the cases closed within the period
  (median, 75th and 90th percentile, linear interpolation).
- **Relapse within 12 months** (:data:`WINDOW` days): every closure needs a full year of
  follow-up, so the population is the households with a case closed in the *follow-up window*,
  the period moved back WINDOW days (``[first - WINDOW, last - WINDOW]``); each counts once,
  from its first closure in that window. It *relapsed* when a case of the same household was
  opened after that day (strictly) and at most WINDOW days later, hence on or before the period
  end. ``share`` = relapsed / closures; **time to relapse**: days from that closure to the first
  such opening (percentiles as above).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import (
    JourneyData,
    Query,
    group_firsts,
    percentiles,
    scope,
    tp_mask,
)
from parcours.engine.columns import KIND_CODE

KIND = "relapse"
WINDOW = 365
OPENED = KIND_CODE["support_opened"]
CLOSED = KIND_CODE["support_closed"]
SHIFT = np.int64(1) << 20  # day numbers fit in 20 bits until year 4840


@dataclass
class Relapse:
    opened: int
    closed: int
    households: int
    open_at_end: int
    time_in_support: dict[str, float | None]
    closures: int  # households with a closure in the follow-up window
    relapsed: int
    share: float | None
    time_to_relapse: dict[str, float | None]


def compute(data: JourneyData, query: Query) -> Relapse:
    first, last = query.period.first, query.period.last
    base = tp_mask(data, scope(data, query)) & (data.tp_day <= last)
    o = base & (data.tp_kind == OPENED)
    c = base & (data.tp_kind == CLOSED)
    o_hh, o_day, o_ref = data.tp_household[o], data.tp_day[o].astype(np.int64), data.tp_ref[o]
    c_hh, c_day, c_ref = data.tp_household[c], data.tp_day[c].astype(np.int64), data.tp_ref[c]

    in_period = o_day >= first
    closed_in = c_day >= first
    # a case is its household and ref: group ids of the (household, ref) pairs of both sides
    pairs = np.stack([np.r_[o_hh, c_hh], np.r_[o_ref, c_ref]], axis=1)
    groups = np.unique(pairs, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
    o_g, c_g = groups[: o_hh.size], groups[o_hh.size :]
    o_key, c_key = np.sort(o_g * SHIFT + o_day), np.sort(c_g * SHIFT + c_day)
    # time in support: each closure in the period from the latest opening of its case before it
    k = c_g[closed_in] * SHIFT + c_day[closed_in]
    j = np.searchsorted(o_key, k, side="right") - 1
    jj = np.clip(j, 0, max(o_key.size - 1, 0))
    found = (j >= 0) & (o_key[jj] // SHIFT == c_g[closed_in]) if o_key.size else j < -1
    durations = (k - o_key[jj])[found] if o_key.size else np.empty(0, dtype=np.int64)
    # still open: no closure of the case on or after the opening, by the period end
    i = np.searchsorted(c_key, o_g * SHIFT + o_day, side="left")
    ii = np.clip(i, 0, max(c_key.size - 1, 0))
    closed = (i < c_key.size) & (c_key[ii] // SHIFT == o_g) if c_key.size else i < 0
    open_at_end = int((~closed).sum())

    # relapse: first closure per household in the follow-up window
    w = (c_day >= first - WINDOW) & (c_day <= last - WINDOW)
    w_hh, w_day = c_hh[w], c_day[w]
    firsts = group_firsts(w_hh)  # rows sorted by (household, day)
    idx_hh, idx_day = w_hh[firsts], w_day[firsts]
    o_key = o_hh * SHIFT + o_day
    j = np.searchsorted(o_key, idx_hh * SHIFT + idx_day, side="right")
    jj = np.clip(j, 0, max(o_key.size - 1, 0))
    ok = (j < o_key.size) & (o_hh[jj] == idx_hh) if o_key.size else np.zeros(j.size, bool)
    gap = (o_day[jj] - idx_day) if o_key.size else np.zeros(j.size, np.int64)
    relapsed = ok & (gap <= WINDOW)
    n = int(idx_hh.shape[0])
    r = int(relapsed.sum())
    return Relapse(
        opened=int(in_period.sum()),
        closed=int(closed_in.sum()),
        households=int(np.unique(o_hh[in_period]).shape[0]),
        open_at_end=open_at_end,
        time_in_support=percentiles(durations),
        closures=n,
        relapsed=r,
        share=r / n if n else None,
        time_to_relapse=percentiles(gap[relapsed]),
    )
