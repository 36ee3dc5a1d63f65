"""The recomputation after a new version of the rules, as background work with progress."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled
from django_tasks import task

from parcours.background import kinds
from parcours.background.services import job_running

KIND = kinds.register(
    "journey_recompute",
    label=_("Recomputing the households' journeys"),
    capability="edit_journey",
)


@task()
def recompute_after_version(*, job_id: int, association_id: int, version_id: int) -> int:
    """Every household's journey with the association's current rules, then its tasks."""
    from parcours.accounts.models import Association
    from parcours.households.models import Household
    from parcours.journey.recompute import journey_recompute
    from parcours.worklists.regenerate import tasks_regenerate_many

    with job_running(job_id) as progress, scopes_disabled():
        association = Association.objects.get(pk=association_id)
        ids = list(
            Household.objects.filter(association=association)
            .order_by("id")
            .values_list("id", flat=True)
        )
        total = len(ids)
        progress.advance(0, total, "")

        def advanced(done: int) -> None:
            progress.advance(done, total, "")

        n = journey_recompute(association=association, progress=advanced, batch_size=200)
        tasks_regenerate_many(association=association)
        progress.result_url = reverse("journey_editor:version", args=[version_id])
    return n
