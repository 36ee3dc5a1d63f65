"""How many SQL statements one attendance tap costs, statement by statement (issue 15: at most
12). A statement added to the path fails these tests: say why it is needed and update the list.

Counted as the production request runs it: in its own transaction (a transactional test),
BEGIN and COMMIT included as Django logs them (SQLite's ``BEGIN IMMEDIATE``), the same list on
SQLite and PostgreSQL. The household is a regular (present last week), the session today's.

That is what Django sends. On SQLite the dashboard's data stamp adds one statement after each
write to a table it reads, run on the raw connection (PostgreSQL does it by triggers, inside
the statements): the last test counts what SQLite itself executes, 14 for a tap.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.activities import services

pytestmark = [pytest.mark.usefixtures("in_a"), pytest.mark.django_db(transaction=True)]

BEGIN = ["BEGIN"]

# What a tap marking a household present writes and reads, in order.
PRESENT = [
    *BEGIN,  # SQLite: BEGIN IMMEDIATE, the write lock (marks are serialised)
    # the session (locked: FOR UPDATE on PostgreSQL), its activity and the household's row on
    # its sheet if any (a LEFT JOIN): one statement
    "SELECT activities_session",
    "INSERT households_touchpoint",  # the attendance touchpoint...
    "INSERT activities_attendance",  # ...then the row, already linked (ON CONFLICT DO NOTHING)
    "INSERT audit_auditevent",  # both audit events, one statement
    # the touchpoint pipeline, once: the household's touchpoints read once, timeline computed once
    "SELECT households_touchpoint",
    "SELECT journey_stagespan",  # stored stage spans, status spans and journey rows: one UNION
    "INSERT journey_householdjourney",  # upsert: valid_until moved (not read back by the tasks)
    "SELECT worklists_task",  # the household's tasks
    "SELECT consent_consentrecord",  # withdrawn consent purposes (a task is proposed)
    "INSERT worklists_taskcheck",  # upsert: when the tasks must be looked at again
    "COMMIT",
]

# Marking the same household absent: the row, its touchpoint gone, the pipeline again.
ABSENT = [
    *BEGIN,
    "SELECT activities_session",  # with whether members were unticked (none here)
    "UPDATE activities_attendance",  # status and the touchpoint link, one statement
    "DELETE households_touchpoint",  # its touchpoint, one DELETE (no cascade over every model)
    "INSERT audit_auditevent",  # the row's update and the touchpoint's removal
    "SELECT households_touchpoint",
    "SELECT journey_stagespan",
    "INSERT journey_householdjourney",
    "SELECT worklists_task",
    "SELECT consent_consentrecord",
    "INSERT worklists_taskcheck",
    "COMMIT",
]


def _statements(queries) -> list[str]:
    out = []
    for q in queries:
        sql = q["sql"].lstrip("(")  # PostgreSQL: a UNION's parts in parentheses
        verb = sql.split(None, 1)[0].upper()
        if verb in ("BEGIN", "COMMIT"):
            out.append(verb)
            continue
        # a SELECT names its table by its first column, a write after its verb
        pattern = r'"(\w+)"\.' if verb == "SELECT" else r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?'
        table = re.search(pattern, sql)
        out.append(f"{verb} {table.group(1) if table else '?'}")
    return out


def _tap(sheet, household, status, mark_id):
    with CaptureQueriesContext(connection) as ctx:
        result = services.attendance_mark(
            actor=sheet.volunteer, session=sheet.session, household=household, status=status,
            mark_id=mark_id,
        )  # fmt: skip
    assert result.outcome == "applied"
    return _statements(ctx.captured_queries)


def _executed(sheet, household, status, mark_id):
    """What SQLite itself executed for the tap (its trace callback), so that a statement run on
    the raw connection, out of Django's sight, is counted too. Without Django's query capture,
    whose debug cursor asks SQLite to quote every parameter (SELECT QUOTE(...))."""
    seen: list[str] = []
    connection.ensure_connection()
    connection.connection.set_trace_callback(seen.append)
    try:
        result = services.attendance_mark(
            actor=sheet.volunteer, session=sheet.session, household=household, status=status,
            mark_id=mark_id,
        )  # fmt: skip
    finally:
        connection.connection.set_trace_callback(None)
    assert result.outcome == "applied"
    return _statements([{"sql": sql} for sql in seen])


def _with_stamps(statements):
    """SQLite has no statement-level triggers: the dashboard's data stamp
    (parcours.analytics.stamps) is changed by one more statement after each write to a table
    the dashboard reads (here the touchpoint and the attendance row)."""
    out = []
    for s in statements:
        out.append(s)
        if s in ("INSERT households_touchpoint", "INSERT activities_attendance",
                 "UPDATE activities_attendance", "DELETE households_touchpoint"):  # fmt: skip
            out.append("INSERT analytics_datastamp")
    return out


def test_a_present_tap_runs_at_most_12_statements(sheet):
    got = _tap(sheet, sheet.regulars[0], "present", "m1")
    assert got == PRESENT
    assert len(got) <= 12


def test_an_absent_tap_runs_at_most_12_statements(sheet):
    _tap(sheet, sheet.regulars[0], "present", "m1")
    got = _tap(sheet, sheet.regulars[0], "absent", "m2")
    assert got == ABSENT
    assert len(got) <= 12


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own trace of statements")
def test_on_sqlite_the_data_stamp_adds_a_statement_after_each_watched_write(sheet):
    # The goal of 12 holds for what Django sends; SQLite also runs the dashboard's stamp after
    # the two watched writes of a tap (PostgreSQL does it inside the statements, by triggers):
    # 14 statements in all, pinned here so that neither count can grow unseen.
    got = _executed(sheet, sheet.regulars[0], "present", "m1")
    assert got == _with_stamps(PRESENT)
    assert len(got) == 14
    got = _executed(sheet, sheet.regulars[0], "absent", "m2")
    assert got == _with_stamps(ABSENT)
    assert len(got) == 14
