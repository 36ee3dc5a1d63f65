"""Each association counts its days in its own time zone: requests, journeys, the daily run."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.activities.models import Activity, Session
from parcours.association_settings import selectors, services
from parcours.journey.models import HouseholdJourney
from parcours.journey.recompute import journey_recompute

# 23:30 in London: already the 11th in Paris (UTC+1), still the 10th in Martinique (UTC-4).
INSTANT = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
PARIS_DAY, MARTINIQUE_DAY = date(2026, 3, 11), date(2026, 3, 10)


def _zones(world):
    services.association_update(actor=None, association=world.a, time_zone="Europe/Paris")
    services.association_update(actor=None, association=world.b, time_zone="America/Martinique")


def test_each_association_has_its_own_today(world):
    _zones(world)
    with time_machine.travel(INSTANT, tick=False):
        assert selectors.association_today(world.a) == PARIS_DAY
        assert selectors.association_today(world.b) == MARTINIQUE_DAY


def test_today_sessions_follow_the_association_zone(world, client):
    _zones(world)
    with scopes_disabled():
        for association in (world.a, world.b):
            activity = Activity.objects.create(
                association=association, name=f"Atelier {association.slug}", category="activity"
            )
            for day in (PARIS_DAY, MARTINIQUE_DAY):
                Session.objects.create(
                    association=association, activity=activity, day=day, start_time="10:00",
                    place=f"Salle du {day.day}",
                )  # fmt: skip
    with time_machine.travel(INSTANT, tick=False):
        client.force_login(world.user(Role.VOLUNTEER, "a"))
        paris = client.get("/activities/today/").content.decode()
        client.force_login(world.user(Role.VOLUNTEER, "b"))
        martinique = client.get("/activities/today/").content.decode()
    assert "11 mars 2026" in paris and "Atelier a" in paris
    assert "10 mars 2026" in martinique and "Atelier b" in martinique


def test_journeys_are_recomputed_as_of_each_association_day(world):
    _zones(world)
    with time_machine.travel(INSTANT, tick=False):
        journey_recompute()
    with scopes_disabled():
        days = dict(HouseholdJourney.objects.values_list("association__slug", "computed_on"))
    assert days == {"a": PARIS_DAY, "b": MARTINIQUE_DAY}


def test_the_daily_digests_are_dated_by_each_association_day(world):
    """A digest is sent once per day of the association: at 23:30 in London it is already the
    11th in Paris, and the 10th in Martinique."""
    from parcours.worklists.models import DigestPreference
    from parcours.worklists.services import digests_send

    _zones(world)
    with scopes_disabled():
        for association in (world.a, world.b):
            user = world.user(Role.COORDINATOR, association.slug)
            user.email = f"coordination@{association.slug}.example"
            user.save(update_fields=["email"])
            DigestPreference.objects.create(
                user=user, association=association, daily_digest=True, language="fr"
            )
    with time_machine.travel(INSTANT, tick=False):
        digests_send()
        with scopes_disabled():
            days = dict(DigestPreference.objects.values_list("association__slug", "last_sent"))
        assert days == {"a": PARIS_DAY, "b": MARTINIQUE_DAY}
        digests_send()  # the same day again: nothing more
    with scopes_disabled():
        assert dict(DigestPreference.objects.values_list("association__slug", "last_sent")) == {
            "a": PARIS_DAY,
            "b": MARTINIQUE_DAY,
        }
