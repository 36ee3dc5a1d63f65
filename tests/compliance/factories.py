"""An archived household per association, for the access matrix (URL_KWARGS)."""

from __future__ import annotations

from django.utils import timezone

from parcours.households import services
from parcours.households.models import Household
from tests.basis import BASIS
from tests.outreach.factories import _cached


def archived_household(world, which):
    def build():
        association = world.a if which == "a" else world.b
        h = services.household_create(
            actor=None,
            association=association,
            name=f"Famille Archivée {which.upper()}",
            lawful_basis=BASIS,
        )
        Household.objects.filter(pk=h.pk).update(archived_at=timezone.now())
        return h

    return _cached(world, "archived_household", which, build)


URL_KWARGS = {"archived_pk": archived_household}


def processor(world, which):
    from parcours.compliance.models import Processor

    def build():
        association = world.a if which == "a" else world.b
        return Processor.objects.create(
            association=association, name="Hébergeur", service="hosting"
        )

    return _cached(world, "processor", which, build)


URL_KWARGS["processor_pk"] = processor
