"""People reached during the period: households, their members, by neighbourhood and age band.

A household is *reached* when it has at least one touchpoint within the period other than a
``communication`` (a message from the association is not a contact, as in the lifecycle).
``people``: the members of the reached households. ``new``: the households whose journey started
within the period (the funnel's population). ``neighbourhoods``: reached households by
neighbourhood ("" when unknown). ``age_bands``: members of the reached households by their age
on the period's last day (birth year only: the year's difference), ``unknown`` without a birth
year. ``sexes``: the same members by sex (Person.Sex, in SEXES' order), "not stated" unless
the person told it.

At activities (attendance per person): ``attending_households`` counts the households (after the
filters) with a present mark at a session held within the period, ``attendances`` those marks,
``person_attendances`` the persons behind them (a present household came whole, except the
members unticked), ``attending_people`` the distinct persons present at least once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parcours.analytics.measures.base import (
    COMMUNICATION,
    JourneyData,
    Query,
    entered_in_period,
    member,
    scope,
    tp_mask,
)

KIND = "people"
UNKNOWN = "unknown"
#: Age bands (first and last age, both included; None: no upper bound), as funders count them.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-2", 0, 2),
    ("3-5", 3, 5),
    ("6-11", 6, 11),
    ("12-17", 12, 17),
    ("18-25", 18, 25),
    ("26-64", 26, 64),
    ("65+", 65, None),
)
#: Person.Sex keys, in the order the report and the dashboard list them.
SEXES = ("female", "male", "other", "not_stated")


@dataclass
class People:
    households: int
    people: int
    new: int
    neighbourhoods: dict[str, int] = field(default_factory=dict)
    age_bands: dict[str, int] = field(default_factory=dict)
    sexes: dict[str, int] = field(default_factory=dict)
    attending_households: int = 0
    attendances: int = 0
    person_attendances: int = 0
    attending_people: int = 0


def age_band(age: int) -> str:
    for key, lo, hi in AGE_BANDS:
        if age >= lo and (hi is None or age <= hi):
            return key
    return UNKNOWN  # born after the period's last day


def reached(data: JourneyData, query: Query, ids: np.ndarray) -> np.ndarray:
    """Sorted ids of the households of ``ids`` with a touchpoint in the period that is not a
    message from the association."""
    p = query.period
    sel = tp_mask(data, ids) & (data.tp_kind != COMMUNICATION)
    sel &= (data.tp_day >= p.first) & (data.tp_day <= p.last)
    return np.unique(data.tp_household[sel])


def present_marks(data: JourneyData, query: Query, ids: np.ndarray):
    """(rows of att_*, session index) of the present marks of households in ``ids`` at sessions
    held within the period."""
    if data.att_session.size == 0 or data.session_id.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    at = np.searchsorted(data.session_id, data.att_session)
    at = np.clip(at, 0, data.session_id.shape[0] - 1)
    known = data.session_id[at] == data.att_session
    day = data.session_day[at]
    p = query.period
    sel = known & (day >= p.first) & (day <= p.last)
    sel &= member(data.att_household, ids, data.household)
    rows = np.flatnonzero(sel)
    return rows, at[rows]


def persons_present(data: JourneyData, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mark row, person id) of every person present at the marks ``rows``: the members of the
    household, but those unticked on that mark."""
    hh = data.att_household[rows]
    lo = np.searchsorted(data.person_household, hh, "left")
    hi = np.searchsorted(data.person_household, hh, "right")
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts = np.repeat(lo - np.r_[0, np.cumsum(counts)[:-1]], counts)
    person_rows = starts + np.arange(total, dtype=np.int64)
    mark = np.repeat(rows, counts)
    person = data.person_id[person_rows]
    if data.absent_session.size:
        shift = np.int64(1) << 32
        unticked = data.absent_session * shift + data.absent_person
        keep = ~np.isin(data.att_session[mark] * shift + person, unticked)
        mark, person = mark[keep], person[keep]
    return mark, person


def by_sex(data: JourneyData, keep: np.ndarray) -> dict[str, int]:
    """The persons selected by the mask ``keep``, by sex (every key of SEXES, zeros included)."""
    counts = dict.fromkeys(SEXES, 0)
    if data.person_sex.shape != data.person_id.shape:  # not loaded: nobody told it
        counts["not_stated"] = int(keep.sum())
        return counts
    keys, n = np.unique(data.person_sex[keep].astype(str), return_counts=True)
    for key, count in zip(keys, n, strict=True):
        key = key if key in counts else "not_stated"
        counts[key] += int(count)
    return counts


def compute(data: JourneyData, query: Query) -> People:
    ids = scope(data, query)
    hh = reached(data, query, ids)
    entered = entered_in_period(data, query, ids)[0]
    keep = member(data.person_household, hh, data.household)
    years = data.person_birth_year[keep]
    known = years >= 0
    ages = query.period.end.year - years[known].astype(np.int64)
    bands = {key: 0 for key, _lo, _hi in AGE_BANDS}
    for age, n in zip(*np.unique(ages, return_counts=True), strict=True):
        band = age_band(int(age))
        bands[band] = bands.get(band, 0) + int(n)
    bands[UNKNOWN] = bands.get(UNKNOWN, 0) + int((~known).sum())
    hoods, counts = np.unique(data.neighbourhood[member(data.household, hh, data.household)],
                              return_counts=True)  # fmt: skip
    rows, _at = present_marks(data, query, ids)
    _mark, person = persons_present(data, rows)
    return People(
        households=int(hh.shape[0]),
        people=int(keep.sum()),
        new=int(entered.shape[0]),
        neighbourhoods={str(h): int(n) for h, n in zip(hoods, counts, strict=True)},
        age_bands=bands,
        sexes=by_sex(data, keep),
        attending_households=int(np.unique(data.att_household[rows]).shape[0]),
        attendances=int(rows.shape[0]),
        person_attendances=int(person.shape[0]),
        attending_people=int(np.unique(person).shape[0]),
    )
