"""The attendance grid: families x sessions of one month, saved through attendance_mark, all
or nothing, the same grid sent twice writing nothing twice."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.activities import services
from parcours.activities.models import Attendance
from parcours.audit.models import AuditEvent
from parcours.households.models import Touchpoint
from tests.activities.conftest import make_households

TODAY = timezone.localdate()
MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month: all past


@pytest.fixture
def month(sheet, world):
    """Three sessions of the café last month (the third cancelled) and two families who are
    not regulars."""
    with scopes_disabled(), scope(association=[world.a.pk]):
        sessions = [
            services.session_create(
                actor=sheet.coordinator,
                activity=sheet.activity,
                day=MONTH + timedelta(days=d),
                start_time=time(14, 0),
            )  # fmt: skip
            for d in (2, 9, 16)
        ]
        services.session_update(actor=sheet.coordinator, session=sessions[2], cancelled=True)
        newcomers = make_households(world.a, 2, prefix="Famille Nouvelle")
    return sessions, newcomers


def url(sheet):
    return f"/activities/{sheet.activity.pk}/grid/?month={MONTH:%Y-%m}"


def grid_post(households, sessions, ticked, *, was=(), versions=None, token="t0ken"):
    """The form as the page sends it: every row, and for each cell the state shown (`was`)
    and the box when ticked."""
    data = {"token": token, "action": "save", "row": [h.pk for h in households]}
    for h in households:
        for s in sessions:
            key = f"{h.pk}-{s.pk}"
            data[f"was-{key}"] = "1" if (h, s) in was else "0"
            data[f"v-{key}"] = str((versions or {}).get((h, s), 0))
            if (h, s) in ticked:
                data[f"c-{key}"] = "1"
    return data


def marks(world, sessions):
    with scope(association=[world.a.pk]):
        return {
            (a.household_id, a.session_id): a.status
            for a in Attendance.objects.filter(session__in=sessions)
        }


def attendance_touchpoints(world, sessions):
    with scope(association=[world.a.pk]):
        return sorted(
            Touchpoint.objects.filter(
                kind="attendance", day__in=[s.day for s in sessions]
            ).values_list("household_id", "day")
        )


def audit_count(world):
    with scopes_disabled():
        return AuditEvent.objects.count()


def test_the_grid_lists_the_regulars_and_the_months_sessions(sheet, month, login):
    sessions, newcomers = month
    body = login(sheet.volunteer).get(url(sheet)).content.decode()
    for household in sheet.regulars:
        assert f'id="grid-row-{household.pk}"' in body
    assert newcomers[0].name not in body  # not a regular: added with the picker
    for s in sessions[:2]:
        assert f'name="c-{sheet.regulars[0].pk}-{s.pk}"' in body
    # the cancelled session has a column but no box
    assert f'name="c-{sheet.regulars[0].pk}-{sessions[2].pk}"' not in body
    assert "cancelled" in body


def test_saving_marks_present_through_the_service_and_twice_writes_nothing(
    sheet, month, world, login
):
    sessions, _new = month
    client = login(sheet.volunteer)
    families = sheet.regulars[:3]
    ticked = {(h, s) for h in families for s in sessions[:2]}
    data = grid_post(sheet.regulars, sessions[:2], ticked)
    response = client.post(url(sheet), data, follow=True)
    assert response.redirect_chain == [(url(sheet), 302)]
    assert "Grid saved: 6 presences added." in response.content.decode()
    assert marks(world, sessions) == {(h.pk, s.pk): "present" for h, s in ticked}
    assert attendance_touchpoints(world, sessions) == sorted((h.pk, s.day) for h, s in ticked)
    # the same grid again (back button, double tap): nothing written, not even an audit line
    before = audit_count(world)
    response = client.post(url(sheet), data, follow=True)
    assert "Nothing to save" in response.content.decode()
    assert audit_count(world) == before
    with scope(association=[world.a.pk]):
        assert {a.version for a in Attendance.objects.filter(session__in=sessions)} == {1}
    assert len(attendance_touchpoints(world, sessions)) == 6


def test_unticking_removes_the_mark_and_its_touchpoint(sheet, month, world, login):
    sessions, _new = month
    client = login(sheet.volunteer)
    h = sheet.regulars[0]
    client.post(url(sheet), grid_post([h], sessions[:1], {(h, sessions[0])}))
    assert marks(world, sessions) == {(h.pk, sessions[0].pk): "present"}
    data = grid_post([h], sessions[:1], set(), was={(h, sessions[0])},
                     versions={(h, sessions[0]): 1})  # fmt: skip
    response = client.post(url(sheet), data, follow=True)
    assert "Grid saved: 1 presence removed." in response.content.decode()
    assert marks(world, sessions) == {(h.pk, sessions[0].pk): "unmarked"}
    assert attendance_touchpoints(world, sessions) == []


def test_a_refused_box_writes_nothing_and_names_family_session_and_reason(
    sheet, month, world, login
):
    sessions, _new = month
    client = login(sheet.volunteer, lang="fr")
    a, b = sheet.regulars[:2]
    # a page edited by hand (or an old page): a box in the cancelled session's column
    ticked = {(a, sessions[0]), (b, sessions[1]), (b, sessions[2])}
    before = audit_count(world)
    response = client.post(url(sheet), grid_post([a, b], sessions, ticked))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Rien n’a été enregistré" in body or "Rien n'a été enregistré" in body
    assert f"{b.name}, séance du" in body
    assert "annulée" in body
    assert marks(world, sessions) == {}
    assert attendance_touchpoints(world, sessions) == []
    assert audit_count(world) == before
    # the boxes stay as the person left them, to correct and save again
    assert f'name="c-{a.pk}-{sessions[0].pk}" value="1" checked' in body


def test_a_family_of_another_association_is_refused(sheet, month, world, login):
    sessions, _new = month
    client = login(sheet.volunteer)
    other = world.household_b
    data = grid_post([sheet.regulars[0], other], sessions[:1],
                     {(sheet.regulars[0], sessions[0]), (other, sessions[0])})  # fmt: skip
    response = client.post(url(sheet), data)
    assert response.status_code == 400
    assert marks(world, sessions) == {}
    assert other.name not in response.content.decode()


def test_adding_a_family_keeps_the_ticked_boxes(sheet, month, world, login):
    sessions, newcomers = month
    client = login(sheet.volunteer)
    h = sheet.regulars[0]
    data = grid_post(sheet.regulars, sessions[:2], {(h, sessions[1])})
    data.update(action="add", household=newcomers[0].pk)
    response = client.post(url(sheet), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="grid-row-{newcomers[0].pk}"' in body
    assert f'name="c-{h.pk}-{sessions[1].pk}" value="1" checked' in body
    assert marks(world, sessions) == {}  # adding a row saves nothing
    # then the new row is ticked and the grid saved
    rows = [*sheet.regulars, newcomers[0]]
    data = grid_post(rows, sessions[:2], {(h, sessions[1]), (newcomers[0], sessions[0])})
    assert client.post(url(sheet), data).status_code == 302
    assert marks(world, sessions) == {
        (h.pk, sessions[1].pk): "present",
        (newcomers[0].pk, sessions[0].pk): "present",
    }


def test_a_mark_from_the_phone_sheet_meanwhile_is_kept(sheet, month, world, login):
    """The grid only writes the boxes the person changed: an excused mark taken on the phone
    after the grid was opened, in a box left alone, stays."""
    sessions, _new = month
    client = login(sheet.volunteer)
    a, b = sheet.regulars[:2]
    with scope(association=[world.a.pk]):
        services.attendance_mark(
            actor=sheet.coordinator, session=sessions[0], household=b, status="excused"
        )
    client.post(url(sheet), grid_post([a, b], sessions[:1], {(a, sessions[0])}))
    assert marks(world, sessions) == {
        (a.pk, sessions[0].pk): "present",
        (b.pk, sessions[0].pk): "excused",
    }


def test_a_bad_month_falls_back_to_this_month(sheet, login):
    response = login(sheet.volunteer).get(f"/activities/{sheet.activity.pk}/grid/?month=2026-13")
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_grids_saved_at_once_wait_for_each_other(sheet, month, world):
    """Two people save the same grid at the same instant, a third another activity's grid with
    the same families (PostgreSQL, one connection each): every answer is a redirect (no
    deadlock), each box is written once, one touchpoint per present mark."""
    import threading

    from django.db import connection, connections
    from django.test import Client

    from parcours.activities.models import Activity

    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL (SQLite serialises writers)")
    sessions, _new = month
    with scopes_disabled():
        other = Activity.objects.create(association=world.a, name="Atelier", category="activity")
        others = [
            services.session_create(
                actor=sheet.coordinator, activity=other, day=s.day, start_time=time(10, 0)
            )  # fmt: skip
            for s in sessions[:2]
        ]
    families = list(reversed(sheet.regulars))
    posts = [
        (url(sheet), grid_post(families, sessions[:2], {(h, s) for h in families
                                                        for s in sessions[:2]}, token="a")),
        (url(sheet), grid_post(sheet.regulars, sessions[:2], {(h, s) for h in families
                                                              for s in sessions[:2]}, token="b")),
        (f"/activities/{other.pk}/grid/?month={MONTH:%Y-%m}",
         grid_post(families, others, {(h, s) for h in families for s in others}, token="c")),
    ]  # fmt: skip
    start = threading.Barrier(len(posts))
    answers: list = []

    def save(address, data):
        client = Client()
        client.force_login(sheet.volunteer)
        start.wait()
        try:
            answers.append(client.post(address, data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=p) for p in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert answers == [302] * 3
    everything = [*sessions[:2], *others]
    assert set(marks(world, everything).values()) == {"present"}
    assert len(marks(world, everything)) == 4 * len(families)
    with scope(association=[world.a.pk]):
        assert {a.version for a in Attendance.objects.filter(session__in=everything)} == {1}
        touchpoints = Touchpoint.objects.filter(
            kind="attendance", activity__in=[sheet.activity, other],
            day__in=[s.day for s in everything],
        )  # fmt: skip
        assert touchpoints.count() == 4 * len(families)
