"""Lifecycle per calendar month of the period: new, returning, resurrecting, dormant.

A household is *active in a month* when it has at least one touchpoint that month other than a
``communication`` (a message from the association is not something the household did). For
each month M of the period:

- **new**: active in M, and M is the first month it was ever active;
- **returning**: active in M and in the month before;
- **resurrecting**: active in M, not in the month before, but in some earlier month;
- **dormant**: active in the month before, not in M (it went quiet this month; not to be
  confused with the *dormant status*, which needs 180 days without a touchpoint).

new + returning + resurrecting = households active in M.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import (
    COMMUNICATION,
    JourneyData,
    Query,
    group_firsts,
    month_label,
    month_of,
    scope,
    tp_mask,
)

KIND = "lifecycle"


@dataclass
class LifecycleMonth:
    month: str
    new: int
    returning: int
    resurrecting: int
    dormant: int


@dataclass
class Lifecycle:
    months: list[LifecycleMonth]


def compute(data: JourneyData, query: Query) -> Lifecycle:
    ids = scope(data, query)
    sel = tp_mask(data, ids) & (data.tp_kind != COMMUNICATION) & (data.tp_day <= query.period.last)
    hh = data.tp_household[sel]
    month = month_of(data.tp_day[sel])
    # rows are sorted by (household, day): distinct (household, month) pairs are runs
    new = group_firsts(hh)
    new[1:] |= month[1:] != month[:-1]
    a_hh, a_m = hh[new], month[new].astype(np.int64)
    firsts = group_firsts(a_hh)
    first_month = np.repeat(a_m[firsts], np.diff(np.append(np.flatnonzero(firsts), a_hh.size)))
    prev_active = np.zeros(a_hh.shape[0], dtype=bool)
    prev_active[1:] = (a_hh[1:] == a_hh[:-1]) & (a_m[1:] == a_m[:-1] + 1)
    next_active = np.zeros(a_hh.shape[0], dtype=bool)
    next_active[:-1] = prev_active[1:]
    m0, m1 = (int(x) for x in month_of(np.array([query.period.first, query.period.last])))
    out = []
    for m in range(m0, m1 + 1):
        now = a_m == m
        out.append(
            LifecycleMonth(
                month=month_label(m),
                new=int((now & (first_month == m)).sum()),
                returning=int((now & prev_active).sum()),
                resurrecting=int((now & ~prev_active & (first_month < m)).sum()),
                dormant=int(((a_m == m - 1) & ~next_active).sum()),
            )
        )
    return Lifecycle(out)
