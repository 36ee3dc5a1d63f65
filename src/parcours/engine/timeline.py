"""The per-household engine: a household's stage timeline, statuses and placement.

``timeline(touchpoints, definition, as_of)`` is a pure function (no clock, no I/O, no
settings). Semantics (journey.md):

- Calendar days; touchpoints after ``as_of`` are ignored; touchpoints of one day apply
  together and a change takes effect that day.
- A stage *holds* on day D when its condition holds (windowed) or has held on some day
  <= D (sticky). The *current stage* on D is the highest stage that holds.
- Stage spans describe the current stage over time: one span open at a time, no overlap.
  A span is ``[start, end)``: ``end`` is the first day the household is no longer in that
  stage (the next span's start, unless no stage holds then), None while it is current on
  ``as_of``. ``predicted_end`` of the open span is when it ends if nothing new happens.
- A span records ``skipped``: the stages between the previous span's stage (none for the
  first span) and this one that had never held by this span's start; and ``regression``
  when its stage is lower than the previous span's.
- Reasons of a span are the stage condition explained on its start day (for a sticky stage,
  on the first day its condition held). Status spans likewise, statuses may overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from parcours.engine.columns import day_date, day_number
from parcours.engine.definition import JourneyDefinition, StageRule
from parcours.engine.intervals import (
    INF,
    Intervals,
    clip,
    complement,
    containing,
    intersect,
    union,
)
from parcours.engine.reasons import Reason
from parcours.engine.registry import EvalContext, Explanation
from parcours.engine.touchpoints import History, Touchpoint

FLAG_SKIP = 1
FLAG_REGRESSION = 2


@dataclass(frozen=True)
class StageSpan:
    stage: str
    start: date
    end: date | None
    reasons: tuple[Reason, ...]
    touchpoints: tuple[Touchpoint, ...]
    skipped: tuple[str, ...] = ()
    regression: bool = False
    predicted_end: date | None = None  # open span only: ends then unless something happens


@dataclass(frozen=True)
class StatusSpan:
    status: str
    start: date
    end: date | None
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Placement:
    day: date
    stage: str | None
    reasons: tuple[Reason, ...]
    touchpoints: tuple[Touchpoint, ...]
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class SpanRow:
    """A stage span in the integer form of the batch path (``batch.SpanColumns``)."""

    stage: int
    start: int
    end: int  # -1 while open
    flags: int
    skipped: int  # bit i set: stage i skipped


@dataclass(frozen=True)
class _Raw:
    stage: int
    start: int
    end: int  # may be INF


def current_stage_runs(held: list[Intervals]) -> list[_Raw]:
    """Runs of the highest holding stage from each stage's holding intervals."""
    points: dict[int, int] = {}
    for s, ivs in enumerate(held):
        for a, b in ivs:
            points[a] = points.get(a, 0) + (1 << s)
            points[b] = points.get(b, 0) - (1 << s)
    runs: list[_Raw] = []
    mask = 0
    days = sorted(points)
    for i, d in enumerate(days):
        mask += points[d]
        stage = mask.bit_length() - 1
        nxt = days[i + 1] if i + 1 < len(days) else INF
        if stage < 0 or d >= INF:
            continue
        if runs and runs[-1].stage == stage and runs[-1].end == d:
            runs[-1] = _Raw(stage, runs[-1].start, nxt)
        else:
            runs.append(_Raw(stage, d, nxt))
    return runs


@dataclass(frozen=True)
class Timeline:
    definition: JourneyDefinition
    as_of: date
    stage_spans: tuple[StageSpan, ...]
    status_spans: tuple[StatusSpan, ...]
    lapses: Mapping[str, date]  # windowed stages holding on as_of -> first day they stop
    _ctx: EvalContext = field(repr=False, compare=False)
    _runs: tuple[_Raw, ...] = field(repr=False, compare=False)
    _status_ivs: tuple[Intervals, ...] = field(repr=False, compare=False)
    _rows: tuple[SpanRow, ...] = field(repr=False, compare=False)

    @property
    def current(self) -> Placement:
        return self.placement(self.as_of)

    def span_rows(self) -> tuple[SpanRow, ...]:
        return self._rows

    def stage_on(self, day: date) -> str | None:
        n = day_number(day)
        for r in self._runs:
            if r.start <= n < r.end:
                return self.definition.stages[r.stage].key
        return None

    def placement(self, day: date) -> Placement:
        """Where the household stands on ``day`` and why (after as_of: if nothing new happens)."""
        n = day_number(day)
        stage_key = self.stage_on(day)
        reasons: tuple[Reason, ...] = ()
        tps: tuple[Touchpoint, ...] = ()
        if stage_key is not None:
            rule = self.definition.stages[self.definition.stage_index(stage_key)]
            ex = explain_stage(rule, self._ctx, n)
            reasons, tps = ex.reasons, ex.touchpoints
        statuses = tuple(
            rule.key
            for rule, ivs in zip(self.definition.statuses, self._status_ivs, strict=True)
            if containing(ivs, n) is not None
        )
        return Placement(day, stage_key, reasons, tps, statuses)


def _status_intervals(
    definition: JourneyDefinition, ctx: EvalContext, runs: Iterable[_Raw], first_day: int | None
) -> list[Intervals]:
    """Per status: the days it holds (its condition, at or beyond ``min_stage``, while none of
    its ``unless`` statuses' own intervals hold), from the household's first touchpoint on."""
    if first_day is None:
        return [[] for _ in definition.statuses]
    own: dict[str, Intervals] = {}
    for status in definition.statuses:
        ivs = status.condition.intervals(ctx)
        if status.min_stage is not None:
            lo = definition.stage_index(status.min_stage)
            ivs = intersect([ivs, [(r.start, r.end) for r in runs if r.stage >= lo]])
        own[status.key] = clip(ivs, first_day)
    out: list[Intervals] = []
    for status in definition.statuses:
        ivs = own[status.key]
        if status.unless:
            others = union([own[k] for k in status.unless])
            ivs = intersect([ivs, complement(others, first_day)])
        out.append(ivs)
    return out


def explain_stage(rule: StageRule, ctx: EvalContext, day: int) -> Explanation:
    if rule.sticky:
        first = ctx.first_held.get(rule.key)
        if first is not None and first <= day:
            day = first
    return rule.condition.explain(ctx, day)


def _date(n: int) -> date | None:
    return None if n >= INF else day_date(n)


def timeline(
    touchpoints: Iterable[Touchpoint], definition: JourneyDefinition, as_of: date
) -> Timeline:
    """The full stage timeline of one household from its touchpoints, as of a day."""
    history = History.build(touchpoints, as_of)
    ctx = EvalContext(history)
    limit = history.as_of
    first_day = history.first_day
    held: list[Intervals] = []
    lapses: dict[str, date] = {}
    for rule in definition.stages:
        ivs = clip(rule.condition.intervals(ctx), first_day) if first_day is not None else []
        ctx.first_held[rule.key] = ivs[0][0] if ivs else None
        if not rule.sticky:
            now = containing(ivs, limit)
            if now is not None and now[1] < INF:
                lapses[rule.key] = day_date(now[1])
        held.append([(ivs[0][0], INF)] if rule.sticky and ivs else ivs)
    runs = current_stage_runs(held)

    spans: list[StageSpan] = []
    rows: list[SpanRow] = []
    prev = -1
    keys = definition.stage_keys
    for r in runs:
        if r.start > limit:
            break
        skipped = tuple(
            keys[s] for s in range(prev + 1, r.stage) if (ctx.first_held[keys[s]] or INF) > r.start
        )
        regression = r.stage < prev
        is_open = r.end > limit
        ex = explain_stage(definition.stages[r.stage], ctx, r.start)
        spans.append(
            StageSpan(
                stage=keys[r.stage],
                start=day_date(r.start),
                end=None if is_open else day_date(r.end),
                reasons=ex.reasons,
                touchpoints=ex.touchpoints,
                skipped=skipped,
                regression=regression,
                predicted_end=_date(r.end) if is_open else None,
            )
        )
        rows.append(
            SpanRow(
                stage=r.stage,
                start=r.start,
                end=-1 if is_open else r.end,
                flags=(FLAG_SKIP if skipped else 0) | (FLAG_REGRESSION if regression else 0),
                skipped=sum(1 << keys.index(k) for k in skipped),
            )
        )
        prev = r.stage

    status_spans: list[StatusSpan] = []
    status_ivs = _status_intervals(definition, ctx, runs, first_day)
    for status, ivs in zip(definition.statuses, status_ivs, strict=True):
        for a, b in ivs:
            if a > limit:
                break
            reasons = status.condition.explain(ctx, a).reasons
            if status.min_stage is not None:
                cur = next((r.stage for r in runs if r.start <= a < r.end), None)
                reasons = (
                    Reason(
                        "min_stage",
                        stage=status.min_stage,
                        current=None if cur is None else keys[cur],
                    ),
                    *reasons,
                )
            end = None if b > limit else day_date(b)
            status_spans.append(StatusSpan(status.key, day_date(a), end, reasons))

    return Timeline(
        definition=definition,
        as_of=as_of,
        stage_spans=tuple(spans),
        status_spans=tuple(status_spans),
        lapses=MappingProxyType(lapses),
        _ctx=ctx,
        _runs=tuple(runs),
        _status_ivs=tuple(status_ivs),
        _rows=tuple(rows),
    )
