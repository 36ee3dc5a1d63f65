"""People reached and hours of activity on the fixed log, computed by hand (attendance per
person: a present household came whole, except the members unticked)."""

from __future__ import annotations

import dataclasses

import numpy as np

from parcours.analytics.measures import Query, run
from tests.analytics.fixed_log import D0, PERIOD, data

PERSONS = [  # household, person, birth year (-1 unknown), sex
    (1, 11, 1988, "female"), (1, 12, 2015, "male"), (2, 21, 1990, "female"),
    (3, 31, -1, "not_stated"), (4, 41, 2000, "male"), (5, 51, 2024, "other"),
    (5, 52, 1950, "female"),
]  # fmt: skip
SESSIONS = [  # id, activity, day (from D0), minutes (-1: no end time)
    (10, 100, 31, 90), (11, 100, 35, -1), (12, 200, 65, 60), (13, 200, 120, 60),
]  # fmt: skip
MARKS = [(10, 1), (11, 1), (12, 2), (13, 3)]  # session, household (present)
ABSENT = [(10, 12)]  # session, person unticked


def people_data():
    def col(rows, i, dtype=np.int64):
        return np.array([r[i] for r in rows], dtype=dtype)

    return dataclasses.replace(
        data(),
        person_household=col(PERSONS, 0), person_id=col(PERSONS, 1),
        person_birth_year=col(PERSONS, 2, np.int32), person_sex=col(PERSONS, 3, object),
        session_id=col(SESSIONS, 0), session_activity=col(SESSIONS, 1),
        session_day=np.array([D0 + s[2] for s in SESSIONS], dtype=np.int32),
        session_minutes=col(SESSIONS, 3, np.int32),
        att_session=col(MARKS, 0), att_household=col(MARKS, 1),
        absent_session=col(ABSENT, 0), absent_person=col(ABSENT, 1),
    )  # fmt: skip


def test_people_reached_by_neighbourhood_and_age_band():
    r = run("people", people_data(), Query(1, PERIOD))
    # household 4's only touchpoint is after the period; 3's message does not count, its
    # intake and attendance do
    assert (r.households, r.people, r.new) == (4, 6, 3)
    assert r.neighbourhoods == {"Nord": 3, "Sud": 1}
    assert {k: n for k, n in r.age_bands.items() if n} == {
        "0-2": 1, "6-11": 1, "26-64": 2, "65+": 1, "unknown": 1,
    }  # fmt: skip
    # marks in the period: 3 (session 13 is after it); persons: 1 (one unticked) + 2 + 1
    assert (r.attending_households, r.attendances, r.person_attendances, r.attending_people) == (
        2, 3, 4, 3,
    )  # fmt: skip


def test_people_reached_by_sex_where_known():
    r = run("people", people_data(), Query(1, PERIOD))
    # household 4 (its man) is not reached; the other six members are
    assert r.sexes == {"female": 3, "male": 1, "other": 1, "not_stated": 1}
    # without the column (an older snapshot): every member reached counts as not stated
    bare = dataclasses.replace(people_data(), person_sex=np.empty(0, dtype=object))
    assert run("people", bare, Query(1, PERIOD)).sexes == {
        "female": 0, "male": 0, "other": 0, "not_stated": 6,
    }  # fmt: skip


def test_hours_per_activity_from_session_lengths():
    r = run("hours", people_data(), Query(1, PERIOD))
    by = {a.activity: a for a in r.activities}
    a, b = by[100], by[200]
    assert (a.sessions, a.hours, a.without_length) == (2, 1.5, 1)
    assert (a.households, a.attendances, a.person_attendances, a.people) == (1, 2, 3, 2)
    assert a.person_hours == 1.5  # one person for 1.5 h; the session without an end time: unknown
    assert (b.sessions, b.hours, b.people, b.person_hours) == (1, 1.0, 1, 1.0)
    assert (r.sessions, r.hours, r.person_hours) == (3, 2.5, 2.5)


def test_filters_keep_their_households_only():
    from parcours.analytics.measures import Filters

    q = Query(1, PERIOD, Filters(neighbourhood="Sud"))
    assert run("people", people_data(), q).households == 1
    r = run("hours", people_data(), q)
    assert r.sessions == 3 and all(a.attendances == 0 for a in r.activities)
