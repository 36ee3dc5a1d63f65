"""The first read of an attendance mark (activities.services.attendance_mark): the session,
locked, with its activity, and the household's row on its sheet, in one statement compiled
once (core.prepared: the same statement for every tap, Django compiling it was a good part of
a tap's time). It runs without the scoped manager, so it applies the active scope itself."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django_scopes import get_scope
from django_scopes.exceptions import ScopeError

from parcours.activities.models import Activity, Attendance, Session
from parcours.core.prepared import Prepared
from parcours.households.models import Household

_ROW_FIELDS = [f.attname for f in Attendance._meta.concrete_fields]
_Unticked = Attendance.absent_persons.through


def _session_and_row_read(session_pk: int, household_pk: int):
    """The read of :func:`session_and_row` (a values_list queryset, compiled once)."""
    mine = FilteredRelation("attendances", condition=Q(attendances__household=household_pk))
    return (
        Session.objects.select_for_update(of=("self",))
        .annotate(mine=mine)
        .annotate(**{f"mine_{name}": F(f"mine__{name}") for name in _ROW_FIELDS})
        .annotate(mine_unticked=Exists(_Unticked.objects.filter(attendance_id=OuterRef("mine"))))
        .filter(pk=session_pk)
        .values_list(
            *_SESSION_FIELDS,
            *(f"activity__{name}" for name in _ACTIVITY_FIELDS),
            *(f"mine_{name}" for name in _ROW_FIELDS),
            "mine_unticked",
        )
    )


_SESSION_FIELDS = [f.attname for f in Session._meta.concrete_fields]
_ACTIVITY_FIELDS = [f.attname for f in Activity._meta.concrete_fields]
_SESSION_AND_ROW = Prepared(_session_and_row_read)


def _in_scope(association_id: int) -> bool:
    """Whether the active scope (django_scopes, as Session.objects applies it) lets a session
    of ``association_id`` be read: the prepared read runs without the scoped manager."""
    scope = get_scope()
    if not scope.get("_enabled", True):
        return True
    if "association" not in scope:
        raise ScopeError("A scope on dimension(s) association needs to be active for this query.")
    value = scope["association"]
    if value is None:
        return True
    values = value if isinstance(value, list | tuple) else [value]
    return association_id in {getattr(v, "pk", v) for v in values}


def session_and_row(session_pk: int, household: Household) -> tuple[Session, Attendance | None]:
    """The session, locked, with its activity, and the household's row on its sheet (None if
    it has none): one statement (the row through a LEFT JOIN limited to the household),
    compiled once (core.prepared: the same statement for every tap)."""
    got = _SESSION_AND_ROW.rows(session_pk, household.pk)
    n, m = len(_SESSION_FIELDS), len(_SESSION_FIELDS) + len(_ACTIVITY_FIELDS)
    if not got or not _in_scope(got[0][_SESSION_FIELDS.index("association_id")]):
        raise Session.DoesNotExist("Session matching query does not exist.")
    values = got[0]
    alias = connection.alias
    session = Session.from_db(alias, _SESSION_FIELDS, values[:n])
    session.activity = Activity.from_db(alias, _ACTIVITY_FIELDS, values[n:m])
    row_values = values[m:-1]
    if row_values[_ROW_FIELDS.index("id")] is None:
        return session, None
    row = Attendance.from_db(alias, _ROW_FIELDS, list(row_values))
    row.session = session
    row.unticked = values[-1]  # members marked as not come: cleared if not present
    return session, row
