"""After an import: the worklists' tasks of the households it touched, in the background.

The import writes households, persons and touchpoints and recomputes their journeys in one
transaction (all or nothing). Their tasks are derived from those journeys and take as long again
for a large file: they are queued in the same transaction (parcours.background) and computed by
the worker after the commit, with progress. Until then the daily run would find them too (their
tasks were never computed).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from parcours.accounts.roles import Capability
from parcours.background import kinds
from parcours.background.services import job_running

KIND = kinds.register(
    "import_tasks", label=_("Tasks of the imported families"),
    capability=Capability.IMPORT_HOUSEHOLDS,
)  # fmt: skip
CHUNK = 500


def tasks_for(*, association, household_ids: list[int], progress=None) -> int:
    from parcours.worklists.services import tasks_regenerate_many

    created = 0
    for lo in range(0, len(household_ids), CHUNK):
        chunk = household_ids[lo : lo + CHUNK]
        created += tasks_regenerate_many(association=association, household_ids=chunk).created
        if progress is not None:
            progress.advance(lo + len(chunk), len(household_ids))
    return created


@task()
def import_tasks(*, job_id: int, association_id: int, household_ids: list[int]) -> int:
    from parcours.accounts.models import Association

    with job_running(job_id) as progress:
        association = Association.objects.get(pk=association_id)
        return tasks_for(association=association, household_ids=household_ids, progress=progress)
