"""The visibility policy (parcours.accounts.visibility): what each role may learn."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts import visibility
from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.journey.models import HouseholdJourney, StageSpan, StatusSpan
from parcours.worklists.models import Task
from tests.basis import BASIS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_scope():
    with scopes_disabled():
        yield


def _attend(world, household, days_ago: list[int]) -> None:
    from parcours.activities import services as activities

    today = timezone.localdate()
    activity = world.touchpoint_a.activity
    for d in days_ago:
        session = activities.session_create(
            actor=None, activity=activity, day=today - timedelta(days=d), start_time=time(14)
        )
        activities.attendance_mark(
            actor=None, session=session, household=household, status="present"
        )


def _member(world, role) -> Membership:
    return Membership.objects.get(user=world.user(role))


def _supported(world):
    """A household at usage (three sessions lately) with an open support case: Maintenance."""
    from parcours.households import services as hs
    from parcours.support import services as support

    h = hs.household_create(
        lawful_basis=BASIS, actor=None, association=world.a, name="Famille Roux"
    )
    _attend(world, h, [12, 8, 4])
    support.support_case_open(
        actor=None, household=h, opened_on=timezone.localdate() - timedelta(days=2), reason="x"
    )
    return h


def test_support_gives_a_household_two_journeys_and_each_role_reads_one(world):
    h = _supported(world)
    journeys = {j.audience: j for j in HouseholdJourney.objects.filter(household=h)}
    assert set(journeys) == {"sensitive", "public"}
    assert (
        journeys["sensitive"].stage == "maintenance"
        and "in_support" in journeys["sensitive"].statuses
    )
    assert journeys["public"].stage == "usage" and "in_support" not in journeys["public"].statuses
    public_spans = StageSpan.objects.filter(household=h, audience="public")
    assert "maintenance" not in {s.stage for s in public_spans}
    assert not StatusSpan.objects.filter(household=h, audience="public", status="in_support")
    for role, stage in ((Role.SOCIAL_WORKER, "maintenance"), (Role.VOLUNTEER, "usage"),
                        (Role.PEER_FAMILY, "usage"), (Role.BOARD, "usage")):  # fmt: skip
        qs = visibility.journeys(_member(world, role), HouseholdJourney.objects.filter(household=h))
        assert [j.stage for j in qs] == [stage], role
    # a household without support evidence keeps one journey, for everyone
    assert HouseholdJourney.objects.get(household=world.household_a).audience == "all"


def test_a_task_only_support_proposes_is_for_sensitive_roles(world):
    h = _supported(world)
    # the full view is at Maintenance (no task); the public one at usage: invite to a group
    tasks = {t.rule: t for t in Task.objects.filter(household=h)}
    assert tasks["invite_group"].audience == "public"
    volunteer, social = _member(world, Role.VOLUNTEER), _member(world, Role.SOCIAL_WORKER)
    assert list(visibility.tasks(volunteer, Task.objects.filter(household=h)))
    assert not visibility.tasks(social, Task.objects.filter(household=h, rule="invite_group"))


def test_the_home_journey_map_counts_the_public_journey_for_a_volunteer(world, client):
    from django.utils import timezone

    from parcours.home.journey_map import journey_map

    _supported(world)
    today = timezone.localdate()
    volunteer = {
        c.key: c.count for c in journey_map(_member(world, Role.VOLUNTEER), today=today).cells
    }
    social = {
        c.key: c.count for c in journey_map(_member(world, Role.SOCIAL_WORKER), today=today).cells
    }
    assert "maintenance" not in volunteer and volunteer["usage"] == 1
    assert social["maintenance"] == 1 and social["usage"] == 0
    client.force_login(world.user(Role.VOLUNTEER))
    body = client.get("/").content.decode()
    assert "Utilisation" in body and "Maintenance" not in body
    client.force_login(world.user(Role.SOCIAL_WORKER))
    assert "Maintenance" in client.get("/").content.decode()


def test_a_peer_family_opens_its_own_household_only(world, client):
    from parcours.households import services as hs

    other = hs.household_create(
        lawful_basis=BASIS, actor=None, association=world.a, name="Famille Voisine"
    )
    client.force_login(world.user(Role.PEER_FAMILY))
    own = client.get(f"/households/{world.household_a.pk}/")
    assert own.status_code == 200 and "Famille Martin" in own.content.decode()
    assert client.get(f"/households/{other.pk}/").status_code == 403
    assert client.get("/households/").status_code == 403
    peer = _member(world, Role.PEER_FAMILY)
    assert list(visibility.households(peer)) == [world.household_a]


def test_the_board_sees_no_household_and_no_task(world, client):
    board = _member(world, Role.BOARD)
    assert not visibility.households(board).exists()
    today = timezone.localdate()
    # a family in touch lately (a dormant one's tasks wait in the list to re-contact)
    from tests.journal import log_touchpoint

    log_touchpoint(household=world.household_a, day=today, kind="peer_contact")
    seat = Task.objects.create(
        association=world.a, household=world.household_a, rule="committee_seat", cause="x",
        assignee_kind="board", since=today, due=today,
    )  # fmt: skip
    client.force_login(world.user(Role.BOARD))
    assert client.get("/tasks/").status_code == 403
    assert client.get(f"/tasks/{seat.pk}/").status_code == 403
    assert "Mes tâches" not in client.get("/").content.decode()
    # a committee seat to propose goes to the coordinators
    from parcours.worklists.selectors import tasks_for_member

    assert seat in list(tasks_for_member(_member(world, Role.COORDINATOR)))


def test_a_manual_placement_at_a_support_stage_is_for_sensitive_roles(world):
    from parcours.journey.definitions import definition_for
    from parcours.journey.models import ManualPlacement

    definition = definition_for(world.a)
    assert visibility.support_stages(definition) == {"maintenance"}
    placement = ManualPlacement(stage="maintenance", reason="x")
    assert (
        visibility.manual_placement(_member(world, Role.VOLUNTEER), placement, definition) is None
    )
    assert visibility.manual_placement(_member(world, Role.COORDINATOR), placement, definition)
    placement.stage = "usage"
    assert visibility.manual_placement(_member(world, Role.VOLUNTEER), placement, definition)
