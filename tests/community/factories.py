"""Community objects, one per association, for the access matrix (URL_KWARGS)."""

from __future__ import annotations

from django.utils import timezone

from parcours.community import services
from parcours.households import services as hs
from tests.basis import BASIS
from tests.outreach.factories import _cached, _side

TODAY = timezone.localdate


def group(world, which):
    def build():
        assoc, _household = _side(world, which)
        return services.group_create(actor=None, association=assoc, name=f"Groupe {which}")

    return _cached(world, "group", which, build)


def membership(world, which):
    def build():
        _assoc, household = _side(world, which)
        return services.group_join(
            actor=None, group=group(world, which), household=household, start=TODAY()
        )

    return _cached(world, "membership", which, build)


def sponsorship(world, which):
    def build():
        assoc, household = _side(world, which)
        sponsor = hs.household_create(
            lawful_basis=BASIS, actor=None, association=assoc, name=f"Marraine {which}"
        )
        return services.sponsorship_start(
            actor=None, household=household, start=TODAY(), sponsor_household=sponsor
        )

    return _cached(world, "sponsorship", which, build)


def role(world, which):
    def build():
        _assoc, household = _side(world, which)
        return services.role_start(
            actor=None, household=household, kind="committee_member", start=TODAY()
        )

    return _cached(world, "role", which, build)


URL_KWARGS = {
    "group_pk": group,
    "membership_pk": membership,
    "sponsorship_pk": sponsorship,
    "role_pk": role,
}
