"""Task rules of the shipped journey at their thresholds: the day before, on, and after."""

from __future__ import annotations

from datetime import date

import pytest

from parcours.engine.definition import loads_definition
from parcours.engine.errors import DefinitionError
from parcours.engine.touchpoints import Touchpoint
from parcours.engine.worklists import TaskProposal, propose_tasks, task_rules
from tests.engine.helpers import BENEFICIARY, day, tp


def proposals(tps: list[Touchpoint], n: int) -> dict[str, TaskProposal]:
    return {p.rule: p for p in propose_tasks(tps, BENEFICIARY, day(n))}


def weekly_two_activities(until: int) -> list[Touchpoint]:
    return [tp(n, "attendance", activity=1 + (n // 7) % 2) for n in range(0, until + 1, 7)]


USAGE = [tp(0, "attendance", 1), tp(1, "attendance", 1), tp(2, "attendance", 1)]

# (rule, touchpoints, day the rule starts to hold)
THRESHOLDS = [
    ("recontact", [tp(0, "outreach_contact")], 30),
    ("peer_visit", [tp(0, "outreach_contact"), tp(3, "peer_contact")], 3 + 21),
    ("first_activity", [tp(0, "appointment_booked"), tp(5, "intake_visit")], 5 + 14),
    ("assign_sponsor", [tp(0, "intake_visit"), tp(10, "attendance", 1)], 10),
    ("invite_group", USAGE, 2),
    ("find_absent", [tp(0, "attendance", 1)], 45),
    ("support_followup", [*USAGE, tp(20, "support_opened", ref=7)], 20 + 14),
    ("committee_seat", [tp(0, "attendance", 1), tp(4, "role_started", ref=3)], 4),
]


@pytest.mark.parametrize(("rule", "tps", "first"), THRESHOLDS, ids=[t[0] for t in THRESHOLDS])
def test_rule_threshold(rule: str, tps: list[Touchpoint], first: int) -> None:
    assert rule not in proposals(tps, first - 1)
    on = proposals(tps, first)[rule]
    after = proposals(tps, first + 1)[rule]
    assert on.since == day(first)
    assert on.cause == after.cause  # the same task on both days
    assert on.due >= on.since


def test_lapse_soon_from_predicted_lapse() -> None:
    # usage from day 2; the first attendance leaves the 60-day window on day 60: lapse day 60
    assert "lapse_soon" not in proposals(USAGE, 52)
    on = proposals(USAGE, 53)["lapse_soon"]
    assert on.reason.code == "stage_lapse"
    assert on.reason["lapse"] == day(60) and on.reason["days_left"] == 7
    assert proposals(USAGE, 59)["lapse_soon"].cause == on.cause
    assert on.due == day(59)  # the last day usage still holds
    assert "lapse_soon" not in proposals(USAGE, 60)  # lapsed: back to discovery
    # the family comes back once: the lapse moves by a day, and the cause with it
    once = proposals([*USAGE, tp(55, "attendance", 1)], 55)["lapse_soon"]
    assert once.reason["lapse"] == day(61) and once.cause != on.cause
    # it comes back three times: usage holds for two more months, no task
    back = [*USAGE, tp(53, "attendance", 1), tp(54, "attendance", 1), tp(55, "attendance", 1)]
    assert "lapse_soon" not in proposals(back, 55)


def test_bring_a_family_after_90_days_of_loyalty() -> None:
    tps = weekly_two_activities(300)
    entered = next(n for n in range(300) if _stage(tps, n))
    assert "bring_a_family" not in proposals(tps, entered + 89)
    assert proposals(tps, entered + 90)["bring_a_family"].since == day(entered + 90)
    assert "bring_a_family" in proposals(tps, entered + 91)


def _stage(tps: list[Touchpoint], n: int) -> bool:
    from parcours.engine.timeline import timeline

    return timeline(tps, BENEFICIARY, day(n)).current.stage == "loyalty"


def test_conditions_that_prevent_tasks() -> None:
    # an info request moves the family to research: no re-contact
    assert "recontact" not in proposals([tp(0, "outreach_contact"), tp(1, "info_request")], 40)
    # a sponsor: no "assign a sponsor"; it ends: the task comes back with the same cause
    base = [tp(0, "attendance", 1)]
    assert "assign_sponsor" in proposals(base, 3)
    sponsored = [*base, tp(1, "sponsor_assigned", ref=9)]
    assert "assign_sponsor" not in proposals(sponsored, 3)
    ended = [*sponsored, tp(2, "sponsor_ended", ref=9)]
    assert proposals(ended, 3)["assign_sponsor"].cause == proposals(base, 3)["assign_sponsor"].cause
    # in a group: no invitation
    assert "invite_group" not in proposals([*USAGE, tp(2, "group_joined", ref=4)], 5)
    # a meeting resets the support clock; a newsletter does not; a closed case has no follow-up
    case = [*USAGE, tp(20, "support_opened", ref=7)]
    assert "support_followup" not in proposals([*case, tp(30, "intake_visit")], 34 + 5)
    newsletter = proposals([*case, tp(30, "communication")], 34 + 5)["support_followup"]
    assert newsletter.reason["last_followup"] == day(20)
    followed = proposals([*case, tp(30, "intake_visit")], 44)["support_followup"]
    assert followed.reason["last_followup"] == day(30) and followed.ref == 7
    assert "support_followup" not in proposals([*case, tp(25, "support_closed", ref=7)], 40)


def test_sponsor_task_names_the_sponsorship() -> None:
    tps = [*USAGE, tp(2, "sponsor_assigned", ref=12)]
    assert proposals(tps, 55)["lapse_soon"].ref == 12
    assert proposals(USAGE, 55)["lapse_soon"].ref is None


def test_touchpoints_after_the_day_are_ignored() -> None:
    tps = [tp(0, "outreach_contact"), tp(40, "info_request")]
    assert "recontact" in proposals(tps, 35)


def test_every_shipped_rule_has_its_numbers_in_the_definition() -> None:
    rules = {r.key: r for r in task_rules(BENEFICIARY)}
    assert len(rules) == 10
    assert rules["recontact"].after_days == 30
    assert rules["peer_visit"].after_days == 21
    assert rules["first_activity"].after_days == 14
    assert rules["lapse_soon"].within_days == 7
    assert rules["support_followup"].after_days == 14
    assert rules["bring_a_family"].after_days == 90
    assert rules["find_absent"].assignee == "peer_family_neighbourhood"


HEAD = 'format = 1\n[journey]\nkey = "t"\nversion = "1"\n'
STAGES = '[[stages]]\nkey = "a"\norder = 1\nmode = "sticky"\ncondition = { type = "touchpoint_count", kinds = ["attendance"], min_count = 1 }\n'  # noqa: E501

SF = 'type = "stage_for"\nstage = "a"\nassignee = "board"'


@pytest.mark.parametrize(
    ("task", "path"),
    [
        ('type = "nope"\nassignee = "board"', "tasks[0].type"),
        ('type = "stage_for"\nstage = "zz"\nassignee = "board"', "tasks[0].stage"),
        ('type = "stage_for"\nstage = "a"\nassignee = "pope"', "tasks[0].assignee"),
        (SF + "\nafter_days = -1", "tasks[0].after_days"),
        ('type = "stage_lapse"\nassignee = "board"', "tasks[0].within_days"),
        (SF + '\nwithout_kinds = ["x"]', "tasks[0].without_kinds"),
        ('type = "status"\nstatus = "zz"\nassignee = "board"', "tasks[0].status"),
        (SF + "\ncolour = 1", "tasks[0].colour"),
        (SF + '\nwithout_episode = { opened = "group_joined" }', "tasks[0].without_episode.closed"),
        ('type = "episode_idle"\nopened = "support_opened"\nclosed = "support_closed"\n'
         'assignee = "board"\nafter_days = 0', "tasks[0].after_days"),
        (SF + '\n[[tasks]]\nkey = "t1"\n' + SF, "tasks[1].key"),
    ],
)  # fmt: skip
def test_malformed_task_rules_name_the_key_path(task: str, path: str) -> None:
    # the definition does not load: task rules are validated with the rest of the journey
    with pytest.raises(DefinitionError) as err:
        loads_definition(HEAD + STAGES + f'[[tasks]]\nkey = "t1"\n{task}\n', source="t.toml")
    assert err.value.path == path
    assert str(err.value).startswith("t.toml: ")


def test_no_touchpoints_no_tasks() -> None:
    assert propose_tasks([], BENEFICIARY, date(2026, 1, 1)) == ()


def test_next_change_is_the_next_threshold() -> None:
    from parcours.engine.worklists import next_task_change

    tps = [tp(0, "outreach_contact")]
    assert next_task_change(tps, BENEFICIARY, day(10)) == day(30)
    assert next_task_change(tps, BENEFICIARY, day(30)) is None
    assert next_task_change(USAGE, BENEFICIARY, day(20)) == day(53)  # lapse_soon threshold
    case = [*USAGE, tp(20, "support_opened", ref=7), tp(30, "intake_visit")]
    assert next_task_change(case, BENEFICIARY, day(40)) == day(44)


def test_followups_recorded_outside_the_log_reset_the_clock() -> None:
    case = [*USAGE, tp(20, "support_opened", ref=7)]
    got = propose_tasks(case, BENEFICIARY, day(40), followups={7: day(30)})
    assert [p.rule for p in got if p.rule == "support_followup"] == []
    got = propose_tasks(case, BENEFICIARY, day(44), followups={7: day(30)})
    assert [p.reason["last_followup"] for p in got if p.rule == "support_followup"] == [day(30)]
    # a follow-up after the day is not known yet
    got = propose_tasks(case, BENEFICIARY, day(34), followups={7: day(36)})
    assert [p.rule for p in got if p.rule == "support_followup"] == ["support_followup"]
