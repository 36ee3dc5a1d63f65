"""Writes on activities, schedules, sessions and attendance sheets: atomic, keyword-only, audited.

Attendance is a per-(session, household) row; a mark is an *intent* for one household,
sent by a client with an id it generated (`mark_id`), the version of the row it saw
(`base_version`) and the moment of the tap (`intent_at`):

- the same `mark_id` again is a retry: nothing changes (idempotent);
- a client that saw the current version wins (it decided knowing the latest state);
- otherwise someone else changed the row meanwhile: the later tap wins (last intent wins),
  the earlier one is reported as stale and the current row is returned.

The `attendance` touchpoint is derived from the row: one while the mark is "present", none
otherwise; the row keeps a link to it, so changing a mark touches exactly that touchpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.activities.marking import session_and_row
from parcours.activities.models import Activity, Attendance, Schedule, Session
from parcours.association_settings.selectors import activity_type_check
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_later, audit_record, audit_save, changed_fields
from parcours.core.fastinsert import insert_or_nothing
from parcours.households import hooks
from parcours.households import services as households
from parcours.households.models import Household, Person, Touchpoint, TouchpointKind

ACTIVITY_FIELDS = ("name", "category", "description", "place")
SESSION_FIELDS = (
    "day", "start_time", "end_time", "place", "facilitator_user", "facilitator_household",
    "cancelled",
)  # fmt: skip
MAX_SCHEDULE_DAYS = 731  # two years of weekly sessions at most per schedule
INTENT_PAST_LIMIT = timedelta(days=7)  # an intent older than this is dated a week ago

Status = Attendance.Status


# --- activities ---------------------------------------------------------------------------


@transaction.atomic
def activity_create(*, actor, association, **data) -> Activity:
    unknown = set(data) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    activity_type_check(association, data.get("category", ""))
    activity = Activity(association=association, **data)
    activity.full_clean()
    activity.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=activity, fields=data.keys())
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **data) -> Activity:
    unknown = set(data) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    changed = changed_fields(activity, data)
    if not changed:
        return activity
    if "category" in changed:
        activity_type_check(activity.association_id, data["category"])
    for name in changed:
        setattr(activity, name, data[name])
    activity.full_clean()
    activity.save(update_fields=changed)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=activity, fields=changed)
    return activity


# --- schedules and sessions ---------------------------------------------------------------


def schedule_days(*, weekday: int, starts_on: date, ends_on: date) -> list[date]:
    """Every date falling on `weekday` between the two dates, both included."""
    first = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    days = []
    day = first
    while day <= ends_on:
        days.append(day)
        day += timedelta(days=7)
    return days


def _check_facilitator(association_id: int, user, household) -> None:
    if household is not None and household.association_id != association_id:
        raise ValidationError({"facilitator_household": _("Choose a household of the list.")})
    if user is not None:
        from parcours.accounts.models import Membership

        if not Membership.objects.filter(user=user, association_id=association_id).exists():
            raise ValidationError({"facilitator_user": _("Choose a team member of the list.")})


@transaction.atomic
def schedule_create(
    *, actor, activity: Activity, weekday: int, start_time, starts_on: date, ends_on: date,
    end_time=None, place: str = "", facilitator_user=None, facilitator_household=None,
) -> Schedule:  # fmt: skip
    """Create a weekly schedule and the sessions it generates."""
    if ends_on and starts_on and (ends_on - starts_on).days > MAX_SCHEDULE_DAYS:
        raise ValidationError({"ends_on": _("A schedule can span two years at most.")})
    _check_facilitator(activity.association_id, facilitator_user, facilitator_household)
    schedule = Schedule(
        association_id=activity.association_id, activity=activity, weekday=weekday,
        start_time=start_time, end_time=end_time, place=place or activity.place,
        starts_on=starts_on, ends_on=ends_on, facilitator_user=facilitator_user,
        facilitator_household=facilitator_household,
    )  # fmt: skip
    schedule.full_clean()
    schedule.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=schedule,
        fields=["weekday", "start_time", "end_time", "place", "starts_on", "ends_on",
                "facilitator_user", "facilitator_household"],
    )  # fmt: skip
    sessions_generate(schedule=schedule)
    return schedule


@transaction.atomic
def sessions_generate(*, schedule: Schedule) -> list[Session]:
    """Create the schedule's missing sessions; re-running it creates nothing twice."""
    existing = set(Session.objects.filter(schedule=schedule).values_list("day", flat=True))
    new = [
        Session(
            association_id=schedule.association_id,
            activity_id=schedule.activity_id,
            schedule=schedule,
            day=day,
            start_time=schedule.start_time,
            end_time=schedule.end_time,
            place=schedule.place,
            facilitator_user_id=schedule.facilitator_user_id,
            facilitator_household_id=schedule.facilitator_household_id,
        )  # fmt: skip
        for day in schedule_days(
            weekday=schedule.weekday, starts_on=schedule.starts_on, ends_on=schedule.ends_on
        )
        if day not in existing
    ]
    return Session.objects.bulk_create(new)


@transaction.atomic
def session_create(
    *, actor, activity: Activity, day: date, start_time, end_time=None, place: str = "",
    facilitator_user=None, facilitator_household=None,
) -> Session:  # fmt: skip
    """A one-off session."""
    _check_facilitator(activity.association_id, facilitator_user, facilitator_household)
    session = Session(
        association_id=activity.association_id, activity=activity, day=day,
        start_time=start_time, end_time=end_time, place=place or activity.place,
        facilitator_user=facilitator_user, facilitator_household=facilitator_household,
    )  # fmt: skip
    session.full_clean()
    session.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=session,
        fields=["day", "start_time", "end_time", "place", "facilitator_user",
                "facilitator_household"],
    )  # fmt: skip
    return session


@transaction.atomic
def session_update(*, actor, session: Session, **data) -> Session:
    unknown = set(data) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    session = Session.objects.select_for_update().get(pk=session.pk)
    changed = changed_fields(session, data)
    if not changed:
        return session
    if "day" in changed and session.attendances.exclude(status=Status.UNMARKED).exists():
        raise ValidationError(
            {"day": _("This session already has an attendance sheet: its day cannot change.")}
        )
    _check_facilitator(
        session.association_id,
        data.get("facilitator_user", session.facilitator_user),
        data.get("facilitator_household", session.facilitator_household),
    )
    for name in changed:
        setattr(session, name, data[name])
    session.full_clean()
    session.save(update_fields=changed)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, fields=changed)
    _sync_led_touchpoint(session=session, actor=actor)
    return session


def _touchpoint_remove(*, actor, touchpoint_id: int) -> None:
    """Remove a derived touchpoint; the household's journey follows in the same transaction."""
    touchpoint = Touchpoint.objects.select_related("household").filter(pk=touchpoint_id).first()
    if touchpoint is None:
        return
    household = touchpoint.household
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=touchpoint, fields=["kind"])
    touchpoint.delete()
    hooks.touchpoints_changed(household, since=touchpoint.day)


def _mark_touchpoint_remove(*, actor, row: Attendance, touchpoint_id: int, day, audits) -> None:
    """Remove the attendance touchpoint a mark no longer implies (the row, its only link, was
    just unlinked): one DELETE, without reading it first nor the cascade over every model that
    may point at a touchpoint (the database's foreign keys still refuse a dangling link)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Touchpoint._meta.db_table} WHERE id = %s", [touchpoint_id])
        if not cursor.rowcount:
            return
    gone = Touchpoint(
        pk=touchpoint_id, association_id=row.association_id, household_id=row.household_id
    )
    audit_later(audits, actor=actor, action=AuditEvent.Action.DELETE, obj=gone, fields=["kind"])
    hooks.touchpoints_changed(row.household, since=day)


def _session_held(session: Session) -> bool:
    return (
        not session.cancelled
        and session.day <= timezone.localdate()
        and session.attendances.filter(status=Status.PRESENT).exists()
    )


def _sync_led_touchpoint(*, session: Session, actor, held: bool | None = None) -> None:
    """A session held and led by a household's member gives that household `activity_led`.

    ``held``: True when the caller knows it is (it just marked someone present on a session
    that may be marked); None: read it."""
    if session.facilitator_household_id is None and session.led_touchpoint_id is None:
        return  # led by nobody's household, nothing derived from it
    if held is None:
        held = _session_held(session)
    wanted = session.facilitator_household if held else None
    current = None
    if session.led_touchpoint_id:
        current = Touchpoint.objects.filter(pk=session.led_touchpoint_id).first()
    if (
        current is not None
        and wanted is not None
        and (current.household_id, current.day, current.activity_id)
        == (wanted.pk, session.day, session.activity_id)
    ):
        return
    if current is not None:
        session.led_touchpoint = None
        session.save(update_fields=["led_touchpoint"])
        _touchpoint_remove(actor=actor, touchpoint_id=current.pk)
    if wanted is not None:
        session.led_touchpoint = households.touchpoint_record(
            actor=actor, household=wanted, day=session.day, kind=TouchpointKind.ACTIVITY_LED,
            activity=session.activity, record=session,
        )  # fmt: skip
        session.save(update_fields=["led_touchpoint"])


# --- attendance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkResult:
    attendance: Attendance
    outcome: str  # "applied", "unchanged", "duplicate" (a retry) or "stale" (a later tap won)

    @property
    def kept(self) -> bool:
        return self.outcome != "stale"


def clamp_intent(intent_at: datetime | None) -> datetime:
    """A client's tap time, kept within [a week ago, now] of the server's clock."""
    now = timezone.now()
    if intent_at is None or intent_at > now:
        return now
    return max(intent_at, now - INTENT_PAST_LIMIT)


def _check_markable(session: Session) -> None:
    if session.cancelled:
        raise ValidationError(_("This session was cancelled: its sheet cannot be filled in."))
    if session.day > timezone.localdate():
        raise ValidationError(
            _("Attendance can be taken on the day of the session or after, not before.")
        )


@transaction.atomic
def attendance_mark(
    *, actor, session: Session, household: Household, status: str, mark_id: str = "",
    base_version: int | None = None, intent_at: datetime | None = None,
) -> MarkResult:  # fmt: skip
    """Record one household's mark on a session's sheet (see the module docstring).

    The touchpoints it changes (the row's, the session's activity_led) go through the
    touchpoint pipeline once per household at the end; the audit events are written together.
    """
    if status not in Status.values:
        raise ValidationError({"status": _("Choose present, absent or excused.")})
    if household.association_id != session.association_id:
        raise ValidationError({"household": _("Choose a household of the list.")})
    # Serialise the marks of one session (PostgreSQL; SQLite's IMMEDIATE transactions already
    # hold the write lock), so the derived touchpoints follow the rows exactly; the household's
    # row is read in the same statement (every mark waits on the session's lock first, and
    # the row's own UPDATE still takes its row lock).
    session, row = session_and_row(session.pk, household)
    _check_markable(session)
    intent = clamp_intent(intent_at)
    mark_id = (mark_id or "")[:64]
    audits: list = []
    with hooks.deferred():
        if row is None:
            row = _attendance_create(
                actor=actor, session=session, household=household, status=status,
                mark_id=mark_id, intent=intent, audits=audits,
            )  # fmt: skip
            if row.outcome is not None:
                held = True if status == Status.PRESENT else None
                _sync_led_touchpoint(session=session, actor=actor, held=held)
                audit_save(audits)
                return row
            row = row.attendance  # another writer created it first (PostgreSQL): update it
        row.household = household  # loaded already: its association too
        result = _attendance_update(
            actor=actor, session=session, row=row, status=status, mark_id=mark_id,
            base_version=base_version, intent=intent, audits=audits,
        )  # fmt: skip
        audit_save(audits)
    return result


def _attendance_create(
    *, actor, session, household, status, mark_id, intent, audits
) -> MarkResult:  # fmt: skip
    """Insert the row, already linked to its touchpoint when present (its touchpoint written
    first): MarkResult(row, "applied"), or MarkResult(existing row, None) when another writer
    created the row first (PostgreSQL: the insert does nothing and the touchpoint goes)."""
    row = Attendance(
        association_id=session.association_id, session=session, household=household,
        status=status, version=1, mark_id=mark_id, origin_mark_id=mark_id, intent_at=intent,
        updated_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    kept = len(audits)
    if status == Status.PRESENT:
        row.touchpoint = households.touchpoint_record(
            actor=actor, household=household, day=session.day, kind=TouchpointKind.ATTENDANCE,
            activity=session.activity, record=row, record_pending=True, audits=audits,
        )  # fmt: skip
    if insert_or_nothing(row, unique=("session", "household")):
        audit_later(audits, actor=actor, action=AuditEvent.Action.CREATE, obj=row,
                    fields=["status"])  # fmt: skip
        audits.insert(kept, audits.pop())  # the row's event before its touchpoint's
        return MarkResult(row, "applied")
    if row.touchpoint_id is not None:  # the row exists: its own touchpoint is kept instead
        Touchpoint.objects.filter(pk=row.touchpoint_id).delete()
        del audits[kept:]
    existing = Attendance.objects.select_for_update().get(session=session, household=household)
    return MarkResult(existing, None)  # type: ignore[arg-type]


def _attendance_update(
    *, actor, session, row, status, mark_id, base_version, intent, audits
) -> MarkResult:  # fmt: skip
    if mark_id and row.mark_id == mark_id:
        return MarkResult(row, "duplicate")
    if base_version is not None and base_version != row.version and intent < row.intent_at:
        return MarkResult(row, "stale")
    row.mark_id = mark_id
    row.intent_at = max(intent, row.intent_at)
    row.updated_by = actor if getattr(actor, "pk", None) else None
    if row.status == status:
        # A confirmation moves intent_at later: bump the version too, so a client that saw the
        # previous version compares intents instead of overriding this later tap.
        row.version += 1
        row.save(update_fields=["version", "mark_id", "intent_at", "updated_by", "updated_at"])
        return MarkResult(row, "unchanged")
    was_present = row.status == Status.PRESENT
    row.status = status
    row.version += 1
    fields = ["status", "version", "mark_id", "intent_at", "updated_by", "updated_at"]
    audit_later(audits, actor=actor, action=AuditEvent.Action.UPDATE, obj=row, fields=["status"])
    gone = None
    if status == Status.PRESENT and row.touchpoint_id is None:
        row.touchpoint = households.touchpoint_record(
            actor=actor, household=row.household, day=session.day,
            kind=TouchpointKind.ATTENDANCE, activity=session.activity, record=row,
            audits=audits,
        )  # fmt: skip
        fields.append("touchpoint")
    elif status != Status.PRESENT and row.touchpoint_id is not None:
        gone, row.touchpoint = row.touchpoint_id, None
        fields.append("touchpoint")
    row.save(update_fields=fields)  # the mark and its touchpoint link: one statement
    if was_present and status != Status.PRESENT and getattr(row, "unticked", True):
        row.absent_persons.clear()  # present again means everyone
    if gone is not None:
        _mark_touchpoint_remove(actor=actor, row=row, touchpoint_id=gone, day=session.day,
                                audits=audits)  # fmt: skip
    held = True if status == Status.PRESENT else None
    _sync_led_touchpoint(session=session, actor=actor, held=held)
    return MarkResult(row, "applied")


@transaction.atomic
def attendance_members_set(
    *, actor, session: Session, household: Household, present: list[int]
) -> Attendance:
    """Which members of a household marked present came: ``present`` are person ids of the
    household; the others are recorded as not come. Everyone by default (no row unticked)."""
    row = (
        Attendance.objects.select_for_update()
        .filter(session=session, household=household, status=Status.PRESENT)
        .first()
    )
    if row is None:
        raise ValidationError(_("Mark the household present first, then untick who did not come."))
    members = set(Person.objects.filter(household=household).values_list("id", flat=True))
    chosen = set(present)
    if chosen - members:
        raise ValidationError({"present": _("Choose members of this household.")})
    if members and not chosen:
        raise ValidationError({"present": _("Nobody ticked: mark the household absent instead.")})
    absent = sorted(members - chosen)
    if sorted(row.absent_persons.values_list("id", flat=True)) != absent:
        row.absent_persons.set(absent)
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=row, fields=["absent_persons"]
        )
    return row


@transaction.atomic
def newcomer_add(
    *, actor, session: Session, name: str, neighbourhood: str, phone: str = "",
    lawful_basis=None, mark_id: str = "", allow_duplicate: bool = False,
) -> tuple[Household, MarkResult]:  # fmt: skip
    """A person who comes for the first time: a minimal household, marked present.

    Raises DuplicateHousehold (nothing written) when it looks like a known household, unless
    allow_duplicate; ValidationError without a lawful basis."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    _check_markable(session)
    mark_id = (mark_id or "")[:64]
    if mark_id:  # a retry of a quick-add whose answer was lost: the same household, once
        done = Attendance.objects.filter(session=session, origin_mark_id=mark_id).first()
        if done is not None:
            return done.household, MarkResult(done, "duplicate")
    household = households.household_create(
        actor=actor, association=session.association, name=name, neighbourhood=neighbourhood,
        phone=phone, lawful_basis=lawful_basis, allow_duplicate=allow_duplicate,
    )  # fmt: skip
    result = attendance_mark(
        actor=actor, session=session, household=household, status=Status.PRESENT,
        mark_id=mark_id, base_version=0,
    )  # fmt: skip
    return household, result
