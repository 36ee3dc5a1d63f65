"""Support cases, one per association, for the access matrix (URL_KWARGS)."""

from __future__ import annotations

from django.utils import timezone

from parcours.support import services
from tests.outreach.factories import _cached, _side


def support_case(world, which):
    def build():
        _assoc, household = _side(world, which)
        return services.support_case_open(
            actor=None, household=household, opened_on=timezone.localdate(),
            reason="Secret support reason",
        )  # fmt: skip

    return _cached(world, "support_case", which, build)


URL_KWARGS = {"case_pk": support_case}
