"""The attendance sheet's regulars (every poll of the sheet asks for them) are found through
the touchpoints' (activity, day) index: a range of the last 90 days of one activity, not every
touchpoint the activity ever had (150 ms a poll at 10,000 households, bench/load.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from parcours.activities import selectors


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan read is SQLite's")
def test_the_regulars_read_one_activity_s_recent_days_by_index(sheet):
    with scopes_disabled():
        qs = selectors.session_regulars(session=sheet.session)
        assert set(qs) == set(sheet.regulars)
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "households__activit_e63218_idx (activity_id=? AND day>? AND day<?)" in plan, plan
