"""windowed_counts (one pass over sorted days) against the rule read literally, day by day."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parcours.engine.intervals import INF, windowed_counts
from tests.engine.test_properties import SETTINGS

DAYS = st.lists(st.integers(0, 120), max_size=30).map(sorted)  # same-day touchpoints included
WINDOW = st.one_of(st.none(), st.integers(1, 60))


def literal(days: list[int], min_count: int, window: int | None) -> set[int]:
    """Days from 0 to 200 with at least ``min_count`` of ``days`` in the window ending then."""
    return {
        d
        for d in range(0, 201)
        if sum(1 for t in days if t <= d and (window is None or t > d - window)) >= min_count
    }


@SETTINGS
@given(DAYS, st.integers(1, 5), WINDOW)
def test_windowed_counts_hold_exactly_on_the_literal_days(days, min_count, window) -> None:
    got = windowed_counts(days, min_count, window)
    covered = {d for s, e in got for d in range(s, min(e, 201))}
    assert covered == literal(days, min_count, window)
    # sorted, disjoint, not touching: the form every interval list of the engine has
    for (_s1, e1), (s2, _e2) in zip(got, got[1:], strict=False):
        assert e1 < s2
    assert all(s < e and (e == INF or e <= 180) for s, e in got)
