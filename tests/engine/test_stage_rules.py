"""Every default stage rule at its thresholds: one day before, on, and after each edge."""

from __future__ import annotations

import pytest

from tests.engine.helpers import stage_on, tp

INTAKE = [tp(0, "intake_visit")]


def attend(days: list[int], activity: int = 1) -> list:
    return [tp(d, "attendance", activity) for d in days]


CASES = [
    # sticky entry stages: hold from the first touchpoint on, forever
    ("awareness before", [tp(5, "outreach_contact")], 4, None),
    ("awareness on", [tp(5, "outreach_contact")], 5, "awareness"),
    ("awareness years later", [tp(5, "outreach_contact")], 2000, "awareness"),
    ("research", [tp(0, "outreach_contact"), tp(3, "info_request")], 3, "research"),
    ("research day before", [tp(0, "outreach_contact"), tp(3, "info_request")], 2, "awareness"),
    ("selection by peer", [tp(0, "peer_contact")], 0, "selection"),
    ("selection by appointment", [tp(0, "appointment_booked")], 0, "selection"),
    ("acquisition", [tp(0, "intake_visit")], 0, "acquisition"),
    ("communication is no stage", [tp(0, "communication")], 0, None),
    ("discovery: 1 attendance", INTAKE + attend([10]), 10, "discovery"),
    ("discovery stays", INTAKE + attend([10]), 900, "discovery"),
    # usage: 3 attendances of one same activity within the last 60 days (D-59..D)
    ("usage: 2 attendances", INTAKE + attend([10, 20]), 20, "discovery"),
    ("usage: 3rd attendance", INTAKE + attend([10, 20, 30]), 30, "usage"),
    ("usage: last day in window", INTAKE + attend([10, 20, 30]), 69, "usage"),
    ("usage: first day out", INTAKE + attend([10, 20, 30]), 70, "discovery"),
    ("usage: 3 within 60 days exactly", INTAKE + attend([10, 68, 69]), 69, "usage"),
    ("usage: 3 across 61 days", INTAKE + attend([10, 69, 70]), 70, "discovery"),
    ("usage: 3 in 2 activities", INTAKE + attend([10, 20]) + attend([30], 2), 30, "discovery"),
    ("usage: group membership", INTAKE + [tp(5, "group_joined", ref=1)], 5, "usage"),
    ("usage: group day before", INTAKE + [tp(5, "group_joined", ref=1)], 4, "acquisition"),
    (
        "usage: group left",
        INTAKE + [tp(5, "group_joined", ref=1), tp(9, "group_left", ref=1)],
        9,
        "acquisition",
    ),
    (
        "usage: group left, last day in",
        INTAKE + [tp(5, "group_joined", ref=1), tp(9, "group_left", ref=1)],
        8,
        "usage",
    ),
    (
        "usage: other group left",
        INTAKE + [tp(5, "group_joined", ref=1), tp(9, "group_left", ref=2)],
        9,
        "usage",
    ),
    # loyalty: 8 attendances across 2 activities within the last 90 days
    ("loyalty: 8 in 2", INTAKE + attend([1, 2, 3, 4, 5, 6, 7]) + attend([8], 2), 8, "loyalty"),
    ("loyalty: 7 in 2", INTAKE + attend([1, 2, 3, 4, 5, 6]) + attend([8], 2), 8, "usage"),
    ("loyalty: 8 in 1", INTAKE + attend([1, 2, 3, 4, 5, 6, 7, 8]), 8, "usage"),
    ("loyalty: last day", INTAKE + attend([1, 2, 3, 4, 5, 6, 7]) + attend([8], 2), 90, "loyalty"),
    (
        "loyalty: first day out",
        INTAKE + attend([1, 2, 3, 4, 5, 6, 7]) + attend([8], 2),
        91,
        "discovery",
    ),
    # recommendation: referral_made or absent_visit within 365 days
    ("recommendation", INTAKE + [tp(10, "referral_made", ref=9)], 10, "recommendation"),
    ("recommendation last day", INTAKE + [tp(10, "absent_visit")], 374, "recommendation"),
    ("recommendation lapsed", INTAKE + [tp(10, "absent_visit")], 375, "acquisition"),
    # engagement: an active role, or activity_led / project_proposed within 365 days
    ("engagement by role", INTAKE + [tp(10, "role_started", ref=3)], 800, "engagement"),
    (
        "engagement role ended",
        INTAKE + [tp(10, "role_started", ref=3), tp(20, "role_ended", ref=3)],
        20,
        "acquisition",
    ),
    ("engagement by session led", INTAKE + [tp(10, "activity_led", 4)], 374, "engagement"),
    ("engagement lapsed", INTAKE + [tp(10, "project_proposed")], 375, "acquisition"),
]

USAGE = INTAKE + attend([10, 20, 30])  # usage first held on day 30, until day 69


MAINTENANCE_CASES = [
    ("support before usage", USAGE + [tp(29, "support_opened", ref=1)], 31, "usage"),
    ("support on usage day", USAGE + [tp(30, "support_opened", ref=1)], 30, "maintenance"),
    ("support open long after", USAGE + [tp(40, "support_opened", ref=1)], 500, "maintenance"),
    (
        "closed 89 days ago",
        USAGE + [tp(40, "support_opened", ref=1), tp(50, "support_closed", ref=1)],
        139,
        "maintenance",
    ),
    (
        "closed 90 days ago",
        USAGE + [tp(40, "support_opened", ref=1), tp(50, "support_closed", ref=1)],
        140,
        "discovery",
    ),
    (
        "closed case of another ref stays open",
        USAGE + [tp(40, "support_opened", ref=1), tp(50, "support_closed", ref=2)],
        400,
        "maintenance",
    ),
]


@pytest.mark.parametrize(("name", "tps", "n", "expected"), CASES + MAINTENANCE_CASES)
def test_default_rule(name: str, tps: list, n: int, expected: str | None) -> None:
    assert stage_on(tps, n) == expected, name
