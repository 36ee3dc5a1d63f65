"""Counting condition types: touchpoints of some kinds, per same activity, across activities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from parcours.engine import batch_explain as be
from parcours.engine import batch_intervals as bi
from parcours.engine.intervals import Intervals, at_least, union, windowed_counts
from parcours.engine.reasons import Reason
from parcours.engine.registry import (
    Condition,
    EvalContext,
    Explanation,
    ParseContext,
    check_keys,
    get_int,
    get_kind,
    get_kinds,
    register,
)


def _window_indices(
    ctx: EvalContext, indices: list[int], window_days: int | None, day: int
) -> list[int]:
    days = ctx.history.days
    low = -(1 << 62) if window_days is None else day - window_days + 1
    return [i for i in indices if low <= days[i] <= day]


def _activity_key(activity: int | None) -> int:
    return -1 if activity is None else activity


@register("touchpoint_count")
@dataclass(frozen=True)
class TouchpointCount(Condition):
    """At least ``min_count`` touchpoints of ``kinds`` (any kind if omitted, minus
    ``exclude_kinds``) within the last ``window_days`` days (ever if omitted)."""

    kinds: frozenset[str] | None
    exclude_kinds: frozenset[str]
    min_count: int
    window_days: int | None

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: str, ctx: ParseContext) -> TouchpointCount:
        check_keys(data, {"kinds", "exclude_kinds", "min_count", "window_days"}, path, ctx)
        kinds = get_kinds(data, "kinds", path, ctx)
        exclude = get_kinds(data, "exclude_kinds", path, ctx) or frozenset()
        if kinds is not None and exclude:
            kinds = kinds - exclude
        return cls(
            kinds=kinds,
            exclude_kinds=exclude if kinds is None else frozenset(),
            min_count=get_int(data, "min_count", path, ctx, default=1) or 1,
            window_days=get_int(data, "window_days", path, ctx),
        )

    def _indices(self, ctx: EvalContext) -> list[int]:
        idx = ctx.history.indices(self.kinds)
        if self.exclude_kinds:
            tps = ctx.history.touchpoints
            idx = [i for i in idx if tps[i].kind not in self.exclude_kinds]
        return idx

    def intervals(self, ctx: EvalContext) -> Intervals:
        days = [ctx.history.days[i] for i in self._indices(ctx)]
        return windowed_counts(days, self.min_count, self.window_days)

    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        used = _window_indices(ctx, self._indices(ctx), self.window_days, day)
        h = ctx.history
        kinds = "*" if self.kinds is None else ",".join(sorted(self.kinds))
        reason = Reason(
            "touchpoint_count",
            kinds=kinds,
            count=len(used),
            needed=self.min_count,
            window_days=self.window_days,
            last_day=h.date_of(h.days[used[-1]]) if used else None,
        )
        holds = len(used) >= self.min_count
        return Explanation(holds, (reason,), tuple(h.touchpoints[i] for i in used))

    def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
        hh, day = bi.selected(bctx, self.kinds, self.exclude_kinds)
        return bi.windowed_counts(hh, day, self.min_count, self.window_days)

    def batch_explain(
        self, bctx: bi.BatchContext, q_h: bi.I64, q_day: bi.I64, evidence: bool
    ) -> be.BatchExplanation:
        kinds = "*" if self.kinds is None else ",".join(sorted(self.kinds))
        template = bctx.templates.id(
            be.Template(
                "touchpoint_count",
                (("kinds", kinds), ("needed", self.min_count), ("window_days", self.window_days)),
                (("count", be.INT), ("last_day", be.DATE)),
            )
        )
        idx, key = bi.selection(bctx, self.kinds, self.exclude_kinds)
        lo, hi = _window_ranges(key, q_h * bi.SHIFT, q_day, self.window_days)
        count = hi - lo
        last = np.full(count.shape[0], be.NONE, dtype=np.int64)
        some = count > 0
        last[some] = bctx.day[idx[hi[some] - 1]]
        e_q = e_i = None
        if evidence:
            e_q, pos = be.expand(lo, hi)
            e_i = idx[pos]
        return be.leaf(count >= self.min_count, template, [count, last], e_q, e_i)


def _window_ranges(
    key: bi.I64, base: bi.I64, q_day: bi.I64, window_days: int | None
) -> tuple[bi.I64, bi.I64]:
    """Rows [lo, hi) of ``key`` (group * SHIFT + day, sorted) in the window ending on q_day."""
    hi = np.searchsorted(key, base + q_day, "right").astype(np.int64)
    lo = np.searchsorted(key, base + be.window_low(q_day, window_days), "left").astype(np.int64)
    return lo, hi


def _activity_counts(
    bctx: bi.BatchContext, kind: str, q_h: bi.I64, q_day: bi.I64, window_days: int | None
) -> tuple[bi.ActivityGroups, bi.I64, bi.I64, bi.I64, bi.I64]:
    """Per (query, activity of its household) pair: the query, the group, and the rows
    [lo, hi) of that group's touchpoints in the window (pairs sorted by query, activity)."""
    g = bi.activity_groups(bctx, kind)
    pq, grp = be.expand(g.lo[q_h], g.hi[q_h])
    lo, hi = _window_ranges(g.key, grp * bi.SHIFT, q_day[pq], window_days)
    return g, pq, grp, lo, hi


@register("attendance_same_activity")
@dataclass(frozen=True)
class SameActivity(Condition):
    """At least ``min_count`` touchpoints of ``kind`` (attendance) of one same activity
    within the last ``window_days`` days. A touchpoint without activity counts as activity
    None, like any other."""

    kind: str
    min_count: int
    window_days: int | None

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: str, ctx: ParseContext) -> SameActivity:
        check_keys(data, {"kind", "min_count", "window_days"}, path, ctx)
        return cls(
            kind=get_kind(data, "kind", path, ctx) if "kind" in data else "attendance",
            min_count=get_int(data, "min_count", path, ctx, default=1) or 1,
            window_days=get_int(data, "window_days", path, ctx),
        )

    def intervals(self, ctx: EvalContext) -> Intervals:
        tps, days = ctx.history.touchpoints, ctx.history.days
        per_activity: dict[int, list[int]] = {}
        for i in ctx.history.indices(frozenset({self.kind})):
            per_activity.setdefault(_activity_key(tps[i].activity), []).append(days[i])
        return union(
            [windowed_counts(d, self.min_count, self.window_days) for d in per_activity.values()]
        )

    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        h = ctx.history
        used = _window_indices(ctx, h.indices(frozenset({self.kind})), self.window_days, day)
        per_activity: dict[int, list[int]] = {}
        for i in used:
            per_activity.setdefault(_activity_key(h.touchpoints[i].activity), []).append(i)
        best: list[int] = []
        best_key: int | None = None
        for key in sorted(per_activity):
            if len(per_activity[key]) > len(best):
                best, best_key = per_activity[key], key
        activity = None if best_key is None or best_key == -1 else best_key
        reason = Reason(
            "attendance_same_activity",
            kind=self.kind,
            activity=activity,
            count=len(best),
            needed=self.min_count,
            window_days=self.window_days,
        )
        holds = len(best) >= self.min_count
        return Explanation(holds, (reason,), tuple(h.touchpoints[i] for i in best))

    def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
        _, day = bi.selected(bctx, frozenset({self.kind}), frozenset())
        group, order = bctx.by_activity(self.kind)
        per_group = bi.windowed_counts(group, day[order], self.min_count, self.window_days)
        owner = per_group.h % np.int64(bctx.n)
        return bi.union([bi.BatchIntervals(owner, per_group.start, per_group.end)])

    def batch_explain(
        self, bctx: bi.BatchContext, q_h: bi.I64, q_day: bi.I64, evidence: bool
    ) -> be.BatchExplanation:
        template = bctx.templates.id(
            be.Template(
                "attendance_same_activity",
                (
                    ("kind", self.kind),
                    ("needed", self.min_count),
                    ("window_days", self.window_days),
                ),
                (("activity", be.INT), ("count", be.INT)),
            )
        )
        n = q_h.shape[0]
        g, pq, grp, lo, hi = _activity_counts(bctx, self.kind, q_h, q_day, self.window_days)
        cnt = hi - lo
        top = np.zeros(n, dtype=np.int64)
        np.maximum.at(top, pq, cnt)
        # the first activity (ascending, none first) with the most touchpoints, as explain()
        best = be.first_per_query(pq, (cnt == top[pq]) & (cnt > 0), n)
        has = best >= 0
        b = best[has]
        activity = np.full(n, be.NONE, dtype=np.int64)
        act = g.g_a[grp[b]]
        activity[has] = np.where(act < 0, be.NONE, act)
        count = np.zeros(n, dtype=np.int64)
        count[has] = cnt[b]
        e_q = e_i = None
        if evidence:
            blo = np.zeros(n, dtype=np.int64)
            bhi = np.zeros(n, dtype=np.int64)
            blo[has], bhi[has] = lo[b], hi[b]
            e_q, pos = be.expand(blo, bhi)
            e_i = g.idx[pos]
        return be.leaf(count >= self.min_count, template, [activity, count], e_q, e_i)


@register("attendance_distinct")
@dataclass(frozen=True)
class DistinctActivities(Condition):
    """At least ``min_count`` touchpoints of ``kind`` (attendance) across at least
    ``min_distinct`` distinct activities within the last ``window_days`` days."""

    kind: str
    min_count: int
    min_distinct: int
    window_days: int | None

    @classmethod
    def from_dict(
        cls, data: Mapping[str, object], path: str, ctx: ParseContext
    ) -> DistinctActivities:
        check_keys(data, {"kind", "min_count", "min_distinct", "window_days"}, path, ctx)
        return cls(
            kind=get_kind(data, "kind", path, ctx) if "kind" in data else "attendance",
            min_count=get_int(data, "min_count", path, ctx, default=1) or 1,
            min_distinct=get_int(data, "min_distinct", path, ctx, default=1) or 1,
            window_days=get_int(data, "window_days", path, ctx),
        )

    def intervals(self, ctx: EvalContext) -> Intervals:
        tps, days = ctx.history.touchpoints, ctx.history.days
        idx = ctx.history.indices(frozenset({self.kind}))
        per_activity: dict[int, list[int]] = {}
        for i in idx:
            per_activity.setdefault(_activity_key(tps[i].activity), []).append(days[i])
        presence = [windowed_counts(d, 1, self.window_days) for d in per_activity.values()]
        distinct = at_least(presence, self.min_distinct)
        count = windowed_counts([days[i] for i in idx], self.min_count, self.window_days)
        return at_least([count, distinct], 2)

    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        h = ctx.history
        used = _window_indices(ctx, h.indices(frozenset({self.kind})), self.window_days, day)
        distinct = len({_activity_key(h.touchpoints[i].activity) for i in used})
        reason = Reason(
            "attendance_distinct",
            kind=self.kind,
            count=len(used),
            distinct=distinct,
            needed=self.min_count,
            needed_distinct=self.min_distinct,
            window_days=self.window_days,
        )
        holds = len(used) >= self.min_count and distinct >= self.min_distinct
        return Explanation(holds, (reason,), tuple(h.touchpoints[i] for i in used))

    def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
        hh, day = bi.selected(bctx, frozenset({self.kind}), frozenset())
        count = bi.windowed_counts(hh, day, self.min_count, self.window_days)
        group, order = bctx.by_activity(self.kind)
        presence = bi.windowed_counts(group, day[order], 1, self.window_days)
        owner = presence.h % np.int64(bctx.n)
        distinct = bi.at_least(
            [bi.BatchIntervals(owner, presence.start, presence.end)], self.min_distinct
        )
        return bi.at_least([count, distinct], 2)

    def batch_explain(
        self, bctx: bi.BatchContext, q_h: bi.I64, q_day: bi.I64, evidence: bool
    ) -> be.BatchExplanation:
        template = bctx.templates.id(
            be.Template(
                "attendance_distinct",
                (
                    ("kind", self.kind),
                    ("needed", self.min_count),
                    ("needed_distinct", self.min_distinct),
                    ("window_days", self.window_days),
                ),
                (("count", be.INT), ("distinct", be.INT)),
            )
        )
        n = q_h.shape[0]
        idx, key = bi.selection(bctx, frozenset({self.kind}), frozenset())
        lo, hi = _window_ranges(key, q_h * bi.SHIFT, q_day, self.window_days)
        count = hi - lo
        _, pq, _, glo, ghi = _activity_counts(bctx, self.kind, q_h, q_day, self.window_days)
        distinct = np.bincount(pq[ghi > glo], minlength=n).astype(np.int64)
        holds = (count >= self.min_count) & (distinct >= self.min_distinct)
        e_q = e_i = None
        if evidence:
            e_q, pos = be.expand(lo, hi)
            e_i = idx[pos]
        return be.leaf(holds, template, [count, distinct], e_q, e_i)
