"""Property tests on random touchpoint logs."""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.engine.batch import recompute
from parcours.engine.registry import EvalContext
from parcours.engine.timeline import timeline
from parcours.engine.touchpoints import History, Touchpoint
from tests.engine.helpers import BENEFICIARY, CUSTOMER, D0
from tests.engine.strategies import SPAN_DAYS, to_columns, touchpoints

SETTINGS = settings(
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
AS_OF = st.integers(0, SPAN_DAYS + 100).map(lambda n: D0 + timedelta(days=n))


@SETTINGS
@given(st.lists(touchpoints(), min_size=1, max_size=6), AS_OF, st.integers(1, 60))
def test_batch_equals_per_household(logs: list[list[Touchpoint]], as_of, chunk: int) -> None:
    columns = to_columns(logs)
    spans = recompute(columns, BENEFICIARY, as_of, chunk_touchpoints=chunk)
    for h, log in enumerate(logs, start=1):
        expected = list(timeline(log, BENEFICIARY, as_of).span_rows())
        assert spans.rows(h) == expected


def _comparable(tl_spans) -> list[tuple]:
    return [
        (s.stage, s.start, s.end, s.reasons, s.touchpoints, s.skipped, s.regression)
        for s in tl_spans
    ]


@SETTINGS
@given(touchpoints(), st.integers(0, SPAN_DAYS))
def test_placement_as_of_uses_only_the_past(log: list[Touchpoint], n: int) -> None:
    d = D0 + timedelta(days=n)
    full = timeline(log, BENEFICIARY, D0 + timedelta(days=SPAN_DAYS + 50))
    past = timeline([t for t in log if t.day <= d], BENEFICIARY, d)
    assert full.placement(d) == past.current
    clipped = [
        (
            s.stage,
            s.start,
            None if s.end is None or s.end > d else s.end,
            s.reasons,
            s.touchpoints,
            s.skipped,
            s.regression,
        )
        for s in full.stage_spans
        if s.start <= d
    ]
    assert clipped == _comparable(past.stage_spans)


@SETTINGS
@given(touchpoints(), touchpoints(max_size=3))
def test_later_touchpoints_never_change_ended_spans(
    log: list[Touchpoint], extra: list[Touchpoint]
) -> None:
    if not log:
        return
    last = max(t.day for t in log)
    later = [
        Touchpoint(last + (t.day - D0) + timedelta(days=1), t.kind, t.activity, t.ref)
        for t in extra
    ]
    as_of = D0 + timedelta(days=3 * SPAN_DAYS)
    before = timeline(log, BENEFICIARY, as_of).stage_spans
    after = timeline(log + later, BENEFICIARY, as_of).stage_spans
    first_new = min((t.day for t in later), default=as_of)
    ended = [s for s in before if s.end is not None and s.end < first_new]
    assert _comparable(after[: len(ended)]) == _comparable(ended)


@SETTINGS
@given(touchpoints(), AS_OF)
def test_vocabularies_give_identical_spans(log: list[Touchpoint], as_of) -> None:
    a = timeline(log, BENEFICIARY, as_of)
    b = timeline(log, CUSTOMER, as_of)
    assert a.stage_spans == b.stage_spans
    assert a.status_spans == b.status_spans
    assert BENEFICIARY.version == CUSTOMER.version


@SETTINGS
@given(touchpoints(max_size=25))
def test_intervals_match_the_literal_rule_every_day(log: list[Touchpoint]) -> None:
    """Each condition's holding intervals equal its day-by-day literal evaluation."""
    as_of = D0 + timedelta(days=SPAN_DAYS)
    history = History.build(log, as_of)
    if history.first_day is None:
        return
    ctx = EvalContext(history)
    rules = [(r.key, r.condition) for r in BENEFICIARY.stages]
    rules += [(s.key, s.condition) for s in BENEFICIARY.statuses]
    for key, cond in rules:
        ivs = cond.intervals(ctx)
        if key in BENEFICIARY.stage_keys:
            ctx.first_held[key] = ivs[0][0] if ivs else None
        for day in range(history.first_day, history.as_of + 400):
            held = any(a <= day < b for a, b in ivs)
            assert held == cond.explain(ctx, day).holds, (key, day)
