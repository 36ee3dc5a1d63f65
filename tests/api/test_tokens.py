"""Personal tokens: created on the account page and shown once, stored hashed, revocable,
expiring, audited; a token acts as its person with their current role."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import time_machine
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.api.models import ApiToken
from parcours.audit.models import AuditEvent

URL = "/account/api-tokens/"


def _create(client, name="Tableur fédération", days="90"):
    response = client.post(URL, {"name": name, "days": days})
    assert response.status_code == 200
    found = re.search(rb'data-testid="api-secret">(pc_[\w-]+)<', response.content)
    return found.group(1).decode() if found else None


def test_a_token_is_shown_once_and_stored_hashed(world, client):
    user = world.user(Role.VOLUNTEER)
    client.force_login(user)
    secret = _create(client)
    assert secret and len(secret) > 40
    token = ApiToken.objects.get(user=user)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.digest, token.prefix, token.name}
    assert secret.encode() not in client.get(URL).content  # the list shows its start only
    assert token.prefix.encode() in client.get(URL).content
    assert token.expires_at - timezone.now() > timedelta(days=89)
    with scopes_disabled():
        event = AuditEvent.objects.get(object_type="api.apitoken", action="create")
    assert event.actor == user and event.association == world.a


def test_a_token_without_a_name_is_refused_naming_the_field(world, client):
    client.force_login(world.user(Role.VOLUNTEER))
    response = client.post(URL, {"name": "  ", "days": "90"})
    assert b"api-secret" not in response.content
    assert ApiToken.objects.count() == 0


def test_revoked_token_is_refused_and_audited(world, client):
    user = world.user(Role.COORDINATOR)
    client.force_login(user)
    secret = _create(client)
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/households", **api).status_code == 200
    token = ApiToken.objects.get(user=user)
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 302
    response = client.get("/api/v1/households", **api)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    with scopes_disabled():
        assert AuditEvent.objects.filter(object_id=token.pk, action="update").exists()


def test_another_persons_token_cannot_be_revoked(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    _create(client)
    token = ApiToken.objects.get()
    client.force_login(world.user(Role.ADMIN))
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_is_refused(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    secret = _create(client, days="30")
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert client.get("/api/v1/households", **api).status_code == 401


def test_a_token_follows_its_persons_role_and_membership(world, client, bearer):
    user = world.user(Role.COORDINATOR)
    api = bearer(user)
    assert client.get("/api/v1/households", **api).status_code == 200
    membership = Membership.objects.get(user=user)
    membership.role = Role.BOARD
    membership.save()
    assert client.get("/api/v1/households", **api).status_code == 403
    membership.is_active = False
    membership.save()
    assert client.get("/api/v1/households", **api).status_code == 401


def test_a_token_acts_in_its_own_association_only(world, client, bearer):
    """A person in two associations: the token of B reads B's households, never A's."""
    user = world.user(Role.COORDINATOR, "a")
    with scopes_disabled():
        Membership.objects.create(user=user, association=world.b, role=Role.COORDINATOR)
    api = bearer(user, world.b)
    names = [h["name"] for h in client.get("/api/v1/households", **api).json()["items"]]
    assert names == ["Famille Durand"]
    pk = world.household_a.pk
    assert client.get(f"/api/v1/households/{pk}", **api).status_code == 404


def test_garbage_tokens_are_refused(world, client):
    for value in ("Bearer", "Bearer pc_nothing", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500):
        response = client.get("/api/v1/households", HTTP_AUTHORIZATION=value)
        assert response.status_code == 401, value
        assert response.json()["detail"]


def test_the_session_is_no_key_to_the_api(world, client):
    client.force_login(world.user(Role.ADMIN))
    assert client.get("/api/v1/households").status_code == 401
