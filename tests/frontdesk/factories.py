"""Objects of the front desk, one per association, for the access matrix (URL_KWARGS)."""

from __future__ import annotations

from django.utils import timezone

from parcours.frontdesk import services
from tests.outreach.factories import _cached, _side


def intake_visit(world, which):
    def build():
        assoc, household = _side(world, which)
        return services.intake_visit_record(
            actor=None, association=assoc, household=household, day=timezone.localdate(),
            listening_notes="Secret listening note", needs="Secret needs",
        )  # fmt: skip

    return _cached(world, "intake_visit", which, build)


URL_KWARGS = {"visit_pk": intake_visit}
