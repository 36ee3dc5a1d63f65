"""bench/goals.py's table and report, and bench/load.py's figures, on made-up results: what
each goal row says when its step is missing, failed, met or not, and the load's percentiles and
lost-marks bookkeeping. No timing is asserted: the figures are given."""

from __future__ import annotations

import os

import pytest

from bench import goals
from bench.load import LoadResult, format_report, percentile
from bench.load_db import expected_from_marks


def _goal(key: str) -> goals.Goal:
    return next(g for g in goals.GOALS if g.key == key)


def test_the_table_names_every_issue_15_goal_once():
    keys = [g.key for g in goals.GOALS]
    assert len(keys) == len(set(keys))
    steps = {g.step for g in goals.GOALS}
    assert {"attendance_tap", "tasks_batch", "recompute_db", "dashboard_warm", "federation",
            "load_pg", "load_sqlite", "kill9", "backup"} <= steps  # fmt: skip
    assert goals.available("load_pg") and goals.available("kill9")
    assert not goals.available("no_such_step")


def test_a_missing_step_is_not_available_and_the_others_are_judged():
    figure, met, ref = goals.verdict(_goal("dashboard_L"), None, {}, quick=False)
    assert (figure, ref) == ("–", "–")
    assert met == "not available: step `dashboard_warm` is not on main yet"

    tasks = {"seconds": 8.5, "size": "M", "notes": {}}
    results = {("tasks_batch", "M"): tasks, ("duckdb", "M"): {"seconds": 2.0, "size": "M"}}
    assert goals.verdict(_goal("tasks_M"), tasks, results, quick=False) == (
        "8.50 s", "yes", "duckdb: 2.00 s",
    )  # fmt: skip
    slow = {"seconds": 12.0, "size": "M", "notes": {}}
    assert goals.verdict(_goal("tasks_M"), slow, results, quick=True)[1] == "**no** (quick)"


def test_recompute_at_l_is_judged_against_duckdb_and_memory():
    goal = _goal("recompute_L")
    ref = {("duckdb", "L"): {"seconds": 40.0, "size": "L"}}
    fast_small = {"seconds": 35.0, "size": "L", "peak_mb": 3000}
    fast_big = {"seconds": 35.0, "size": "L", "peak_mb": 5000}
    slow = {"seconds": 45.0, "size": "L", "peak_mb": 3000}
    assert goals.verdict(goal, fast_small, ref, quick=False)[1] == "yes"
    assert goals.verdict(goal, fast_big, ref, quick=False)[1] == "**no**"
    assert goals.verdict(goal, slow, ref, quick=False)[1] == "**no**"


def test_the_tap_reads_its_p99_and_the_old_path_as_reference():
    tap = {"seconds": 3.0, "size": "M", "notes": {"p50 ms": 1.1, "p99 ms": 4.2}}
    old = {"seconds": 9.0, "size": "M", "notes": {"p99 ms": 19.5}}
    results = {("touchpoint_latency", "M"): old}
    assert goals.verdict(_goal("tap"), tap, results, quick=False) == (
        "4.2 ms", "yes", "touchpoint_latency: 19.5 ms",
    )  # fmt: skip


def test_a_load_with_an_error_or_a_lost_mark_fails_whatever_its_p95():
    notes = {"p95 ms": 120.0, "errors": 0, "lost marks": 0, "marks acknowledged": 900}
    good = {"seconds": 300, "size": "S", "notes": notes}
    assert goals.verdict(_goal("load_pg"), good, {}, quick=False)[1] == "yes"
    lost = {"seconds": 300, "size": "S", "notes": {**notes, "lost marks": 1}}
    assert goals.verdict(_goal("load_pg"), lost, {}, quick=False)[1] == "**no**"
    errors = {"seconds": 300, "size": "S", "notes": {**notes, "errors": 2}}
    assert goals.verdict(_goal("load_sqlite"), errors, {}, quick=False)[1] == "**no**"
    nothing = {"seconds": 300, "size": "S", "notes": {**notes, "marks acknowledged": 0}}
    assert goals.verdict(_goal("load_pg"), nothing, {}, quick=False)[1] == "**no**"


def test_failed_and_skipped_steps_say_so():
    assert goals.verdict(_goal("kill9"), {"error": "boom"}, {}, quick=False)[1] == ("FAILED: boom")
    skipped = {"skipped": "no PostgreSQL", "size": "L"}
    assert goals.verdict(_goal("federation_L"), skipped, {}, quick=False)[1] == (
        "skipped: no PostgreSQL"
    )


def test_the_report_is_one_section_with_the_table_and_the_command():
    rows = [
        (_goal("tasks_M"), "M", "8.50 s", "duckdb: 2.00 s", "yes", "1.00 1.00 1.00"),
        (_goal("dashboard_L"), "L", "–", "–", "not available: step", "1.10 1.00 1.00"),
    ]
    text = goals.report(rows, "python -m bench.goals", "0.5 0.5 0.5", "1.1 1.0 1.0", False)
    assert text.count("\n## ") == 0 and text.startswith("## ")
    assert "Command: `python -m bench.goals`" in text
    assert "| goal | size | figure | reference (same run) | met? | load average after |" in text
    row = "| Every task at M <= 10 s | M | 8.50 s | duckdb: 2.00 s | yes | 1.00 1.00 1.00 |"
    assert row in text
    assert "before 0.5 0.5 0.5, after 1.1 1.0 1.0" in text
    assert "quick smoke" in goals.report(rows, "c", "0", "0", True)


def test_load_percentiles_are_nearest_rank():
    xs = [float(x) for x in range(1, 101)]
    assert (percentile(xs, 50), percentile(xs, 95), percentile(xs, 99)) == (50.0, 95.0, 99.0)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 95) is None


def test_expected_marks_follow_the_acknowledged_answers_in_order():
    def m(mark, status, outcome, version, ack=True):
        return {"session": 1, "household": 2, "mark_id": mark, "status": status,
                "outcome": outcome, "version": version, "acknowledged": ack}  # fmt: skip

    marks = [
        m("a", "present", "applied", 3),
        m("a", "present", "duplicate", 3),  # the retry changes nothing
        m("b", "absent", "applied", 4),
        m("c", "absent", "unchanged", 5),  # a confirmation: the row takes its mark_id
        m("d", "present", "", None, ack=False),  # never answered: not expected anywhere
    ]
    e = expected_from_marks(marks)[(1, 2)]
    assert (e["mark_id"], e["status"], e["version"]) == ("c", "absent", 5)
    assert (e["applied"], e["acknowledged"]) == (2, 4)


def test_the_load_report_states_the_goal_and_the_marks():
    r = LoadResult("pg", 50, 300, 10_000, 2, 4, command="python -m bench.load --db pg")
    r.rows = [{"name": "POST attendance tap", "failures": 0, "count": 10, "p50": 50.0,
               "p95": 90.0, "p99": 99.0, "max": 120.0, "rps": 1.0}]  # fmt: skip
    r.total = {"count": 10, "failures": 0, "p50": 50.0, "p95": 90.0, "p99": 99.0}
    r.check = {"taps acknowledged": 10, "taps answered": 10, "lost or doubled": 0}
    text = format_report(r)
    assert "| POST attendance tap | 10 | 0 | 50.0 | 90.0 | 99.0 | 120.0 | 1.0 |" in text
    assert "**met**" in text and r.met
    r.check["lost or doubled"] = 1
    assert "**NOT met**" in format_report(r) and not r.met


def test_a_percentile_is_read_from_a_list_of_them_in_the_notes():
    notes = {"CPU p50/p95/p99/max ms": "0.9/2/3/4", "wall p50/p95/p99/max ms": "1/3/6.5/9"}
    tap = {"seconds": 3.0, "size": "M", "notes": notes}
    assert goals.verdict(_goal("tap"), tap, {}, quick=False)[:2] == ("6.5 ms", "**no**")


def test_a_wrong_answer_shows_no_figure():
    r = {"seconds": 1.0, "size": "M", "wrong": "3 reference spans missing, 0 extra"}
    assert goals.verdict(_goal("tasks_M"), r, {}, quick=False)[:2] == (
        "–", "**WRONG**: 3 reference spans missing, 0 extra",
    )  # fmt: skip


def test_quick_does_not_force_an_m_or_l_only_step_to_s():
    from bench.steps import STEPS

    assert goals.quick_skip("kill9") is None and goals.quick_skip("load_pg") is None
    assert STEPS["touchpoint_latency"].sizes == {"M"}  # made for M: its samples need M
    assert goals.quick_skip("touchpoint_latency")["skipped"] == (
        "--quick runs S; `touchpoint_latency` runs at M"
    )


def test_a_failure_is_one_line_of_the_table():
    r = {"error": "Traceback (most recent call last):\n  ...\nValueError: a | b\n"}
    assert goals.verdict(_goal("tap"), r, {}, quick=False)[1] == "FAILED: ValueError: a / b"


def test_a_stopped_run_keeps_its_steps_and_resume_runs_only_the_rest(tmp_path, monkeypatch):
    monkeypatch.setattr(goals, "STATE_DIR", tmp_path)
    monkeypatch.setattr(goals, "RESULTS", tmp_path / "RESULTS.md")
    for name in [k for k in os.environ if k.startswith(("BENCH_", "FEDERATION_BENCH_", "LOAD_"))]:
        monkeypatch.delenv(name)
    ran: list[tuple[str, str]] = []

    def stopped_at_duckdb(step, size, quick):
        if step == "duckdb":
            raise KeyboardInterrupt  # the session stopped mid-run
        ran.append((step, size))
        return {"seconds": 8.5, "notes": {}}

    monkeypatch.setattr(goals, "run_step", stopped_at_duckdb)
    with pytest.raises(KeyboardInterrupt):
        goals.main(["--only", "tasks_M"])
    assert ran == [("tasks_batch", "M")]
    (state,) = tmp_path.glob("goals-*.json")
    assert not (tmp_path / "RESULTS.md").exists()  # nothing recorded yet, but the step is kept

    def the_rest(step, size, quick):
        ran.append((step, size))
        return {"seconds": 2.0, "notes": {}}

    monkeypatch.setattr(goals, "run_step", the_rest)
    monkeypatch.setenv("BENCH_KEEP_DB", "1")
    goals.main(["--only", "tasks_M", "--resume", str(state)])
    assert ran == [("tasks_batch", "M"), ("duckdb", "M")]  # tasks_batch not run again
    section = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "| Every task at M <= 10 s | M | 8.50 s | duckdb: 2.00 s | yes |" in section
    assert "`tasks_batch` at M:" in section and "(from the earlier start)" in section
    assert "Command: `BENCH_KEEP_DB=1 python -m bench.goals --only tasks_M --resume" in section


def test_the_reference_p99_is_the_steps_own_not_a_parts():
    """touchpoint_latency notes the p99 of each hook too: the reference is the call's p99."""
    notes = {"p50 ms": 4.35, "p95 ms": 12.47, "p99 ms": 16.73,
             "hook journey.placement p50/p99 ms": "0.13/0.62",
             "hook journey.stage_spans p50/p99 ms": "1.41/6.25"}  # fmt: skip
    assert goals.ref_note_ms("p99")({"notes": notes}) == "16.73 ms"
