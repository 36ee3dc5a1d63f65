"""A task of the tests: counts to `total`, reporting each step (and fails when asked to)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from parcours.background import kinds
from parcours.background.services import job_running

COUNT = kinds.register("test_count", label=_("Recomputing the journeys"), capability="manage_tasks")


@task()
def count_to(*, job_id: int, total: int, fail_at: int | None = None) -> int:
    with job_running(job_id) as progress:
        for done in range(1, total + 1):
            if done == fail_at:
                raise RuntimeError(f"stopped at {done}")
            progress.advance(done, total, f"step {done}")
        progress.result_url = "/"
    return total
