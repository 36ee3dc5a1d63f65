"""The input every measure reads: plain numpy columns, and the query (period and filters).

Pure Python + numpy, no Django: the same functions serve the dashboard (columns loaded from the
database by :mod:`parcours.analytics.selectors`, one query per table) and the benchmark (columns
from the seeded generator and the batch engine).

Days are day numbers (days since 1970-01-01, as in :mod:`parcours.engine.columns`); a span is
``[start, end)`` with ``end == -1`` while it is still current. Stages are indices into
``stage_keys`` (the definition's order), so "a later stage" is a larger index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from parcours.engine.columns import KIND_CODE, day_date, day_number

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

STATUSES: tuple[str, ...] = ("active", "absent", "dormant", "in_support")
OPEN = -1  # end of a span still current
ATTENDANCE = KIND_CODE["attendance"]
INTAKE_VISIT = KIND_CODE["intake_visit"]
COMMUNICATION = KIND_CODE["communication"]
OUTREACH_CONTACT = KIND_CODE["outreach_contact"]


@dataclass(frozen=True)
class Period:
    """Calendar days ``start`` through ``end``, both included."""

    start: date
    end: date

    @property
    def first(self) -> int:
        return day_number(self.start)

    @property
    def last(self) -> int:
        return day_number(self.end)


@dataclass(frozen=True)
class Filters:
    """Which households a measure counts; None means no restriction.

    neighbourhood: the household's neighbourhood;
    cohort: "YYYY-MM", the month of the household's first intake_visit;
    activity: an activity id the household attended at least once on or before the period end;
    channel: how the household heard of the association (Household.heard_from).
    """

    neighbourhood: str | None = None
    cohort: str | None = None
    activity: int | None = None
    channel: str | None = None

    def is_empty(self) -> bool:
        return not (self.neighbourhood or self.cohort or self.activity is not None or self.channel)


@dataclass(frozen=True)
class Query:
    """A typed query: which association, which period, which households."""

    association: int
    period: Period
    filters: Filters = field(default_factory=Filters)


@dataclass
class JourneyData:
    """Columns of one association (or of a generated one), each sorted by household then day.

    Households: ``household`` (ids, sorted), ``neighbourhood`` and ``channel`` (str per household,
    "" when unknown). Stage spans: ``span_*``. Status spans: ``status_*`` (``status_code``
    indexes STATUSES). Touchpoints: ``tp_*`` (``tp_kind`` indexes engine.columns.KINDS,
    ``tp_activity`` and ``tp_ref`` are -1 when none).
    """

    stage_keys: tuple[str, ...]
    household: I64
    neighbourhood: npt.NDArray[np.object_]
    channel: npt.NDArray[np.object_]
    span_household: I64
    span_stage: I8
    span_start: I32
    span_end: I32
    status_household: I64
    status_code: I8
    status_start: I32
    status_end: I32
    tp_household: I64
    tp_day: I32
    tp_kind: I8
    tp_activity: I64
    tp_ref: I64
    # People and sessions (attendance per person, hours): empty when not loaded. Persons sorted
    # by household, ``person_birth_year`` -1 when unknown, ``person_sex`` the Person.Sex key
    # (all "not stated" when the column is not loaded); sessions held (not cancelled, not in
    # the future) sorted by id, ``session_minutes`` -1 without an end time; present marks
    # ``att_*`` (session, household); members unticked on a present mark ``absent_*``.
    person_household: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    person_id: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    person_birth_year: I32 = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    person_sex: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    session_id: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    session_activity: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    session_day: I32 = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    session_minutes: I32 = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    att_session: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    att_household: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    absent_session: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    absent_person: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # ids of the roles that are committee seats (their role_started touchpoints' ref)
    committee_roles: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @classmethod
    def empty(cls, stage_keys: tuple[str, ...]) -> JourneyData:
        e64, e32, e8 = (np.empty(0, dtype=t) for t in (np.int64, np.int32, np.int8))
        eo = np.empty(0, dtype=object)
        return cls(stage_keys, e64, eo, eo, e64, e8, e32, e32, e64, e8, e32, e32,
                   e64, e32, e8, e64, e64)  # fmt: skip


# -- helpers shared by the measures --------------------------------------------------------


def _month_of_slow(day: np.ndarray) -> np.ndarray:
    d = np.asarray(day, dtype=np.int64).astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12
    return (y * 12 + m).astype(np.int64)


def month_of(day: int | np.ndarray) -> np.ndarray:
    """Month number (year * 12 + month - 1) of day numbers, through a table of the days spanned
    (much faster than datetime conversions on millions of rows; int32 days stay int32)."""
    arr = np.asarray(day)
    if arr.size < 1000:
        return _month_of_slow(arr)
    lo, hi = int(arr.min()), int(arr.max())
    table = _month_of_slow(np.arange(lo, hi + 1)).astype(np.int32)
    return table[arr - arr.dtype.type(lo)]


def month_label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_number(label: str) -> int:
    y, m = label.split("-")
    return int(y) * 12 + int(m) - 1


def month_first_day(month: int) -> int:
    return day_number(date(month // 12, month % 12 + 1, 1))


def day_iso(day: int) -> str:
    return day_date(day).isoformat()


def first_intake_month(data: JourneyData) -> dict[int, int]:
    """household -> month number of its first intake_visit."""
    sel = data.tp_kind == INTAKE_VISIT
    hh, days = data.tp_household[sel], data.tp_day[sel]
    if hh.size == 0:
        return {}
    uniq, first = np.unique(hh, return_index=True)  # rows are sorted by (household, day)
    return dict(zip(uniq.tolist(), month_of(days[first]).tolist(), strict=True))


def scope(data: JourneyData, query: Query) -> I64:
    """Sorted ids of the households the filters keep."""
    keep = np.ones(data.household.shape[0], dtype=bool)
    f = query.filters
    if f.neighbourhood:
        keep &= data.neighbourhood == f.neighbourhood
    if f.channel:
        keep &= data.channel == f.channel
    ids = data.household[keep]
    if f.cohort:
        target = month_number(f.cohort)
        firsts = first_intake_month(data)
        ids = np.array([h for h in ids.tolist() if firsts.get(h) == target], dtype=np.int64)
    if f.activity is not None:
        sel = (
            (data.tp_kind == ATTENDANCE)
            & (data.tp_activity == f.activity)
            & (data.tp_day <= query.period.last)
        )
        ids = np.intersect1d(ids, np.unique(data.tp_household[sel]))
    return ids


def member(values: np.ndarray, ids: I64, every: I64) -> Bool:
    """values in ids, where ids is a sorted subset of the sorted ``every`` (all households)."""
    if ids.shape[0] == every.shape[0]:
        return np.ones(values.shape[0], dtype=bool)
    if ids.size == 0 or values.size == 0:
        return np.zeros(values.shape[0], dtype=bool)
    lo, hi = int(every[0]), int(every[-1])
    if hi - lo <= 64 * every.shape[0]:  # dense ids: a lookup table, linear time
        table = np.zeros(hi - lo + 2, dtype=bool)
        table[ids - lo] = True
        idx = np.clip(values - lo, -1, hi - lo + 1)
        return table[idx]  # -1 and hi-lo+1 land on False cells
    return np.isin(values, ids)


def rows_of(data: JourneyData, households: I64) -> tuple[I64, I64]:
    """Touchpoint rows of the (sorted) ``households``, and how many each has: the rows of one
    household are contiguous, so only those rows are touched, not the whole log."""
    lo = np.searchsorted(data.tp_household, households, "left")
    hi = np.searchsorted(data.tp_household, households, "right")
    counts = (hi - lo).astype(np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), counts
    # concatenated ranges lo[i] .. hi[i]-1
    starts = np.repeat(lo - np.r_[0, np.cumsum(counts)[:-1]], counts)
    return starts + np.arange(total, dtype=np.int64), counts


def span_mask(data: JourneyData, ids: I64) -> Bool:
    return member(data.span_household, ids, data.household)


def tp_mask(data: JourneyData, ids: I64) -> Bool:
    return member(data.tp_household, ids, data.household)


def spans_until(data: JourneyData, query: Query, ids: I64) -> tuple[I64, I8, I32, I32]:
    """Spans of the households in ``ids`` that started on or before the period end, with their
    end clipped: a span still going on the day after the period end is open (-1)."""
    last = query.period.last
    sel = span_mask(data, ids) & (data.span_start <= last)
    end = data.span_end[sel].copy()
    end[end > last + 1] = OPEN
    return data.span_household[sel], data.span_stage[sel], data.span_start[sel], end


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique for an already sorted array, in linear time."""
    return values[group_firsts(values)]


def group_firsts(keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the first row of each run of equal keys (keys sorted)."""
    out = np.ones(keys.shape[0], dtype=bool)
    if keys.shape[0]:
        np.not_equal(keys[1:], keys[:-1], out=out[1:])
    return out


def percentiles(values: np.ndarray) -> dict[str, float | None]:
    """Median, 75th and 90th percentile (linear interpolation, as SQL quantile_cont)."""
    if values.size == 0:
        return {"median": None, "p75": None, "p90": None}
    p = np.percentile(values.astype(np.float64), [50, 75, 90])
    return {"median": float(p[0]), "p75": float(p[1]), "p90": float(p[2])}


def entered_in_period(data: JourneyData, query: Query, ids: I64) -> tuple[I64, I64, I8, I32, I32]:
    """Households of ``ids`` whose first stage span starts within the period, and their spans
    that started on or before the period end (end clipped as in :func:`spans_until`)."""
    hh, st, start, end = spans_until(data, query, ids)
    firsts = group_firsts(hh)
    entered = hh[firsts][start[firsts] >= query.period.first]
    keep = member(hh, entered, data.household)
    return entered, hh[keep], st[keep], start[keep], end[keep]


NEVER = np.iinfo(np.int32).max


def first_reach(entered: I64, hh: I64, st: I8, start: I32, n_stages: int) -> np.ndarray:
    """Matrix (household, k) -> first day the household was at stage k or a later one
    (NEVER if it never was). Rows follow ``entered``."""
    out = np.full((entered.shape[0], n_stages), NEVER, dtype=np.int32)
    if hh.size:
        rows = np.searchsorted(entered, hh)
        np.minimum.at(out, (rows, st.astype(np.int64)), start)
        out = np.minimum.accumulate(out[:, ::-1], axis=1)[:, ::-1]
    return out
