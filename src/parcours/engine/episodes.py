"""Episode condition types: a support case, a group membership, a role, opened and closed.

An episode is paired by ``ref``: the ``opened`` kind opens episode ``ref``, the ``closed``
kind closes it (a missing ref is ref None, paired with other ref-less touchpoints). Within a
day, touchpoints apply together: an open and a close of the same ref on one day give an
episode opened and closed that day; a close of a ref that is not open is ignored; an open of
a ref already open is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from parcours.engine import batch_explain as be
from parcours.engine import batch_intervals as bi
from parcours.engine.columns import KIND_CODE
from parcours.engine.intervals import INF, Intervals, merge
from parcours.engine.reasons import Reason
from parcours.engine.registry import (
    Condition,
    EvalContext,
    Explanation,
    ParseContext,
    check_keys,
    get_int,
    get_kind,
    get_stage,
    register,
)
from parcours.engine.touchpoints import History, Touchpoint


@dataclass(frozen=True)
class Episode:
    ref: int | None
    start: int
    end: int | None  # closing day, None while open
    opened_by: Touchpoint
    closed_by: Touchpoint | None


def episodes(history: History, opened: str, closed: str, until: int) -> list[Episode]:
    """The episodes of one household from its touchpoints up to ``until``."""
    per_ref: dict[int | None, dict[int, list[int]]] = {}
    for i in history.indices(frozenset({opened, closed})):
        d = history.days[i]
        if d > until:
            break
        per_ref.setdefault(history.touchpoints[i].ref, {}).setdefault(d, []).append(i)
    out: list[Episode] = []
    for ref, by_day in per_ref.items():
        open_tp: Touchpoint | None = None
        open_day = 0
        for d in sorted(by_day):
            tps = [history.touchpoints[i] for i in by_day[d]]
            opens = [tp for tp in tps if tp.kind == opened]
            closes = [tp for tp in tps if tp.kind == closed]
            if opens and open_tp is None:
                open_tp, open_day = opens[0], d
            if closes and open_tp is not None:
                out.append(Episode(ref, open_day, d, open_tp, closes[0]))
                open_tp = None
        if open_tp is not None:
            out.append(Episode(ref, open_day, None, open_tp, None))
    out.sort(key=lambda e: (e.start, -1 if e.ref is None else e.ref))
    return out


@register("open_episode")
@dataclass(frozen=True)
class OpenEpisode(Condition):
    """An episode open, or closed less than ``closed_within_days`` days ago (D - closing day
    < N), and, with ``since_stage``, opened on or after the first day that stage held."""

    opened: str
    closed: str
    closed_within_days: int
    since_stage: str | None

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: str, ctx: ParseContext) -> OpenEpisode:
        check_keys(data, {"opened", "closed", "closed_within_days", "since_stage"}, path, ctx)
        return cls(
            opened=get_kind(data, "opened", path, ctx),
            closed=get_kind(data, "closed", path, ctx),
            closed_within_days=get_int(data, "closed_within_days", path, ctx, default=0, minimum=0)
            or 0,
            since_stage=get_stage(data, "since_stage", path, ctx),
        )

    def stage_refs(self) -> frozenset[str]:
        return frozenset() if self.since_stage is None else frozenset({self.since_stage})

    def _since(self, ctx: EvalContext) -> int | None:
        """First allowed opening day; None when the since stage never held."""
        if self.since_stage is None:
            return -INF
        return ctx.first_held.get(self.since_stage)

    def _qualifying(self, ctx: EvalContext, until: int) -> list[Episode]:
        since = self._since(ctx)
        if since is None:
            return []
        eps = episodes(ctx.history, self.opened, self.closed, until)
        return [e for e in eps if e.start >= since]

    def _end(self, e: Episode) -> int:
        return INF if e.end is None else min(INF, e.end + self.closed_within_days)

    def intervals(self, ctx: EvalContext) -> Intervals:
        return merge((e.start, self._end(e)) for e in self._qualifying(ctx, ctx.history.as_of))

    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        eps = self._qualifying(ctx, day)
        holding = [e for e in eps if day < self._end(e)]
        chosen = holding[-1] if holding else (eps[-1] if eps else None)
        since = self._since(ctx)
        since_day = (
            ctx.history.date_of(since)
            if self.since_stage is not None and since is not None and since <= day
            else None
        )
        reason = self._reason(chosen, day, since_day, ctx)
        tps: tuple[Touchpoint, ...] = ()
        if chosen is not None:
            tps = (
                (chosen.opened_by,)
                if chosen.closed_by is None
                else (
                    chosen.opened_by,
                    chosen.closed_by,
                )
            )
        return Explanation(bool(holding), (reason,), tps)

    def _reason(
        self, e: Episode | None, day: int, since_day: date | None, ctx: EvalContext
    ) -> Reason:
        h = ctx.history
        return Reason(
            "open_episode",
            opened=self.opened,
            closed=self.closed,
            ref=None if e is None else e.ref,
            opened_on=None if e is None else h.date_of(e.start),
            closed_on=None if e is None or e.end is None else h.date_of(e.end),
            days_since_closed=None if e is None or e.end is None else day - e.end,
            closed_within_days=self.closed_within_days,
            since_stage=self.since_stage,
            since_day=since_day,
        )

    def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
        h, start, end = batch_episodes(bctx, self.opened, self.closed)
        if self.since_stage is not None:
            keep = start >= bctx.first_held[self.since_stage][h]
            h, start, end = h[keep], start[keep], end[keep]
        closed = end < INF
        end = np.where(closed, np.minimum(end + self.closed_within_days, INF), INF)
        return bi.union([bi.BatchIntervals(h, start, end)])

    def batch_explain(
        self, bctx: bi.BatchContext, q_h: bi.I64, q_day: bi.I64, evidence: bool
    ) -> be.BatchExplanation:
        template = bctx.templates.id(
            be.Template(
                "open_episode",
                (
                    ("opened", self.opened),
                    ("closed", self.closed),
                    ("closed_within_days", self.closed_within_days),
                    ("since_stage", self.since_stage),
                ),
                (
                    ("ref", be.INT),
                    ("opened_on", be.DATE),
                    ("closed_on", be.DATE),
                    ("days_since_closed", be.INT),
                    ("since_day", be.DATE),
                ),
            )
        )
        n = q_h.shape[0]
        t, pq, e = _episode_pairs(bctx, self.opened, self.closed, q_h, q_day)
        pd = q_day[pq]
        since_day = np.full(n, be.NONE, dtype=np.int64)
        if self.since_stage is None:
            eligible = np.ones(pq.shape[0], dtype=bool)
        else:
            since = bctx.first_held[self.since_stage][q_h]
            eligible = t.start[e] >= since[pq]
            has_since = (since < INF) & (since <= q_day)
            since_day[has_since] = since[has_since]
        end = t.end[e]
        end = np.where(end >= INF, INF, np.minimum(end + self.closed_within_days, INF))
        last_holding = be.last_per_query(pq, eligible & (pd < end), n)
        last_eligible = be.last_per_query(pq, eligible, n)
        chosen = np.where(last_holding >= 0, last_holding, last_eligible)
        ref, opened_on, closed_on, days_since, e_q, e_i = _chosen(t, e, chosen, q_day, evidence)
        return be.leaf(
            last_holding >= 0,
            template,
            [ref, opened_on, closed_on, days_since, since_day],
            e_q,
            e_i,
        )


@register("active_episode")
@dataclass(frozen=True)
class ActiveEpisode(Condition):
    """An episode currently open (group membership, role, sponsorship)."""

    opened: str
    closed: str

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: str, ctx: ParseContext) -> ActiveEpisode:
        check_keys(data, {"opened", "closed"}, path, ctx)
        return cls(
            opened=get_kind(data, "opened", path, ctx), closed=get_kind(data, "closed", path, ctx)
        )

    def _as_open(self) -> OpenEpisode:
        return OpenEpisode(self.opened, self.closed, 0, None)

    def intervals(self, ctx: EvalContext) -> Intervals:
        return self._as_open().intervals(ctx)

    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        eps = [e for e in episodes(ctx.history, self.opened, self.closed, day) if e.end is None]
        chosen = eps[-1] if eps else None
        reason = Reason(
            "active_episode",
            opened=self.opened,
            closed=self.closed,
            ref=None if chosen is None else chosen.ref,
            opened_on=None if chosen is None else ctx.history.date_of(chosen.start),
        )
        return Explanation(
            chosen is not None, (reason,), () if chosen is None else (chosen.opened_by,)
        )

    def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
        return self._as_open().batch_intervals(bctx)

    def batch_explain(
        self, bctx: bi.BatchContext, q_h: bi.I64, q_day: bi.I64, evidence: bool
    ) -> be.BatchExplanation:
        template = bctx.templates.id(
            be.Template(
                "active_episode",
                (("opened", self.opened), ("closed", self.closed)),
                (("ref", be.INT), ("opened_on", be.DATE)),
            )
        )
        n = q_h.shape[0]
        t, pq, e = _episode_pairs(bctx, self.opened, self.closed, q_h, q_day)
        chosen = be.last_per_query(pq, q_day[pq] < t.end[e], n)  # open on that day
        ref, opened_on, _, _, e_q, e_i = _chosen(t, e, chosen, q_day, evidence, closing=False)
        return be.leaf(chosen >= 0, template, [ref, opened_on], e_q, e_i)


@dataclass(frozen=True)
class EpisodeTable:
    """Episodes of every household of a batch, sorted by (household, start, ref): ``end`` is
    the closing day (INF while open on as_of), ``open_i`` / ``close_i`` the touchpoints that
    opened and closed it (indices into the batch context, -1 for none); ref -1 = none."""

    h: bi.I64
    ref: bi.I64
    start: bi.I64
    end: bi.I64
    open_i: bi.I64
    close_i: bi.I64
    key: bi.I64  # h * SHIFT + start


def episode_table(bctx: bi.BatchContext, opened: str, closed: str) -> EpisodeTable:
    """Like :func:`batch_episodes`, with refs and the opening and closing touchpoints."""
    memo_key = ("episodes", opened, closed)
    got = bctx.memo.get(memo_key)
    if isinstance(got, EpisodeTable):
        return got
    idx = np.flatnonzero(bctx.select(frozenset({opened, closed}), frozenset())).astype(np.int64)
    z = np.zeros(0, dtype=np.int64)
    if idx.shape[0] == 0:
        table = EpisodeTable(z, z, z, z, z, z, z)
        bctx.memo[memo_key] = table
        return table
    hh, day, ref = bctx.hh[idx], bctx.day[idx], bctx.ref[idx]
    order = np.lexsort((day, ref, hh))  # stable: same-day touchpoints keep log order
    hh, day, ref, idx = hh[order], day[order], ref[order], idx[order]
    is_open = bctx.kind[idx] == np.int8(KIND_CODE[opened])
    n = hh.shape[0]
    new_day = np.empty(n, dtype=bool)
    new_day[0] = True
    new_day[1:] = (hh[1:] != hh[:-1]) | (ref[1:] != ref[:-1]) | (day[1:] != day[:-1])
    first = np.flatnonzero(new_day)
    pos = np.arange(n, dtype=np.int64)
    big = np.int64(n)
    first_open = np.minimum.reduceat(np.where(is_open, pos, big), first)
    first_close = np.minimum.reduceat(np.where(is_open, big, pos), first)
    o, c = first_open < big, first_close < big
    hh, day, ref = hh[first], day[first], ref[first]
    m = hh.shape[0]
    new_seg = np.empty(m, dtype=bool)
    new_seg[0] = True
    new_seg[1:] = (hh[1:] != hh[:-1]) | (ref[1:] != ref[:-1]) | c[:-1]
    seg_first = np.flatnonzero(new_seg)
    seg_last = np.empty_like(seg_first)
    seg_last[:-1] = seg_first[1:] - 1
    seg_last[-1] = m - 1
    # every row of a segment but its last has an opener; a lone closer opens nothing
    keep = o[seg_first]
    sf, sl = seg_first[keep], seg_last[keep]
    closes = c[sl]
    open_i = idx[first_open[sf]]
    close_i = np.where(closes, idx[np.minimum(first_close[sl], big - 1)], -1)
    h, r, start = hh[sf], ref[sf], day[sf]
    end = np.where(closes, day[sl], INF)
    o2 = np.lexsort((r, start, h))
    h, r, start, end, open_i, close_i = (a[o2] for a in (h, r, start, end, open_i, close_i))
    table = EpisodeTable(h, r, start, end, open_i, close_i, h * bi.SHIFT + start)
    bctx.memo[memo_key] = table
    return table


def _episode_pairs(
    bctx: bi.BatchContext, opened: str, closed: str, q_h: bi.I64, q_day: bi.I64
) -> tuple[EpisodeTable, bi.I64, bi.I64]:
    """(query, episode) pairs for the episodes each query's household opened by its day,
    sorted by query then (start, ref)."""
    t = episode_table(bctx, opened, closed)
    base = q_h * bi.SHIFT
    lo = np.searchsorted(t.key, base, "left").astype(np.int64)
    hi = np.searchsorted(t.key, base + q_day, "right").astype(np.int64)
    pq, e = be.expand(lo, hi)
    return t, pq, e


def _chosen(
    t: EpisodeTable,
    e: bi.I64,
    chosen: bi.I64,
    q_day: bi.I64,
    evidence: bool,
    *,
    closing: bool = True,
) -> tuple[bi.I64, bi.I64, bi.I64, bi.I64, bi.I64 | None, bi.I64 | None]:
    """Params of the chosen episode per query (pair index, -1 none), as of the query day."""
    n = chosen.shape[0]
    has = chosen >= 0
    ce = e[chosen[has]]
    ref = np.full(n, be.NONE, dtype=np.int64)
    r = t.ref[ce]
    ref[has] = np.where(r < 0, be.NONE, r)
    opened_on = np.full(n, be.NONE, dtype=np.int64)
    opened_on[has] = t.start[ce]
    closed_on = np.full(n, be.NONE, dtype=np.int64)
    days_since = np.full(n, be.NONE, dtype=np.int64)
    end = t.end[ce]
    qd = q_day[has]
    was_closed = end <= qd
    qs = np.flatnonzero(has)
    closed_on[qs[was_closed]] = end[was_closed]
    days_since[qs[was_closed]] = (qd - end)[was_closed]
    if not evidence:
        return ref, opened_on, closed_on, days_since, None, None
    e_q = qs
    e_i = t.open_i[ce]
    if closing:
        e_q = np.concatenate([e_q, qs[was_closed]])
        e_i = np.concatenate([e_i, t.close_i[ce][was_closed]])
        order = np.argsort(e_q, kind="stable")
        e_q, e_i = e_q[order], e_i[order]
    return ref, opened_on, closed_on, days_since, e_q, e_i


def batch_episodes(
    bctx: bi.BatchContext, opened: str, closed: str
) -> tuple[bi.I64, bi.I64, bi.I64]:
    """Episodes of every household: (household, start, end or INF while open)."""
    sel = bctx.select(frozenset({opened, closed}), frozenset())
    hh, day, ref = bctx.hh[sel], bctx.day[sel], bctx.ref[sel]
    is_open = bctx.kind[sel] == np.int8(KIND_CODE[opened])
    if hh.shape[0] == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    order = np.lexsort((day, ref, hh))
    hh, day, ref, is_open = hh[order], day[order], ref[order], is_open[order]
    n = hh.shape[0]
    # collapse to one row per (household, ref, day)
    new_day = np.empty(n, dtype=bool)
    new_day[0] = True
    new_day[1:] = (hh[1:] != hh[:-1]) | (ref[1:] != ref[:-1]) | (day[1:] != day[:-1])
    first = np.flatnonzero(new_day)
    o = np.logical_or.reduceat(is_open, first)
    c = np.logical_or.reduceat(~is_open, first)
    hh, day, ref = hh[first], day[first], ref[first]
    m = hh.shape[0]
    new_group = np.empty(m, dtype=bool)
    new_group[0] = True
    new_group[1:] = (hh[1:] != hh[:-1]) | (ref[1:] != ref[:-1])
    # a segment ends at each close day; the next one starts after it
    new_seg = new_group.copy()
    new_seg[1:] |= c[:-1]
    seg_first = np.flatnonzero(new_seg)
    seg_last = np.empty_like(seg_first)
    seg_last[:-1] = seg_first[1:] - 1
    seg_last[-1] = m - 1
    start = np.minimum.reduceat(np.where(o, day, INF), seg_first)
    end = np.where(c[seg_last], day[seg_last], INF)
    keep = start < INF
    return hh[seg_first][keep], start[keep], end[keep]
