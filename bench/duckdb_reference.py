"""The DuckDB reference: the default beneficiary rules of journey.md as one SQL query.

Input: a relation ``tp(household, day, kind, activity, ref)`` shaped like
:class:`parcours.engine.columns.TouchpointColumns` (days are day numbers, kinds are codes).
Output: every household's stage timeline as non-overlapping spans of the CURRENT stage,
``(household, stage, start_day, end_day)`` with ``end_day`` exclusive (the first day the stage
is no longer current) and NULL when the stage is still current on the as-of day. ``stage`` is
the stage key (``awareness`` .. ``engagement``).

How it works: every stage condition becomes a set of day intervals [lo, hi) during which it
holds (hi NULL = still holds on the as-of day):

* sticky stages: [first qualifying touchpoint, open);
* "at least N touchpoints within the last L days": a sweep, +1 on each touchpoint's day and
  -1 L days later; the running sum is the window count, and the intervals are the runs of days
  where it reaches N (usage per activity, loyalty; recommendation and engagement with N = 1);
* episodes (group membership, role): +1 on each opener, -1 on each closer of the same ref,
  the episode is active while the running sum is positive;
* maintenance: [opened, closed + 90) of support cases opened on or after the first usage day;
* loyalty: one sweep carrying both the attendance count over 90 days and the number of
  activities attended within 90 days (from per-activity intervals).

A last sweep over all intervals of a household counts, per stage, how many intervals cover each
day; the current stage is the highest covered one, and runs of days with the same current stage
are the spans. Touchpoints of one day are applied together because every sweep first sums its
deltas per day.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from parcours.engine.columns import KIND_CODE, TouchpointColumns

STAGES: tuple[str, ...] = (
    "awareness",
    "research",
    "selection",
    "acquisition",
    "discovery",
    "usage",
    "maintenance",
    "loyalty",
    "recommendation",
    "engagement",
)

# The default rules' settings (journey.md); every number is a setting.
USAGE_MIN, USAGE_DAYS = 3, 60
MAINTENANCE_DAYS = 90
LOYALTY_MIN, LOYALTY_ACTIVITIES, LOYALTY_DAYS = 8, 2, 90
RECOMMENDATION_DAYS = 365
ENGAGEMENT_DAYS = 365


def _kinds(*names: str) -> str:
    return ", ".join(str(KIND_CODE[n]) for n in names)


def _window_intervals(name: str, points: str, keys: str, days: int, at_least: int) -> str:
    """CTEs ``{name}`` (h, keys..., lo, hi): runs of days on which at least ``at_least`` rows of
    ``points`` (h, keys..., d) fall within the last ``days`` days."""
    part = f"h{', ' + keys if keys else ''}"
    return f"""
{name}_delta AS (
    SELECT {part}, x, sum(delta) AS delta FROM (
        SELECT {part}, d AS x, 1 AS delta FROM {points}
        UNION ALL
        SELECT {part}, d + {days} AS x, -1 AS delta FROM {points}
    ) GROUP BY ALL
),
{name}_edges AS (
    SELECT {part}, x, ok FROM (
        SELECT {part}, x, ok,
               lag(ok, 1, false) OVER (PARTITION BY {part} ORDER BY x) AS was_ok
        FROM (
            SELECT {part}, x,
                   sum(delta) OVER (PARTITION BY {part} ORDER BY x
                                    ROWS UNBOUNDED PRECEDING) >= {at_least} AS ok
            FROM {name}_delta
        )
    ) WHERE ok <> was_ok
),
{name} AS (
    SELECT {part}, x AS lo, lead(x) OVER (PARTITION BY {part} ORDER BY x) AS hi
    FROM {name}_edges
    QUALIFY ok
)"""


def _episode_intervals(name: str, opener: str, closer: str) -> str:
    """CTE ``{name}`` (h, r, lo, hi): days on which an episode (group membership, role) of one
    ref is active: more openers than closers dated on or before the day."""
    return f"""
{name}_edges AS (
    SELECT h, r, x, ok FROM (
        SELECT h, r, x, ok, lag(ok, 1, false) OVER (PARTITION BY h, r ORDER BY x) AS was_ok
        FROM (
            SELECT h, r, x,
                   sum(delta) OVER (PARTITION BY h, r ORDER BY x ROWS UNBOUNDED PRECEDING) > 0
                       AS ok
            FROM (
                SELECT h, r, d AS x,
                       sum(CASE WHEN k = {KIND_CODE[opener]} THEN 1 ELSE -1 END) AS delta
                FROM t WHERE k IN ({_kinds(opener, closer)}) GROUP BY ALL
            )
        )
    ) WHERE ok <> was_ok
),
{name} AS (
    SELECT h, r, x AS lo, lead(x) OVER (PARTITION BY h, r ORDER BY x) AS hi
    FROM {name}_edges
    QUALIFY ok
)"""


def spans_sql(as_of: int, source: str = "tp") -> str:
    """The reference query: current-stage spans of every household of ``source`` as of day
    ``as_of`` (an int day number)."""
    as_of = int(as_of)
    sticky_stage = f"""CASE
            WHEN k = {KIND_CODE["outreach_contact"]} THEN 1
            WHEN k = {KIND_CODE["info_request"]} THEN 2
            WHEN k IN ({_kinds("peer_contact", "appointment_booked")}) THEN 3
            WHEN k = {KIND_CODE["intake_visit"]} THEN 4
            WHEN k = {KIND_CODE["attendance"]} THEN 5 END"""
    stage_sums = ",\n            ".join(
        f"sum(sum(delta) FILTER (WHERE s = {i})) OVER w AS c{i}" for i in range(1, 11)
    )
    current = " ".join(f"WHEN c{i} > 0 THEN {i}" for i in range(10, 0, -1))
    stage_names = "[" + ", ".join(f"'{s}'" for s in STAGES) + "]"
    return f"""
WITH
t AS (
    SELECT household AS h, day AS d, kind AS k, activity AS a, ref AS r
    FROM {source} WHERE day <= {as_of}
),
att AS (SELECT h, a, d FROM t WHERE k = {KIND_CODE["attendance"]}),
recommend_points AS (SELECT h, d FROM t WHERE k IN ({_kinds("referral_made", "absent_visit")})),
engage_points AS (SELECT h, d FROM t WHERE k IN ({_kinds("activity_led", "project_proposed")})),
-- 1-5: sticky stages, from the first qualifying touchpoint on
sticky AS (
    SELECT h, {sticky_stage} AS s, min(d) AS lo, NULL::INTEGER AS hi
    FROM t
    WHERE k IN ({
        _kinds(
            "outreach_contact",
            "info_request",
            "peer_contact",
            "appointment_booked",
            "intake_visit",
            "attendance",
        )
    })
    GROUP BY ALL
),
-- 6: usage = >= 3 attendances of one activity within 60 days, or an active group membership
{_window_intervals("usage_att", "att", "a", USAGE_DAYS, USAGE_MIN)},
{_episode_intervals("membership", "group_joined", "group_left")},
usage AS (
    SELECT h, lo, hi FROM usage_att
    UNION ALL
    SELECT h, lo, hi FROM membership
),
first_usage AS (SELECT h, min(lo) AS u FROM usage GROUP BY h),
-- 7: maintenance = a support case opened on or after the first usage day,
--    open or closed less than 90 days ago
support AS (
    SELECT h, r,
           min(d) FILTER (WHERE k = {KIND_CODE["support_opened"]}) AS opened,
           min(d) FILTER (WHERE k = {KIND_CODE["support_closed"]}) AS closed
    FROM t WHERE k IN ({_kinds("support_opened", "support_closed")})
    GROUP BY h, r
),
maintenance AS (
    SELECT s.h, s.opened AS lo, s.closed + {MAINTENANCE_DAYS} AS hi
    FROM support s JOIN first_usage f ON s.h = f.h
    WHERE s.opened IS NOT NULL AND s.opened >= f.u
      AND (s.closed IS NULL OR s.closed + {MAINTENANCE_DAYS} > s.opened)
),
-- 8: loyalty = >= 8 attendances across >= 2 activities within 90 days
{_window_intervals("attended_90", "att", "a", LOYALTY_DAYS, 1)},
loyalty_delta AS (
    SELECT h, x, sum(n) AS n, sum(acts) AS acts FROM (
        SELECT h, d AS x, 1 AS n, 0 AS acts FROM att
        UNION ALL SELECT h, d + {LOYALTY_DAYS}, -1, 0 FROM att
        UNION ALL SELECT h, lo, 0, 1 FROM attended_90
        UNION ALL SELECT h, hi, 0, -1 FROM attended_90
    ) GROUP BY ALL
),
loyalty_edges AS (
    SELECT h, x, ok FROM (
        SELECT h, x, ok, lag(ok, 1, false) OVER (PARTITION BY h ORDER BY x) AS was_ok
        FROM (
            SELECT h, x,
                   sum(n) OVER w >= {LOYALTY_MIN} AND sum(acts) OVER w >= {LOYALTY_ACTIVITIES}
                       AS ok
            FROM loyalty_delta
            WINDOW w AS (PARTITION BY h ORDER BY x ROWS UNBOUNDED PRECEDING)
        )
    ) WHERE ok <> was_ok
),
loyalty AS (
    SELECT h, x AS lo, lead(x) OVER (PARTITION BY h ORDER BY x) AS hi
    FROM loyalty_edges QUALIFY ok
),
-- 9: recommendation = a referral_made or absent_visit within 365 days
{_window_intervals("recommendation", "recommend_points", "", RECOMMENDATION_DAYS, 1)},
-- 10: engagement = an active role, or activity_led / project_proposed within 365 days
{_window_intervals("engage_recent", "engage_points", "", ENGAGEMENT_DAYS, 1)},
{_episode_intervals("role", "role_started", "role_ended")},
intervals AS (
    SELECT h, s, lo, hi FROM sticky
    UNION ALL SELECT h, 6, lo, hi FROM usage
    UNION ALL SELECT h, 7, lo, hi FROM maintenance
    UNION ALL SELECT h, 8, lo, hi FROM loyalty
    UNION ALL SELECT h, 9, lo, hi FROM recommendation
    UNION ALL SELECT h, 10, lo, hi FROM engage_recent
    UNION ALL SELECT h, 10, lo, hi FROM role
),
-- the last sweep: per day, how many intervals of each stage cover it
stage_delta AS (
    SELECT h, s, lo AS x, 1 AS delta FROM intervals
    UNION ALL
    SELECT h, s, hi AS x, -1 AS delta FROM intervals WHERE hi <= {as_of}
),
covered AS (
    SELECT h, x,
            {stage_sums}
    FROM stage_delta
    GROUP BY h, x
    WINDOW w AS (PARTITION BY h ORDER BY x ROWS UNBOUNDED PRECEDING)
),
current_stage AS (
    SELECT h, x, CASE {current} END AS stage FROM covered
),
changes AS (
    SELECT h, x, stage FROM current_stage
    QUALIFY stage IS DISTINCT FROM lag(stage) OVER (PARTITION BY h ORDER BY x)
),
spans AS (
    SELECT h, stage, x AS start_day, lead(x) OVER (PARTITION BY h ORDER BY x) AS end_day
    FROM changes
)
SELECT h AS household, {stage_names}[stage] AS stage, start_day::INTEGER AS start_day,
       end_day::INTEGER AS end_day
FROM spans
WHERE stage IS NOT NULL
ORDER BY household, start_day
"""


def columns_table(columns: TouchpointColumns) -> pa.Table:
    """The touchpoint columns as an Arrow table (zero copy) for DuckDB."""
    return pa.table(
        {
            "household": pa.array(columns.household),
            "day": pa.array(columns.day),
            "kind": pa.array(columns.kind),
            "activity": pa.array(columns.activity),
            "ref": pa.array(columns.ref),
        }
    )


def duckdb_spans(
    columns: TouchpointColumns | None = None,
    as_of: int = 0,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    source: str = "tp",
) -> pa.Table:
    """Run the reference query; either on ``columns`` or on ``source`` in ``con``."""
    con = con or duckdb.connect()
    if columns is not None:
        con.register(source, columns_table(columns))
    return con.sql(spans_sql(as_of, source)).to_arrow_table()


def spans_as_tuples(table: pa.Table) -> list[tuple[int, str, int, int | None]]:
    """Arrow spans -> sorted list of (household, stage, start_day, end_day or None)."""
    cols = [table.column(c).to_pylist() for c in ("household", "stage", "start_day", "end_day")]
    return sorted(zip(*cols, strict=True))


__all__ = ["STAGES", "columns_table", "duckdb_spans", "spans_as_tuples", "spans_sql", "np"]
