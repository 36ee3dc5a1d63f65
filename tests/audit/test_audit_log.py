"""The audit log: sign-ins, failed sign-ins, reads of sensitive pages, exports; the admin's page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope, scopes_disabled

from parcours.audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.frontdesk.factories import intake_visit
from tests.support.factories import support_case

pytestmark = pytest.mark.django_db


def events(**filters):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(**filters).order_by("id"))


def test_sign_in_and_out_are_recorded(world, client):
    user = world.user("volunteer")
    client.post("/login/", {"login": user.username, "password": PASSWORD})
    client.post("/logout/")
    rows = events(actor=user)
    assert [r.action for r in rows] == ["login", "logout"]
    assert all(r.association_id == world.a.pk and r.object_id is None for r in rows)


def test_failed_sign_in_names_the_account_never_the_password(world, client):
    user = world.user("coordinator")
    client.post("/login/", {"login": user.username, "password": "wrong-password-123"})
    (row,) = events(action="login_failed")
    assert row.actor == user and row.association_id == world.a.pk
    assert "wrong-password-123" not in repr(row.__dict__)


def test_failed_sign_in_with_an_unknown_name_is_not_kept(world, client):
    client.post("/login/", {"login": "Jeanne Secret", "password": "x"})
    assert events(action="login_failed") == []
    with scopes_disabled():
        assert not any("Jeanne" in repr(r.__dict__) for r in AuditEvent.objects.all())


def test_reading_a_welcome_visit_is_recorded_with_what_was_shown(world, login):
    visit = intake_visit(world, "a")
    social = world.user("social_worker")
    assert login(social).get(f"/frontdesk/welcome-visits/{visit.pk}/").status_code == 200
    (row,) = events(action="view", actor=social)
    assert (row.object_type, row.object_id) == ("frontdesk.intakevisit", visit.pk)
    assert row.household_id == visit.household_id and row.fields == ["listening_notes"]
    volunteer = world.user("volunteer")
    login(volunteer).get(f"/frontdesk/welcome-visits/{visit.pk}/")
    (row,) = events(action="view", actor=volunteer)
    assert row.fields == []  # the volunteer's page has no listening notes


def test_reading_support_cases_is_recorded(world, login):
    case = support_case(world, "a")
    client = login(world.user("coordinator"))
    client.get("/support/?q=Martin&status=all")
    client.get(f"/support/{case.pk}/")
    listed, read = events(action="view")
    assert listed.object_type == "support.supportcase" and listed.object_id is None
    assert listed.fields == ["status:all"]  # never the search terms
    assert (read.object_id, read.household_id) == (case.pk, case.household_id)


def test_a_csv_export_is_recorded(world, login):
    board = world.user("board")
    response = login(board).get("/analytics/export/?measure=funnel")
    assert response.status_code == 200
    (row,) = events(action="export")
    assert (row.actor, row.object_type) == (board, "analytics.funnel")
    assert row.fields == ["csv", "funnel"]


def _seed_events(world):
    with scope(association=[world.a.pk]):
        from parcours.audit.services import audit_event

        for i in range(60):
            audit_event(
                actor=world.user("coordinator"), association_id=world.a.pk,
                action="view" if i % 2 else "export", object_type="support.supportcase",
                household_id=world.household_a.pk if i < 10 else None,
            )  # fmt: skip
        audit_event(actor=world.user("admin", "b"), association_id=world.b.pk, action="login")


def test_admin_reads_the_log_filtered_and_paginated(world, login):
    client = login(world.user("admin"))
    before = len(events(association=world.a))  # the fixture's own writes, the admin's sign-in
    _seed_events(world)
    page = client.get("/audit/").context["page"]
    assert page.paginator.count == before + 60 and len(page.object_list) == 50
    assert all(e.association_id == world.a.pk for e in page.paginator.object_list)
    assert len(client.get("/audit/?page=2").context["page"].object_list) == before + 10
    coordinator = world.user("coordinator")
    r = client.get(f"/audit/?actor={coordinator.pk}&action=view&household=martin")
    assert r.context["page"].paginator.count == 5
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    r = client.get(f"/audit/?start={today}&end={today}&action=export")
    assert r.context["page"].paginator.count == 30
    r = client.get("/audit/?start=2001-01-01&end=2001-01-31")
    assert r.context["page"].paginator.count == 0
    assert "Famille Martin" in client.get("/audit/?household=Martin").content.decode()


def test_bad_filters_are_named(world, login):
    client = login(world.user("admin"))
    client.cookies["django_language"] = "en"
    r = client.get("/audit/?start=2026-02-01&end=2026-01-01&action=nope&household=ab")
    errors = r.context["form"].errors
    assert "Until" in errors["end"][0] and "action" in errors
    assert r.status_code == 200
    # a NUL byte in a filter is refused before any view (parcours.core.middleware), named
    r = client.get("/audit/?household=a%00b")
    assert r.status_code == 400 and "Household: remove a NUL byte" in r.content.decode()


def test_the_log_page_query_count(world, login, django_assert_max_num_queries):
    _seed_events(world)
    client = login(world.user("admin"))
    with django_assert_max_num_queries(8):
        client.get("/audit/")
