"""Batch task proposals (engine/batch_tasks.py) equal the per-household path.

On random logs (every kind, refs shared or missing, same-day openers and closers, closers
without an opener, follow-ups recorded outside the log) and on generated associations at
several as-of days: the same proposals (rule, cause, assignee, stage, reason, since, due,
ref) and the same next change day for every household.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.demo.generator import generate
from parcours.engine.batch_journeys import recompute_journeys
from parcours.engine.batch_tasks import TaskColumns, batch_tasks, tasks_per_household
from parcours.engine.columns import KINDS, TouchpointColumns
from parcours.engine.definition import JourneyDefinition, parse_definition
from parcours.engine.touchpoints import Touchpoint
from parcours.engine.worklists import next_task_change, propose_tasks
from tests.engine.helpers import BENEFICIARY, CUSTOMER, D0
from tests.engine.strategies import SPAN_DAYS, to_columns, touchpoints

SETTINGS = settings(
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
AS_OF = st.integers(0, SPAN_DAYS + 100).map(lambda n: D0 + timedelta(days=n))
FOLLOWUPS = st.dictionaries(
    st.sampled_from([1, 2, 3]), st.integers(0, SPAN_DAYS).map(lambda n: D0 + timedelta(days=n))
)


def _by_household(tasks: TaskColumns) -> dict[int, list[tuple]]:
    return {h: sorted(_key(p) for p in ps) for h, ps in tasks.by_household()}


def _key(p) -> tuple:
    return (p.rule, p.cause, p.assignee, p.stage, p.reason.as_dict(), p.since, p.due, p.ref)


def _changes(tasks: TaskColumns) -> dict[int, int]:
    return {
        int(h): int(d) for h, d in zip(tasks.households, tasks.next_change, strict=True) if d >= 0
    }


def _assert_equal(columns: TouchpointColumns, definition: JourneyDefinition, as_of: date,
                  followups: dict[int, date] | None = None) -> TaskColumns:  # fmt: skip
    got = batch_tasks(columns, definition, as_of, followups=followups)
    want = tasks_per_household(columns, definition, as_of, followups=followups)
    assert _by_household(got) == _by_household(want)
    assert _changes(got) == _changes(want)
    return got


@SETTINGS
@given(st.lists(touchpoints(), min_size=1, max_size=8), AS_OF, FOLLOWUPS, st.booleans())
def test_batch_tasks_equal_per_household_on_random_logs(logs, as_of, followups, customer):
    definition = CUSTOMER if customer else BENEFICIARY
    _assert_equal(to_columns(logs, [5 * i + 2 for i in range(len(logs))]), definition, as_of,
                  followups)  # fmt: skip


EPISODE_KINDS = ("support_opened", "support_closed", "sponsor_assigned", "sponsor_ended",
                 "group_joined", "group_left")  # fmt: skip


def _same_day_log(rng: random.Random) -> list[Touchpoint]:
    """Dense logs on few days: openers and closers of one ref on the same day in any order,
    closers with no opener, refs None and shared, every kind."""
    out = []
    for _ in range(rng.randint(1, 30)):
        kind = rng.choice([*KINDS, *EPISODE_KINDS, "attendance"])
        ref = rng.choice([None, 1, 2]) if kind != "attendance" else None
        act = rng.choice([1, 2]) if kind in ("attendance", "activity_led") else None
        out.append(Touchpoint(D0 + timedelta(days=rng.choice([0, 1, 2, 10, 40, 41, 70])), kind,
                              act, ref))  # fmt: skip
    return out


def test_batch_tasks_equal_per_household_on_same_day_logs() -> None:
    rng = random.Random(15)
    logs = [_same_day_log(rng) for _ in range(400)]
    columns = to_columns(logs)
    total = 0
    for n in (0, 1, 2, 12, 41, 55, 60, 84, 120):
        followups = {1: D0 + timedelta(days=rng.randint(0, 60)), 2: D0 + timedelta(days=30)}
        total += len(_assert_equal(columns, BENEFICIARY, D0 + timedelta(days=n), followups))
    assert total > 500  # the logs do propose tasks


def test_every_rule_and_the_customer_words_on_generated_associations() -> None:
    end = date(2025, 6, 30)
    gen = generate(1500, seed=3, end=end)
    seen: set[str] = set()
    for as_of in (end, end - timedelta(days=45), end - timedelta(days=200)):
        for definition in (BENEFICIARY, CUSTOMER):
            got = _assert_equal(gen.touchpoints, definition, as_of)
            seen |= {got.rules[int(r)].key for r in np.unique(got.rule)}
    assert seen == {r.key for r in BENEFICIARY.tasks}  # every shipped rule is exercised


def test_given_journeys_are_reused_and_future_touchpoints_ignored() -> None:
    end = date(2025, 6, 30)
    gen = generate(300, seed=4, end=end)
    as_of = end - timedelta(days=90)  # the log goes on after as_of: cut, journeys recomputed
    journeys = recompute_journeys(gen.touchpoints, BENEFICIARY, end)
    got = batch_tasks(gen.touchpoints, BENEFICIARY, as_of, journeys=journeys)
    want = tasks_per_household(gen.touchpoints, BENEFICIARY, as_of)
    assert _by_household(got) == _by_household(want) and len(got) > 0
    same = batch_tasks(gen.touchpoints, BENEFICIARY, end, journeys=journeys)
    assert _by_household(same) == _by_household(batch_tasks(gen.touchpoints, BENEFICIARY, end))


def test_columns_give_the_proposals_of_propose_tasks() -> None:
    log = [Touchpoint(D0, "attendance", 1, None), Touchpoint(D0, "sponsor_assigned", None, 9),
           Touchpoint(D0 + timedelta(days=3), "support_opened", None, 4)]  # fmt: skip
    as_of = D0 + timedelta(days=30)
    got = batch_tasks(to_columns([log], [42]), BENEFICIARY, as_of)
    assert got.of(42) == propose_tasks(log, BENEFICIARY, as_of)  # same objects, same order
    assert {p.rule for p in got.of(42)} == {"support_followup"}
    assert got.next_change_of(42) == next_task_change(log, BENEFICIARY, as_of)
    assert got.of(7) == () and got.next_change_of(7) is None


def _with_not_stage() -> JourneyDefinition:
    """A stage that begins by itself (``not``): the open span's end is no lapse any more."""
    data = {
        "format": 1,
        "journey": {"key": "t", "version": "1"},
        "stages": [
            {"key": "seen", "order": 1, "mode": "sticky",
             "condition": {"type": "touchpoint_count", "min_count": 1}},
            {"key": "active", "order": 2, "mode": "windowed",
             "condition": {"type": "touchpoint_count", "kinds": ["attendance"], "min_count": 1,
                           "window_days": 60}},
            {"key": "quiet", "order": 3, "mode": "windowed",
             "condition": {"type": "not", "condition": {"type": "touchpoint_count",
                           "kinds": ["communication"], "min_count": 1, "window_days": 30}}},
        ],
        "tasks": [{"key": "lapse", "type": "stage_lapse", "within_days": 40,
                   "assignee": "coordinator"}],
    }  # fmt: skip
    return parse_definition(data)


@pytest.mark.parametrize("n", [5, 20, 35, 50])
def test_a_stage_that_begins_by_itself_falls_back_with_the_same_result(n: int) -> None:
    first = [Touchpoint(D0, "attendance", 1, None), Touchpoint(D0, "communication", None, None)]
    second = [Touchpoint(D0 + timedelta(days=d), "attendance", 1, None) for d in (0, 10)]
    logs = [first, second]
    _assert_equal(to_columns(logs), _with_not_stage(), D0 + timedelta(days=n))
