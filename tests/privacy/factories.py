"""A member of each association's household, for the access matrix (URL_KWARGS)."""

from __future__ import annotations

from parcours.households import services
from tests.basis import COVERED
from tests.outreach.factories import _cached, _side


def person(world, which):
    def build():
        if which == "a":
            return world.person_a
        _assoc, household = _side(world, which)
        return services.person_add(
            actor=None,
            household=household,
            first_name="Jules",
            relation="child",
            lawful_basis=COVERED,
        )

    return _cached(world, "person", which, build)


URL_KWARGS = {"person_pk": person}
