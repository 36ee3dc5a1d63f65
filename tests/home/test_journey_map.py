"""The home's journey map: families per stage, moves of the last 30 days, the board's view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.analytics.privacy import HIDDEN
from parcours.home.journey_map import journey_map
from parcours.households import services
from tests.basis import BASIS
from tests.journal import log_touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_scope():
    with scopes_disabled():
        yield


def _member(world, role):
    return Membership.objects.get(user=world.user(role))


def _family(world, name, steps):
    h = services.household_create(
        actor=None, association=world.a, name=name, neighbourhood="Nord", lawful_basis=BASIS
    )
    today = timezone.localdate()
    for days_ago, kind in steps:
        log_touchpoint(
            household=h,
            day=today - timedelta(days=days_ago),
            kind=kind,
            activity=world.touchpoint_a.activity if kind == "attendance" else None,
        )
    return h


def test_counts_arrivals_departures_and_steps_back(world):
    # usage reached 70 days ago (3 attendances at one activity), lapsed 10 days ago: a step back
    _family(world, "Famille Arrière", [(90, "intake_visit"), (72, "attendance"),
                                       (71, "attendance"), (70, "attendance")])  # fmt: skip
    # a new family reached this month, from awareness to research
    _family(world, "Famille Nouvelle", [(20, "outreach_contact"), (10, "info_request")])
    today = timezone.localdate()
    cells = {c.key: c for c in journey_map(_member(world, Role.COORDINATOR), today=today).cells}
    assert len(cells) == 10
    assert cells["discovery"].count >= 1 and cells["usage"].count == 0
    assert cells["usage"].departures == 1 and cells["usage"].fell_back == 1
    assert cells["research"].count == 1 and cells["research"].arrivals == 1
    assert cells["awareness"].arrivals == 1 and cells["awareness"].departures == 1
    assert cells["awareness"].fell_back == 0
    assert cells["research"].url == "/households/?stage=research"


def test_the_board_sees_aggregates_only_small_counts_hidden_never_zero(world):
    for i in range(6):
        _family(world, f"Famille {i}", [(40, "outreach_contact")])
    board = journey_map(_member(world, Role.BOARD), today=timezone.localdate())
    cells = {c.key: c for c in board.cells}
    assert board.aggregate_only and all(c.url is None for c in board.cells)
    assert cells["awareness"].count == 5  # 6 rounded down to a multiple of 5
    # the empty stages are hidden like the small ones: a hidden cell is never a zero
    assert cells["engagement"].count == HIDDEN and cells["research"].arrivals == HIDDEN
    assert "maintenance" not in cells  # the board never learns of support stages


def test_each_roles_home_draws_its_map(world, client):
    _family(world, "Famille Nouvelle", [(20, "outreach_contact")])
    for role in (Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.VOLUNTEER, Role.BOARD):
        client.force_login(world.user(role))
        body = client.get("/").content.decode()
        stages = 9 if role in (Role.VOLUNTEER, Role.BOARD) else 10  # support stage: sensitive
        assert body.count('class="stage-cell"') == stages, role
        assert ("?stage=awareness" in body) == (role != Role.BOARD), role
        assert ("Famille Nouvelle" in body) is False  # the map never names a family
    client.force_login(world.user(Role.PEER_FAMILY))
    assert 'class="stage-cell"' not in client.get("/").content.decode()
