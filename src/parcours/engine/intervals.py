"""Day intervals of one household: sorted, disjoint, non-adjacent ``(start, end)`` pairs.

A condition's truth over time is a set of half-open day intervals ``[start, end)`` (days as
integers, see ``columns.day_number``); ``INF`` is an end that never comes. The per-household
engine works with these lists; ``batch_intervals`` does the same with numpy arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

INF = 1 << 30  # a day number beyond any calendar date the engine meets

Intervals = list[tuple[int, int]]


def merge(intervals: Iterable[tuple[int, int]]) -> Intervals:
    """Union of intervals: sorted, overlapping or touching ones merged, empty ones dropped."""
    return _merge_sorted(sorted(iv for iv in intervals if iv[0] < iv[1]))


def _merge_sorted(intervals: Iterable[tuple[int, int]]) -> Intervals:
    """:func:`merge` of non-empty intervals already sorted."""
    out: Intervals = []
    for s, e in intervals:
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def at_least(sets: Sequence[Intervals], k: int) -> Intervals:
    """Days covered by at least ``k`` of the given interval sets (each already merged)."""
    points: dict[int, int] = {}
    for ivs in sets:
        for s, e in ivs:
            points[s] = points.get(s, 0) + 1
            points[e] = points.get(e, 0) - 1
    out: Intervals = []
    depth = 0
    start: int | None = None
    for day in sorted(points):
        depth += points[day]
        if depth >= k and start is None:
            start = day
        elif depth < k and start is not None:
            out.append((start, day))
            start = None
    if start is not None:
        out.append((start, INF))
    return out


def union(sets: Sequence[Intervals]) -> Intervals:
    return merge(iv for ivs in sets for iv in ivs)


def intersect(sets: Sequence[Intervals]) -> Intervals:
    return at_least(sets, len(sets))


def complement(ivs: Intervals, start: int) -> Intervals:
    """Days from ``start`` on that ``ivs`` does not cover."""
    out: Intervals = []
    cur = start
    for s, e in ivs:
        if e <= cur:
            continue
        if s > cur:
            out.append((cur, s))
        cur = max(cur, e)
    if cur < INF:
        out.append((cur, INF))
    return out


def clip(ivs: Intervals, start: int) -> Intervals:
    """The part of ``ivs`` on or after ``start``."""
    return [(max(s, start), e) for s, e in ivs if e > start]


def containing(ivs: Intervals, day: int) -> tuple[int, int] | None:
    for s, e in ivs:
        if s <= day < e:
            return (s, e)
    return None


def windowed_counts(days: Sequence[int], min_count: int, window_days: int | None) -> Intervals:
    """Days on which at least ``min_count`` of ``days`` (sorted) fall in the window.

    With a window of N days, on day D the window is D-N+1..D. If t_i is the i-th touchpoint
    day, the count reaches ``min_count`` on [t_i, t_{i-min_count+1} + N): from the i-th until
    the oldest of the last ``min_count`` leaves the window. Without a window it never leaves.

    ``days`` being sorted, those intervals come sorted by start and by end alike: they are
    merged in one pass, as :func:`merge` would after sorting them (a tap's hot path).
    """
    if len(days) < min_count:
        return []
    if window_days is None:
        return [(days[min_count - 1], INF)]
    # the i-th day (from min_count - 1 on) with the end the (i - min_count + 1)-th gives
    ends = (min(INF, first + window_days) for first in days)
    return _merge_sorted((s, e) for s, e in zip(days[min_count - 1 :], ends, strict=False) if s < e)
