"""Directory objects for the access matrix (URL_KWARGS): a member of a household."""

from __future__ import annotations

from parcours.households import services as hs
from tests.basis import COVERED
from tests.outreach.factories import _cached, _side


def person(world, which):
    def build():
        _assoc, household = _side(world, which)
        return hs.person_add(
            actor=None, household=household, first_name=f"Membre {which}", relation="child",
            lawful_basis=COVERED,
        )  # fmt: skip

    return _cached(world, "person", which, build)


URL_KWARGS = {"person_pk": person}
