"""Shared fixtures: two associations, one user per role in each, a few households."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role
from tests.basis import BASIS, COVERED
from tests.journal import log_touchpoint

PASSWORD = "correct-horse-battery-staple"
ROLES = [r.value for r in Role]


@dataclass
class World:
    a: Association
    b: Association
    users: dict  # (association slug, role) -> user
    household_a: object
    household_b: object
    person_a: object
    touchpoint_a: object

    def user(self, role: str, which: str = "a"):
        return self.users[(which, role)]


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The two associations, their members and households (the caller provides the database)."""
    from parcours.activities.models import Activity
    from parcours.households import services

    User = get_user_model()
    with scopes_disabled():
        a = Association.objects.create(name="Association A", slug="a")
        b = Association.objects.create(name="Association B", slug="b")
        users = {}
        for which, assoc in (("a", a), ("b", b)):
            for role in ROLES:
                u = User.objects.create_user(f"{role}-{which}", password=PASSWORD)
                Membership.objects.create(user=u, association=assoc, role=role)
                users[(which, role)] = u
        ha = services.household_create(
            lawful_basis=BASIS,
            actor=None,
            association=a,
            name="Famille Martin",
            neighbourhood="Les Tilleuls",
            needs="Logement",
            phone="0601020304",
        )
        hb = services.household_create(
            lawful_basis=BASIS,
            actor=None,
            association=b,
            name="Famille Durand",
            neighbourhood="Le Port",
        )
        pa = services.person_add(
            lawful_basis=COVERED, actor=None, household=ha, first_name="Amina", relation="parent"
        )
        act = Activity.objects.create(association=a, name="Café des parents", category="sharing")
        ta = log_touchpoint(
            actor=None,
            household=ha,
            day=date(2026, 1, 5),
            kind="attendance",
            activity=act,
            note="Confidential listening note",
        )
        pm = Membership.objects.get(user=users[("a", Role.PEER_FAMILY)])
        pm.household = ha
        pm.save()
    return World(a, b, users, ha, hb, pa, ta)


@pytest.fixture(autouse=True)
def _current_journey_versions_read_afresh():
    """Each test reads its associations' current journey version (ids are reused)."""
    from parcours.journey.definitions import forget_current_versions

    forget_current_versions()
    yield
    forget_current_versions()


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """Django's locale middleware leaves the last request's language active in the thread: an
    English request (or an API call with Accept-Language: en) would make the next test on the
    same worker read English labels. Each test starts in the site's default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def force_login_is_a_complete_sign_in(monkeypatch):
    """`client.force_login(user)` stands for a complete sign-in, the second factor included, so
    page tests need not enrol every administrator, coordinator and social worker. The sign-in
    itself (password, lockout, enrolment, TOTP codes) goes through the real forms in
    tests/accounts/test_signin.py and the browser tests; `client.login()` is left untouched."""
    from django.test.client import ClientMixin

    from parcours.accounts.signin import SESSION_SECOND_FACTOR

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[SESSION_SECOND_FACTOR] = True
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def activities(world):
    """Two activities of association A (the world's café and a cooking workshop)."""
    from parcours.activities.models import Activity

    with scopes_disabled():
        cafe = world.touchpoint_a.activity
        cuisine = Activity.objects.create(
            association=world.a, name="Atelier cuisine", category="activity"
        )
    return cafe, cuisine
