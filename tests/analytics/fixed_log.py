"""A small fixed log whose measures are computed by hand in test_measures.py.

Days are counted from D0 = 2025-01-01; the period is 2025-01-01 .. 2025-03-31 (D0 .. D0+89).
Stage indices: 0 awareness, 1 research, 2 selection, 3 acquisition, 4 discovery, 5 usage.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from parcours.analytics.measures.base import STATUSES, JourneyData, Period, Query
from parcours.engine import shipped_definition
from parcours.engine.columns import KIND_CODE, day_number

D0 = day_number(date(2025, 1, 1))
PERIOD = Period(date(2025, 1, 1), date(2025, 3, 31))
KEYS = shipped_definition().stage_keys
OPEN = -1  # the span is still current

HOUSEHOLDS = [  # id, neighbourhood, channel
    (1, "Nord", "outreach"),
    (2, "Nord", "peer"),
    (3, "Sud", "outreach"),
    (4, "Sud", "web"),
    (5, "Nord", "outreach"),
]
SPANS = [  # household, stage, start, end (relative to D0; OPEN = open)
    (1, 0, 0, 10), (1, 1, 10, 30), (1, 4, 30, OPEN),
    (2, 2, 5, 25), (2, 3, 25, 40), (2, 4, 40, 70), (2, 5, 70, 80), (2, 4, 80, OPEN),
    (3, 0, 20, OPEN),
    (4, 1, 100, OPEN),
    (5, 0, -50, 15), (5, 1, 15, OPEN),
]  # fmt: skip
STATUS_SPANS = [
    (1, "active", 0, OPEN),
    (2, "active", 5, OPEN), (2, "in_support", 60, 95),
    (3, "active", 20, 65), (3, "dormant", 85, OPEN),
    (5, "absent", 60, 70),
]  # fmt: skip
TOUCHPOINTS = [  # household, day, kind, activity, ref
    (1, 0, "outreach_contact", -1, 7), (1, 10, "info_request", -1, -1),
    (1, 28, "intake_visit", -1, -1), (1, 31, "attendance", 100, -1),
    (1, 35, "attendance", 100, -1),
    (2, 5, "peer_contact", -1, -1), (2, 29, "attendance", 100, -1),
    (2, 30, "intake_visit", -1, -1), (2, 65, "attendance", 200, -1),
    (3, 20, "outreach_contact", -1, 7), (3, 40, "intake_visit", -1, -1),
    (3, 50, "communication", -1, -1), (3, 75, "attendance", 200, -1),
    (4, 100, "info_request", -1, -1),
    (5, -50, "outreach_contact", -1, 3), (5, -20, "intake_visit", -1, -1),
    (5, 9, "attendance", 100, -1), (5, 15, "info_request", -1, -1),
    (5, 33, "communication", -1, -1),
]  # fmt: skip


def data() -> JourneyData:
    def rel(x: int) -> int:
        return -1 if x == OPEN else D0 + x

    tps = sorted(TOUCHPOINTS, key=lambda t: (t[0], t[1]))
    spans = sorted(SPANS, key=lambda s: (s[0], s[2]))
    statuses = sorted(STATUS_SPANS, key=lambda s: (s[0], s[2]))
    return JourneyData(
        stage_keys=KEYS,
        household=np.array([h[0] for h in HOUSEHOLDS], dtype=np.int64),
        neighbourhood=np.array([h[1] for h in HOUSEHOLDS], dtype=object),
        channel=np.array([h[2] for h in HOUSEHOLDS], dtype=object),
        span_household=np.array([s[0] for s in spans], dtype=np.int64),
        span_stage=np.array([s[1] for s in spans], dtype=np.int8),
        span_start=np.array([rel(s[2]) for s in spans], dtype=np.int32),
        span_end=np.array([rel(s[3]) for s in spans], dtype=np.int32),
        status_household=np.array([s[0] for s in statuses], dtype=np.int64),
        status_code=np.array([STATUSES.index(s[1]) for s in statuses], dtype=np.int8),
        status_start=np.array([rel(s[2]) for s in statuses], dtype=np.int32),
        status_end=np.array([rel(s[3]) for s in statuses], dtype=np.int32),
        tp_household=np.array([t[0] for t in tps], dtype=np.int64),
        tp_day=np.array([D0 + t[1] for t in tps], dtype=np.int32),
        tp_kind=np.array([KIND_CODE[t[2]] for t in tps], dtype=np.int8),
        tp_activity=np.array([t[3] for t in tps], dtype=np.int64),
        tp_ref=np.array([t[4] for t in tps], dtype=np.int64),
    )


def query(**filters) -> Query:
    from parcours.analytics.measures.base import Filters

    return Query(association=1, period=PERIOD, filters=Filters(**filters))
