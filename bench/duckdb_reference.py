"""The DuckDB reference: the default beneficiary rules of journey.md as one SQL query.

Input: a relation ``tp(household, day, kind, activity, ref)`` shaped like
:class:`parcours.engine.columns.TouchpointColumns` (days are day numbers, kinds are codes).
Output: every household's stage timeline as non-overlapping spans of the CURRENT stage,
``(household, stage, start_day, end_day)`` with ``end_day`` exclusive (the first day the stage
is no longer current) and NULL when the stage is still current on the as-of day. ``stage`` is
the stage key (``awareness`` .. ``engagement``).

How it works: every stage condition becomes runs of days [lo, hi) during which it holds
(hi NULL = still holds on the as-of day), and a last sweep takes the highest stage covered:

* sticky stages: [first qualifying touchpoint, open);
* "at least N touchpoints within the last L days" (usage per activity with N = 3, L = 60;
  recommendation and engagement points with N = 1, L = 365): with rows ordered by day, row i
  makes the count hold on [d_i, d_(i-N+1) + L). Both ends never decrease along the rows, so the
  runs are found in one window pass (a run starts where lo > the previous row's hi, ends where
  the next row's lo > hi): no sweep, no join (``_count_islands``);
* loyalty: the same idea with two bounds, d_(i-7) + 90 for the count and p_i + 90 for the
  second activity, p_i being the last day, on or before d_i, of an attendance of another
  activity (found with runs of days of one single activity);
* episodes (group membership, role): +1 on each opener, -1 on each closer of the same ref,
  active while the running sum is positive;
* maintenance: [opened, closed + 90) of support cases opened on or after the first usage day.

The last sweep adds +1 / -1 per stage at the runs' ends (summed per day first: touchpoints of
one day are applied together), keeps a running count per stage, takes the highest stage with a
positive count, and turns runs of days with the same current stage into spans.
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


def _count_islands(name: str, points: str, keys: str, days: int, at_least: int) -> str:
    """CTE ``{name}`` (h, keys..., lo, hi, first, last): runs of days on which at least
    ``at_least`` rows of ``points`` (h, keys..., d) fall within the last ``days`` days.

    Row i (rows ordered by day) makes the count reach the threshold on [d_i, d_(i-n+1) + days);
    both ends never decrease along the rows, so consecutive rows overlap or not, and a run of
    days starts on a row whose ``lo`` is after the previous row's ``hi`` (``first``) and ends on
    a row whose ``hi`` is before the next row's ``lo`` (``last``): one window pass, no sweep.
    """
    part = f"h{', ' + keys if keys else ''}"
    hi = (
        f"d + {days}"
        if at_least == 1
        else f"lag(d, {at_least - 1}) OVER (PARTITION BY {part} ORDER BY d) + {days}"
    )
    return f"""
{name}_rows AS (SELECT {part}, d AS lo, {hi} AS hi FROM {points}),
{name} AS (
    SELECT {part}, lo, hi,
           coalesce(lo > lag(hi) OVER w, true) AS first,
           coalesce(lead(lo) OVER w > hi, true) AS last
    FROM {name}_rows
    WHERE hi > lo
    WINDOW w AS (PARTITION BY {part} ORDER BY lo, hi)
)"""


def _island_events(name: str, stage: int) -> str:
    """+1 / -1 events of the runs of days of a :func:`_count_islands` CTE."""
    return (
        f"SELECT h, {stage} AS s, lo AS x, 1 AS delta FROM {name} WHERE first "
        f"UNION ALL SELECT h, {stage}, hi, -1 FROM {name} WHERE last"
    )


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
{_count_islands("usage_att", "att", "a", USAGE_DAYS, USAGE_MIN)},
{_episode_intervals("membership", "group_joined", "group_left")},
first_usage AS (
    SELECT h, min(lo) AS u FROM (
        SELECT h, lo FROM usage_att WHERE first UNION ALL SELECT h, lo FROM membership
    ) GROUP BY h
),
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
-- 8: loyalty = >= 8 attendances across >= 2 activities within 90 days. On a day D, with i the
--    last attendance on or before D: >= 8 attendances iff D < d_(i-7) + 90, and >= 2 activities
--    iff D < p_i + 90, p_i the last day, on or before d_i, of an attendance of another activity.
--    Both bounds never decrease along the days, so the runs are islands as in _count_islands.
loyalty_rows AS (
    SELECT h, d, a, lag(d, {LOYALTY_MIN - 1}) OVER (PARTITION BY h ORDER BY d) AS d_nth FROM att
),
loyalty_days AS (
    SELECT h, d, min(a) AS amin, max(a) AS amax, max(d_nth) AS d_nth
    FROM loyalty_rows GROUP BY h, d
),
loyalty_runs AS (  -- runs of consecutive attendance days of one single same activity
    SELECT h, d, amin, amax, d_nth, lag(d) OVER w AS prev_d,
           amin <> amax OR lag(amin) OVER w IS DISTINCT FROM amin
               OR lag(amax) OVER w IS DISTINCT FROM amin AS run_start
    FROM loyalty_days
    WINDOW w AS (PARTITION BY h ORDER BY d)
),
loyalty_bounds AS (
    SELECT h, d AS lo, d_nth,
           CASE WHEN amin <> amax THEN d ELSE
               last_value(CASE WHEN run_start THEN prev_d END IGNORE NULLS)
                   OVER (PARTITION BY h ORDER BY d ROWS UNBOUNDED PRECEDING) END AS p
    FROM loyalty_runs
),
loyalty AS (  -- (least() would skip a NULL bound: both must exist)
    SELECT h, lo, hi,
           coalesce(lo > lag(hi) OVER w, true) AS first,
           coalesce(lead(lo) OVER w > hi, true) AS last
    FROM (SELECT h, lo, least(d_nth, p) + {LOYALTY_DAYS} AS hi FROM loyalty_bounds
          WHERE d_nth IS NOT NULL AND p IS NOT NULL)
    WHERE hi > lo
    WINDOW w AS (PARTITION BY h ORDER BY lo)
),
-- 9: recommendation = a referral_made or absent_visit within 365 days
{_count_islands("recommendation", "recommend_points", "", RECOMMENDATION_DAYS, 1)},
-- 10: engagement = an active role, or activity_led / project_proposed within 365 days
{_count_islands("engage_recent", "engage_points", "", ENGAGEMENT_DAYS, 1)},
{_episode_intervals("role", "role_started", "role_ended")},
-- the last sweep: per day, how many intervals (or runs) of each stage cover it
stage_delta AS (
    SELECT h, s, lo AS x, 1 AS delta FROM sticky
    UNION ALL {_island_events("usage_att", 6)}
    UNION ALL SELECT h, 6, lo, 1 FROM membership
    UNION ALL SELECT h, 6, hi, -1 FROM membership WHERE hi IS NOT NULL
    UNION ALL SELECT h, 7, lo, 1 FROM maintenance
    UNION ALL SELECT h, 7, hi, -1 FROM maintenance WHERE hi IS NOT NULL
    UNION ALL {_island_events("loyalty", 8)}
    UNION ALL {_island_events("recommendation", 9)}
    UNION ALL {_island_events("engage_recent", 10)}
    UNION ALL SELECT h, 10, lo, 1 FROM role
    UNION ALL SELECT h, 10, hi, -1 FROM role WHERE hi IS NOT NULL
),
covered AS (
    SELECT h, x,
            {stage_sums}
    FROM stage_delta
    WHERE x <= {as_of}
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
