"""The tap's first read (the session, its activity and the household's row, one statement
compiled once) runs without the scoped manager: it must refuse what Session.objects refuses.
A session of another association than the active scope's is not found; no scope at all is a
ScopeError, as before."""

from __future__ import annotations

import pytest
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from parcours.activities import services
from parcours.activities.models import Session


def _mark(sheet):
    return services.attendance_mark(
        actor=sheet.volunteer, session=sheet.session, household=sheet.regulars[0],
        status="present",
    )  # fmt: skip


def test_a_session_outside_the_active_scope_is_not_found(world, sheet):
    with scope(association=[world.b.pk]), pytest.raises(Session.DoesNotExist):
        _mark(sheet)
    with scope(association=world.b), pytest.raises(Session.DoesNotExist):
        _mark(sheet)


def test_without_a_scope_the_read_is_refused(sheet):
    with pytest.raises(ScopeError):
        _mark(sheet)


def test_in_its_scope_the_mark_applies_and_reads_the_row_back(world, sheet):
    with scope(association=world.a):
        assert _mark(sheet).outcome == "applied"
    with scope(association=[world.a.pk]):
        again = _mark(sheet)  # the row is read by the same statement now: a confirmation
    assert again.outcome == "unchanged"
    assert again.attendance.session.activity == sheet.activity
