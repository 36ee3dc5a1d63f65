"""Background jobs for the access matrix (URL_KWARGS): one per association and role, of a kind
that role may follow (a kind per role, following one of the role's capabilities)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from parcours.accounts.roles import ROLE_CAPABILITIES
from parcours.background import kinds


def job(world, which, role=None):
    from parcours.background.models import BackgroundJob

    association = world.a if which == "a" else world.b
    role = role or "admin"
    kind = f"matrix_{role}"
    capability = sorted(ROLE_CAPABILITIES[role])[0]
    kinds.register(kind, label=_("Work in the background"), capability=capability)
    with scopes_disabled():
        return BackgroundJob.objects.get_or_create(association=association, kind=kind)[0]


URL_KWARGS = {"job_pk": job}
