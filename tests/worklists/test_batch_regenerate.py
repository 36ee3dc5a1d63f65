"""The stored regeneration from the batch engine (tasks_regenerate_many, batch=True) stores the
tasks and checks of the per-household path (each household's timelines), on a generated
association with users, peer families, sponsorships, support cases and consents: on an empty
task table, and a month later over the tasks already stored (created, closed, reopened)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_scopes import scopes_disabled

from parcours.households import services as hs
from parcours.seed import seed_association
from parcours.worklists.models import Task, TaskCheck
from parcours.worklists.regenerate import tasks_regenerate_many
from tests.basis import BASIS

AS_OF = date(2026, 3, 10)
FIELDS = (
    "household_id", "rule", "cause", "assignee_kind", "stage", "reason", "ref", "since", "due",
    "assignee_user_id", "assignee_household_id", "state", "snoozed_until", "closed_because",
    "audience",
)  # fmt: skip


def _snapshot(association) -> tuple[list, list]:
    with scopes_disabled():
        tasks = sorted(
            (tuple(str(v) for v in row) for row in
             Task.objects.filter(association=association).values_list(*FIELDS)),
        )  # fmt: skip
        checks = sorted(
            TaskCheck.objects.filter(association=association).values_list(
                "household_id", "computed_on", "valid_until"
            )
        )
    return tasks, checks


def _reset(association) -> None:
    with scopes_disabled():
        Task.objects.filter(association=association).delete()
        TaskCheck.objects.filter(association=association).delete()


@pytest.mark.django_db
def test_batch_regeneration_stores_what_the_per_household_path_stores():
    result = seed_association(
        name="Gen", slug="gen", households=160, seed=11, end=AS_OF, with_users=True
    )
    a = result.association
    with scopes_disabled():  # no touchpoint at all: a check, no task
        hs.household_create(lawful_basis=BASIS, actor=None, association=a, name="Famille Vide")

    def run(batch: bool, as_of: date):
        return tasks_regenerate_many(association=a, as_of=as_of, batch=batch, batch_size=40)

    _reset(a)
    first = run(False, AS_OF)
    want = _snapshot(a)
    _reset(a)
    assert run(True, AS_OF).created == first.created > 100
    assert _snapshot(a) == want
    with scopes_disabled():
        assert Task.objects.filter(association=a, audience="sensitive").exists()
        assert Task.objects.filter(association=a, assignee_household__isnull=False).exists()

    later = AS_OF + timedelta(days=35)  # from the same stored tasks, a month later
    expected = run(False, later)
    want_later = _snapshot(a)
    _reset(a)
    run(False, AS_OF)
    got = run(True, later)
    assert (got.created, got.closed, got.reopened) == (
        expected.created, expected.closed, expected.reopened,
    )  # fmt: skip
    assert expected.closed > 0 and expected.created > 0
    assert _snapshot(a) == want_later
