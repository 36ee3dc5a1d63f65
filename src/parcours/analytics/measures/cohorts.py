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
    group_firsts,
    member,
    month_label,
    month_of,
    rows_of,
    scope,
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
    sel = (data.tp_kind == INTAKE_VISIT) & (data.tp_day <= last)
    ih, iday = data.tp_household[sel], data.tp_day[sel]
    inscope = member(ih, ids, data.household)
    ih, iday = ih[inscope], iday[inscope]
    firsts = group_firsts(ih)
    c_hh, c_month = ih[firsts], month_of(iday[firsts])
    keep = (c_month >= m_first) & (c_month <= m_last)
    c_hh, c_month = c_hh[keep], c_month[keep]
    # only the touchpoints of the cohorts' households are read
    rows, counts = rows_of(data, c_hh)
    day = data.tp_day[rows]
    att = (data.tp_kind[rows] == ATTENDANCE) & (day <= last)
    ah = data.tp_household[rows][att]
    a_cohort = np.repeat(c_month, counts)[att]
    offset = month_of(day[att]) - a_cohort
    later = offset >= 0
    ah, a_cohort, offset = ah[later], a_cohort[later], offset[later]
    # rows are sorted by (household, day): distinct (household, offset) are runs
    new = group_firsts(ah)
    new[1:] |= offset[1:] != offset[:-1]
    off_of, cohort_of = offset[new], a_cohort[new]
    out = []
    for month in np.unique(c_month).tolist():
        size = int((c_month == month).sum())
        n_off = m_last - month + 1
        counts_m = np.bincount(off_of[cohort_of == month], minlength=n_off)[:n_off]
        out.append(
            Cohort(
                month=month_label(month),
                households=size,
                attended=[int(x) for x in counts_m],
                shares=[float(x) / size for x in counts_m],
            )
        )
    return Cohorts(out)
