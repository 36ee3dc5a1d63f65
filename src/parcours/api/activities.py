"""Activities, their sessions and the attendance marked on them."""

from datetime import date

from ninja import Field, Query, Router, Schema

from parcours.accounts import visibility
from parcours.accounts.roles import Capability
from parcours.activities.models import Activity, Attendance, Session
from parcours.api.access import MAX_ID, PageQuery, endpoint, filtered, page
from parcours.api.errors import ERRORS
from parcours.api.schemas import ActivityPage, AttendancePage, SessionPage

router = Router(tags=["activities"])
# the capability of the activities pages and their attendance sheets
RECORD = Capability.RECORD_TOUCHPOINTS
Id = Field(None, ge=1, le=MAX_ID)


class ActivityFilters(Schema):
    category: str = Field("", max_length=20)


@router.get("/activities", response={200: ActivityPage, **ERRORS})
@endpoint(RECORD)
def activities_list(request, filters: Query[ActivityFilters], paging: Query[PageQuery]):
    qs = Activity.objects.all().order_by("name", "id")
    qs = filtered(qs, category=filters.category)
    fields = ("id", "name", "category", "description", "place")
    return page(qs, paging, lambda a: {f: getattr(a, f) for f in fields})


class SessionFilters(Schema):
    activity: int | None = Id
    since: date | None = None
    until: date | None = None


def _time(t) -> str | None:
    return t.strftime("%H:%M") if t else None


@router.get("/sessions", response={200: SessionPage, **ERRORS})
@endpoint(RECORD)
def sessions_list(request, filters: Query[SessionFilters], paging: Query[PageQuery]):
    qs = Session.objects.all().order_by("-day", "start_time", "id")
    qs = filtered(qs, activity_id=filters.activity, day__gte=filters.since, day__lte=filters.until)

    def row(s):
        return {
            "id": s.pk, "activity_id": s.activity_id, "day": s.day,
            "start_time": _time(s.start_time), "end_time": _time(s.end_time),
            "place": s.place, "cancelled": s.cancelled,
        }  # fmt: skip

    return page(qs, paging, row)


class AttendanceFilters(Schema):
    session: int | None = Id
    household: int | None = Id


@router.get("/attendance", response={200: AttendancePage, **ERRORS})
@endpoint(RECORD)
def attendance_list(request, filters: Query[AttendanceFilters], paging: Query[PageQuery]):
    """The marks of the attendance sheets, for the households this role may see."""
    qs = Attendance.objects.filter(
        household__in=visibility.households(request.membership)
    ).order_by("session_id", "household_id")
    qs = filtered(qs, session_id=filters.session, household_id=filters.household)
    qs = qs.prefetch_related("absent_persons")

    def row(a):
        return {
            "id": a.pk, "session_id": a.session_id, "household_id": a.household_id,
            "status": a.status, "absent_person_ids": sorted(p.pk for p in a.absent_persons.all()),
        }  # fmt: skip

    return page(qs, paging, row)
