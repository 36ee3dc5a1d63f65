"""Stage spans, skips, regressions, statuses, lapse prediction and reasons of one household."""

from __future__ import annotations

from parcours.engine.batch import recompute, span_reasons
from parcours.engine.reasons import Reason, fallback_text
from parcours.engine.timeline import FLAG_REGRESSION, FLAG_SKIP, timeline
from tests.engine.helpers import BENEFICIARY, day, tp
from tests.engine.strategies import to_columns


def attend(days: list[int], activity: int = 1) -> list:
    return [tp(d, "attendance", activity) for d in days]


def test_no_touchpoints_no_spans() -> None:
    tl = timeline([], BENEFICIARY, day(10))
    assert tl.stage_spans == () and tl.status_spans == () and tl.current.stage is None


def test_skip_is_recorded_on_entry() -> None:
    # referred by a peer: never met an outreach action nor asked for information
    tl = timeline([tp(0, "peer_contact"), tp(3, "intake_visit")], BENEFICIARY, day(10))
    assert [(s.stage, s.start, s.end) for s in tl.stage_spans] == [
        ("selection", day(0), day(3)),
        ("acquisition", day(3), None),
    ]
    assert tl.stage_spans[0].skipped == ("awareness", "research")
    assert tl.stage_spans[1].skipped == ()
    rows = tl.span_rows()
    assert rows[0].flags == FLAG_SKIP and rows[0].skipped == 0b11


def test_same_day_touchpoints_apply_together() -> None:
    tl = timeline([tp(0, "outreach_contact"), tp(0, "info_request")], BENEFICIARY, day(1))
    assert [s.stage for s in tl.stage_spans] == ["research"]
    assert tl.stage_spans[0].skipped == ()


def test_regression_and_lapse_prediction() -> None:
    tps = [tp(0, "intake_visit"), *attend([10, 20, 30])]
    tl = timeline(tps, BENEFICIARY, day(40))
    last = tl.stage_spans[-1]
    assert last.stage == "usage" and last.end is None
    # usage ends on day 70 unless the family comes back: window of day 10 closes
    assert last.predicted_end == day(70)
    assert tl.lapses == {"usage": day(70)}
    later = timeline(tps, BENEFICIARY, day(80))
    assert [(s.stage, s.regression) for s in later.stage_spans][-2:] == [
        ("usage", False),
        ("discovery", True),
    ]
    assert later.span_rows()[-1].flags == FLAG_REGRESSION
    assert later.lapses == {}


def test_sticky_stage_has_no_lapse() -> None:
    tl = timeline([tp(0, "outreach_contact")], BENEFICIARY, day(5))
    assert tl.stage_spans[0].predicted_end is None and tl.lapses == {}


def test_loyalty_reason_carries_counts_and_thresholds() -> None:
    tps = [
        tp(0, "intake_visit"),
        *attend([1, 2, 3, 4, 5]),
        *attend([6, 7, 8], 2),
        *attend([9, 10, 11], 3),
    ]
    tl = timeline(tps, BENEFICIARY, day(11))
    assert tl.current.stage == "loyalty"
    assert tl.current.reasons == (
        Reason(
            "attendance_distinct",
            kind="attendance",
            count=11,
            distinct=3,
            needed=8,
            needed_distinct=2,
            window_days=90,
        ),
    )
    assert len(tl.current.touchpoints) == 11
    assert (
        fallback_text(tl.current.reasons[0])
        == "11 × attendance in 3 activities over the last 90 days (needs 8 in 2)"
    )


def test_maintenance_reason_names_the_case() -> None:
    tps = [tp(0, "intake_visit"), *attend([10, 20, 30]), tp(35, "support_opened", ref=7)]
    tps.append(tp(40, "support_closed", ref=7))
    tl = timeline(tps, BENEFICIARY, day(100))
    (reason,) = tl.current.reasons
    assert tl.current.stage == "maintenance"
    assert reason.code == "open_episode"
    assert reason["ref"] == 7 and reason["days_since_closed"] == 60
    assert reason["since_day"] == day(30) and reason["closed_within_days"] == 90


def test_statuses() -> None:
    tps = [
        tp(0, "intake_visit"),
        *attend([10]),
        tp(12, "support_opened", ref=1),
        tp(20, "support_closed", ref=1),
    ]
    tl = timeline(tps, BENEFICIARY, day(300))
    spans = {(s.status, s.start, s.end) for s in tl.status_spans}
    assert spans == {
        # a contact from the family in the last 45 days, until the family is absent: the two
        # never show together (``unless``)
        ("active", day(0), day(10 + 45)),
        ("absent", day(10 + 45), None),  # at discovery+, no attendance for 45 days
        # no contact from the family for 180 days: the case opened with the family on day 12
        # counts, its closing on day 20 (the association's record) does not
        ("dormant", day(12 + 180), None),
        ("in_support", day(12), day(20)),  # an open support case
    }
    assert tl.placement(day(54)).statuses == ("active",)
    assert tl.placement(day(55)).statuses == ("absent",)
    assert tl.placement(day(65)).statuses == ("absent",)
    assert tl.placement(day(200)).statuses == ("absent", "dormant")
    assert tl.placement(day(15)).statuses == ("active", "in_support")


def test_absent_needs_discovery() -> None:
    tl = timeline([tp(0, "intake_visit")], BENEFICIARY, day(100))
    assert "absent" not in {s.status for s in tl.status_spans}


def test_batch_span_reasons_are_the_per_household_ones() -> None:
    logs = [
        [tp(0, "outreach_contact"), tp(2, "intake_visit")],
        [tp(0, "intake_visit"), *attend([1, 5, 9])],
    ]
    columns = to_columns(logs, [10, 20])
    spans = recompute(columns, BENEFICIARY, day(30))
    assert list(spans.household) == [10, 10, 20, 20, 20]
    assert (
        span_reasons(columns, BENEFICIARY, spans, 4)
        == timeline(logs[1], BENEFICIARY, day(30)).stage_spans[2].reasons
    )


def test_a_message_from_the_association_makes_no_family_active() -> None:
    """A newsletter is not a contact from the family: no "active", and it does not keep the
    family from being dormant."""
    tps = [tp(0, "outreach_contact"), *(tp(d, "communication") for d in range(14, 400, 14))]
    tl = timeline(tps, BENEFICIARY, day(400))
    spans = {(s.status, s.start, s.end) for s in tl.status_spans}
    assert spans == {("active", day(0), day(45)), ("dormant", day(180), None)}
    assert tl.current.statuses == ("dormant",)


def test_active_and_absent_never_hold_together() -> None:
    # attended once, then phones every fortnight but never comes back to an activity
    tps = [
        tp(0, "intake_visit"),
        *attend([5]),
        *(tp(d, "peer_contact") for d in range(20, 200, 15)),
    ]
    tl = timeline(tps, BENEFICIARY, day(200))
    by = {s.status: s for s in tl.status_spans}
    assert by["absent"].start == day(5 + 45)
    assert by["active"].end == by["absent"].start
    for n in range(0, 201):
        held = tl.placement(day(n)).statuses
        assert not {"active", "absent"} <= set(held), n
