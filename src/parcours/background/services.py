"""Start background work and report its progress.

A job is started by a service of the app that owns the work::

    job = job_start(actor=user, association=assoc, kind="journey_recompute",
                    task=recompute_task, kwargs={"version_id": 3})

``task`` is a django-tasks task (``@task()``) whose first keyword is ``job_id``; it is queued
in the caller's transaction, with the job row: both are written or neither. The worker
(``parcours worker``, started by ``parcours serve`` and ``parcours demo``) runs it; under the
immediate backend (settings_test) it runs at once. Inside the task::

    with job_running(job_id) as progress:
        progress.advance(done, total, message)

marks the job running, records each step in its own short write (pages read it while the work
goes on), then done; an exception marks it failed (and is raised again for the worker's log).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.background import kinds
from parcours.background.models import BackgroundJob

logger = logging.getLogger(__name__)


@transaction.atomic
def job_start(*, actor, association, kind: str, task, kwargs: dict | None = None) -> BackgroundJob:
    if kinds.get(kind) is None:
        raise ValueError(f"unknown background job kind {kind!r}")
    job = BackgroundJob(
        association=association,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    job.full_clean()
    job.save()
    result = task.enqueue(job_id=job.pk, **(kwargs or {}))
    # The immediate backend (tests) has already run the task: keep what it recorded.
    BackgroundJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


class Progress:
    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.result_url = ""

    def advance(self, done: int, total: int | None = None, message: str | None = None) -> None:
        fields: dict = {"done": done}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message[:200]
        with scopes_disabled():
            BackgroundJob.objects.filter(pk=self.job_id).update(**fields)


@contextmanager
def job_running(job_id: int) -> Iterator[Progress]:
    with scopes_disabled():
        BackgroundJob.objects.filter(pk=job_id).update(
            state=BackgroundJob.State.RUNNING, started_at=timezone.now()
        )
    progress = Progress(job_id)
    try:
        yield progress
    except BaseException as exc:
        logger.exception("background job %s failed", job_id)
        with scopes_disabled():
            BackgroundJob.objects.filter(pk=job_id).update(
                state=BackgroundJob.State.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
        raise
    with scopes_disabled():
        job = BackgroundJob.objects.get(pk=job_id)
        job.state = BackgroundJob.State.DONE
        job.finished_at = timezone.now()
        job.done = max(job.done, job.total)
        job.result_url = progress.result_url or job.result_url
        job.save(update_fields=["state", "finished_at", "done", "result_url"])
