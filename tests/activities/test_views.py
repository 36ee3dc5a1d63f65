"""The pages: forms name the field they reject and store nothing; lists keep their queries few."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.accounts.roles import Role
from parcours.activities import services
from parcours.activities.models import Activity, Attendance, Schedule, Session
from parcours.consent.selectors import has_follow_up_basis
from parcours.households.models import Household, Touchpoint
from tests.activities.conftest import make_households


def TOMORROW() -> str:  # read when the test runs: a run may cross midnight after collection
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def _count(model, world):
    with scope(association=[world.a.pk]):
        return model.objects.count()


def test_today_lists_the_sessions_of_the_day(sheet, world, login):
    client = login(sheet.volunteer)
    response = client.get("/activities/today/")
    assert response.status_code == 200
    assert "Café des parents" in response.content.decode()
    assert f"/activities/sessions/{sheet.session.pk}/" in response.content.decode()


def test_the_sheet_shows_the_regulars(sheet, login):
    response = login(sheet.volunteer).get(f"/activities/sessions/{sheet.session.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    for household in sheet.regulars:
        assert household.name in body
    assert body.count('aria-pressed="false"') == 3 * len(sheet.regulars)


def test_one_post_marks_present_and_a_retry_changes_nothing(sheet, world, login):
    client = login(sheet.volunteer)
    household = sheet.regulars[0]
    url = f"/activities/sessions/{sheet.session.pk}/marks/"
    data = {"household": household.pk, "status": "present", "mark_id": "abc", "base_version": 0,
            "intent_at": int(timezone.now().timestamp() * 1000)}  # fmt: skip
    for _ in range(3):
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert response["X-Mark-Outcome"] == "duplicate"
    assert 'aria-pressed="true"' in response.content.decode()
    with scope(association=[world.a.pk]):
        row = Attendance.objects.get(session=sheet.session, household=household)
        assert (row.status, row.version) == ("present", 1)
        assert (
            Touchpoint.objects.filter(
                household=household, kind="attendance", day=sheet.session.day
            ).count()
            == 1
        )


def test_a_mark_without_javascript_redirects_to_the_sheet(sheet, world, login):
    client = login(sheet.volunteer)
    url = f"/activities/sessions/{sheet.session.pk}/marks/"
    response = client.post(url, {"household": sheet.regulars[1].pk, "status": "excused"})
    assert response.status_code == 302
    assert response["Location"] == f"/activities/sessions/{sheet.session.pk}/"
    with scope(association=[world.a.pk]):
        row = Attendance.objects.get(session=sheet.session, household=sheet.regulars[1])
        assert row.status == "excused"


def test_a_bad_mark_is_refused_naming_the_field(sheet, world, login):
    client = login(sheet.volunteer)
    url = f"/activities/sessions/{sheet.session.pk}/marks/"
    response = client.post(
        url, {"household": sheet.regulars[0].pk, "status": "maybe"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Mark" in response.content.decode()
    # Another association's household is "not in the list".
    response = client.post(
        url, {"household": world.household_b.pk, "status": "present"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Household" in response.content.decode()
    assert _count(Attendance, world) == 5  # last week's only


def test_a_future_session_cannot_be_marked(sheet, world, login):
    with scope(association=[world.a.pk]):
        future = services.session_create(
            actor=sheet.coordinator, activity=sheet.activity,
            day=timezone.localdate() + timedelta(days=2), start_time=time(10, 0),
        )  # fmt: skip
    client = login(sheet.volunteer)
    response = client.post(
        f"/activities/sessions/{future.pk}/marks/",
        {"household": sheet.regulars[0].pk, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert _count(Attendance, world) == 5


def test_marks_are_in_french_by_default(sheet, login):
    client = login(sheet.volunteer, lang="fr")
    body = client.get(f"/activities/sessions/{sheet.session.pk}/").content.decode()
    assert "Présent" in body and "Excusé" in body


def test_newcomer_quick_add_creates_the_household_marked_present(sheet, world, login):
    client = login(sheet.volunteer)
    url = f"/activities/sessions/{sheet.session.pk}/newcomer/"
    data = {"name": "Famille Sow", "neighbourhood": "Les Tilleuls", "phone": "06 11 22 33 44",
            "purposes": "follow_up", "consent_day": timezone.localdate().isoformat(),
            "mark_id": "new-1"}  # fmt: skip
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["X-Mark-Outcome"] == "applied"
    assert "Famille Sow" in response.content.decode()
    client.post(url, data, HTTP_HX_REQUEST="true")  # a retry
    with scope(association=[world.a.pk]):
        household = Household.objects.get(name="Famille Sow")
        assert has_follow_up_basis(household) and household.phone == "06 11 22 33 44"
        assert Attendance.objects.get(household=household).status == "present"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("name", "  ", "this field is required."),
        ("neighbourhood", "", "Neighbourhood: this field is required."),
        ("phone", "call me", "Enter a phone number with digits only"),
        (
            "purposes",
            None,
            "Purposes: the consent must at least cover follow-up by the association.",
        ),
        ("consent_day", "2999-01-01", "Date of consent: enter a date between"),
        ("consent_day", TOMORROW, "Date of consent: it cannot be in the future."),
        ("consent_day", "tomorrow", "Date of consent: enter a valid date"),
    ],
)
def test_newcomer_form_names_the_field_and_stores_nothing(
    field, value, message, sheet, world, login
):  # fmt: skip
    client = login(sheet.volunteer)
    data = {"name": "Famille Sow", "neighbourhood": "Les Tilleuls", "purposes": "follow_up",
            "consent_day": timezone.localdate().isoformat()}  # fmt: skip
    data[field] = value() if callable(value) else value
    if value is None:  # an unticked box posts nothing
        del data[field]
    before = (_count(Household, world), _count(Attendance, world), _count(Touchpoint, world))
    response = client.post(f"/activities/sessions/{sheet.session.pk}/newcomer/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}-error"' in body or (field == "purposes" and message in body)
    assert message in body
    after = (_count(Household, world), _count(Attendance, world), _count(Touchpoint, world))
    assert after == before


def test_schedule_form_plans_the_sessions(sheet, world, login):
    client = login(sheet.coordinator)
    url = f"/activities/{sheet.activity.pk}/schedules/new/"
    today = timezone.localdate()
    response = client.post(url, {
        "weekday": today.weekday(), "start_time": "18:00", "end_time": "20:00", "place": "Local",
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=27)).isoformat(),
        "facilitator_user": sheet.volunteer.pk,
    })  # fmt: skip
    assert response.status_code == 302
    with scope(association=[world.a.pk]):
        schedule = Schedule.objects.get()
        assert schedule.sessions.count() == 4


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("ends_on", "2020-01-01", "The end date must come after the start date."),
        ("ends_on", "2029-01-01", "A schedule can span two years at most."),
        ("ends_on", "9999-12-31", "enter a date between 01/01/1900 and"),
        ("end_time", "08:00", "The end time must come after the start time."),
        ("weekday", "9", "choose one of the proposed values."),
        ("start_time", "", "this field is required."),
    ],
)
def test_schedule_form_names_the_field_and_stores_nothing(
    field, value, message, sheet, world, login
):  # fmt: skip
    client = login(sheet.coordinator)
    data = {"weekday": 1, "start_time": "18:00", "end_time": "20:00", "starts_on": "2026-09-01",
            "ends_on": "2026-10-01"}  # fmt: skip
    data[field] = value
    before = _count(Session, world)
    response = client.post(f"/activities/{sheet.activity.pk}/schedules/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}-error"' in body and message in body
    assert _count(Session, world) == before and _count(Schedule, world) == 0


def test_both_facilitators_is_refused_on_the_field(sheet, world, login):
    client = login(sheet.coordinator)
    response = client.post(f"/activities/{sheet.activity.pk}/sessions/new/", {
        "day": timezone.localdate().isoformat(), "start_time": "10:00",
        "facilitator_user": sheet.volunteer.pk, "facilitator_household": world.household_a.pk,
    })  # fmt: skip
    assert response.status_code == 200
    assert 'id="id_facilitator_household-error"' in response.content.decode()


def test_a_household_of_another_association_cannot_facilitate(sheet, world, login):
    client = login(sheet.coordinator)
    before = _count(Session, world)
    response = client.post(f"/activities/{sheet.activity.pk}/sessions/new/", {
        "day": timezone.localdate().isoformat(), "start_time": "10:00",
        "facilitator_household": world.household_b.pk,
    })  # fmt: skip
    assert 'id="id_facilitator_household-error"' in response.content.decode()
    assert _count(Session, world) == before


def test_activity_create_and_edit(world, login):
    client = login(world.user(Role.COORDINATOR))
    response = client.post("/activities/new/", {"name": "", "category": "activity"})
    assert 'id="id_name-error"' in response.content.decode()
    response = client.post(
        "/activities/new/", {"name": "Atelier couture", "category": "activity", "place": "Local"}
    )
    assert response.status_code == 302
    with scope(association=[world.a.pk]):
        activity = Activity.objects.get(name="Atelier couture")
    response = client.post(
        f"/activities/{activity.pk}/edit/", {"name": "Atelier couture et tricot",
                                             "category": "activity"}
    )  # fmt: skip
    assert response.status_code == 302
    with scope(association=[world.a.pk]):
        activity.refresh_from_db()
    assert activity.name == "Atelier couture et tricot"


# --- query counts -------------------------------------------------------------------------


def _many_sessions(world, sheet, n):
    with scopes_disabled(), scope(association=[world.a.pk]):
        for i in range(n):
            activity = services.activity_create(
                actor=None, association=world.a, name=f"Activité {i}", category="activity"
            )
            session = services.session_create(
                actor=None, activity=activity, day=timezone.localdate(), start_time=time(9, i),
                facilitator_user=sheet.volunteer,
            )  # fmt: skip
            for household in sheet.regulars:
                services.attendance_mark(
                    actor=None, session=session, household=household, status="present"
                )


@pytest.mark.parametrize("n", [1, 12])
def test_list_pages_query_counts(n, sheet, world, login, django_assert_max_num_queries):
    _many_sessions(world, sheet, n)
    client = login(sheet.coordinator)
    for url in ("/activities/", "/activities/today/", f"/activities/{sheet.activity.pk}/"):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [5, 40])
def test_sheet_query_count(n, sheet, world, login, django_assert_max_num_queries):
    with scopes_disabled(), scope(association=[world.a.pk]):
        for household in make_households(world.a, n, prefix="Nouveaux"):
            services.attendance_mark(
                actor=None, session=sheet.session, household=household, status="absent"
            )
    client = login(sheet.volunteer)
    url = f"/activities/sessions/{sheet.session.pk}/"
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(url + "marks/").status_code == 200
    with django_assert_max_num_queries(8):  # the poll with the version held: the changes
        assert client.get(url + "marks/", {"since": "0"}).status_code == 200


def test_the_sheet_finds_someone_known_who_is_not_a_regular(sheet, world, login):
    client = login(sheet.volunteer)
    url = f"/activities/sessions/{sheet.session.pk}/"
    response = client.get(
        url, {"q": "martin"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Famille Martin" in body
    assert f'id="row-{world.household_a.pk}"' in body
    # Not another association's household, not someone already on the sheet.
    assert "Durand" not in client.get(url, {"q": "durand"}).content.decode()
    regular = sheet.regulars[0].name
    found = client.get(url, {"q": regular}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results")
    assert f'id="row-{sheet.regulars[0].pk}"' not in found.content.decode()
    # Without JavaScript: the page itself lists the results.
    assert "Famille Martin" in client.get(url, {"q": "Amina"}).content.decode()


def test_cancelling_a_session_closes_its_sheet(sheet, world, login):
    client = login(sheet.coordinator)
    url = f"/activities/sessions/{sheet.session.pk}/edit/"
    response = client.post(url, {
        "day": sheet.session.day.isoformat(), "start_time": "14:00", "cancelled": "on",
    })  # fmt: skip
    assert response.status_code == 302
    body = client.get(f"/activities/sessions/{sheet.session.pk}/").content.decode()
    assert "This session was cancelled." in body
    response = client.post(
        f"/activities/sessions/{sheet.session.pk}/marks/",
        {"household": sheet.regulars[0].pk, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409 and "cancelled" in response.content.decode()


def test_a_household_led_session_counts_for_the_leader(sheet, world, login):
    client = login(sheet.coordinator)
    response = client.post(f"/activities/sessions/{sheet.session.pk}/edit/", {
        "day": sheet.session.day.isoformat(), "start_time": "14:00",
        "facilitator_household": world.household_a.pk,
    })  # fmt: skip
    assert response.status_code == 302
    login(sheet.volunteer).post(
        f"/activities/sessions/{sheet.session.pk}/marks/",
        {"household": sheet.regulars[0].pk, "status": "present"},
    )
    with scope(association=[world.a.pk]):
        led = Touchpoint.objects.filter(household=world.household_a, kind="activity_led")
        assert led.count() == 1 and led.get().activity_id == sheet.activity.pk


def test_moving_a_marked_session_is_refused_on_the_day_field(sheet, world, login):
    login(sheet.volunteer).post(
        f"/activities/sessions/{sheet.session.pk}/marks/",
        {"household": sheet.regulars[0].pk, "status": "present"},
    )
    client = login(sheet.coordinator)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(f"/activities/sessions/{sheet.session.pk}/edit/", {
        "day": tomorrow.isoformat(), "start_time": "14:00",
    })  # fmt: skip
    assert 'id="id_day-error"' in response.content.decode()
    with scope(association=[world.a.pk]):
        assert Session.objects.get(pk=sheet.session.pk).day == timezone.localdate()


def test_today_with_another_day_and_a_bad_day(sheet, login):
    client = login(sheet.volunteer)
    yesterday = timezone.localdate() - timedelta(days=7)
    body = client.get("/activities/today/", {"day": yesterday.isoformat()}).content.decode()
    assert f"/activities/sessions/{sheet.session.pk}/" not in body
    assert "Café des parents" in body  # last week's session
    response = client.get("/activities/today/", {"day": "not-a-date"}, follow=True)
    assert "Day: enter a date as YYYY-MM-DD." in response.content.decode()


def test_unticking_a_member_on_the_sheet(sheet, world, login):
    from parcours.households import services as households
    from tests.basis import BASIS

    client = login(sheet.volunteer)
    household = sheet.regulars[0]
    with scope(association=[world.a.pk]):
        mum, kid = (
            households.person_add(actor=None, household=household, first_name=n, relation=r,
                                  birth_year=y, lawful_basis=BASIS)
            for n, r, y in (("Awa", "parent", 1988), ("Issa", "child", 2015))
        )  # fmt: skip
    sheet_url = f"/activities/sessions/{sheet.session.pk}/"
    assert "Who came?" not in client.get(sheet_url).content.decode()  # not marked yet
    client.post(sheet_url + "marks/", {"household": household.pk, "status": "present"})
    body = client.get(sheet_url).content.decode()
    assert "2 of 2 members came" in body or "2 sur 2" in body
    response = client.post(
        sheet_url + "members/", {"household": household.pk, "present": [mum.pk]},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    with scope(association=[world.a.pk]):
        row = Attendance.objects.get(session=sheet.session, household=household)
        assert list(row.absent_persons.all()) == [kid]
    # nobody ticked: refused, naming why, nothing changed
    response = client.post(sheet_url + "members/", {"household": household.pk},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 409
    with scope(association=[world.a.pk]):
        assert list(row.absent_persons.all()) == [kid]


def _rows_of(response) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'data-household="(\d+)"', response.content.decode())}


def test_the_sheet_poll_sends_only_the_marks_changed_since_the_version_held(sheet, world, login):
    """The poll with ?since= (the page's data-since, then each answer's X-Sheet-Since) gets
    the rows whose mark changed since, a few seconds before included; without it, every row."""
    a, b, c = sheet.regulars[:3]
    client = login(sheet.volunteer)
    url = f"/activities/sessions/{sheet.session.pk}/"
    page = client.get(url).content.decode()
    assert 'data-since="0"' in page  # no mark yet
    nothing = client.get(url + "marks/", {"since": "0"}, HTTP_HX_REQUEST="true")
    assert _rows_of(nothing) == set() and nothing["X-Sheet-Since"] == "0"
    with scope(association=[world.a.pk]):
        for household in (a, b):
            services.attendance_mark(actor=sheet.coordinator, session=sheet.session,
                                     household=household, status="present")  # fmt: skip
        # a's mark an hour old: outside the few seconds sent again
        Attendance.objects.filter(session=sheet.session, household=a).update(
            updated_at=timezone.now() - timedelta(hours=1)
        )
    every = client.get(url + "marks/", HTTP_HX_REQUEST="true")
    assert _rows_of(every) == {h.pk for h in sheet.regulars}
    held = every["X-Sheet-Since"]
    changed = client.get(url + "marks/", {"since": held}, HTTP_HX_REQUEST="true")
    assert _rows_of(changed) == {b.pk}  # b's mark is the version held: within the overlap
    with scope(association=[world.a.pk]):
        services.attendance_mark(actor=sheet.coordinator, session=sheet.session, household=c,
                                 status="absent")  # fmt: skip
    later = client.get(url + "marks/", {"since": changed["X-Sheet-Since"]}, HTTP_HX_REQUEST="true")
    assert _rows_of(later) == {b.pk, c.pk}
    row = f'data-household="{c.pk}" data-version="1" data-status="absent"'
    assert row in later.content.decode()
    assert int(later["X-Sheet-Since"]) > int(held)
    for bad in ("abc", "²", "1" * 18):  # not a version: every row, as without it
        answer = client.get(url + "marks/", {"since": bad}, HTTP_HX_REQUEST="true")
        assert _rows_of(answer) == {h.pk for h in sheet.regulars}
