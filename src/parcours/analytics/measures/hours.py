"""Hours of activity during the period, per activity, from the session lengths.

``sessions``: sessions held within the period (not cancelled, not in the future); ``hours``:
their total length (start to end time), over the sessions with an end time; ``without_length``:
those without one (their hours are unknown, not zero). Attendance (households after the
filters): ``households`` distinct households present at least once, ``attendances`` present
marks, ``person_attendances`` the persons behind them (a household came whole but the members
unticked), ``people`` distinct persons, ``person_hours`` the hours each present person spent
(session length × persons present, sessions with a length only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import JourneyData, Query, scope
from parcours.analytics.measures.people import persons_present, present_marks

KIND = "hours"


@dataclass
class ActivityHours:
    activity: int
    sessions: int
    hours: float
    without_length: int
    households: int
    attendances: int
    person_attendances: int
    people: int
    person_hours: float


@dataclass
class Hours:
    sessions: int
    hours: float
    person_hours: float
    activities: list[ActivityHours]


def compute(data: JourneyData, query: Query) -> Hours:
    p = query.period
    held = (data.session_day >= p.first) & (data.session_day <= p.last)
    s_act, s_min = data.session_activity[held], data.session_minutes[held]
    rows, at = present_marks(data, query, scope(data, query))
    mark, person = persons_present(data, rows)
    m_act = data.session_activity[at]
    m_hh = data.att_household[rows]
    # the session of each present person: mark rows -> position in rows -> session index
    pos = np.searchsorted(rows, mark)
    pp_act = m_act[pos]
    pp_min = data.session_minutes[at[pos]]
    out = []
    for a in np.unique(np.r_[s_act, m_act]).tolist():
        s = s_act == a
        m = m_act == a
        pa = pp_act == a
        minutes = s_min[s]
        pm = pp_min[pa]
        out.append(
            ActivityHours(
                activity=int(a),
                sessions=int(s.sum()),
                hours=float(minutes[minutes >= 0].sum()) / 60,
                without_length=int((minutes < 0).sum()),
                households=int(np.unique(m_hh[m]).shape[0]),
                attendances=int(m.sum()),
                person_attendances=int(pa.sum()),
                people=int(np.unique(person[pa]).shape[0]),
                person_hours=float(pm[pm >= 0].sum()) / 60,
            )
        )
    return Hours(
        sessions=int(held.sum()),
        hours=sum(a.hours for a in out),
        person_hours=sum(a.person_hours for a in out),
        activities=out,
    )
