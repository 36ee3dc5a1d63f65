"""POST of a touchpoint (same form and service as the page, the stage follows in the same
transaction), and the API's errors: JSON, naming the field and the reason, in French or
English, 401/403/404/422/429."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.test import override_settings
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.households.models import Touchpoint
from parcours.journey.models import HouseholdJourney


def _post(client, api, pk, body, **extra):
    return client.post(
        f"/api/v1/households/{pk}/touchpoints", body, content_type="application/json",
        **api, **extra,
    )  # fmt: skip


def _stage(household):
    with scopes_disabled():
        journey = HouseholdJourney.objects.filter(household=household, audience="all").first()
    return journey.stage if journey else None


def test_a_posted_touchpoint_moves_the_stage_and_answers_the_placement(world, client, bearer):
    """A household first reached by an information request: Research, with its reason."""
    from parcours.households import services

    with scopes_disabled():
        fresh = services.household_create(
            lawful_basis=__import__("tests.conftest", fromlist=["BASIS"]).BASIS,
            actor=None, association=world.a, name="Famille Nouvelle",
        )  # fmt: skip
    assert _stage(fresh) in ("", None)
    api = bearer(world.user(Role.VOLUNTEER))
    response = _post(client, api, fresh.pk, {"day": "2026-01-10", "kind": "info_request"})
    assert response.status_code == 201, response.content
    placement = response.json()
    assert placement["stage"] == _stage(fresh) and placement["stage"]
    assert placement["stage_label"] and placement["sentence"]
    assert placement["reasons"] and all(isinstance(r, str) for r in placement["reasons"])
    with scopes_disabled():
        touchpoint = Touchpoint.objects.get(pk=placement["touchpoint_id"])
    assert touchpoint.household_id == fresh.pk and touchpoint.kind == "info_request"
    assert touchpoint.actor == world.user(Role.VOLUNTEER)


def test_a_refused_touchpoint_writes_nothing_and_names_the_field(world, client, bearer):
    api = bearer(world.user(Role.COORDINATOR))
    pk = world.household_a.pk
    with scopes_disabled():
        before = Touchpoint.objects.count()
    owned = _post(client, api, pk, {"day": "2026-01-10", "kind": "support_opened"})
    future = _post(client, api, pk, {"day": "2999-01-10", "kind": "info_request"})
    missing = _post(client, api, pk, {"kind": "info_request"})
    badday = _post(client, api, pk, {"day": "10/01/2026", "kind": "info_request"})
    for response, field in ((owned, "kind"), (future, "day"), (missing, "day"), (badday, "day")):
        assert response.status_code == 422, response.content
        errors = response.json()["errors"]
        assert errors and errors[0]["field"] == field and errors[0]["message"], errors
    with scopes_disabled():
        assert Touchpoint.objects.count() == before


def test_a_volunteer_records_no_note(world, client, bearer):
    api = bearer(world.user(Role.VOLUNTEER))
    body = {"day": "2026-01-10", "kind": "info_request", "note": "Secret"}
    response = _post(client, api, world.household_a.pk, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "note"


def test_roles_that_record_nothing_are_refused(world, client, bearer):
    for role in (Role.BOARD, Role.PEER_FAMILY):
        response = _post(client, bearer(world.user(role)), world.household_a.pk,
                         {"day": "2026-01-10", "kind": "info_request"})  # fmt: skip
        assert response.status_code == 403, role


def test_errors_speak_the_language_of_the_request(world, client, bearer):
    api = bearer(world.user(Role.COORDINATOR))
    fr = client.get("/api/v1/households?limit=0", HTTP_ACCEPT_LANGUAGE="fr", **api).json()
    en = client.get("/api/v1/households?limit=0", HTTP_ACCEPT_LANGUAGE="en", **api).json()
    assert fr["errors"] == [{"field": "limit", "message": "limit : au moins 1"}]
    assert en["errors"] == [{"field": "limit", "message": "limit: must be at least 1"}]
    assert fr["detail"] != en["detail"]
    assert client.get("/api/v1/households", **api).status_code == 200
    unknown = client.get("/api/v1/households/999999", HTTP_ACCEPT_LANGUAGE="en", **api)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Not found."


def test_a_nul_byte_in_a_filter_is_a_json_422(world, client, bearer):
    api = bearer(world.user(Role.COORDINATOR))
    response = client.get("/api/v1/households?q=a%00b", **api)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"]


@override_settings(PARCOURS_API_RATE_LIMIT=3)
def test_rate_limit_per_token(world, client, bearer):
    from django.core.cache import cache

    cache.clear()
    api = bearer(world.user(Role.COORDINATOR))
    other = bearer(world.user(Role.ADMIN))
    # within one minute of the limit's window, whatever the clock says
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, 5, tzinfo=UTC), tick=False):
        _limited(client, api, other)


def _limited(client, api, other):
    answers = [client.get("/api/v1/activities", **api).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/api/v1/activities", **api)
    assert int(limited["Retry-After"]) >= 1 and limited.json()["detail"]
    assert client.get("/api/v1/activities", **other).status_code == 200  # its own count


def test_a_body_that_is_no_json_is_a_422_naming_the_body(world, client, bearer):
    api = bearer(world.user(Role.COORDINATOR))
    response = _post(client, api, world.household_a.pk, "9\x00{", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body", "message": "body: the body must be a JSON object"}
    ]
