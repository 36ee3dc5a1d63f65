"""The bulk path of attendance: many present marks on past sessions (imports, demo seeder).

What attendance_mark writes for a "present" mark, for many at once: the session of the activity
on that day (found, else created), the attendance row and its `attendance` touchpoint linked to
it (households.ownership: this module owns the kind with activities.services). The journey and
tasks of the households are the caller's, once for all (households.bulk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from parcours.activities.models import Activity, Attendance, Session
from parcours.audit.services import audit_many
from parcours.core.fastinsert import insert_objects, insert_rows
from parcours.households.bulk import touchpoint_rows_write
from parcours.households.duplicates import normalise_text
from parcours.households.models import TouchpointKind

IMPORTED_START = time(14)  # sessions known only by their day: the usual afternoon slot


@dataclass
class AttendanceResult:
    activities_created: list[str] = field(default_factory=list)
    sessions_created: int = 0
    marks_created: int = 0
    already_marked: int = 0


def _activities(association, actor, names: set[str], result: AttendanceResult) -> dict[str, int]:
    by_key = {
        normalise_text(n): pk
        for pk, n in Activity.objects.filter(association=association).values_list("pk", "name")
    }
    new = {}
    for name in sorted(names):
        key = normalise_text(name)
        if key not in by_key and key not in new:
            new[key] = Activity(
                association=association, name=name, category=Activity.Category.ACTIVITY
            )
    Activity.objects.bulk_create(new.values())
    audit_many(actor=actor, association_id=association.pk, objs=new.values(),
               fields=["name", "category"])  # fmt: skip
    result.activities_created = sorted(a.name for a in new.values())
    by_key.update({k: a.pk for k, a in new.items()})
    return by_key


@transaction.atomic
def attendance_write(
    *, actor, association, marks: list[tuple[int, date, str]], sessions: dict | None = None
) -> AttendanceResult:
    """`marks`: (household id, day, activity name). Activities unknown by name are created;
    a household already marked on that session keeps its mark (counted, not doubled).

    A session not found is created at the usual afternoon hour, or is the caller's unsaved
    Session of `sessions` keyed by (activity id, day) when it has one (the demo seeder's
    sessions, with their hours and facilitator)."""
    result = AttendanceResult()
    if not marks:
        return result
    session_rows = sessions
    names = {m[2] for m in marks}
    by_key = _activities(association, actor, names, result)
    activity_of = {n: by_key[normalise_text(n)] for n in names}  # by name as written
    wanted = {(activity_of[a], d) for _h, d, a in marks}
    days = [d for _a, d in wanted]
    sessions = {
        (s.activity_id, s.day): s
        for s in Session.objects.filter(
            association=association,
            activity_id__in={a for a, _d in wanted},
            day__gte=min(days),
            day__lte=max(days),
            cancelled=False,
        ).order_by("-id")  # fmt: skip
    }
    given = session_rows or {}
    new_sessions = [
        given.get((a, d))
        or Session(association=association, activity_id=a, day=d, start_time=IMPORTED_START)
        for a, d in sorted(wanted - set(sessions))
    ]
    for s in new_sessions:
        s.association = association
    insert_objects(new_sessions)
    sessions.update({(s.activity_id, s.day): s for s in new_sessions})
    result.sessions_created = len(new_sessions)
    marked = set(  # by the days' range, then in Python: the lists may exceed SQL parameters
        Attendance.objects.filter(
            association=association, session__day__gte=min(days), session__day__lte=max(days)
        ).values_list("session_id", "household_id")
    )
    tz = timezone.get_current_timezone()
    # (activity, day) -> (session id, day, activity, intended start): read once per session
    session_of = {
        key: (s.pk, s.day, s.activity_id, datetime.combine(s.day, s.start_time, tz))
        for key, s in sessions.items()
    }
    todo = []
    for h, d, a in marks:
        session = session_of[(activity_of[a], d)]
        if (session[0], h) in marked:
            result.already_marked += 1
            continue
        marked.add((session[0], h))
        todo.append((h, session))
    user_id = getattr(actor, "pk", None)
    touchpoint_ids = touchpoint_rows_write(
        association=association,
        rows=[(h, s[1], TouchpointKind.ATTENDANCE, s[2], None, user_id) for h, s in todo],
    )
    now = timezone.now()
    insert_rows(
        Attendance,
        ["association_id", "session_id", "household_id", "status", "version", "mark_id",
         "origin_mark_id", "intent_at", "updated_at", "updated_by_id", "touchpoint_id"],
        [
            (association.pk, s[0], h, Attendance.Status.PRESENT, 1, "", "", s[3], now, user_id,
             t)
            for (h, s), t in zip(todo, touchpoint_ids, strict=True)
        ],
    )  # fmt: skip
    result.marks_created = len(todo)
    return result


@transaction.atomic
def sessions_led_write(*, actor, association, sessions: list[Session]) -> int:
    """Saved sessions, held (present marks), led by a household (facilitator_household_id set):
    the `activity_led` touchpoint of each, as session_update writes it, linked from the session."""
    sessions = [s for s in sessions if s.facilitator_household_id and s.led_touchpoint_id is None]
    user_id = getattr(actor, "pk", None)
    touchpoint_ids = touchpoint_rows_write(
        association=association,
        rows=[(s.facilitator_household_id, s.day, TouchpointKind.ACTIVITY_LED, s.activity_id,
               None, user_id) for s in sessions],
    )  # fmt: skip
    for s, t in zip(sessions, touchpoint_ids, strict=True):
        s.led_touchpoint_id = t
    Session.objects.bulk_update(sessions, ["led_touchpoint"], batch_size=1000)
    return len(sessions)
