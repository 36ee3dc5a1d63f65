"""Reads for the analytics: the columns of one association, one query per table.

The measures (:mod:`parcours.analytics.measures`) are pure functions over these columns.
Every query goes through the scoped managers and names the association explicitly.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from django.db import connections
from django.db.models import Case, F, Func, IntegerField, Value, When
from django.db.models.functions import Coalesce

from parcours.accounts import visibility
from parcours.analytics.measures.base import STATUSES, JourneyData
from parcours.engine.columns import KINDS


def _days(values: list[date | None]) -> np.ndarray:
    """Dates -> day numbers (int32), None -> -1."""
    arr = np.array([v if v is not None else np.datetime64("NaT") for v in values],
                   dtype="datetime64[D]")  # fmt: skip
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = -1
    return out.astype(np.int32)


class DayNumber(Func):
    """A date column as its day number (days since 1970-01-01), computed by the database."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "(%(expressions)s - DATE '1970-01-01')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _day(name: str):
    return Coalesce(DayNumber(F(name)), Value(-1))


def _code(name: str, keys) -> Case:
    """A text column as the index of its value in ``keys`` (-1 for any other)."""
    whens = [When(**{name: k}, then=Value(i)) for i, k in enumerate(keys)]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def _int_columns(qs, columns: dict, dtypes: tuple, chunk: int = 200_000) -> list[np.ndarray]:
    """The integer expressions ``columns`` of the rows of ``qs`` (in its order) as numpy
    columns of ``dtypes``, fetched by chunks straight from the cursor: no model instance, no
    Python date, at most one chunk of Python ints alive (millions of touchpoints at L)."""
    names = [f"_c{i}" for i in range(len(columns))]
    q = qs.annotate(**dict(zip(names, columns.values(), strict=True))).values_list(*names)
    sql, params = q.query.sql_with_params()
    parts: list[list[np.ndarray]] = [[] for _ in names]
    with connections[q.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            block = np.array(rows, dtype=np.int64).reshape(len(rows), len(names))
            for i, dtype in enumerate(dtypes):
                parts[i].append(block[:, i].astype(dtype))
    return [np.concatenate(p) if p else np.empty(0, dtype=dtypes[i]) for i, p in enumerate(parts)]


def _strings(values: list) -> np.ndarray:
    """Strings as an object array sharing one object per distinct value ("" for None)."""
    pool: dict = {}
    return np.array([pool.setdefault(v or "", v or "") for v in values], dtype=object)


def _spans(membership, qs, key: str, keys) -> list[np.ndarray]:
    """Stage or status spans (``key`` among ``keys``) of the member's view: household, index
    of the key, start and end day (-1: still current), by household then start."""
    qs = visibility.journeys(membership, qs.filter(**{f"{key}__in": keys}))
    return _int_columns(
        qs.order_by("household_id", "start", "id"),
        {"h": F("household_id"), "s": _code(key, keys), "a": _day("start"), "b": _day("end")},
        (np.int64, np.int8, np.int32, np.int32),
    )


def journey_data(*, association, stage_keys: tuple[str, ...], membership) -> JourneyData:
    """Households, stage spans, status spans and touchpoints of ``association`` as columns,
    as ``membership`` may learn them: without support evidence for a role that may not learn
    of support, whose spans are then the public journeys (accounts.visibility)."""
    from parcours.households.models import Household, Touchpoint
    from parcours.journey.models import StageSpan, StatusSpan

    hh = list(
        Household.objects.filter(association=association)
        .order_by("id")
        .values_list("id", "neighbourhood", "heard_from")
    )
    span_hh, span_stage, span_start, span_end = _spans(
        membership, StageSpan.objects.filter(association=association), "stage", stage_keys
    )
    st_hh, st_code, st_start, st_end = _spans(
        membership, StatusSpan.objects.filter(association=association), "status", STATUSES
    )
    tp_qs = visibility.touchpoints(
        membership, Touchpoint.objects.filter(association=association)
    ).order_by("household_id", "day", "id")
    tp_hh, tp_day, tp_kind, tp_activity, tp_ref = _int_columns(
        tp_qs,
        {"h": F("household_id"), "d": _day("day"), "k": _code("kind", KINDS),
         "a": Coalesce(F("activity_id"), Value(-1)), "r": Coalesce(F("ref"), Value(-1))},
        (np.int64, np.int32, np.int8, np.int64, np.int64),
    )  # fmt: skip
    people = _people_columns(association=association)
    return JourneyData(
        stage_keys=stage_keys,
        household=np.array([h[0] for h in hh], dtype=np.int64),
        neighbourhood=_strings([h[1] for h in hh]),
        channel=_strings([h[2] for h in hh]),
        span_household=span_hh,
        span_stage=span_stage,
        span_start=span_start,
        span_end=span_end,
        status_household=st_hh,
        status_code=st_code,
        status_start=st_start,
        status_end=st_end,
        tp_household=tp_hh,
        tp_day=tp_day,
        tp_kind=tp_kind,
        tp_activity=tp_activity,
        tp_ref=tp_ref,
        **people,
    )


def _minutes(start, end) -> int:
    if end is None:
        return -1
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _people_columns(*, association) -> dict[str, np.ndarray]:
    """Persons, sessions held (not cancelled, not in the future), present marks and the members
    unticked on them: the columns of attendance per person and hours (no names)."""
    from django.utils import timezone

    from parcours.activities.models import Attendance, Session
    from parcours.households.models import Person

    persons = list(
        Person.objects.filter(association=association)
        .order_by("household_id", "id")
        .values_list("household_id", "id", "birth_year", "sex")
    )
    sessions = list(
        Session.objects.filter(
            association=association, cancelled=False, day__lte=timezone.localdate()
        )
        .order_by("id")
        .values_list("id", "activity_id", "day", "start_time", "end_time")
    )
    att_session, att_household = _int_columns(
        Attendance.objects.filter(
            association=association, status=Attendance.Status.PRESENT
        ).order_by("household_id", "session_id"),
        {"s": F("session_id"), "h": F("household_id")},
        (np.int64, np.int64),
    )
    absent_session, absent_person = _int_columns(
        Attendance.absent_persons.through.objects.filter(
            attendance__association=association, attendance__status=Attendance.Status.PRESENT
        ).order_by("attendance__session_id", "person_id"),
        {"s": F("attendance__session_id"), "p": F("person_id")},
        (np.int64, np.int64),
    )

    def ints(rows, i, dtype=np.int64):
        return np.array([r[i] for r in rows], dtype=dtype)

    from parcours.community.models import CommunityRole, RoleKind

    committee = CommunityRole.objects.filter(association=association, kind=RoleKind.COMMITTEE)
    return {
        "committee_roles": np.array(
            sorted(committee.values_list("id", flat=True)), dtype=np.int64
        ),  # fmt: skip
        "person_household": ints(persons, 0),
        "person_id": ints(persons, 1),
        "person_birth_year": np.array(
            [-1 if p[2] is None else p[2] for p in persons], dtype=np.int32
        ),  # fmt: skip
        "person_sex": np.array([p[3] for p in persons], dtype=object),
        "session_id": ints(sessions, 0),
        "session_activity": ints(sessions, 1),
        "session_day": _days([s[2] for s in sessions]),
        "session_minutes": np.array([_minutes(s[3], s[4]) for s in sessions], dtype=np.int32),
        "att_session": att_session,
        "att_household": att_household,
        "absent_session": absent_session,
        "absent_person": absent_person,
    }


def filter_choices(*, association) -> dict[str, list]:
    """Values offered in the dashboard's filters: neighbourhoods, activities, cohort months."""
    from parcours.activities.models import Activity
    from parcours.households.models import Household, Touchpoint

    hoods = sorted(
        set(
            Household.objects.filter(association=association)
            .exclude(neighbourhood="")
            .values_list("neighbourhood", flat=True)
        )
    )
    activities = list(
        Activity.objects.filter(association=association).order_by("name").values_list("id", "name")
    )
    months = sorted(
        {
            d.strftime("%Y-%m")
            for d in Touchpoint.objects.filter(association=association, kind="intake_visit")
            .values_list("day", flat=True)
            .distinct()
        }
    )
    return {"neighbourhoods": hoods, "activities": activities, "cohorts": months}


def activity_names(*, association) -> dict[int, str]:
    from parcours.activities.models import Activity

    return dict(Activity.objects.filter(association=association).values_list("id", "name"))


def action_names(*, association, ids) -> dict[int, str]:
    """Outreach actions by id: "place (day)"."""
    if not ids:
        return {}
    from parcours.outreach.models import OutreachAction

    rows = OutreachAction.objects.filter(association=association, id__in=ids)
    return {
        pk: f"{place} ({day:%d/%m/%Y})" for pk, place, day in rows.values_list("id", "place", "day")
    }


def household_names(*, association, ids) -> dict[int, str]:
    """Names of households, for staff only (the caller checks the audience)."""
    if not ids:
        return {}
    from parcours.households.models import Household

    rows = Household.objects.active().filter(association=association, id__in=ids)
    return dict(rows.values_list("id", "name"))


def priority_neighbourhoods(*, association) -> frozenset[str]:
    """Names of the association's priority neighbourhoods (the State's city policy), flagged
    on its settings page. The one place the reports and the dashboard read the flag from."""
    from parcours.association_settings.selectors import priority_neighbourhoods as flagged

    return flagged(association)
