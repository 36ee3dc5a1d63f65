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
COMMIT_KIND = kinds.register(
    "import_commit", label=_("Import of a file"), capability=Capability.IMPORT_HOUSEHOLDS
)
CHUNK = 500


def background_rows() -> int:
    """From how many rows a file is imported by the worker, with progress, not in the request."""
    from django.conf import settings

    return getattr(settings, "PARCOURS_IMPORT_BACKGROUND_ROWS", 20_000)


def tasks_for(*, association, household_ids: list[int], progress=None) -> int:
    from parcours.worklists.regenerate import tasks_regenerate_many

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


@task()
def import_commit(*, job_id: int, import_id: int, decisions: dict[str, str]) -> int:
    """Commit a checked file (imports.flow), all or nothing, then link the job to its report."""
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from parcours.imports import flow
    from parcours.imports.models import ImportFile

    with job_running(job_id) as progress, scopes_disabled():
        row = ImportFile.objects.select_related("association", "created_by").get(pk=import_id)
        progress.advance(0, 2)
        _layout, plan = flow.read(row)
        progress.advance(1, 2)
        report = flow.import_file_commit(
            actor=row.created_by, import_file=row, plan=plan, decisions=decisions
        )
        progress.result_url = reverse("imports:report", args=[row.pk])
        return report.households_created
