"""Activities fixtures: an activity of association A with a session today and its regulars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.accounts.roles import Role
from tests.basis import BASIS


@dataclass
class Sheet:
    activity: object
    session: object
    regulars: list  # households present at the activity last week
    coordinator: object
    volunteer: object


def make_households(association, n: int, prefix: str = "Famille") -> list:
    from parcours.households import services

    return [
        services.household_create(
            lawful_basis=BASIS,
            actor=None,
            association=association,
            name=f"{prefix} {i:02d}",
            neighbourhood="Les Tilleuls",
        )  # fmt: skip
        for i in range(n)
    ]


@pytest.fixture
def sheet(world) -> Sheet:
    from parcours.activities import services
    from parcours.activities.models import Activity

    today = timezone.localdate()
    coordinator = world.user(Role.COORDINATOR)
    with scopes_disabled(), scope(association=[world.a.pk]):
        activity = Activity.objects.get(association=world.a, name="Café des parents")
        regulars = make_households(world.a, 5)
        last_week = services.session_create(
            actor=coordinator, activity=activity, day=today - timedelta(days=7),
            start_time=time(14, 0),
        )  # fmt: skip
        for household in regulars:
            services.attendance_mark(
                actor=coordinator, session=last_week, household=household, status="present"
            )
        session = services.session_create(
            actor=coordinator, activity=activity, day=today, start_time=time(14, 0),
            place="Salle des fêtes",
        )  # fmt: skip
    return Sheet(activity, session, regulars, coordinator, world.user(Role.VOLUNTEER))


@pytest.fixture
def in_a(world):
    with scope(association=[world.a.pk]):
        yield


@pytest.fixture
def login(client):
    """Sign in; pages in English unless `lang` says otherwise (French is the default)."""

    def _login(user, lang: str = "en"):
        client.force_login(user)
        client.cookies["django_language"] = lang
        return client

    return _login
