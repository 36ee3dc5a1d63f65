"""The API gives each role what its pages give it, through the same visibility policy."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.support import services as support
from tests.conftest import ROLES

# path -> the roles that may read it (the capability of the matching pages)
SEE = {Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.VOLUNTEER}
READS = {
    "/api/v1/households": SEE,
    "/api/v1/persons": SEE,
    "/api/v1/touchpoints": SEE,
    "/api/v1/stage-spans": SEE,
    "/api/v1/activities": SEE,
    "/api/v1/sessions": SEE,
    "/api/v1/attendance": SEE,
    "/api/v1/tasks": SEE | {Role.PEER_FAMILY},
    "/api/v1/measures": {Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.BOARD},
    "/api/v1/measures/funnel": {Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.BOARD},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_what_its_pages_show(role, world, client, bearer):
    api = bearer(world.user(role))
    for path, roles in READS.items():
        response = client.get(path, **api)
        assert response.status_code == (200 if role in roles else 403), (path, role)
        assert response["Content-Type"] == "application/json; charset=utf-8"


def _support(world):
    with scopes_disabled():
        support.support_case_open(
            actor=None, household=world.household_a, opened_on=timezone.localdate(),
            reason="Secret support reason",
        )  # fmt: skip


def test_a_volunteer_cannot_read_support_through_the_api(world, client, bearer):
    _support(world)
    api = bearer(world.user(Role.VOLUNTEER))
    kinds = {t["kind"] for t in client.get("/api/v1/touchpoints", **api).json()["items"]}
    assert kinds and not kinds & {"support_opened", "support_closed"}
    response = client.get("/api/v1/touchpoints?kind=support_opened", **api)
    assert response.json() == {"count": 0, "limit": 50, "offset": 0, "items": []}
    body = b"".join(
        client.get(path, **api).content
        for path in ("/api/v1/touchpoints", "/api/v1/stage-spans", "/api/v1/households",
                     f"/api/v1/households/{world.household_a.pk}", "/api/v1/tasks")
    )  # fmt: skip
    for secret in (b"support", b"Confidential listening note", b"Logement", b"maintenance"):
        assert secret not in body.lower(), secret
    household = client.get(f"/api/v1/households/{world.household_a.pk}", **api).json()
    assert household["needs"] is None
    assert client.get("/api/v1/measures/relapse", **api).status_code == 403


def test_a_social_worker_reads_support_and_notes(world, client, bearer):
    _support(world)
    api = bearer(world.user(Role.SOCIAL_WORKER))
    items = client.get("/api/v1/touchpoints", **api).json()["items"]
    assert "support_opened" in {t["kind"] for t in items}
    assert "Confidential listening note" in {t["note"] for t in items}
    assert client.get("/api/v1/measures/relapse", **api).status_code == 200


def test_the_board_gets_aggregates_only_small_cells_hidden(world, client, bearer):
    api = bearer(world.user(Role.BOARD))
    measure = client.get("/api/v1/measures/funnel", **api).json()
    assert measure["small_cells_hidden"] is True
    counts = [row[1] for row in measure["rows"]]
    assert counts and set(counts) == {"< 5"}  # one household: every count is small
    assert b"Martin" not in client.get("/api/v1/measures/funnel", **api).content
    for path in ("/api/v1/households", "/api/v1/tasks", "/api/v1/touchpoints"):
        assert client.get(path, **api).status_code == 403


def test_a_peer_family_sees_only_its_own_tasks(world, client, bearer):
    api = bearer(world.user(Role.PEER_FAMILY))
    everyone = bearer(world.user(Role.COORDINATOR))
    mine = client.get("/api/v1/tasks", **api).json()["items"]
    allof = client.get("/api/v1/tasks", **everyone).json()["items"]
    assert len(allof) > len(mine)
    household = world.household_a.pk
    assert all(t["assignee_household_id"] == household for t in mine)


def test_another_associations_household_is_not_found(world, client, bearer):
    api = bearer(world.user(Role.ADMIN, "b"))
    pk = world.household_a.pk
    response = client.get(f"/api/v1/households/{pk}", **api)
    assert response.status_code == 404
    assert b"Martin" not in response.content
    response = client.post(
        f"/api/v1/households/{pk}/touchpoints",
        {"day": "2026-01-10", "kind": "info_request"},
        content_type="application/json",
        **api,
    )
    assert response.status_code == 404
    for path in ("/api/v1/touchpoints", "/api/v1/persons", "/api/v1/stage-spans"):
        assert b"Martin" not in client.get(path, **api).content
        assert client.get(f"{path}?household={pk}", **api).json()["count"] == 0
