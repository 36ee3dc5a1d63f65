"""Objects of the team app, one per association, for the access matrix (URL_KWARGS)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.team.models import Invitation


def invitation(world, which):
    cache = world.__dict__.setdefault("_objects", {})
    if ("invitation", which) not in cache:
        association = world.a if which == "a" else world.b
        with scopes_disabled():
            cache[("invitation", which)] = Invitation.objects.create(
                association=association,
                email=f"nouvelle-{which}@example.org",
                role="volunteer",
                expires_at=timezone.now() + timedelta(days=7),
            )
    return cache[("invitation", which)]


URL_KWARGS = {"invitation_pk": invitation}
