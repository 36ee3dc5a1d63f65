"""Day intervals of many households at once, as numpy arrays (the batch twin of intervals.py).

A :class:`BatchIntervals` holds parallel arrays ``h`` (household index or another group id),
``start`` and ``end`` (half-open, ``INF`` = never ends), sorted by (h, start), disjoint and
non-adjacent within a group, exactly as ``intervals.merge`` would give per household.
Sorting uses one int64 key ``h * SHIFT + day``; days lie in [0, INF] and INF < SHIFT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from parcours.engine.batch_explain import Templates
from parcours.engine.columns import KIND_CODE
from parcours.engine.intervals import INF

I64 = npt.NDArray[np.int64]
SHIFT = np.int64(1 << 31)


@dataclass(frozen=True)
class BatchIntervals:
    h: I64
    start: I64
    end: I64

    def __len__(self) -> int:
        return int(self.h.shape[0])


def empty() -> BatchIntervals:
    z = np.zeros(0, dtype=np.int64)
    return BatchIntervals(z, z, z)


@dataclass
class BatchContext:
    """All touchpoints up to as_of, households renumbered 0..n-1 in order."""

    n: int
    hh: I64  # household index per touchpoint, non-decreasing
    day: I64
    kind: npt.NDArray[np.int8]
    activity: I64
    ref: I64
    first_day: I64  # per household
    first_held: dict[str, I64] = field(default_factory=dict)  # per household, INF if never
    _cache: dict[tuple[frozenset[str] | None, frozenset[str]], npt.NDArray[np.bool_]] = field(
        default_factory=dict
    )
    _groups: dict[str, tuple[I64, I64]] = field(default_factory=dict)
    # for batch explanations (batch_explain.py): reason templates shared by all chunks, and
    # per-context memos (sorted selections, activity groups, episode tables)
    templates: Templates = field(default_factory=lambda: Templates())
    memo: dict[object, object] = field(default_factory=dict)

    def by_activity(self, kind: str) -> tuple[I64, I64]:
        """Touchpoints of ``kind`` grouped by (activity, household): group ids and the order
        (indices into the ``kind`` selection); household index = group % n."""
        if kind not in self._groups:
            sel = self.select(frozenset({kind}), frozenset())
            self._groups[kind] = group_by_activity(self.hh[sel], self.activity[sel], self.n)
        return self._groups[kind]

    def select(
        self, kinds: frozenset[str] | None, exclude: frozenset[str]
    ) -> npt.NDArray[np.bool_]:
        key = (kinds, exclude)
        if key not in self._cache:
            if kinds is None:
                mask = np.ones(self.kind.shape[0], dtype=bool)
                codes = [KIND_CODE[k] for k in exclude]
                if codes:
                    mask &= ~np.isin(self.kind, codes)
            else:
                codes = [KIND_CODE[k] for k in kinds]
                lut = np.zeros(256, dtype=bool)
                lut[np.asarray(codes, dtype=np.int64)] = True
                mask = lut[self.kind.view(np.uint8)]
            self._cache[key] = mask
        return self._cache[key]


def selection(
    bctx: BatchContext, kinds: frozenset[str] | None, exclude: frozenset[str]
) -> tuple[I64, I64]:
    """Indices of the touchpoints of these kinds and their sort keys ``hh * SHIFT + day``."""
    memo_key = ("selection", kinds, exclude)
    got = bctx.memo.get(memo_key)
    if got is None:
        idx = np.flatnonzero(bctx.select(kinds, exclude)).astype(np.int64)
        got = bctx.memo[memo_key] = (idx, bctx.hh[idx] * SHIFT + bctx.day[idx])
    return got  # type: ignore[return-value]


@dataclass(frozen=True)
class ActivityGroups:
    """Touchpoints of one kind grouped by (household, activity), activities ascending (no
    activity = -1 first), each group in log order. ``idx``: touchpoint indices in that order;
    ``key``: ``group * SHIFT + day``; per group its household ``g_h`` and activity ``g_a``;
    per household its groups ``lo[h]:hi[h]``."""

    idx: I64
    key: I64
    g_h: I64
    g_a: I64
    lo: I64
    hi: I64


def activity_groups(bctx: BatchContext, kind: str) -> ActivityGroups:
    memo_key = ("activity_groups", kind)
    got = bctx.memo.get(memo_key)
    if isinstance(got, ActivityGroups):
        return got
    idx, _ = selection(bctx, frozenset({kind}), frozenset())
    hh, act = bctx.hh[idx], bctx.activity[idx]
    if idx.shape[0]:
        lo, hi = int(act.min()), int(act.max())
        if hi - lo < (1 << 20):  # ids in a small range: the offset is an order-keeping code
            code = act - lo
            width = np.int64(hi - lo + 1)
        else:
            values, code = np.unique(act, return_inverse=True)
            width = np.int64(values.shape[0])
        order = np.argsort(hh * width + code, kind="stable")
        idx, hh, act = idx[order], hh[order], act[order]
        gkey = hh * width + code[order]
        new = np.empty(idx.shape[0], dtype=bool)
        new[0] = True
        np.not_equal(gkey[1:], gkey[:-1], out=new[1:])
        g = np.cumsum(new, dtype=np.int64) - 1
        first = np.flatnonzero(new)
        g_h, g_a = hh[first], act[first]
    else:
        g = g_h = g_a = np.zeros(0, dtype=np.int64)
    hs = np.arange(bctx.n, dtype=np.int64)
    groups = ActivityGroups(
        idx=idx,
        key=g * SHIFT + bctx.day[idx],
        g_h=g_h,
        g_a=g_a,
        lo=np.searchsorted(g_h, hs, "left").astype(np.int64),
        hi=np.searchsorted(g_h, hs, "right").astype(np.int64),
    )
    bctx.memo[memo_key] = groups
    return groups


def merge_sorted(group: I64, start: I64, end: I64) -> BatchIntervals:
    """Merge intervals already sorted by (group, start); empty ones are dropped."""
    keep = start < end
    if not keep.all():
        group, start, end = group[keep], start[keep], end[keep]
    n = group.shape[0]
    if n == 0:
        return empty()
    base = group * SHIFT
    run = np.maximum.accumulate(base + end)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.greater(base[1:] + start[1:], run[:-1], out=new[1:])
    first = np.flatnonzero(new)
    last = np.empty_like(first)
    last[:-1] = first[1:] - 1
    last[-1] = n - 1
    return BatchIntervals(group[first], start[first], run[last] - base[last])


def sort(ivs: BatchIntervals) -> BatchIntervals:
    order = np.argsort(ivs.h * SHIFT + ivs.start, kind="stable")
    return BatchIntervals(ivs.h[order], ivs.start[order], ivs.end[order])


def concat(sets: list[BatchIntervals]) -> BatchIntervals:
    if not sets:
        return empty()
    return BatchIntervals(
        np.concatenate([s.h for s in sets]),
        np.concatenate([s.start for s in sets]),
        np.concatenate([s.end for s in sets]),
    )


def union(sets: list[BatchIntervals]) -> BatchIntervals:
    s = sort(concat(sets))
    return merge_sorted(s.h, s.start, s.end)


def sweep(ivs: BatchIntervals, weight: I64) -> tuple[I64, I64, I64]:
    """Distinct boundary points (household, day) and the summed weight from each point on.

    Returns (h, day, value): on [day[i], day[i+1]) household h[i] has total weight value[i];
    the last point of each household has value 0.
    """
    key = np.concatenate([ivs.h * SHIFT + ivs.start, ivs.h * SHIFT + ivs.end])
    delta = np.concatenate([weight, -weight])
    order = np.argsort(key, kind="stable")
    key, delta = key[order], delta[order]
    total = np.cumsum(delta)
    if key.shape[0] == 0:
        return key, key, total
    last = np.empty(key.shape[0], dtype=bool)
    np.not_equal(key[1:], key[:-1], out=last[:-1])
    last[-1] = True
    key, total = key[last], total[last]
    return key // SHIFT, key % SHIFT, total


def runs(h: I64, day: I64, mask: npt.NDArray[np.bool_]) -> BatchIntervals:
    """Intervals where ``mask`` holds over consecutive sweep points (never across households,
    as the last point of each household has value 0 and mask must be False there)."""
    n = mask.shape[0]
    if n == 0:
        return empty()
    prev = np.empty(n, dtype=bool)
    prev[0] = False
    prev[1:] = mask[:-1]
    starts = np.flatnonzero(mask & ~prev)
    nxt = np.empty(n, dtype=bool)
    nxt[-1] = False
    nxt[:-1] = mask[1:]
    ends = np.flatnonzero(mask & ~nxt) + 1
    return BatchIntervals(h[starts], day[starts], day[ends])


def at_least(sets: list[BatchIntervals], k: int) -> BatchIntervals:
    """Days covered by at least k of the sets (each merged per household)."""
    ivs = concat(sets)
    h, day, value = sweep(ivs, np.ones(len(ivs), dtype=np.int64))
    return runs(h, day, value >= k)


def intersect(sets: list[BatchIntervals]) -> BatchIntervals:
    return at_least(sets, len(sets))


def complement(ivs: BatchIntervals, first_day: I64) -> BatchIntervals:
    """Days from each household's first day on that ``ivs`` does not cover."""
    n = first_day.shape[0]
    hs = np.arange(n, dtype=np.int64)
    domain = BatchIntervals(hs, first_day, np.full(n, INF, dtype=np.int64))
    both = concat([domain, ivs])
    weight = np.concatenate([np.ones(n, dtype=np.int64), np.full(len(ivs), 2, dtype=np.int64)])
    h, day, value = sweep(both, weight)
    return runs(h, day, value == 1)


def clip_start(ivs: BatchIntervals, first_day: I64) -> BatchIntervals:
    lo = first_day[ivs.h]
    keep = ivs.end > lo
    return BatchIntervals(ivs.h[keep], np.maximum(ivs.start, lo)[keep], ivs.end[keep])


def first_start(ivs: BatchIntervals, n: int) -> I64:
    """Per household: the first day of its first interval, INF if none."""
    out = np.full(n, INF, dtype=np.int64)
    if len(ivs):
        np.minimum.at(out, ivs.h, ivs.start)
    return out


def windowed_counts(
    group: I64, day: I64, min_count: int, window_days: int | None
) -> BatchIntervals:
    """Batch ``intervals.windowed_counts``: events sorted by (group, day).

    The i-th event of a group starts the interval [day_i, day_{i-m+1} + N); within a group both
    bounds are non-decreasing in i, so merging needs no running maximum: a new interval
    starts where the group changes or the start is past the previous end.
    """
    n = group.shape[0]
    m = min_count
    if n < m:
        return empty()
    if m == 1:
        g, start, lag = group, day, day
    else:
        same = group[m - 1 :] == group[: n - m + 1]
        g, start, lag = group[m - 1 :][same], day[m - 1 :][same], day[: n - m + 1][same]
    k = g.shape[0]
    if k == 0:
        return empty()
    new = np.empty(k, dtype=bool)
    new[0] = True
    if window_days is None:
        np.not_equal(g[1:], g[:-1], out=new[1:])
        first = np.flatnonzero(new)
        return BatchIntervals(g[first], start[first], np.full(first.shape[0], INF, np.int64))
    end = np.minimum(lag + window_days, INF)
    if m > 1:  # m events spread over more than the window: empty interval
        keep = start < end
        if not keep.all():
            g, start, end = g[keep], start[keep], end[keep]
            k = g.shape[0]
            if k == 0:
                return empty()
            new = np.empty(k, dtype=bool)
            new[0] = True
    np.not_equal(g[1:], g[:-1], out=new[1:])
    new[1:] |= start[1:] > end[:-1]
    first = np.flatnonzero(new)
    last = np.empty_like(first)
    last[:-1] = first[1:] - 1
    last[-1] = k - 1
    return BatchIntervals(g[first], start[first], end[last])


def selected(
    bctx: BatchContext, kinds: frozenset[str] | None, exclude: frozenset[str]
) -> tuple[I64, I64]:
    """Household index and day of the touchpoints of these kinds (shared between rules)."""
    memo_key = ("selected", kinds, exclude)
    got = bctx.memo.get(memo_key)
    if got is None:
        if kinds is None and not exclude:
            got = (bctx.hh, bctx.day)
        else:
            sel = bctx.select(kinds, exclude)
            got = (bctx.hh[sel], bctx.day[sel])
        bctx.memo[memo_key] = got
    return got  # type: ignore[return-value]


def group_by_activity(hh: I64, activity: I64, n_hh: int) -> tuple[I64, I64]:
    """Order events (sorted by household, day) by (activity, household, day).

    Returns group ids (non-decreasing, one per activity and household) and the order. Each
    activity's events are already in (household, day) order, so a stable sort on a small
    activity code (a linear radix sort) is enough.
    """
    if hh.shape[0] == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    lo, hi = int(activity.min()), int(activity.max())
    if hi - lo < (1 << 15):
        code = (activity - lo).astype(np.int16)
    else:
        _, inverse = np.unique(activity, return_inverse=True)
        code = inverse.astype(np.int64)
    order = np.argsort(code, kind="stable")
    return code[order].astype(np.int64) * np.int64(n_hh) + hh[order], order
