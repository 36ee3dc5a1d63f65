"""Reads on activities, sessions and attendance sheets, inside the request's association scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from parcours.activities.models import Activity, Attendance, Schedule, Session
from parcours.consent.models import Purpose
from parcours.consent.selectors import withdrawn_household_ids
from parcours.households.models import Household, Person, Touchpoint, TouchpointKind

REGULAR_WINDOW_DAYS = 90  # a household present at this activity within this window is expected


def activity_list() -> QuerySet[Activity]:
    today = timezone.localdate()
    upcoming = Q(sessions__day__gte=today, sessions__cancelled=False)
    return Activity.objects.annotate(
        next_day=Min("sessions__day", filter=upcoming),
        schedule_count=Count("schedules", distinct=True),
    ).order_by("name", "id")


def activity_detail(*, pk: int) -> Activity:
    return Activity.objects.get(pk=pk)


def activity_schedules(*, activity: Activity) -> QuerySet[Schedule]:
    return Schedule.objects.filter(activity=activity).select_related(
        "facilitator_user", "facilitator_household"
    )


def _with_counts(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.select_related("activity", "facilitator_user", "facilitator_household").annotate(
        present_count=Count("attendances", filter=Q(attendances__status="present"))
    )


def activity_sessions(*, activity: Activity, upcoming: bool, limit: int = 12) -> list[Session]:
    today = timezone.localdate()
    qs = _with_counts(Session.objects.filter(activity=activity))
    if upcoming:
        qs = qs.filter(day__gte=today).order_by("day", "start_time", "id")
    else:
        qs = qs.filter(day__lt=today).order_by("-day", "-start_time", "-id")
    return list(qs[:limit])


def sessions_on(*, day: date) -> QuerySet[Session]:
    return _with_counts(Session.objects.filter(day=day)).order_by("start_time", "activity__name")


def session_detail(*, pk: int) -> Session:
    return Session.objects.select_related(
        "activity", "facilitator_user", "facilitator_household"
    ).get(pk=pk)


@dataclass
class SheetRow:
    household: Household
    attendance: Attendance | None
    no_photos: bool = False  # the family withdrew its consent to photos: shown on the sheet
    # (person, came) for each member: who came, for a present household (everyone by default)
    members: list[tuple[Person, bool]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The household's id as the row's HTML writes it (a dozen times: text, not a
        number to localise each time)."""
        return str(self.household.pk)

    @property
    def came(self) -> int:
        return sum(1 for _p, came in self.members if came)

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else Attendance.Status.UNMARKED

    @property
    def version(self) -> int:
        return self.attendance.version if self.attendance else 0


def session_regulars(*, session: Session) -> QuerySet[Household]:
    """Households present at this activity in the REGULAR_WINDOW_DAYS before the session."""
    since = session.day - timedelta(days=REGULAR_WINDOW_DAYS)
    came = Touchpoint.objects.filter(
        kind=TouchpointKind.ATTENDANCE,
        activity_id=session.activity_id,
        day__gte=since,
        day__lte=session.day,
    ).values("household_id")
    return Household.objects.active().filter(pk__in=came)


def sheet_rows(*, session: Session) -> list[SheetRow]:
    """The expected people (the regulars) and everyone already on the sheet, by name."""
    marks = {
        a.household_id: a
        for a in Attendance.objects.filter(
            session=session, household__archived_at__isnull=True
        ).select_related("household")
    }
    households = {a.household_id: a.household for a in marks.values()}
    for household in session_regulars(session=session).exclude(pk__in=list(households)):
        households[household.pk] = household
    rows = [SheetRow(h, marks.get(pk)) for pk, h in households.items()]
    rows.sort(key=lambda r: (r.household.name.casefold(), r.household.pk))
    return with_photo_flags(rows)


#: A sheet's poll sends again the marks changed this long before the version it holds: a mark
#: written (its updated_at read) just before that version was read may commit just after.
CHANGES_OVERLAP = timedelta(seconds=10)


def sheet_since(rows: list[SheetRow], held: int = 0) -> int:
    """The sheet's version a client holds after reading ``rows``: the latest change among their
    marks, in microseconds since 1970 (``held``, the version it had, when none is later)."""
    stamps = [_micros(r.attendance.updated_at) for r in rows if r.attendance is not None]
    return max([held, *stamps])


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def sheet_changes(*, session: Session, since: int) -> list[SheetRow]:
    """The rows whose mark changed since the sheet's version ``since`` (sheet_since), a few
    seconds before it included (CHANGES_OVERLAP): what a sheet's poll sends instead of every
    row. Rows with no mark yet (the regulars) never change; a client already showing a row
    at the same version and status leaves it as it is."""
    moment = _EPOCH + since * _MICROSECOND
    marks = Attendance.objects.filter(
        session=session,
        household__archived_at__isnull=True,
        updated_at__gte=moment - CHANGES_OVERLAP,
    ).select_related("household")
    rows = [SheetRow(a.household, a) for a in marks]
    rows.sort(key=lambda r: (r.household.name.casefold(), r.household.pk))
    return with_photo_flags(rows)


def with_photo_flags(rows: list[SheetRow]) -> list[SheetRow]:
    """Flag the rows of families that withdrew their consent to photos (one query), and list
    their members with who came (two queries)."""
    if rows:
        refused = withdrawn_household_ids(Purpose.PHOTOS, [r.household.pk for r in rows])
        for row in rows:
            row.no_photos = row.household.pk in refused
        _with_members(rows)
    return rows


def _with_members(rows: list[SheetRow]) -> None:
    persons: dict[int, list[Person]] = {}
    for p in Person.objects.filter(household_id__in=[r.household.pk for r in rows]):
        persons.setdefault(p.household_id, []).append(p)
    marks = [r.attendance.pk for r in rows if r.attendance is not None]
    absent = set(
        Attendance.absent_persons.through.objects.filter(attendance_id__in=marks).values_list(
            "attendance_id", "person_id"
        )
    )
    for row in rows:
        mark = row.attendance.pk if row.attendance is not None else None
        row.members = [(p, (mark, p.pk) not in absent) for p in persons.get(row.household.pk, [])]


def sheet_row(*, session: Session, household: Household) -> SheetRow:
    attendance = Attendance.objects.filter(session=session, household=household).first()
    if attendance is not None:
        attendance.household = household
    return with_photo_flags([SheetRow(household, attendance)])[0]


def sheet_search(*, session: Session, search: str, limit: int = 10) -> list[SheetRow]:
    """Known households not on the sheet yet, to add someone who is not a regular."""
    search = " ".join(search.split())
    if len(search) < 2:
        return []
    on_sheet = {r.household.pk for r in sheet_rows(session=session)}
    found = (
        Household.objects.active()
        .filter(
            Q(name__icontains=search)
            | Q(neighbourhood__icontains=search)
            | Q(phone__icontains=search)
            | Q(persons__first_name__icontains=search)
        )
        .exclude(pk__in=on_sheet)
        .distinct()
        .order_by("name", "id")[:limit]
    )
    return with_photo_flags([SheetRow(h, None) for h in found])


def team_members(*, association) -> QuerySet:
    """Users of the association, the possible facilitators among the team."""
    return (
        get_user_model()
        .objects.filter(memberships__association=association, is_active=True)
        .order_by("first_name", "last_name", "username")
    )
