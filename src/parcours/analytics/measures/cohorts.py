"""Monthly cohorts by first welcome visit, and the share that attended in each later month.

A household's cohort is the calendar month of its first ``intake_visit``. Cohorts whose month
falls within the period are shown. For a cohort of month c and an offset m = 0, 1, ... up to the
month of the period end, ``attended[m]`` counts the cohort's households with at least one
``attendance`` in month c + m (on or before the period end), and ``shares[m]`` is that count
divided by the cohort size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import (
    ATTENDANCE,
    INTAKE_VISIT,
    JourneyData,
    Query,
    distinct_sorted,
    group_firsts,
    month_label,
    month_of,
    scope,
    tp_mask,
)

KIND = "cohorts"


@dataclass
class Cohort:
    month: str
    households: int
    attended: list[int]
    shares: list[float]


@dataclass
class Cohorts:
    cohorts: list[Cohort]


def compute(data: JourneyData, query: Query) -> Cohorts:
    ids = scope(data, query)
    last = query.period.last
    m_first, m_last = (int(x) for x in month_of(np.array([query.period.first, last])))
    inscope = tp_mask(data, ids) & (data.tp_day <= last)
    sel = inscope & (data.tp_kind == INTAKE_VISIT)
    ih, iday = data.tp_household[sel], data.tp_day[sel]
    firsts = group_firsts(ih)
    c_hh, c_month = ih[firsts], month_of(iday[firsts])
    keep = (c_month >= m_first) & (c_month <= m_last)
    c_hh, c_month = c_hh[keep], c_month[keep]
    asel = inscope & (data.tp_kind == ATTENDANCE)
    ah, amonth = data.tp_household[asel], month_of(data.tp_day[asel])
    cohort_of_row = np.full(ah.shape[0], -1, dtype=np.int64)
    if c_hh.size and ah.size:
        lo, hi = int(data.household[0]), int(data.household[-1])
        table = np.full(hi - lo + 1, -1, dtype=np.int64)  # household -> cohort month
        table[c_hh - lo] = c_month
        cohort_of_row = table[ah - lo]
    match = cohort_of_row >= 0
    a_cohort = cohort_of_row[match]
    offset = amonth[match] - a_cohort
    later = offset >= 0
    code = distinct_sorted(ah[match][later] * 1200 + offset[later])  # (household, offset)
    hh_of, off_of = code // 1200, code % 1200
    cohort_of = c_month[np.searchsorted(c_hh, hh_of)]
    out = []
    for month in np.unique(c_month).tolist():
        size = int((c_month == month).sum())
        n_off = m_last - month + 1
        counts = np.bincount(off_of[cohort_of == month], minlength=n_off)[:n_off]
        out.append(
            Cohort(
                month=month_label(month),
                households=size,
                attended=[int(x) for x in counts],
                shares=[float(x) / size for x in counts],
            )
        )
    return Cohorts(out)
