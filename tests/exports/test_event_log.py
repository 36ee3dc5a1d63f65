"""The journey as an event log (XES, OCEL 2.0): read back by PM4Py, the same cases and events
as the database, what the member may learn of only, no name, audited, not for the board."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts import visibility
from parcours.accounts.models import Membership
from parcours.activities.models import Attendance, Session
from parcours.activities.services import attendance_mark
from parcours.audit.models import AuditEvent
from parcours.households.models import Household, Person, Touchpoint
from tests.familylist.families import build_families
from tests.responses import body

pm4py = pytest.importorskip("pm4py")


@pytest.fixture
def fam(world):
    fam = build_families(world)
    with scopes_disabled():
        session = Session.objects.create(
            association=world.a,
            activity=fam.choir,
            day=timezone.localdate() - timedelta(days=2),
            start_time="10:00",
        )
        attendance_mark(
            actor=None, session=session, household=fam.beta, status=Attendance.Status.PRESENT
        )
    fam.session = session
    return fam


def download(client, user, name, tmp_path, **params):
    client.force_login(user)
    r = client.get(reverse(f"exports:{name}"), params)
    assert r.status_code == 200, r.status_code
    path = tmp_path / ("log.xes" if name.endswith("xes") else "log.jsonocel")
    path.write_bytes(body(r))
    return r, path


def database(world, role):
    """The cases and events the member may learn of, counted in the database."""
    with scopes_disabled():
        membership = Membership.objects.get(user=world.user(role), association=world.a)
        tps = visibility.touchpoints(
            membership, Touchpoint.objects.filter(association=membership.association)
        )
        return tps.values("household_id").distinct().count(), tps.count()


def test_xes_reads_back_in_pm4py_with_the_database_counts(client, world, fam, tmp_path):
    coordinator = world.user("coordinator")
    r, path = download(client, coordinator, "event_log_xes", tmp_path)
    assert r["Content-Type"] == "application/xml; charset=utf-8"
    assert 'filename="a-journey-' in r["Content-Disposition"]
    frame = pm4py.read_xes(str(path))
    cases, events = database(world, "coordinator")
    assert events >= 6 and cases >= 3
    assert frame["case:concept:name"].nunique() == cases
    assert len(frame) == events
    with scopes_disabled():
        gamma_tps = Touchpoint.objects.filter(household=fam.gamma).count()
    gamma = frame[frame["case:concept:name"] == f"household-{fam.gamma.pk}"]
    assert len(gamma) == gamma_tps
    # Activities in the reader's language, the kind's key beside, the stage of the day.
    assert "Accompagnement ouvert" in set(gamma["concept:name"])
    assert set(gamma["parcours:kind"]) >= {"support_opened", "outreach_contact"}
    assert gamma["parcours:stage"].notna().all()
    assert list(gamma["time:timestamp"]) == sorted(gamma["time:timestamp"])


def test_ocel_reads_back_in_pm4py_with_the_database_counts(client, world, fam, tmp_path):
    _r, path = download(client, world.user("coordinator"), "event_log_ocel", tmp_path)
    ocel = pm4py.read_ocel2_json(str(path))
    _cases, events = database(world, "coordinator")
    assert len(ocel.events) == events
    # PM4Py keeps the objects some event relates to: every household here has a touchpoint.
    types = ocel.objects["ocel:type"].value_counts().to_dict()
    with scopes_disabled():
        assert types["household"] == Household.objects.filter(association=world.a).count()
        persons = Person.objects.filter(association=world.a).count()
        sessions = Session.objects.filter(association=world.a).count()
    # The file holds every person (related to their household) and every session.
    objects = json.loads(path.read_text("utf-8"))["objects"]
    in_file = Counter(o["type"] for o in objects)
    assert in_file["person"] == persons >= 1 and in_file["session"] == sessions
    person = next(o for o in objects if o["type"] == "person")
    assert person["relationships"][0]["qualifier"] == "member of"
    # Beta's attendance is related to its household, the activity and the session.
    rel = ocel.relations
    attendance = rel[rel["ocel:activity"] == "A participé à une activité"]
    beta = attendance[attendance["ocel:oid"] == f"household-{fam.beta.pk}"]["ocel:eid"]
    related = set(rel[rel["ocel:eid"].isin(beta)]["ocel:oid"])
    assert {f"session-{fam.session.pk}", f"activity-{fam.choir.pk}"} <= related


def test_a_volunteers_log_has_no_support_and_no_name(client, world, fam, tmp_path):
    _r, path = download(client, world.user("volunteer"), "event_log_xes", tmp_path)
    text = path.read_text("utf-8")
    frame = pm4py.read_xes(str(path))
    cases, events = database(world, "volunteer")
    assert len(frame) == events and frame["case:concept:name"].nunique() == cases
    assert "support_opened" not in set(frame["parcours:kind"])
    assert "Famille" not in text and "Dettes" not in text and "Valérie" not in text
    _r, ocel_path = download(client, world.user("volunteer"), "event_log_ocel", tmp_path)
    ocel_text = ocel_path.read_text("utf-8")
    assert "Famille" not in ocel_text and "support_opened" not in ocel_text
    assert len(pm4py.read_ocel2_json(str(ocel_path)).events) == events


def test_the_log_follows_the_family_list_filter(client, world, fam, tmp_path):
    _r, path = download(
        client, world.user("coordinator"), "event_log_xes", tmp_path, neighbourhood="Gare"
    )
    frame = pm4py.read_xes(str(path))
    assert set(frame["case:concept:name"]) == {f"household-{fam.beta.pk}"}


@pytest.mark.parametrize("name", ["event_log_xes", "event_log_ocel"])
def test_the_board_gets_no_event_log_and_each_export_is_audited(client, world, fam, name):
    client.force_login(world.user("board"))
    assert client.get(reverse(f"exports:{name}")).status_code == 403
    client.force_login(world.user("coordinator"))
    body(client.get(reverse(f"exports:{name}")))
    with scopes_disabled():
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.object_type == "exports.event_log"
    fmt, other = ("xes", "ocel") if name.endswith("xes") else ("ocel", "xes")
    assert fmt in event.fields and other not in event.fields and "name" not in event.fields
