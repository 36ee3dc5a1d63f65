"""Stored spans follow every touchpoint write; manual placements; recompute; the page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.engine import Touchpoint, shipped_definition, timeline
from parcours.households import services as hs
from parcours.journey import services
from parcours.journey.models import HouseholdJourney, ManualPlacement, StageSpan
from tests.basis import BASIS
from tests.journal import log_touchpoint

TODAY = date(2026, 3, 10)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to("2026-03-10 12:00:00+01:00", tick=False)


@pytest.fixture
def household(world, frozen):
    with scopes_disabled():
        h = hs.household_create(
            lawful_basis=BASIS, actor=None, association=world.a, name="Famille Lopez"
        )
    return h


def _spans(h):
    with scopes_disabled():
        return list(StageSpan.objects.filter(household=h).order_by("start"))


def test_each_touchpoint_write_moves_the_stage_in_the_same_transaction(household, world):
    with scopes_disabled():
        log_touchpoint(
            actor=None, household=household, day=TODAY - timedelta(days=20), kind="outreach_contact"
        )
        assert [s.stage for s in _spans(household)] == ["awareness"]
        log_touchpoint(
            actor=None, household=household, day=TODAY - timedelta(days=2), kind="intake_visit"
        )
        spans = _spans(household)
        assert [s.stage for s in spans] == ["awareness", "acquisition"]
        assert spans[0].end == TODAY - timedelta(days=2)
        assert spans[1].end is None
        assert spans[1].skipped == ["research", "selection"]
        assert spans[1].reasons[0]["code"] == "touchpoint_count"
        assert spans[1].reasons[0]["params"]["kinds"] == "intake_visit"
        assert spans[1].evidence == [
            {
                "day": (TODAY - timedelta(days=2)).isoformat(),
                "kind": "intake_visit",
                "activity": None,
                "ref": None,
            }
        ]
        assert HouseholdJourney.objects.get(household=household).stage == "acquisition"


def test_a_failed_write_leaves_neither_touchpoint_nor_spans(household):
    with scopes_disabled(), pytest.raises(ValidationError):
        log_touchpoint(actor=None, household=household, day=TODAY, kind="not_a_kind")
    assert _spans(household) == []


def test_stored_spans_equal_the_engine(household, world):
    act = world.touchpoint_a.activity
    with scopes_disabled():
        for d in range(0, 50, 7):
            log_touchpoint(
                actor=None,
                household=household,
                day=TODAY - timedelta(days=d),
                kind="attendance",
                activity=act,
            )
        rows = [
            Touchpoint(day=TODAY - timedelta(days=d), kind="attendance", activity=act.pk)
            for d in range(0, 50, 7)
        ]
    expected = timeline(rows, shipped_definition(), TODAY).stage_spans
    got = _spans(household)
    assert [(s.stage, s.start, s.end) for s in got] == [(s.stage, s.start, s.end) for s in expected]
    assert got[-1].stage == "usage"
    # usage holds while 3 attendances of one activity fall in the last 60 days
    assert got[-1].predicted_end == TODAY - timedelta(days=14) + timedelta(days=60)


def test_valid_until_is_the_next_change_by_itself(household):
    with scopes_disabled():
        log_touchpoint(actor=None, household=household, day=TODAY, kind="referral_made")
        snap = HouseholdJourney.objects.get(household=household)
    assert snap.stage == "recommendation"
    # a family at recommendation that never came to an activity is absent (so not active):
    # the first thing that changes by itself is 'dormant', 180 days without a contact
    assert snap.statuses == ["absent"]
    assert snap.valid_until == TODAY + timedelta(days=180)


def test_recompute_all_gives_what_each_write_gave(world, household):
    with scopes_disabled():
        log_touchpoint(actor=None, household=household, day=TODAY, kind="intake_visit")
        before = [
            (s.household_id, s.stage, s.start, s.end, s.reasons)
            for s in StageSpan.objects.order_by("household_id", "start")
        ]
        StageSpan.objects.all().delete()
        call_command("recompute")
        after = [
            (s.household_id, s.stage, s.start, s.end, s.reasons)
            for s in StageSpan.objects.order_by("household_id", "start")
        ]
    assert after == before and len(after) >= 2


def test_manual_placement_needs_a_reason_and_is_audited(world, household):
    coordinator = world.user(Role.COORDINATOR)
    with scopes_disabled():
        with pytest.raises(ValidationError) as err:
            services.placement_set_manual(
                actor=coordinator, household=household, stage="engagement", reason="  "
            )
        assert "reason" in err.value.message_dict
        with pytest.raises(ValidationError):
            services.placement_set_manual(
                actor=coordinator, household=household, stage="nowhere", reason="x"
            )
        p = services.placement_set_manual(
            actor=coordinator,
            household=household,
            stage="engagement",
            reason="Élue au comité en mars",
        )
        assert AuditEvent.objects.filter(object_id=p.pk, action="place").exists()
        # the computed placement is untouched
        assert HouseholdJourney.objects.filter(household=household).count() == 0
        services.placement_set_manual(
            actor=coordinator, household=household, stage="loyalty", reason="Vient chaque semaine"
        )
        assert (
            ManualPlacement.objects.filter(household=household, withdrawn_at__isnull=True).count()
            == 1
        )


def _loyal(world, household):
    from parcours.activities.models import Activity

    with scopes_disabled():
        second = Activity.objects.create(
            association=world.a, name="Atelier cuisine", category="activity"
        )
        first = world.touchpoint_a.activity
        for i in range(11):
            log_touchpoint(
                actor=None,
                household=household,
                day=TODAY - timedelta(days=5 * i),
                kind="attendance",
                activity=(first, second, first)[i % 3],
            )


def test_household_page_explains_the_stage_in_french(world, household, client):
    _loyal(world, household)
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert (
        "Fidélisation : 11 présences dans 2 activités ces 90 derniers jours "
        "(l’étape en demande 8 dans 2 activités)" in page
    )
    assert "Parcours" in page


def test_household_page_explains_the_stage_in_english(world, household, client):
    _loyal(world, household)
    client.force_login(world.user(Role.COORDINATOR))
    client.cookies["django_language"] = "en"
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert (
        "Loyalty: 11 attendances in 2 activities over the last 90 days "
        "(the stage needs 8 in 2 activities)" in page
    )


def test_manual_placement_through_the_page(world, household, client):
    client.force_login(world.user(Role.COORDINATOR))
    r = client.post(
        f"/journey/households/{household.pk}/place/", {"stage": "engagement", "reason": ""}
    )
    assert r.status_code == 302
    with scopes_disabled():
        assert not ManualPlacement.objects.exists()
    client.post(
        f"/journey/households/{household.pk}/place/",
        {"stage": "engagement", "reason": "Élue au comité"},
    )
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "Élue au comité" in page
    client.force_login(world.user(Role.VOLUNTEER))
    assert (
        client.post(
            f"/journey/households/{household.pk}/place/", {"stage": "awareness", "reason": "x"}
        ).status_code
        == 403
    )


def test_volunteers_see_no_trace_of_a_support_case(world, household, client):
    act = world.touchpoint_a.activity
    with scopes_disabled():
        for d in (30, 20, 10):
            log_touchpoint(
                actor=None,
                household=household,
                day=TODAY - timedelta(days=d),
                kind="attendance",
                activity=act,
            )
        log_touchpoint(
            actor=None,
            household=household,
            day=TODAY - timedelta(days=3),
            kind="support_opened",
            ref=41,
        )
        journeys = HouseholdJourney.objects.filter(household=household)
        assert journeys.get(audience="sensitive").stage == "maintenance"
        # the journey computed without the support evidence, for the other roles
        assert journeys.get(audience="public").stage == "usage"
    client.force_login(world.user(Role.VOLUNTEER))
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "Utilisation" in page or "usage" in page.lower()
    for secret in (
        "Maintenance", "ccompagnement personnalisé", "Accompagnement ouvert", "Accompagnée",
        "Accompagnement en cours", "Aucun accompagnement", "Support case", "in_support",
    ):  # fmt: skip
        assert secret not in page, secret
    client.force_login(world.user(Role.SOCIAL_WORKER))
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "Accompagnement en cours depuis le" in page
