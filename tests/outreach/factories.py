"""Objects of the outreach app, one per association, for the access matrix (URL_KWARGS)."""

from __future__ import annotations

from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.outreach import services


def _cached(world, key, which, build):
    cache = world.__dict__.setdefault("_objects", {})
    if (key, which) not in cache:
        with scopes_disabled():
            cache[(key, which)] = build()
    return cache[(key, which)]


def _side(world, which):
    return (world.a, world.household_a) if which == "a" else (world.b, world.household_b)


def action(world, which):
    def build():
        assoc, household = _side(world, which)
        a = services.action_create(
            actor=None, association=assoc, day=timezone.localdate(), place="Marché",
            channel="street_stand",
        )  # fmt: skip
        services.contact_record(actor=None, action=a, household=household)
        return a

    return _cached(world, "outreach_action", which, build)


URL_KWARGS = {"action_pk": action}
