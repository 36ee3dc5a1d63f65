"""The calendar of sessions (week, month) and the iCal feeds behind a secret address."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
import time_machine
from django_scopes import scopes_disabled
from icalendar import Calendar

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.activities import services as activities
from parcours.activities.models import Activity
from parcours.agenda.models import CalendarFeed

TODAY = date(2026, 3, 4)  # a Wednesday


@pytest.fixture
def sessions(world):
    with time_machine.travel(TODAY, tick=False), scopes_disabled():
        cooking = Activity.objects.create(
            association=world.a, name="Atelier cuisine", category="activity", place="Salle 2"
        )
        french = Activity.objects.create(
            association=world.a, name="Cours de français", category="training"
        )
        other = Activity.objects.create(
            association=world.b, name="Atelier de B", category="activity"
        )
        volunteer = world.user(Role.VOLUNTEER)
        made = {
            "mon": activities.session_create(
                actor=None,
                activity=cooking,
                day=date(2026, 3, 2),
                start_time=time(14),
                end_time=time(16),
            ),
            "fri": activities.session_create(
                actor=None,
                activity=french,
                day=date(2026, 3, 6),
                start_time=time(9, 30),
                facilitator_user=volunteer,
            ),
            "next_month": activities.session_create(
                actor=None, activity=cooking, day=date(2026, 4, 8), start_time=time(14)
            ),
            "b": activities.session_create(
                actor=None, activity=other, day=date(2026, 3, 4), start_time=time(10)
            ),
        }
    return made, cooking, french


@pytest.mark.django_db
def test_week_and_month_views(world, sessions, client):
    client.force_login(world.user(Role.VOLUNTEER))
    with time_machine.travel(TODAY, tick=False):
        week = client.get("/calendar/").content.decode()
        assert "Atelier cuisine" in week and "Cours de français" in week
        assert "Atelier de B" not in week  # another association's sessions never show
        assert "Atelier cuisine" not in client.get("/calendar/?day=2026-03-09").content.decode()
        month = client.get("/calendar/?view=month&day=2026-04-01").content.decode()
        assert "Avril 2026" in month or "avril 2026" in month.lower()
        assert month.count("Atelier cuisine") == 1 and "Cours de français" not in month
        bad = client.get("/calendar/?day=31/02/2026")
        assert bad.status_code == 200 and "AAAA-MM-JJ" in bad.content.decode()


@pytest.mark.django_db
def test_a_feed_is_shown_once_read_without_sign_in_and_revoked(world, sessions, client):
    made, cooking, french = sessions
    volunteer = world.user(Role.VOLUNTEER)
    client.force_login(volunteer)
    page = client.post("/calendar/links/", {"activity": ""}).content.decode()
    url = re.search(r'id="new-url" type="text" readonly value="([^"]+)"', page).group(1)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    with scopes_disabled():
        feed = CalendarFeed.objects.get(user=volunteer)
    assert token not in feed.token_hash and len(token) >= 40  # only the hash is kept
    assert token not in client.get("/calendar/links/").content.decode()  # shown once
    client.logout()
    with time_machine.travel(TODAY, tick=False):
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = [e for e in cal.walk("VEVENT")]
    # "the sessions I lead": the Friday French class only, in the association's time zone
    assert [str(e["summary"]) for e in events] == ["Cours de français"]
    start = events[0].decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (9, 30, "Europe/Paris")
    assert "Famille" not in response.content.decode()  # never a family's name
    # an activity's feed: every session of it, cancelled ones marked
    client.force_login(volunteer)
    with scopes_disabled():
        activities.session_update(actor=None, session=made["next_month"], cancelled=True)
    page = client.post("/calendar/links/", {"activity": cooking.pk}).content.decode()
    url2 = re.search(r'readonly value="([^"]+)"', page).group(1)
    client.logout()
    with time_machine.travel(TODAY, tick=False):
        cal = Calendar.from_ical(client.get(url2).content)
    got = {e.decoded("dtstart").date(): str(e["status"]) for e in cal.walk("VEVENT")}
    assert got == {date(2026, 3, 2): "CONFIRMED", date(2026, 4, 8): "CANCELLED"}
    # revoked: not found
    client.force_login(volunteer)
    client.post("/calendar/links/", {"action": "revoke", "feed": feed.pk})
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(url2).status_code == 200


@pytest.mark.django_db
def test_a_feed_stops_when_its_owner_leaves(world, sessions, client):
    volunteer = world.user(Role.VOLUNTEER)
    client.force_login(volunteer)
    page = client.post("/calendar/links/", {"activity": ""}).content.decode()
    url = re.search(r'readonly value="([^"]+)"', page).group(1)
    client.logout()
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=volunteer).delete()
    assert client.get(url).status_code == 404
    assert client.get(url[:-10] + "0123456789.ics").status_code == 404


@pytest.mark.django_db
def test_one_cannot_revoke_someone_elses_link(world, sessions, client):
    client.force_login(world.user(Role.VOLUNTEER))
    client.post("/calendar/links/", {"activity": ""})
    with scopes_disabled():
        feed = CalendarFeed.objects.get()
    client.force_login(world.user(Role.COORDINATOR))
    assert client.post("/calendar/links/", {"action": "revoke", "feed": feed.pk}).status_code == 404
    with scopes_disabled():
        assert CalendarFeed.objects.filter(pk=feed.pk).exists()
    assert client.post("/calendar/links/", {"activity": "999999"}).status_code == 400
