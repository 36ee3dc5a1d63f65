"""Schedules generate sessions; marks write exactly the touchpoints they imply."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.activities import selectors, services
from parcours.activities.models import Attendance, Session
from parcours.households.models import Touchpoint
from tests.activities.conftest import make_households
from tests.basis import BASIS

pytestmark = pytest.mark.usefixtures("in_a")


def _attendance_touchpoints(household, session):
    return Touchpoint.objects.filter(
        household=household, kind="attendance", activity=session.activity, day=session.day
    )


# --- schedules ----------------------------------------------------------------------------


def test_schedule_days_are_every_weekday_between_the_dates():
    days = services.schedule_days(weekday=2, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30))
    assert days == [date(2026, 9, 2), date(2026, 9, 9), date(2026, 9, 16), date(2026, 9, 23),
                    date(2026, 9, 30)]  # fmt: skip
    none = services.schedule_days(weekday=0, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 6))
    assert none == []


def test_schedule_generates_its_sessions_once(sheet):
    schedule = services.schedule_create(
        actor=sheet.coordinator, activity=sheet.activity, weekday=1, start_time=time(9, 30),
        end_time=time(11, 0), place="Maison de quartier", starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 22), facilitator_user=sheet.volunteer,
    )  # fmt: skip
    sessions = list(Session.objects.filter(schedule=schedule))
    assert len(sessions) == 17
    assert {s.day.weekday() for s in sessions} == {1}
    assert sessions[0].day == date(2026, 9, 1) and sessions[-1].day == date(2026, 12, 22)
    assert all(s.place == "Maison de quartier" and s.facilitator_user == sheet.volunteer
               for s in sessions)  # fmt: skip
    assert services.sessions_generate(schedule=schedule) == []
    assert Session.objects.filter(schedule=schedule).count() == 17


def test_schedule_rejects_reversed_dates_and_creates_nothing(sheet):
    before = Session.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.schedule_create(
            actor=sheet.coordinator, activity=sheet.activity, weekday=1, start_time=time(9, 30),
            starts_on=date(2026, 9, 1), ends_on=date(2026, 8, 1),
        )  # fmt: skip
    assert "ends_on" in exc.value.message_dict
    assert Session.objects.count() == before


# --- marks --------------------------------------------------------------------------------


def test_marking_present_writes_one_touchpoint_linked_to_the_row(sheet):
    household = sheet.regulars[0]
    result = services.attendance_mark(
        actor=sheet.volunteer, session=sheet.session, household=household, status="present",
        mark_id="m1", base_version=0,
    )  # fmt: skip
    assert result.outcome == "applied"
    touchpoints = list(_attendance_touchpoints(household, sheet.session))
    assert len(touchpoints) == 1
    assert result.attendance.touchpoint == touchpoints[0]
    assert touchpoints[0].actor == sheet.volunteer


def test_re_marking_is_idempotent(sheet):
    household = sheet.regulars[0]
    kwargs = dict(actor=sheet.volunteer, session=sheet.session, household=household)
    first = services.attendance_mark(**kwargs, status="present", mark_id="m1", base_version=0)
    retry = services.attendance_mark(**kwargs, status="present", mark_id="m1", base_version=0)
    again = services.attendance_mark(**kwargs, status="present", mark_id="m2", base_version=1)
    assert (first.outcome, retry.outcome, again.outcome) == ("applied", "duplicate", "unchanged")
    # the retry changed nothing; the confirmation (a later tap) is a new version of the intent
    assert Attendance.objects.get(session=sheet.session, household=household).version == 2
    assert _attendance_touchpoints(household, sheet.session).count() == 1


def test_absent_removes_exactly_that_touchpoint(sheet):
    household, other = sheet.regulars[0], sheet.regulars[1]
    kwargs = dict(actor=sheet.volunteer, session=sheet.session)
    services.attendance_mark(**kwargs, household=other, status="present", mark_id="o1")
    services.attendance_mark(**kwargs, household=household, status="present", mark_id="m1")
    earlier = Touchpoint.objects.filter(household=household, kind="attendance").count()
    result = services.attendance_mark(
        **kwargs, household=household, status="absent", mark_id="m2", base_version=1
    )
    assert result.outcome == "applied" and result.attendance.version == 2
    assert result.attendance.touchpoint is None
    assert _attendance_touchpoints(household, sheet.session).count() == 0
    assert Touchpoint.objects.filter(household=household, kind="attendance").count() == earlier - 1
    assert _attendance_touchpoints(other, sheet.session).count() == 1
    # present again: one new touchpoint; excused or unmarked: none
    services.attendance_mark(**kwargs, household=household, status="present", mark_id="m3")
    assert _attendance_touchpoints(household, sheet.session).count() == 1
    for i, status in enumerate(["excused", "unmarked"]):
        services.attendance_mark(**kwargs, household=household, status=status, mark_id=f"x{i}")
        assert _attendance_touchpoints(household, sheet.session).count() == 0


def test_marks_on_different_households_are_all_kept(sheet):
    """Two people on the same sheet, each with a stale view of it: both marks stay."""
    a, b = sheet.regulars[:2]
    services.attendance_mark(
        actor=sheet.volunteer, session=sheet.session, household=a, status="present",
        mark_id="v1", base_version=0,
    )  # fmt: skip
    services.attendance_mark(
        actor=sheet.coordinator, session=sheet.session, household=b, status="excused",
        mark_id="c1", base_version=0,
    )  # fmt: skip
    marks = dict(
        Attendance.objects.filter(session=sheet.session).values_list("household", "status")
    )
    assert marks == {a.pk: "present", b.pk: "excused"}


def test_same_household_last_intent_wins_with_a_version_check(sheet):
    household = sheet.regulars[0]
    now = timezone.now()
    kwargs = dict(session=sheet.session, household=household)
    services.attendance_mark(
        **kwargs, actor=sheet.volunteer, status="present", mark_id="v1", base_version=0,
        intent_at=now - timedelta(seconds=30),
    )  # fmt: skip
    # The coordinator saw version 1 and taps absent: applied.
    later = services.attendance_mark(
        **kwargs, actor=sheet.coordinator, status="absent", mark_id="c1", base_version=1,
        intent_at=now - timedelta(seconds=10),
    )  # fmt: skip
    assert later.outcome == "applied" and later.attendance.version == 2
    # A queued mark of the volunteer, tapped before the coordinator's, arrives late: stale.
    late = services.attendance_mark(
        **kwargs, actor=sheet.volunteer, status="excused", mark_id="v2", base_version=1,
        intent_at=now - timedelta(seconds=20),
    )  # fmt: skip
    assert late.outcome == "stale"
    row = Attendance.objects.get(**kwargs)
    assert (row.status, row.version, row.mark_id) == ("absent", 2, "c1")
    # A stale view but a later tap: last intent wins.
    last = services.attendance_mark(
        **kwargs, actor=sheet.volunteer, status="present", mark_id="v3", base_version=1,
        intent_at=now - timedelta(seconds=1),
    )  # fmt: skip
    assert last.outcome == "applied"
    row.refresh_from_db()
    assert (row.status, row.version) == ("present", 3)
    assert _attendance_touchpoints(household, sheet.session).count() == 1


def test_a_retry_of_a_superseded_mark_changes_nothing(sheet):
    household = sheet.regulars[0]
    kwargs = dict(actor=sheet.volunteer, session=sheet.session, household=household)
    t0 = timezone.now() - timedelta(seconds=5)
    services.attendance_mark(**kwargs, status="present", mark_id="a", base_version=0, intent_at=t0)
    services.attendance_mark(
        **kwargs, status="absent", mark_id="b", base_version=0, intent_at=t0 + timedelta(seconds=1)
    )
    retry = services.attendance_mark(
        **kwargs, status="present", mark_id="a", base_version=0, intent_at=t0
    )
    assert retry.outcome == "stale"
    assert Attendance.objects.get(session=sheet.session, household=household).status == "absent"
    assert _attendance_touchpoints(household, sheet.session).count() == 0


def test_a_future_clock_does_not_win_forever(sheet):
    future = timezone.now() + timedelta(days=3)
    result = services.attendance_mark(
        actor=sheet.volunteer, session=sheet.session, household=sheet.regulars[0],
        status="present", mark_id="f", intent_at=future,
    )  # fmt: skip
    assert result.attendance.intent_at <= timezone.now()


def test_no_marks_on_a_future_or_cancelled_session(sheet):
    future = services.session_create(
        actor=sheet.coordinator, activity=sheet.activity,
        day=timezone.localdate() + timedelta(days=1), start_time=time(10, 0),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.attendance_mark(
            actor=sheet.volunteer, session=future, household=sheet.regulars[0], status="present"
        )
    services.session_update(actor=sheet.coordinator, session=sheet.session, cancelled=True)
    with pytest.raises(ValidationError):
        services.attendance_mark(
            actor=sheet.volunteer, session=sheet.session, household=sheet.regulars[0],
            status="present",
        )  # fmt: skip
    assert not Attendance.objects.filter(session__in=[future, sheet.session]).exists()


# --- facilitators -------------------------------------------------------------------------


def test_a_session_led_by_a_household_writes_activity_led_when_held(sheet, world):
    leader = world.household_a
    services.session_update(
        actor=sheet.coordinator, session=sheet.session, facilitator_household=leader
    )
    led = Touchpoint.objects.filter(household=leader, kind="activity_led")
    assert not led.exists()  # not held yet: nobody marked present
    services.attendance_mark(
        actor=sheet.volunteer, session=sheet.session, household=sheet.regulars[0],
        status="present",
    )  # fmt: skip
    assert led.count() == 1
    session = Session.objects.get(pk=sheet.session.pk)
    assert session.led_touchpoint == led.get()
    assert led.get().activity == sheet.activity and led.get().day == sheet.session.day
    # More marks: still one.
    services.attendance_mark(
        actor=sheet.volunteer, session=sheet.session, household=sheet.regulars[1],
        status="present",
    )  # fmt: skip
    assert led.count() == 1
    # Handing over to a team member removes it.
    services.session_update(
        actor=sheet.coordinator, session=session, facilitator_household=None,
        facilitator_user=sheet.volunteer,
    )  # fmt: skip
    assert not led.exists()


def test_facilitator_cannot_be_both(sheet, world):
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            actor=sheet.coordinator, activity=sheet.activity, day=timezone.localdate(),
            start_time=time(10, 0), facilitator_user=sheet.volunteer,
            facilitator_household=world.household_a,
        )  # fmt: skip
    assert "facilitator_household" in exc.value.message_dict


# --- the sheet ----------------------------------------------------------------------------


def test_the_sheet_expects_the_regulars_and_everyone_marked(sheet, world):
    newcomer, _ = services.newcomer_add(
        actor=sheet.volunteer, session=sheet.session, name="Famille Nouvelle",
        neighbourhood="Le Port", lawful_basis=BASIS,
        mark_id="n1",
    )  # fmt: skip
    names = [row.household.name for row in selectors.sheet_rows(session=sheet.session)]
    # The world's Famille Martin attended in January: not a regular any more.
    assert names == sorted([h.name for h in sheet.regulars] + ["Famille Nouvelle"])
    rows = {r.household.pk: r for r in selectors.sheet_rows(session=sheet.session)}
    assert rows[newcomer.pk].status == "present"
    assert _attendance_touchpoints(newcomer, sheet.session).count() == 1


def test_a_retried_newcomer_is_created_once(sheet):
    from parcours.households.models import Household

    kwargs = dict(
        actor=sheet.volunteer, session=sheet.session, name="Famille Nouvelle",
        neighbourhood="Le Port", lawful_basis=BASIS,
        mark_id="n1",
    )  # fmt: skip
    first, _ = services.newcomer_add(**kwargs)
    again, result = services.newcomer_add(**kwargs)
    assert first == again and result.outcome == "duplicate"
    assert Household.objects.filter(name="Famille Nouvelle").count() == 1


def test_mark_ids_are_independent_between_households(sheet, world):
    households = make_households(world.a, 3, prefix="Voisins")
    for h in households:
        services.attendance_mark(
            actor=sheet.volunteer, session=sheet.session, household=h, status="present",
            mark_id="same-id",
        )  # fmt: skip
    assert Attendance.objects.filter(session=sheet.session, status="present").count() == 3


# --- attendance per person -----------------------------------------------------------------


def _family(sheet, household, *names_years):
    from parcours.households import services as households

    return [
        households.person_add(
            actor=sheet.coordinator,
            household=household,
            first_name=name,
            birth_year=year,
            relation="parent" if i == 0 else "child",
            is_contact=i == 0,
            lawful_basis=BASIS,
        )  # fmt: skip
        for i, (name, year) in enumerate(names_years)
    ]


def test_a_present_household_came_whole_until_members_are_unticked(sheet):
    household = sheet.regulars[0]
    mum, kid, baby = _family(sheet, household, ("Awa", 1988), ("Issa", 2015), ("Lina", 2024))
    services.attendance_mark(
        actor=sheet.volunteer, session=sheet.session, household=household, status="present"
    )
    row = selectors.sheet_row(session=sheet.session, household=household)
    assert row.came == 3 and [p for p, _c in row.members] == [mum, kid, baby]
    services.attendance_members_set(
        actor=sheet.volunteer, session=sheet.session, household=household,
        present=[mum.pk, kid.pk],
    )  # fmt: skip
    row = selectors.sheet_row(session=sheet.session, household=household)
    assert {p.pk: came for p, came in row.members} == {mum.pk: True, kid.pk: True, baby.pk: False}
    # the journey still reads one attendance of the household
    assert _attendance_touchpoints(household, sheet.session).count() == 1
    # unmarked then present again: the whole household again
    for status in ("unmarked", "present"):
        services.attendance_mark(
            actor=sheet.volunteer, session=sheet.session, household=household, status=status
        )
    assert selectors.sheet_row(session=sheet.session, household=household).came == 3


def test_members_cannot_be_unticked_all_nor_chosen_from_another_household(sheet):
    a, b = sheet.regulars[0], sheet.regulars[1]
    (mum,) = _family(sheet, a, ("Awa", 1988))
    (other,) = _family(sheet, b, ("Jean", 1970))
    services.attendance_mark(actor=sheet.volunteer, session=sheet.session, household=a,
                             status="present")  # fmt: skip
    with pytest.raises(ValidationError):
        services.attendance_members_set(
            actor=sheet.volunteer, session=sheet.session, household=a, present=[]
        )
    with pytest.raises(ValidationError):
        services.attendance_members_set(
            actor=sheet.volunteer, session=sheet.session, household=a, present=[mum.pk, other.pk]
        )
    with pytest.raises(ValidationError):  # not marked present
        services.attendance_members_set(
            actor=sheet.volunteer, session=sheet.session, household=b, present=[other.pk]
        )
    assert not Attendance.objects.get(session=sheet.session, household=a).absent_persons.exists()
