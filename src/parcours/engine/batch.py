"""The batch path: every household's stage spans at once, vectorised with numpy.

``recompute(columns, definition, as_of)`` gives exactly the spans of the per-household
``timeline`` (``Timeline.span_rows``) for every household, as parallel arrays. Each
condition type computes its holding intervals for all households at once
(``Condition.batch_intervals``: windowed counts via index arithmetic on the sorted log,
episodes via segmented reductions, combinators via sorted sweeps); the current stage is a
sweep summing ``1 << stage`` over holding intervals, whose highest bit is the stage.

If a condition type of the definition has no batch implementation, the whole batch falls
back to the per-household engine (correct, slower). This module gives the spans only; the
full recomputation with reasons, evidence, statuses, placement and the next change by itself
is ``batch_journeys.recompute_journeys`` (reasons vectorised in batch_explain.py).
:func:`span_reasons` still gives one span's reasons through the per-household engine.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from parcours.engine import batch_intervals as bi
from parcours.engine.columns import KINDS, TouchpointColumns, day_date, day_number
from parcours.engine.definition import JourneyDefinition
from parcours.engine.intervals import INF
from parcours.engine.reasons import Reason
from parcours.engine.registry import NotVectorised
from parcours.engine.timeline import FLAG_REGRESSION, FLAG_SKIP, SpanRow, timeline
from parcours.engine.touchpoints import Touchpoint


@dataclass(frozen=True)
class SpanColumns:
    """Stage spans of many households, sorted by (household, start); see timeline.py.

    household: int64 household id
    stage: int8 index into ``definition.stages``
    start: int32 first day (days since 1970-01-01)
    end: int32 first day no longer in that stage, -1 while open on as_of
    flags: uint8 FLAG_SKIP | FLAG_REGRESSION
    skipped: uint16 bit i set when stage i was skipped on entering
    """

    household: npt.NDArray[np.int64]
    stage: npt.NDArray[np.int8]
    start: npt.NDArray[np.int32]
    end: npt.NDArray[np.int32]
    flags: npt.NDArray[np.uint8]
    skipped: npt.NDArray[np.uint16]
    version: str
    as_of: date

    def __len__(self) -> int:
        return int(self.household.shape[0])

    def rows(self, household: int) -> list[SpanRow]:
        lo = int(np.searchsorted(self.household, household, "left"))
        hi = int(np.searchsorted(self.household, household, "right"))
        return [
            SpanRow(
                int(self.stage[i]),
                int(self.start[i]),
                int(self.end[i]),
                int(self.flags[i]),
                int(self.skipped[i]),
            )
            for i in range(lo, hi)
        ]


def household_touchpoints(columns: TouchpointColumns, lo: int, hi: int) -> list[Touchpoint]:
    """Rows lo..hi of the columns as Touchpoint objects."""
    return [
        Touchpoint(
            day_date(int(columns.day[i])),
            KINDS[int(columns.kind[i])],
            None if columns.activity[i] < 0 else int(columns.activity[i]),
            None if columns.ref[i] < 0 else int(columns.ref[i]),
        )
        for i in range(lo, hi)
    ]


def _context(columns: TouchpointColumns, limit: int) -> tuple[bi.BatchContext, bi.I64]:
    keep = columns.day <= limit
    every = bool(keep.all())
    hh_ids = columns.household if every else columns.household[keep]
    n_tp = hh_ids.shape[0]
    new = np.empty(n_tp, dtype=bool)
    if n_tp:
        new[0] = True
        np.not_equal(hh_ids[1:], hh_ids[:-1], out=new[1:])
    first = np.flatnonzero(new)
    hidx = np.cumsum(new, dtype=np.int64) - 1
    day = (columns.day if every else columns.day[keep]).astype(np.int64)
    ctx = bi.BatchContext(
        n=int(first.shape[0]),
        hh=hidx,
        day=day,
        kind=columns.kind if every else columns.kind[keep],
        activity=columns.activity if every else columns.activity[keep],
        ref=columns.ref if every else columns.ref[keep],
        first_day=day[first],
    )
    return ctx, hh_ids[first].astype(np.int64)


def _first_start(ivs: bi.BatchIntervals, n: int) -> bi.I64:
    out = np.full(n, INF, dtype=np.int64)
    if len(ivs):
        first = np.empty(len(ivs), dtype=bool)
        first[0] = True
        np.not_equal(ivs.h[1:], ivs.h[:-1], out=first[1:])
        out[ivs.h[first]] = ivs.start[first]
    return out


def _empty(definition: JourneyDefinition, as_of: date) -> SpanColumns:
    return SpanColumns(
        np.zeros(0, np.int64),
        np.zeros(0, np.int8),
        np.zeros(0, np.int32),
        np.zeros(0, np.int32),
        np.zeros(0, np.uint8),
        np.zeros(0, np.uint16),
        definition.version,
        as_of,
    )


CHUNK_TOUCHPOINTS = 2_000_000


def recompute(
    columns: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    *,
    chunk_touchpoints: int = CHUNK_TOUCHPOINTS,
) -> SpanColumns:
    """Stage spans of every household in ``columns`` as of a day (see module doc).

    Households are processed in chunks of about ``chunk_touchpoints`` touchpoints (never
    splitting a household), which bounds the working memory whatever the size of the log.
    """
    try:
        parts = [
            _recompute_vectorised(part, definition, as_of)
            for part in _chunks(columns, chunk_touchpoints)
        ]
    except NotVectorised:
        return recompute_per_household(columns, definition, as_of)
    if len(parts) == 1:
        return parts[0]
    return SpanColumns(
        household=np.concatenate([p.household for p in parts]),
        stage=np.concatenate([p.stage for p in parts]),
        start=np.concatenate([p.start for p in parts]),
        end=np.concatenate([p.end for p in parts]),
        flags=np.concatenate([p.flags for p in parts]),
        skipped=np.concatenate([p.skipped for p in parts]),
        version=definition.version,
        as_of=as_of,
    )


def _chunks(columns: TouchpointColumns, size: int) -> list[TouchpointColumns]:
    n = len(columns)
    if n <= size:
        return [columns]
    cuts = [0]
    while cuts[-1] < n:
        target = cuts[-1] + size
        if target >= n:
            cuts.append(n)
            break
        # move the cut to the first row of the household at ``target``
        cut = int(np.searchsorted(columns.household, columns.household[target], "left"))
        if cut <= cuts[-1]:  # one household larger than a chunk: take it whole
            cut = int(np.searchsorted(columns.household, columns.household[target], "right"))
        cuts.append(cut)
    return [
        TouchpointColumns(
            columns.household[a:b],
            columns.day[a:b],
            columns.kind[a:b],
            columns.activity[a:b],
            columns.ref[a:b],
        )
        for a, b in itertools.pairwise(cuts)
    ]


@dataclass(frozen=True)
class StageRuns:
    """Internals of one vectorised stage computation, reused for statuses and reasons.

    ``spans`` as returned by recompute; ``sh`` the household index (in ``ctx``) of each
    span; ``pt_h``, ``pt_day``, ``pt_stage``: the sweep points (sorted by household, day):
    from ``pt_day[i]`` until the next point the current stage is ``pt_stage[i]`` (-1: none).
    """

    ctx: bi.BatchContext
    ids: bi.I64
    limit: int
    spans: SpanColumns
    sh: bi.I64
    pt_h: bi.I64
    pt_day: bi.I64
    pt_stage: bi.I64

    def stage_at(self, h: bi.I64, day: bi.I64) -> bi.I64:
        """Current stage index of households ``h`` (ctx index) on ``day``, -1 if none."""
        if self.pt_h.shape[0] == 0:
            return np.full(h.shape[0], -1, dtype=np.int64)
        key = self.pt_h * bi.SHIFT + self.pt_day
        i = np.searchsorted(key, h * bi.SHIFT + day, "right").astype(np.int64) - 1
        ok = i >= 0
        ok[ok] = self.pt_h[i[ok]] == h[ok]
        return np.where(ok, self.pt_stage[np.maximum(i, 0)], -1)


def _recompute_vectorised(
    columns: TouchpointColumns, definition: JourneyDefinition, as_of: date
) -> SpanColumns:
    limit = day_number(as_of)
    ctx, ids = _context(columns, limit)
    return stage_runs(ctx, ids, definition, as_of).spans


def stage_runs(
    ctx: bi.BatchContext,
    ids: bi.I64,
    definition: JourneyDefinition,
    as_of: date,
    *,
    points: tuple[bi.I64, bi.I64, bi.I64] | None = None,
) -> StageRuns:
    """Stage spans of the households of a batch context (fills ``ctx.first_held``).

    ``points``: the sweep points of an earlier call on the same context (same touchpoints,
    another as_of): only the cut at as_of is redone.
    """
    limit = day_number(as_of)
    n = ctx.n
    z = np.zeros(0, dtype=np.int64)
    if n == 0:
        return StageRuns(ctx, ids, limit, _empty(definition, as_of), z, z, z, z)
    if points is None:
        h, day, stage = _points(ctx, definition)
    else:
        h, day, stage = points
    return _cut(ctx, ids, definition, as_of, h, day, stage)


def _points(ctx: bi.BatchContext, definition: JourneyDefinition) -> tuple[bi.I64, bi.I64, bi.I64]:
    n = ctx.n
    held: list[bi.BatchIntervals] = []
    weights: list[bi.I64] = []
    for s, rule in enumerate(definition.stages):
        ivs = bi.clip_start(rule.condition.batch_intervals(ctx), ctx.first_day)
        first = _first_start(ivs, n)
        ctx.first_held[rule.key] = first
        if rule.sticky:
            who = np.flatnonzero(first < INF).astype(np.int64)
            ivs = bi.BatchIntervals(who, first[who], np.full(who.shape[0], INF, np.int64))
        held.append(ivs)
        weights.append(np.full(len(ivs), 1 << s, dtype=np.int64))
    h, day, mask = bi.sweep(bi.concat(held), np.concatenate(weights))
    top = np.full(1 << len(definition.stages), -1, dtype=np.int64)
    for s in range(len(definition.stages)):
        top[1 << s : 1 << (s + 1)] = s
    return h, day, top[mask]


def _cut(
    ctx: bi.BatchContext,
    ids: bi.I64,
    definition: JourneyDefinition,
    as_of: date,
    h: bi.I64,
    day: bi.I64,
    stage: bi.I64,
) -> StageRuns:
    limit = day_number(as_of)
    z = np.zeros(0, dtype=np.int64)
    # runs of the same stage within a household (the last point of each has stage -1)
    m = stage.shape[0]
    if m == 0:
        return StageRuns(ctx, ids, limit, _empty(definition, as_of), z, h, day, stage)
    change = np.empty(m, dtype=bool)
    change[0] = True
    change[1:] = (stage[1:] != stage[:-1]) | (h[1:] != h[:-1])
    starts = np.flatnonzero(change)
    nxt = np.empty_like(starts)
    nxt[:-1] = starts[1:]
    nxt[-1] = m - 1
    keep = (stage[starts] >= 0) & (day[starts] <= limit)
    starts, nxt = starts[keep], nxt[keep]
    sh, sstage, sstart, send = h[starts], stage[starts], day[starts], day[nxt]
    send = np.where(send > limit, -1, send)
    k = sh.shape[0]
    prev = np.full(k, -1, dtype=np.int64)
    if k > 1:
        same = sh[1:] == sh[:-1]
        prev[1:] = np.where(same, sstage[:-1], -1)
    skipped = np.zeros(k, dtype=np.int64)
    for s, rule in enumerate(definition.stages):
        between = (prev < s) & (s < sstage)
        never = ctx.first_held[rule.key][sh] > sstart
        skipped |= (between & never).astype(np.int64) << s
    flags = np.where(skipped != 0, FLAG_SKIP, 0) | np.where(sstage < prev, FLAG_REGRESSION, 0)
    spans = SpanColumns(
        household=ids[sh],
        stage=sstage.astype(np.int8),
        start=sstart.astype(np.int32),
        end=send.astype(np.int32),
        flags=flags.astype(np.uint8),
        skipped=skipped.astype(np.uint16),
        version=definition.version,
        as_of=as_of,
    )
    return StageRuns(ctx, ids, limit, spans, sh, h, day, stage)


def _household_bounds(columns: TouchpointColumns) -> tuple[npt.NDArray[np.int64], bi.I64]:
    hh = columns.household
    n = hh.shape[0]
    new = np.empty(n, dtype=bool)
    if n:
        new[0] = True
        np.not_equal(hh[1:], hh[:-1], out=new[1:])
    first = np.flatnonzero(new).astype(np.int64)
    if n == 0:
        return first, first
    return first, np.append(first[1:], n).astype(np.int64)


def recompute_per_household(
    columns: TouchpointColumns, definition: JourneyDefinition, as_of: date
) -> SpanColumns:
    """The same result as :func:`recompute`, one household at a time (reference, fallback)."""
    first, stop = _household_bounds(columns)
    cols: dict[str, list[int]] = {
        f: [] for f in ("household", "stage", "start", "end", "flags", "skipped")
    }
    for lo, hi in zip(first.tolist(), stop.tolist(), strict=True):
        hid = int(columns.household[lo])
        for r in timeline(household_touchpoints(columns, lo, hi), definition, as_of).span_rows():
            cols["household"].append(hid)
            cols["stage"].append(r.stage)
            cols["start"].append(r.start)
            cols["end"].append(r.end)
            cols["flags"].append(r.flags)
            cols["skipped"].append(r.skipped)
    return SpanColumns(
        np.asarray(cols["household"], dtype=np.int64),
        np.asarray(cols["stage"], dtype=np.int8),
        np.asarray(cols["start"], dtype=np.int32),
        np.asarray(cols["end"], dtype=np.int32),
        np.asarray(cols["flags"], dtype=np.uint8),
        np.asarray(cols["skipped"], dtype=np.uint16),
        definition.version,
        as_of,
    )


def span_reasons(
    columns: TouchpointColumns, definition: JourneyDefinition, spans: SpanColumns, index: int
) -> tuple[Reason, ...]:
    """The reasons of span ``index`` of ``spans`` (per-household engine on that household)."""
    hid = int(spans.household[index])
    lo = int(np.searchsorted(columns.household, hid, "left"))
    hi = int(np.searchsorted(columns.household, hid, "right"))
    tl = timeline(household_touchpoints(columns, lo, hi), definition, spans.as_of)
    position = index - int(np.searchsorted(spans.household, hid, "left"))
    return tl.stage_spans[position].reasons
