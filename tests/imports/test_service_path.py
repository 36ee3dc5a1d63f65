"""The bulk import stores what the per-row services store: the same stage spans with their
reasons and evidence, status spans, placements and tasks as journey_refresh and
tasks_regenerate (what every touchpoint write runs for its household) give on the same
touchpoints."""

from __future__ import annotations

from datetime import date

from django_scopes import scopes_disabled

from bench.import_file import write_file
from parcours.households.models import Household
from parcours.imports import services
from parcours.journey.models import HouseholdJourney, StageSpan, StatusSpan
from parcours.journey.services import journey_refresh
from parcours.worklists.models import Task, TaskCheck
from parcours.worklists.regenerate import tasks_regenerate, tasks_regenerate_many
from tests.imports.conftest import BASIS
from tests.journey.test_recompute import _stored

AS_OF = date(2026, 7, 15)


def _tasks(association) -> list[tuple]:
    return sorted(
        (
            t.household_id, t.rule, t.cause, t.assignee_kind, t.stage, repr(t.reason), t.ref,
            t.since, t.due, t.audience, t.state, t.assignee_user_id, t.assignee_household_id,
        )
        for t in Task.objects.filter(association=association)
    ) + sorted(
        (c.household_id, c.computed_on, c.valid_until)
        for c in TaskCheck.objects.filter(association=association)
    )  # fmt: skip


def test_bulk_import_stores_the_spans_reasons_and_tasks_of_the_service_path(association, tmp_path):
    path = write_file(tmp_path / "f.csv", 600, per_household=20)  # 30 households, 3 kinds
    with scopes_disabled():
        _layout, plan = services.read_plan(path)
        assert plan.ok
        report = services.import_commit(
            actor=None, association=association, plan=plan, decisions={}, lawful_basis=BASIS,
            as_of=AS_OF,
        )  # fmt: skip
        assert report.journeys == 30
        # the bulk path's tasks: tasks_regenerate_many, as the worker runs it after the commit
        tasks_regenerate_many(
            association=association, household_ids=report.touched_ids, as_of=AS_OF
        )
        bulk = _stored(association), _tasks(association)
        assert bulk[0]["stage"] and all(row[8] != "[]" for row in bulk[0]["stage"])  # reasons
        assert Task.objects.filter(association=association).exists()

        for model in (StageSpan, StatusSpan, HouseholdJourney, Task, TaskCheck):
            model.objects.filter(association=association).delete()
        for household in Household.objects.filter(association=association).select_related(
            "association"
        ):
            journey_refresh(household, as_of=AS_OF)
            tasks_regenerate(household, as_of=AS_OF)
        assert (_stored(association), _tasks(association)) == bulk
