"""Hypothesis strategies: random touchpoint logs that hit the default rules' thresholds."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import strategies as st

from parcours.engine.columns import KIND_CODE, KINDS, TouchpointColumns, day_number
from parcours.engine.touchpoints import Touchpoint
from tests.engine.helpers import D0

# attendance dominates, as in real logs, so usage and loyalty are reached often
_KIND_POOL = [*KINDS, *(["attendance"] * 12)]

SPAN_DAYS = 500


@st.composite
def touchpoints(draw: st.DrawFn, max_size: int = 40) -> list[Touchpoint]:
    n = draw(st.integers(0, max_size))
    dense = draw(st.booleans())  # cluster days to stress windows
    hi = 120 if dense else SPAN_DAYS
    out: list[Touchpoint] = []
    for _ in range(n):
        kind = draw(st.sampled_from(_KIND_POOL))
        d = draw(st.integers(0, hi))
        activity = (
            draw(st.sampled_from([None, 1, 2, 3]))
            if kind in ("attendance", "activity_led")
            else None
        )
        ref = (
            draw(st.sampled_from([None, 1, 2]))
            if kind not in ("attendance", "communication")
            else None
        )
        out.append(Touchpoint(D0 + timedelta(days=d), kind, activity, ref))
    return out


def to_columns(logs: list[list[Touchpoint]], ids: list[int] | None = None) -> TouchpointColumns:
    """Households' logs as columns sorted by (household, day), same-day order kept."""
    rows: list[tuple[int, int, int, int, int]] = []
    for h, log in zip(ids or range(1, len(logs) + 1), logs, strict=True):
        for tp in sorted(log, key=lambda t: t.day):
            rows.append(
                (
                    h,
                    day_number(tp.day),
                    KIND_CODE[tp.kind],
                    -1 if tp.activity is None else tp.activity,
                    -1 if tp.ref is None else tp.ref,
                )
            )
    a = np.array(rows, dtype=np.int64).reshape(-1, 5)
    return TouchpointColumns(
        household=a[:, 0].copy(),
        day=a[:, 1].astype(np.int32),
        kind=a[:, 2].astype(np.int8),
        activity=a[:, 3].copy(),
        ref=a[:, 4].copy(),
    )
