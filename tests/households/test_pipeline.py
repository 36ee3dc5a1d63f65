"""The touchpoint pipeline: one read of the touchpoints, one timeline per view, handed to every
consequence in the declared order (households.hooks)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.engine import timeline as engine_timeline
from parcours.households import hooks
from parcours.households import services as households
from parcours.journey.models import HouseholdJourney, StageSpan
from parcours.worklists.models import TaskCheck


def test_the_consequences_run_in_their_declared_order():
    names = [(c.order, c.name) for c in hooks.consequences()]
    assert names[:4] == [
        (hooks.SPANS, "journey.stage_spans"),
        (hooks.STATUSES, "journey.status_spans"),
        (hooks.PLACEMENT, "journey.placement"),
        (hooks.TASKS, "worklists.tasks"),
    ]
    assert names == sorted(names)


def test_registering_sorts_by_order_then_name_not_by_arrival():
    seen = []

    def late(household):
        seen.append(("late", household))

    def early(change):
        seen.append(("early", change.household))

    def between(change):
        seen.append(("between", change.household))

    hooks.register(late)  # the plain API: takes the household, runs at LATER
    hooks.register(between, order=hooks.TASKS + 1, name="zz.between", change=True)
    hooks.register(early, order=hooks.SPANS - 1, name="zz.early", change=True)
    hooks.register(late)  # twice: once
    try:
        order = [c.name for c in hooks.consequences()]
        assert order[0] == "zz.early" and order[-1].endswith("late")
        assert order.index("zz.between") == order.index("worklists.tasks") + 1
        only = {early, between, late}
        hooks.run(hooks.Change("h", timezone.localdate()), only=lambda c: c.run in only)
        assert seen == [("early", "h"), ("between", "h"), ("late", "h")]
    finally:
        for cb in (late, between, early):
            hooks.unregister(cb)
    assert len(hooks.consequences()) == 4


def _record(world, day, kind="outreach_contact"):
    return households.touchpoint_record(actor=None, household=world.household_a, day=day, kind=kind)


def test_one_write_reads_the_touchpoints_once_and_computes_one_timeline(world, monkeypatch):
    import parcours.engine as engine
    import parcours.engine.worklists as engine_worklists

    calls = []

    def counted(*args, **kwargs):
        calls.append(args[2])
        return engine_timeline(*args, **kwargs)

    monkeypatch.setattr(engine, "timeline", counted)
    monkeypatch.setattr(engine_worklists, "timeline", counted)
    today = timezone.localdate()
    with scope(association=[world.a.pk]):
        _record(world, today - timedelta(days=20))
        calls.clear()
        with CaptureQueriesContext(connection) as ctx:
            _record(world, today)
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "households_touchpoint"' in q["sql"]]
    assert len(reads) == 1
    sqls = [q["sql"] for q in ctx.captured_queries]
    written = next(i for i, q in enumerate(sqls) if q.startswith('INSERT INTO "journey_householdj'))
    assert not any("journey_householdjourney" in q for q in sqls[written + 1 :])  # not read back
    assert calls == [today]
    # and every consequence stored its rows
    with scopes_disabled():
        _stored(world, today)


def _stored(world, today):
    assert StageSpan.objects.filter(household=world.household_a).exists()
    journey = HouseholdJourney.objects.get(household=world.household_a)
    check = TaskCheck.objects.get(household=world.household_a)
    assert journey.computed_on == check.computed_on == today


def test_deferred_runs_the_pipeline_once_per_household_at_the_end(world):
    runs = []

    def count(change):
        runs.append((change.household.pk, change.since))

    hooks.register(count, order=hooks.LATER, name="zz.count", change=True)
    today = timezone.localdate()
    try:
        with scopes_disabled(), hooks.deferred():
            _record(world, today)
            _record(world, today - timedelta(days=3))
            with hooks.deferred():
                households.touchpoint_record(
                    actor=None, household=world.household_b, day=today, kind="outreach_contact"
                )
            assert runs == []
    finally:
        hooks.unregister(count)
    # the earliest day changed of each household
    assert runs == [
        (world.household_a.pk, today - timedelta(days=3)),
        (world.household_b.pk, today),
    ]


@pytest.fixture(autouse=True)
def _clean_registry():
    before = hooks.consequences()
    yield
    assert hooks.consequences() == before
