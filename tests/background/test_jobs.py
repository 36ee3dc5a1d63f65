"""Background jobs: queued with the work, run by the worker, their progress polled by htmx."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.background.models import BackgroundJob
from parcours.background.services import job_start
from tests.background.tasks import count_to

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _start(world, **kwargs):
    with scopes_disabled():
        return job_start(
            actor=world.user(Role.COORDINATOR),
            association=world.a,
            kind="test_count",
            task=count_to,
            kwargs=kwargs,
        )


def test_immediate_backend_runs_the_task_at_once_and_records_its_progress(world):
    job = _start(world, total=3)
    assert (job.state, job.done, job.total, job.message) == ("done", 3, 3, "step 3")
    assert job.result_url == "/" and job.started_at and job.finished_at
    assert job.task_id


def test_a_failing_task_marks_its_job_failed_and_keeps_its_progress(world):
    job = _start(world, total=5, fail_at=3)
    assert (job.state, job.done) == ("failed", 2)
    assert job.error == "RuntimeError: stopped at 3"


@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_and_parcours_worker_runs_it(world):
    from parcours.cli import main

    with override_settings(TASKS=DATABASE_TASKS):
        job = _start(world, total=4)
        assert (job.state, job.done) == ("queued", 0)
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.filter(status="READY").count() == 1
        assert main(["worker", "--batch", "--interval", "0"]) == 0
        with scopes_disabled():
            job.refresh_from_db()
        assert (job.state, job.done, job.total) == ("done", 4, 4)
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_progress_fragment_polls_until_the_job_is_finished(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    with override_settings(TASKS=DATABASE_TASKS):
        job = _start(world, total=2)
        fragment = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
        html = fragment.content.decode()
        assert f'hx-get="/jobs/{job.pk}/"' in html and 'hx-trigger="every 1s"' in html
        assert "<html" not in html and 'data-job-state="queued"' in html
        from parcours.cli import main

        main(["worker", "--batch", "--interval", "0"])
    html = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in html and 'data-job-state="done"' in html
    assert 'value="2" max="2"' in html
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<html" in page and "style=" not in page and "<script>" not in page


def test_a_member_without_the_kinds_capability_may_not_follow_it(world, client):
    job = _start(world, total=1)
    client.force_login(world.user(Role.VOLUNTEER))
    assert client.get(f"/jobs/{job.pk}/").status_code == 403
    client.force_login(world.user(Role.COORDINATOR, "b"))
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_an_unregistered_kind_is_refused(world):
    with scopes_disabled(), pytest.raises(ValueError):
        job_start(actor=None, association=world.a, kind="nothing", task=count_to)
    with scopes_disabled():
        assert not BackgroundJob.objects.exists()
