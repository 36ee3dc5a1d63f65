"""What would move a household to its next stage, from the next stage's condition."""

from __future__ import annotations

from parcours.engine.next_step import Gap, next_step
from parcours.engine.timeline import timeline
from tests.engine.helpers import BENEFICIARY, day, tp


def test_a_household_without_touchpoints_needs_an_outreach_contact() -> None:
    step = next_step(timeline([], BENEFICIARY, day(0)))
    assert step is not None and step.stage == "awareness"
    assert step.easiest == (Gap("touchpoints", "outreach_contact", more=1),)


def test_research_needs_an_information_request() -> None:
    step = next_step(timeline([tp(0, "outreach_contact")], BENEFICIARY, day(3)))
    assert step is not None and step.stage == "research"
    assert step.ways == ((Gap("touchpoints", "info_request", more=1),),)


def test_usage_counts_the_attendances_still_missing_at_the_most_attended_activity() -> None:
    tps = [tp(0, "intake_visit"), tp(1, "attendance", 7), tp(5, "attendance", 9)]
    step = next_step(timeline(tps, BENEFICIARY, day(10)))
    assert step is not None and step.stage == "usage"
    # any: joining a group (one act), or three attendances at one activity in 60 days
    group, same = step.ways
    assert same == (Gap("same_activity", "attendance", more=2, activity=7, window_days=60),)
    assert group == (Gap("episode", "group_joined", more=1),)


def test_loyalty_names_attendances_and_activities_missing() -> None:
    # at usage (three attendances at one activity); maintenance is the next stage
    tps = [tp(0, "intake_visit")] + [tp(d, "attendance", 1) for d in (1, 8, 15)]
    tl = timeline(tps, BENEFICIARY, day(20))
    assert tl.current.stage == "usage"
    step = next_step(tl)
    assert step is not None and step.stage == "maintenance"
    assert step.easiest == (Gap("episode", "support_opened", more=1),)
    # in support: the next stage is loyalty, 8 attendances in 2 activities over 90 days
    tps += [tp(21, "support_opened", ref=1)]
    tl = timeline(tps, BENEFICIARY, day(22))
    assert tl.current.stage == "maintenance"
    step = next_step(tl)
    assert step is not None and step.stage == "loyalty"
    assert step.easiest == (Gap("distinct", "attendance", more=5, more_distinct=1, window_days=90),)


def test_a_stage_the_reader_may_not_learn_of_is_passed_over() -> None:
    tps = [tp(0, "intake_visit")] + [tp(d, "attendance", 1) for d in (1, 8, 15)]
    step = next_step(timeline(tps, BENEFICIARY, day(20)), passing_over={"maintenance"})
    assert step is not None and step.stage == "loyalty"
    assert step.easiest == (Gap("distinct", "attendance", more=5, more_distinct=1, window_days=90),)


def test_nothing_after_the_last_stage() -> None:
    tl = timeline([tp(0, "role_started", ref=1)], BENEFICIARY, day(5))
    assert tl.current.stage == "engagement"
    assert next_step(tl) is None


def test_a_gap_is_never_negative_nor_empty() -> None:
    tps = [tp(0, "intake_visit")] + [tp(d, "attendance", d % 3) for d in range(1, 40, 2)]
    step = next_step(timeline(tps, BENEFICIARY, day(40)))
    assert step is not None
    for way in step.ways:
        assert way
        for gap in way:
            assert gap.more >= 0 and gap.more_distinct >= 0 and gap.size >= 1
