"""Property tests on random touchpoint logs."""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.engine.batch import recompute
from parcours.engine.batch_journeys import journeys_per_household, recompute_journeys
from parcours.engine.columns import day_date
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


# -- the full batch recomputation (reasons, evidence, statuses, placement, valid_until) ----------


def _next_change(future, as_of):
    """The Django side's rule (journey.services): first start or end after as_of."""
    days = [s.start for s in future.stage_spans if s.start > as_of]
    days += [s.end for s in future.stage_spans if s.end and s.end > as_of]
    days += [s.start for s in future.status_spans if s.start > as_of]
    days += [s.end for s in future.status_spans if s.end and s.end > as_of]
    return min(days) if days else None


def _journeys_equal_timelines(logs, ids, as_of, journeys, horizon: int) -> None:
    keys = BENEFICIARY.stage_keys
    status_keys = [s.key for s in BENEFICIARY.statuses]
    expected_households = [h for h, log in zip(ids, logs, strict=True) if log]
    assert journeys.households.tolist() == expected_households
    span_i = status_i = 0
    for pos, (h, log) in enumerate((h, log) for h, log in zip(ids, logs, strict=True) if log):
        now = timeline(log, BENEFICIARY, as_of)
        future = timeline(log, BENEFICIARY, as_of + timedelta(days=horizon))
        predicted = {s.start: s.end for s in future.stage_spans}
        for span in now.stage_spans:
            assert int(journeys.spans.household[span_i]) == h
            assert keys[int(journeys.spans.stage[span_i])] == span.stage
            assert journeys.span_reasons.of(span_i) == span.reasons
            assert journeys.span_evidence.of(span_i) == span.touchpoints
            want = predicted.get(span.start) if span.end is None else None
            got = int(journeys.predicted_end[span_i])
            assert (None if got < 0 else day_date(got)) == want
            span_i += 1
        for s in now.status_spans:
            assert int(journeys.statuses.household[status_i]) == h
            assert status_keys[int(journeys.statuses.status[status_i])] == s.status
            assert day_date(int(journeys.statuses.start[status_i])) == s.start
            end = int(journeys.statuses.end[status_i])
            assert (None if end < 0 else day_date(end)) == s.end
            assert journeys.status_reasons.of(status_i) == s.reasons
            status_i += 1
        cur = now.current
        stage = int(journeys.stage[pos])
        assert (None if stage < 0 else keys[stage]) == cur.stage
        mask = int(journeys.status_mask[pos])
        assert tuple(k for i, k in enumerate(status_keys) if mask >> i & 1) == cur.statuses
        assert journeys.current_reasons.of(pos) == cur.reasons
        valid = int(journeys.valid_until[pos])
        assert (None if valid < 0 else day_date(valid)) == _next_change(future, as_of)
    assert span_i == len(journeys.spans)
    assert status_i == len(journeys.statuses)


@SETTINGS
@given(
    st.lists(touchpoints(), min_size=1, max_size=6),
    AS_OF,
    st.integers(1, 60),
    st.sampled_from([30, 200, 800]),
)
def test_batch_journeys_equal_per_household(logs, as_of, chunk: int, horizon: int) -> None:
    """Spans with reasons and evidence, predicted ends, status spans with reasons, the
    placement as of as_of and the next change by itself: batch == per household."""
    ids = [3 * i + 7 for i in range(len(logs))]
    columns = to_columns(logs, ids)
    journeys = recompute_journeys(
        columns, BENEFICIARY, as_of, horizon_days=horizon, chunk_touchpoints=chunk
    )
    spans = recompute(columns, BENEFICIARY, as_of)
    assert journeys.spans.household.tolist() == spans.household.tolist()
    assert journeys.spans.start.tolist() == spans.start.tolist()
    assert journeys.spans.end.tolist() == spans.end.tolist()
    assert journeys.spans.flags.tolist() == spans.flags.tolist()
    assert journeys.spans.skipped.tolist() == spans.skipped.tolist()
    _journeys_equal_timelines(logs, ids, as_of, journeys, horizon)
    # the fallback (per household) gives the same too
    fallback = journeys_per_household(columns, BENEFICIARY, as_of, horizon_days=horizon)
    _journeys_equal_timelines(logs, ids, as_of, fallback, horizon)
