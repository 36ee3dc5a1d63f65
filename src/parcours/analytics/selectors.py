"""Reads for the analytics: the columns of one association, one query per table.

The measures (:mod:`parcours.analytics.measures`) are pure functions over these columns.
Every query goes through the scoped managers and names the association explicitly.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from parcours.accounts import visibility
from parcours.analytics.measures.base import STATUSES, JourneyData
from parcours.engine.columns import KIND_CODE


def _days(values: list[date | None]) -> np.ndarray:
    """Dates -> day numbers (int32), None -> -1."""
    arr = np.array([v if v is not None else np.datetime64("NaT") for v in values],
                   dtype="datetime64[D]")  # fmt: skip
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = -1
    return out.astype(np.int32)


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
    spans = list(
        visibility.journeys(membership, StageSpan.objects.filter(association=association))
        .order_by("household_id", "start")
        .values_list("household_id", "stage", "start", "end")
    )
    index = {k: i for i, k in enumerate(stage_keys)}
    spans = [s for s in spans if s[1] in index]
    statuses = list(
        visibility.journeys(
            membership, StatusSpan.objects.filter(association=association, status__in=STATUSES)
        )
        .order_by("household_id", "start")
        .values_list("household_id", "status", "start", "end")
    )
    tps = list(
        visibility.touchpoints(membership, Touchpoint.objects.filter(association=association))
        .order_by("household_id", "day", "id")
        .values_list("household_id", "day", "kind", "activity_id", "ref")
    )
    status_index = {k: i for i, k in enumerate(STATUSES)}
    people = _people_columns(association=association)
    return JourneyData(
        stage_keys=stage_keys,
        household=np.array([h[0] for h in hh], dtype=np.int64),
        neighbourhood=np.array([h[1] or "" for h in hh], dtype=object),
        channel=np.array([h[2] or "" for h in hh], dtype=object),
        span_household=np.array([s[0] for s in spans], dtype=np.int64),
        span_stage=np.array([index[s[1]] for s in spans], dtype=np.int8),
        span_start=_days([s[2] for s in spans]),
        span_end=_days([s[3] for s in spans]),
        status_household=np.array([s[0] for s in statuses], dtype=np.int64),
        status_code=np.array([status_index[s[1]] for s in statuses], dtype=np.int8),
        status_start=_days([s[2] for s in statuses]),
        status_end=_days([s[3] for s in statuses]),
        tp_household=np.array([t[0] for t in tps], dtype=np.int64),
        tp_day=_days([t[1] for t in tps]),
        tp_kind=np.array([KIND_CODE.get(t[2], -1) for t in tps], dtype=np.int8),
        tp_activity=np.array([-1 if t[3] is None else t[3] for t in tps], dtype=np.int64),
        tp_ref=np.array([-1 if t[4] is None else t[4] for t in tps], dtype=np.int64),
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
    marks = list(
        Attendance.objects.filter(association=association, status=Attendance.Status.PRESENT)
        .order_by("household_id", "session_id")
        .values_list("session_id", "household_id")
    )
    absent = list(
        Attendance.absent_persons.through.objects.filter(
            attendance__association=association, attendance__status=Attendance.Status.PRESENT
        ).values_list("attendance__session_id", "person_id")
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
        "att_session": ints(marks, 0),
        "att_household": ints(marks, 1),
        "absent_session": ints(absent, 0),
        "absent_person": ints(absent, 1),
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
