"""The full batch recomputation: everything the per-household path stores, for all households.

``recompute_journeys(columns, definition, as_of)`` gives, as columns:

- the stage spans of :func:`batch.recompute`, with each span's reasons and evidence
  touchpoints (the stage condition explained on the span start, or on the first day a sticky
  stage held: ``timeline.explain_stage``), and the predicted end of the open span;
- the status spans with their reasons (a ``min_stage`` reason first for statuses that need a
  stage), as ``Timeline.status_spans``;
- per household (every household with a touchpoint, at any date): the current stage, its
  reasons and the statuses on as_of (``Timeline.current``), and ``valid_until``: the first day
  after as_of on which the stage or a status changes by itself, seen from a second
  computation as of ``as_of + horizon_days`` (the same rule as the Django side's
  ``journey_refresh``: starts and ends of the spans of that later timeline after as_of).

Reasons come from ``Condition.batch_explain`` (batch_explain.py) with the exact codes and
params of ``Condition.explain``. If a condition type has no batch implementation, the whole
computation falls back to the per-household engine, with the same result.
:func:`journeys_per_household` is that fallback and the reference of the property tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from parcours.engine import batch_explain as be
from parcours.engine import batch_intervals as bi
from parcours.engine.batch import (
    CHUNK_TOUCHPOINTS,
    SpanColumns,
    StageRuns,
    _chunks,
    _context,
    _household_bounds,
    household_touchpoints,
    stage_runs,
)
from parcours.engine.columns import KINDS, TouchpointColumns, day_number
from parcours.engine.definition import JourneyDefinition
from parcours.engine.intervals import INF
from parcours.engine.reasons import Reason
from parcours.engine.registry import NotVectorised
from parcours.engine.timeline import Timeline, timeline
from parcours.engine.touchpoints import Touchpoint

I64 = npt.NDArray[np.int64]
HORIZON_DAYS = 800  # longer than any window or status delay of the shipped journeys


@dataclass(frozen=True)
class ReasonColumns:
    """Reason rows sorted by ``owner`` (a span, status span or household position)."""

    owner: I64
    template: I64
    values: I64  # (rows, batch_explain.DYN)
    templates: tuple[be.Template, ...]

    def _range(self, owner: int) -> range:
        lo = int(np.searchsorted(self.owner, owner, "left"))
        hi = int(np.searchsorted(self.owner, owner, "right"))
        return range(lo, hi)

    def of(self, owner: int) -> tuple[Reason, ...]:
        return tuple(
            self.templates[int(self.template[i])].reason(self.values[i].tolist())
            for i in self._range(owner)
        )

    def dict_lists(self, n: int) -> list[list[dict[str, object]]]:
        """Per owner 0..n-1, its reasons as ``Reason.as_dict()`` (for JSON storage)."""
        out: list[list[dict[str, object]]] = [[] for _ in range(n)]
        templates = self.templates
        for o, t, v in zip(
            self.owner.tolist(), self.template.tolist(), self.values.tolist(), strict=True
        ):
            out[o].append(templates[t].as_dict(v))
        return out


@dataclass(frozen=True)
class EvidenceColumns:
    """Evidence touchpoints sorted by ``owner`` (a stage span), in explanation order."""

    owner: I64
    day: npt.NDArray[np.int32]
    kind: npt.NDArray[np.int8]
    activity: I64
    ref: I64

    def of(self, owner: int) -> tuple[Touchpoint, ...]:
        lo = int(np.searchsorted(self.owner, owner, "left"))
        hi = int(np.searchsorted(self.owner, owner, "right"))
        cols = TouchpointColumns(
            self.owner[lo:hi], self.day[lo:hi], self.kind[lo:hi], self.activity[lo:hi],
            self.ref[lo:hi],
        )  # fmt: skip
        return tuple(household_touchpoints(cols, 0, hi - lo))


@dataclass(frozen=True)
class StatusColumns:
    """Status spans sorted by (household, status, start); ``end`` -1 while open on as_of."""

    household: I64
    status: npt.NDArray[np.int8]
    start: npt.NDArray[np.int32]
    end: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return int(self.household.shape[0])


@dataclass(frozen=True)
class Journeys:
    """Everything stored for every household; see the module doc. Per household arrays are
    aligned with ``households`` (sorted ids); days are day numbers, -1 for none."""

    version: str
    as_of: date
    spans: SpanColumns
    predicted_end: npt.NDArray[np.int32]  # per span: open span's end if nothing happens
    span_reasons: ReasonColumns
    span_evidence: EvidenceColumns
    statuses: StatusColumns
    status_reasons: ReasonColumns
    households: I64
    stage: npt.NDArray[np.int8]  # current stage index on as_of, -1 for none
    status_mask: npt.NDArray[np.uint16]  # bit k: status k holds on as_of
    current_reasons: ReasonColumns
    valid_until: npt.NDArray[np.int32]


# -- vectorised --------------------------------------------------------------------------------


@dataclass
class _Part:
    """One chunk's result; owners are chunk-local."""

    spans: SpanColumns
    predicted_end: I64
    span_r: tuple[I64, I64, I64]
    span_e: tuple[I64, I64]  # owner, touchpoint index into the chunk context
    ev: tuple[npt.NDArray[np.int32], npt.NDArray[np.int8], I64, I64]  # evidence day, kind, ...
    st: tuple[I64, I64, I64, I64]  # household id, status, start, end
    st_r: tuple[I64, I64, I64]
    households: I64
    stage: I64
    status_mask: I64
    cur_r: tuple[I64, I64, I64]
    valid_until: I64


def _status_intervals(runs: StageRuns, definition: JourneyDefinition) -> list[bi.BatchIntervals]:
    """Per status: its holding intervals (household ctx index), clipped to the first day."""
    ctx = runs.ctx
    own: dict[str, bi.BatchIntervals] = {}
    for status in definition.statuses:
        ivs = status.condition.batch_intervals(ctx)
        if status.min_stage is not None:
            lo = definition.stage_index(status.min_stage)
            beyond = bi.runs(runs.pt_h, runs.pt_day, runs.pt_stage >= lo)
            ivs = bi.intersect([ivs, beyond])
        own[status.key] = bi.clip_start(ivs, ctx.first_day)
    out = []
    for status in definition.statuses:  # `unless`: not while another status's own days hold
        ivs = own[status.key]
        if status.unless:
            others = bi.union([own[k] for k in status.unless])
            ivs = bi.intersect([ivs, bi.complement(others, ctx.first_day)])
        out.append(ivs)
    return out


def _rows(ex: be.BatchExplanation, owner: I64) -> tuple[I64, I64, I64]:
    return owner[ex.r_q], ex.r_t, ex.r_v


def _sorted_rows(parts: list[tuple[I64, I64, I64]]) -> tuple[I64, I64, I64]:
    if not parts:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros((0, be.DYN), dtype=np.int64)
    o = np.concatenate([p[0] for p in parts])
    order = np.argsort(o, kind="stable")
    return (
        o[order],
        np.concatenate([p[1] for p in parts])[order],
        np.concatenate([p[2] for p in parts])[order],
    )


def _part(
    columns: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    horizon_days: int,
    templates: be.Templates,
) -> _Part:
    limit = day_number(as_of)
    first, _ = _household_bounds(columns)
    households = columns.household[first].astype(np.int64)
    nh = households.shape[0]
    ctx, ids = _context(columns, limit)
    ctx.templates = templates
    now = stage_runs(ctx, ids, definition, as_of)
    u_now = np.searchsorted(households, ids).astype(np.int64)  # ctx index -> chunk position
    spans = now.spans
    ns = len(spans)

    # current stage on as_of, per household of the chunk
    hs = np.arange(ctx.n, dtype=np.int64)
    cur = now.stage_at(hs, np.full(ctx.n, limit, dtype=np.int64))
    stage = np.full(nh, -1, dtype=np.int64)
    stage[u_now] = cur

    # stage reasons: spans (on their start, first held day if sticky) and current placement
    span_parts: list[tuple[I64, I64, I64]] = []
    cur_parts: list[tuple[I64, I64, I64]] = []
    ev_o: list[I64] = []
    ev_i: list[I64] = []
    span_stage = spans.stage.astype(np.int64)
    for s, rule in enumerate(definition.stages):
        si = np.flatnonzero(span_stage == s).astype(np.int64)
        ci = np.flatnonzero(cur == s).astype(np.int64)
        if si.shape[0] == 0 and ci.shape[0] == 0:
            continue
        q_h = np.concatenate([now.sh[si], ci])
        q_day = np.concatenate([spans.start[si].astype(np.int64), np.full(ci.shape[0], limit)])
        if rule.sticky:
            q_day = np.minimum(q_day, ctx.first_held[rule.key][q_h])
        ex = rule.condition.batch_explain(ctx, q_h, q_day, True)
        k = si.shape[0]
        owner = np.concatenate([si, u_now[ci]])
        is_span = ex.r_q < k
        span_parts.append((si[ex.r_q[is_span]], ex.r_t[is_span], ex.r_v[is_span]))
        cur_parts.append((owner[ex.r_q[~is_span]], ex.r_t[~is_span], ex.r_v[~is_span]))
        e_span = ex.e_q < k
        ev_o.append(si[ex.e_q[e_span]])
        ev_i.append(ex.e_i[e_span])
    span_r = _sorted_rows(span_parts)
    cur_r = _sorted_rows(cur_parts)
    if ev_o:
        eo = np.concatenate(ev_o)
        order = np.argsort(eo, kind="stable")
        span_e = (eo[order], np.concatenate(ev_i)[order])
    else:
        span_e = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    # statuses: spans with reasons, and those holding on as_of
    status_mask = np.zeros(nh, dtype=np.int64)
    st_h, st_s, st_a, st_b, st_parts = [], [], [], [], []
    offset = 0
    now_ivs = _status_intervals(now, definition) if ctx.n else []
    if ctx.n:
        for k, (status, ivs) in enumerate(zip(definition.statuses, now_ivs, strict=True)):
            holding = (ivs.start <= limit) & (limit < ivs.end)
            status_mask[u_now[ivs.h[holding]]] |= 1 << k
            keep = ivs.start <= limit
            h, a, b = ivs.h[keep], ivs.start[keep], ivs.end[keep]
            ex = status.condition.batch_explain(ctx, h, a, False)
            owner = np.arange(offset, offset + h.shape[0], dtype=np.int64)
            rows = _rows(ex, owner)
            if status.min_stage is not None:
                cur_a = now.stage_at(h, a)
                keys = np.asarray([rule.key for rule in definition.stages], dtype=object)
                t_ids = np.full(h.shape[0], -1, dtype=np.int64)
                for s in range(len(definition.stages)):
                    t_ids[cur_a == s] = templates.id(
                        be.Template(
                            "min_stage",
                            (("stage", status.min_stage), ("current", str(keys[s]))),
                        )
                    )
                t_ids[cur_a < 0] = templates.id(
                    be.Template("min_stage", (("stage", status.min_stage), ("current", None)))
                )
                head = (owner, t_ids, np.full((h.shape[0], be.DYN), be.NONE, dtype=np.int64))
                rows = _sorted_rows([head, rows])
            st_parts.append(rows)
            st_h.append(h)
            st_s.append(np.full(h.shape[0], k, dtype=np.int64))
            st_a.append(a)
            st_b.append(np.where(b > limit, -1, b))
            offset += h.shape[0]
    st_r = _sorted_rows(st_parts)
    if st_h:
        sth, sts, sta, stb = (np.concatenate(x) for x in (st_h, st_s, st_a, st_b))
        order = np.lexsort((sta, sts, sth))  # (household, status, start)
        rank = np.empty_like(order)
        rank[order] = np.arange(order.shape[0])
        st = (ids[sth[order]], sts[order], sta[order], stb[order])
        o = rank[st_r[0]]
        ro = np.argsort(o, kind="stable")
        st_r = (o[ro], st_r[1][ro], st_r[2][ro])
    else:
        z = np.zeros(0, dtype=np.int64)
        st = (z, z, z, z)

    # the later computation: predicted ends and the next change by itself
    later = as_of + timedelta(days=horizon_days)
    if columns.day.shape[0] and int(columns.day.max()) <= limit:
        # no touchpoint after as_of: same context and intervals, only the cut moves
        fctx, fids = ctx, ids
        fut = stage_runs(ctx, ids, definition, later, points=(now.pt_h, now.pt_day, now.pt_stage))
        fut_ivs = now_ivs
    else:
        fctx, fids = _context(columns, limit + horizon_days)
        fut = stage_runs(fctx, fids, definition, later)
        fut_ivs = _status_intervals(fut, definition) if fctx.n else []
    u_fut = np.searchsorted(households, fids).astype(np.int64)
    fs = fut.spans
    f_u = u_fut[fut.sh]
    f_key = f_u * bi.SHIFT + fs.start.astype(np.int64)
    predicted = np.full(ns, -1, dtype=np.int64)
    open_ = np.flatnonzero(spans.end < 0)
    if open_.shape[0] and f_key.shape[0]:
        n_key = u_now[now.sh[open_]] * bi.SHIFT + spans.start[open_].astype(np.int64)
        i = np.minimum(np.searchsorted(f_key, n_key), f_key.shape[0] - 1)
        found = f_key[i] == n_key
        predicted[open_[found]] = fs.end[i[found]]
    valid = np.full(nh, INF, dtype=np.int64)
    cand_u = [f_u, f_u]
    cand_d = [fs.start.astype(np.int64), fs.end.astype(np.int64)]
    if fctx.n:
        for ivs in fut_ivs:
            flimit = limit + horizon_days
            keep = ivs.start <= flimit
            cand_u += [u_fut[ivs.h[keep]]] * 2
            end = ivs.end[keep]
            cand_d += [ivs.start[keep], np.where(end > flimit, -1, end)]
    cu, cd = np.concatenate(cand_u), np.concatenate(cand_d)
    after = cd > limit
    np.minimum.at(valid, cu[after], cd[after])
    valid_until = np.where(valid >= INF, -1, valid)

    return _Part(
        spans=spans,
        predicted_end=predicted.astype(np.int32),
        span_r=span_r,
        span_e=span_e,
        ev=(
            ctx.day[span_e[1]].astype(np.int32),
            ctx.kind[span_e[1]],
            ctx.activity[span_e[1]],
            ctx.ref[span_e[1]],
        ),
        st=(st[0], st[1].astype(np.int8), st[2].astype(np.int32), st[3].astype(np.int32)),
        st_r=st_r,
        households=households,
        stage=stage.astype(np.int8),
        status_mask=status_mask.astype(np.uint16),
        cur_r=cur_r,
        valid_until=valid_until.astype(np.int32),
    )


def recompute_journeys(
    columns: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    *,
    horizon_days: int = HORIZON_DAYS,
    chunk_touchpoints: int = CHUNK_TOUCHPOINTS,
) -> Journeys:
    """Everything stored for every household of ``columns`` (see the module doc)."""
    templates = be.Templates()
    parts: list[_Part] = []
    try:
        for chunk in _chunks(columns, chunk_touchpoints):
            parts.append(_part(chunk, definition, as_of, horizon_days, templates))
    except NotVectorised:
        return journeys_per_household(columns, definition, as_of, horizon_days=horizon_days)
    return _assemble(parts, definition, as_of, tuple(templates.table))


def _assemble(
    parts: list[_Part],
    definition: JourneyDefinition,
    as_of: date,
    templates: tuple[be.Template, ...],
) -> Journeys:
    def cat(xs: list[npt.NDArray[np.generic]], dtype: type) -> npt.NDArray[np.generic]:
        if not xs:
            return np.zeros(0, dtype=dtype)
        return np.concatenate(xs).astype(dtype, copy=False)

    def owners(get: list[I64], sizes: list[int]) -> I64:
        offsets: list[int] = np.cumsum([0, *sizes[:-1]]).tolist() if sizes else []
        return cat([g + o for g, o in zip(get, offsets, strict=True)], np.int64)  # type: ignore[return-value]

    span_sizes = [len(p.spans) for p in parts]
    st_sizes = [int(p.st[0].shape[0]) for p in parts]
    hh_sizes = [int(p.households.shape[0]) for p in parts]

    def reasons(rows: list[tuple[I64, I64, I64]], sizes: list[int]) -> ReasonColumns:
        values = (
            np.concatenate([r[2] for r in rows]) if rows else np.zeros((0, be.DYN), dtype=np.int64)
        )
        return ReasonColumns(
            owners([r[0] for r in rows], sizes),
            cat([r[1] for r in rows], np.int64),  # type: ignore[arg-type]
            values,
            templates,
        )

    def take(name: str) -> list[Any]:
        """The field of every part, dropped from the parts: each part's arrays are freed as
        soon as they are concatenated (peak memory: the parts plus one field, not twice)."""
        out = [getattr(p, name) for p in parts]
        for p in parts:
            setattr(p, name, None)
        return out

    sp = take("spans")
    spans = SpanColumns(
        household=cat([x.household for x in sp], np.int64),  # type: ignore[arg-type]
        stage=cat([x.stage for x in sp], np.int8),  # type: ignore[arg-type]
        start=cat([x.start for x in sp], np.int32),  # type: ignore[arg-type]
        end=cat([x.end for x in sp], np.int32),  # type: ignore[arg-type]
        flags=cat([x.flags for x in sp], np.uint8),  # type: ignore[arg-type]
        skipped=cat([x.skipped for x in sp], np.uint16),  # type: ignore[arg-type]
        version=definition.version,
        as_of=as_of,
    )
    del sp
    predicted_end = cat(take("predicted_end"), np.int32)
    span_reasons = reasons(take("span_r"), span_sizes)
    ev, span_e = take("ev"), take("span_e")
    span_evidence = EvidenceColumns(
        owner=owners([e[0] for e in span_e], span_sizes),
        day=cat([e[0] for e in ev], np.int32),  # type: ignore[arg-type]
        kind=cat([e[1] for e in ev], np.int8),  # type: ignore[arg-type]
        activity=cat([e[2] for e in ev], np.int64),  # type: ignore[arg-type]
        ref=cat([e[3] for e in ev], np.int64),  # type: ignore[arg-type]
    )
    del ev, span_e
    st = take("st")
    statuses = StatusColumns(
        household=cat([x[0] for x in st], np.int64),  # type: ignore[arg-type]
        status=cat([x[1] for x in st], np.int8),  # type: ignore[arg-type]
        start=cat([x[2] for x in st], np.int32),  # type: ignore[arg-type]
        end=cat([x[3] for x in st], np.int32),  # type: ignore[arg-type]
    )
    del st
    status_reasons = reasons(take("st_r"), st_sizes)
    return Journeys(
        version=definition.version,
        as_of=as_of,
        spans=spans,
        predicted_end=predicted_end,  # type: ignore[arg-type]
        span_reasons=span_reasons,
        span_evidence=span_evidence,
        statuses=statuses,
        status_reasons=status_reasons,
        households=cat(take("households"), np.int64),  # type: ignore[arg-type]
        stage=cat(take("stage"), np.int8),  # type: ignore[arg-type]
        status_mask=cat(take("status_mask"), np.uint16),  # type: ignore[arg-type]
        current_reasons=reasons(take("cur_r"), hh_sizes),
        valid_until=cat(take("valid_until"), np.int32),  # type: ignore[arg-type]
    )


# -- per household (fallback and reference) ---------------------------------------------------


def next_change(future: Timeline, as_of: date) -> date | None:
    """First day after as_of on which a span of the later timeline starts or ends."""
    days = [s.start for s in future.stage_spans if s.start > as_of]
    days += [s.end for s in future.stage_spans if s.end and s.end > as_of]
    days += [s.start for s in future.status_spans if s.start > as_of]
    days += [s.end for s in future.status_spans if s.end and s.end > as_of]
    return min(days) if days else None


def journeys_per_household(
    columns: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    *,
    horizon_days: int = HORIZON_DAYS,
) -> Journeys:
    """The same result as :func:`recompute_journeys`, from per-household timelines."""
    templates = be.Templates()
    first, stop = _household_bounds(columns)
    status_keys = [s.key for s in definition.statuses]
    sp: dict[str, list[int]] = {
        k: [] for k in ("household", "stage", "start", "end", "flags", "skipped", "pred")
    }
    sr: list[tuple[int, int]] = []
    ev: list[tuple[int, Touchpoint]] = []
    st: list[tuple[int, int, int, int]] = []
    str_: list[tuple[int, int]] = []
    hh: list[int] = []
    stage: list[int] = []
    mask: list[int] = []
    cr: list[tuple[int, int]] = []
    valid: list[int] = []
    later = as_of + timedelta(days=horizon_days)

    def tid(r: Reason) -> int:
        return templates.id(be.Template(r.code, tuple(r.items())))

    for lo, hi in zip(first.tolist(), stop.tolist(), strict=True):
        hid = int(columns.household[lo])
        tps = household_touchpoints(columns, lo, hi)
        now = timeline(tps, definition, as_of)
        future = timeline(tps, definition, later)
        predicted = {s.start: s.end for s in future.stage_spans}
        for span, row in zip(now.stage_spans, now.span_rows(), strict=True):
            i = len(sp["household"])
            sp["household"].append(hid)
            sp["stage"].append(row.stage)
            sp["start"].append(row.start)
            sp["end"].append(row.end)
            sp["flags"].append(row.flags)
            sp["skipped"].append(row.skipped)
            p = predicted.get(span.start) if span.end is None else None
            sp["pred"].append(-1 if p is None else day_number(p))
            sr.extend((i, tid(r)) for r in span.reasons)
            ev.extend((i, t) for t in span.touchpoints)
        for s in now.status_spans:
            i = len(st)
            end = -1 if s.end is None else day_number(s.end)
            st.append((hid, status_keys.index(s.status), day_number(s.start), end))
            str_.extend((i, tid(r)) for r in s.reasons)
        cur = now.current
        h = len(hh)
        hh.append(hid)
        stage.append(-1 if cur.stage is None else definition.stage_index(cur.stage))
        mask.append(sum(1 << status_keys.index(k) for k in cur.statuses))
        cr.extend((h, tid(r)) for r in cur.reasons)
        nxt = next_change(future, as_of)
        valid.append(-1 if nxt is None else day_number(nxt))

    def reason_columns(rows: list[tuple[int, int]]) -> ReasonColumns:
        return ReasonColumns(
            np.asarray([o for o, _ in rows], dtype=np.int64),
            np.asarray([t for _, t in rows], dtype=np.int64),
            np.full((len(rows), be.DYN), be.NONE, dtype=np.int64),
            tuple(templates.table),
        )

    kind_code = {k: i for i, k in enumerate(KINDS)}
    return Journeys(
        version=definition.version,
        as_of=as_of,
        spans=SpanColumns(
            np.asarray(sp["household"], dtype=np.int64),
            np.asarray(sp["stage"], dtype=np.int8),
            np.asarray(sp["start"], dtype=np.int32),
            np.asarray(sp["end"], dtype=np.int32),
            np.asarray(sp["flags"], dtype=np.uint8),
            np.asarray(sp["skipped"], dtype=np.uint16),
            definition.version,
            as_of,
        ),
        predicted_end=np.asarray(sp["pred"], dtype=np.int32),
        span_reasons=reason_columns(sr),
        span_evidence=EvidenceColumns(
            np.asarray([o for o, _ in ev], dtype=np.int64),
            np.asarray([day_number(t.day) for _, t in ev], dtype=np.int32),
            np.asarray([kind_code[t.kind] for _, t in ev], dtype=np.int8),
            np.asarray([-1 if t.activity is None else t.activity for _, t in ev], np.int64),
            np.asarray([-1 if t.ref is None else t.ref for _, t in ev], dtype=np.int64),
        ),
        statuses=StatusColumns(
            np.asarray([r[0] for r in st], dtype=np.int64),
            np.asarray([r[1] for r in st], dtype=np.int8),
            np.asarray([r[2] for r in st], dtype=np.int32),
            np.asarray([r[3] for r in st], dtype=np.int32),
        ),
        status_reasons=reason_columns(str_),
        households=np.asarray(hh, dtype=np.int64),
        stage=np.asarray(stage, dtype=np.int8),
        status_mask=np.asarray(mask, dtype=np.uint16),
        current_reasons=reason_columns(cr),
        valid_until=np.asarray(valid, dtype=np.int32),
    )


__all__ = [
    "HORIZON_DAYS",
    "EvidenceColumns",
    "Journeys",
    "ReasonColumns",
    "StatusColumns",
    "journeys_per_household",
    "next_change",
    "recompute_journeys",
]
