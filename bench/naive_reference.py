"""The naive reference: the default beneficiary rules of journey.md, household by household,
day by day. Slow on purpose and obviously correct; used to cross-check the DuckDB SQL (and the
engine) on small data.

A span is ``(household, stage key, start day, end day)``: days are day numbers (days since
1970-01-01); ``end`` is exclusive (the first day the stage no longer is the current one) and
``None`` when the stage is still current on the as-of day.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator

import numpy as np

from parcours.engine.columns import KINDS, TouchpointColumns

STAGES: tuple[str, ...] = (
    "awareness",
    "research",
    "selection",
    "acquisition",
    "discovery",
    "usage",
    "maintenance",
    "loyalty",
    "recommendation",
    "engagement",
)

Span = tuple[int, str, int, int | None]


def _count_between(days: list[int], lo: int, hi: int) -> int:
    """How many of the sorted ``days`` fall in lo..hi (inclusive)."""
    return bisect_right(days, hi) - bisect_left(days, lo)


def _active(opened: dict[int, list[int]], closed: dict[int, list[int]], day: int) -> bool:
    """An episode (group membership, role) is active on ``day`` when, for one ref, more
    openers than closers are dated on or before that day."""
    return any(
        bisect_right(days, day) > bisect_right(closed.get(ref, []), day)
        for ref, days in opened.items()
    )


def household_spans(
    household: int, days: list[int], kinds: list[str], acts: list[int], refs: list[int], as_of: int
) -> list[Span]:
    """Stage spans of one household from its touchpoints (any order), as of ``as_of``."""
    first: dict[str, int] = {}
    att_by_act: dict[int, list[int]] = defaultdict(list)
    att: list[tuple[int, int]] = []
    recommend: list[int] = []
    engage: list[int] = []
    opened: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    support_open: dict[int, int] = {}
    support_close: dict[int, int] = {}
    for d, k, a, r in sorted(zip(days, kinds, acts, refs, strict=True)):
        if d > as_of:
            continue
        first.setdefault(k, d)
        if k == "attendance":
            att_by_act[a].append(d)
            att.append((d, a))
        elif k in ("referral_made", "absent_visit"):
            recommend.append(d)
        elif k in ("activity_led", "project_proposed"):
            engage.append(d)
        elif k in ("group_joined", "group_left", "role_started", "role_ended"):
            opened[k][r].append(d)
        elif k == "support_opened":
            support_open.setdefault(r, d)
        elif k == "support_closed":
            support_close.setdefault(r, d)
    att_days = [d for d, _ in att]
    if not first:
        return []

    def sticky(*kinds_: str) -> int | None:
        ds = [first[k] for k in kinds_ if k in first]
        return min(ds) if ds else None

    sticky_from = {
        "awareness": sticky("outreach_contact"),
        "research": sticky("info_request"),
        "selection": sticky("peer_contact", "appointment_booked"),
        "acquisition": sticky("intake_visit"),
        "discovery": sticky("attendance"),
    }
    first_usage: int | None = None
    spans: list[Span] = []
    current: str | None = None
    start = 0
    for day in range(min(first.values()), as_of + 1):
        holds: dict[str, bool] = {s: (f is not None and f <= day) for s, f in sticky_from.items()}
        holds["usage"] = any(
            _count_between(ds, day - 59, day) >= 3 for ds in att_by_act.values()
        ) or _active(opened["group_joined"], opened["group_left"], day)
        if holds["usage"] and first_usage is None:
            first_usage = day
        holds["maintenance"] = first_usage is not None and any(
            first_usage <= o <= day
            and (
                support_close.get(r) is None
                or support_close[r] > day
                or day - support_close[r] < 90
            )
            for r, o in support_open.items()
        )
        lo, hi = bisect_left(att_days, day - 89), bisect_right(att_days, day)
        holds["loyalty"] = hi - lo >= 8 and len({a for _, a in att[lo:hi]}) >= 2
        holds["recommendation"] = _count_between(recommend, day - 364, day) > 0
        holds["engagement"] = _count_between(sorted(engage), day - 364, day) > 0 or _active(
            opened["role_started"], opened["role_ended"], day
        )
        stage = next((s for s in reversed(STAGES) if holds[s]), None)
        if stage != current:
            if current is not None:
                spans.append((household, current, start, day))
            current, start = stage, day
    if current is not None:
        spans.append((household, current, start, None))
    return spans


def _households(columns: TouchpointColumns) -> Iterator[tuple[int, slice]]:
    hh = columns.household
    if len(hh) == 0:
        return
    cuts = np.flatnonzero(np.diff(hh)) + 1
    bounds = [0, *cuts.tolist(), len(hh)]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        yield int(hh[lo]), slice(lo, hi)


def naive_spans(columns: TouchpointColumns, as_of: int) -> list[Span]:
    """Spans of every household of ``columns`` (sorted by household), as of day ``as_of``."""
    out: list[Span] = []
    for h, sl in _households(columns):
        out.extend(
            household_spans(
                h,
                columns.day[sl].tolist(),
                [KINDS[k] for k in columns.kind[sl].tolist()],
                columns.activity[sl].tolist(),
                columns.ref[sl].tolist(),
                as_of,
            )
        )
    return out


def stage_on(spans: list[Span], day: int) -> dict[int, str]:
    """Current stage of every household on ``day`` (households with a stage only)."""
    return {h: s for h, s, a, b in spans if a <= day and (b is None or day < b)}
