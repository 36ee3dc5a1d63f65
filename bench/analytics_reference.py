"""DuckDB references for the journey measures (funnel, entry points, distribution by stage and
by status, flows, cohorts, time in stage, lifecycle, channel and action attribution, activity
contribution), and the glue that runs both sides on the same rows. The process map and its
variants are checked against PM4Py (end of the module).

The measures of :mod:`parcours.analytics.measures` are numpy code over columns; here each one is
re-derived independently as SQL, straight from its definition (the measure modules' docstrings),
over three tables registered in DuckDB from the same arrays:

- ``spans(household, stage, start_day, end_day)``: stage spans, stage as its index, end NULL
  while current;
- ``tp(household, day, kind, activity, ref)``: touchpoints (kind as engine.columns code);
- ``hh(household, neighbourhood, channel)``;
- ``st(household, status, start_day, end_day)``: status spans, status as its index in
  ``base.STATUSES``, end NULL while current.

Generated data: stage and status spans come from the batch engine
(``parcours.engine.recompute_journeys``). The generator records outreach contacts without the
outreach action they belong to (``ref`` -1), so :func:`journey_data_from_generated` gives them a
seeded action id (``with_outreach_actions``), the same rows for both sides, so that action
attribution is compared on something.

``reference(con, query)`` returns every answer in the normalised shape of ``ours(data, query)``
so that ``differences`` can compare them (floats to 1e-9).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from parcours.analytics.measures import run
from parcours.analytics.measures.base import (
    ATTENDANCE,
    COMMUNICATION,
    INTAKE_VISIT,
    OUTREACH_CONTACT,
    STATUSES,
    Filters,
    JourneyData,
    Period,
    Query,
    month_number,
)
from parcours.engine.columns import KIND_CODE

KINDS = (
    "funnel",
    "entry_points",
    "distribution",
    "flows",
    "cohorts",
    "time_in_stage",
    "lifecycle",
    "channels",
    "activities",
    "relapse",
)  # every measure but the process map (PM4Py, below), people and hours (no generated people)
SUPPORT_OPENED = KIND_CODE["support_opened"]
SUPPORT_CLOSED = KIND_CODE["support_closed"]
RELAPSE_WINDOW = 365  # parcours.analytics.measures.relapse.WINDOW, restated from its definition
ACTIONS = 12  # seeded outreach action ids 1..ACTIONS given to generated outreach contacts


# -- the same rows for both sides ------------------------------------------------------------


def with_outreach_actions(kind: np.ndarray, ref: np.ndarray, seed: int = 0) -> np.ndarray:
    """``ref`` where each outreach contact without an action gets one of ACTIONS seeded action
    ids (one in ten is left without an action); other rows unchanged."""
    out = ref.copy()
    rows = np.flatnonzero((kind == OUTREACH_CONTACT) & (ref < 0))
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, ACTIONS + 1, size=rows.shape[0])
    ids[rng.random(rows.shape[0]) < 0.1] = -1
    out[rows] = ids
    return out


def journey_data_from_generated(gen, journeys) -> JourneyData:
    """JourneyData from the generator's output and the batch engine's Journeys (stage spans and
    status spans; the rest of it is not read)."""
    from parcours.demo.catalog import CHANNELS, NEIGHBOURHOODS
    from parcours.engine import shipped_definition

    definition = shipped_definition()
    if tuple(s.key for s in definition.statuses) != STATUSES:
        raise ValueError("the shipped statuses are not base.STATUSES, in that order")
    h = gen.households
    tp = gen.touchpoints
    spans, st = journeys.spans, journeys.statuses
    hoods = np.array(NEIGHBOURHOODS, dtype=object)
    channels = np.array([c[0] for c in CHANNELS], dtype=object)
    return JourneyData(
        stage_keys=definition.stage_keys,
        household=h.id,
        neighbourhood=hoods[h.neighbourhood.astype(np.int64)],
        channel=channels[h.channel.astype(np.int64)],
        span_household=spans.household,
        span_stage=spans.stage,
        span_start=spans.start,
        span_end=spans.end,
        status_household=st.household, status_code=st.status.astype(np.int8),
        status_start=st.start, status_end=st.end,
        tp_household=tp.household,
        tp_day=tp.day,
        tp_kind=tp.kind,
        tp_activity=tp.activity,
        tp_ref=with_outreach_actions(tp.kind, tp.ref),
    )  # fmt: skip


def register(con, data: JourneyData) -> None:
    """Register the columns of ``data`` as DuckDB tables spans, tp, hh, st (Arrow, no copy)."""
    end = pa.array(data.span_end, mask=data.span_end < 0)
    con.register(
        "spans",
        pa.table({"household": data.span_household, "stage": data.span_stage.astype(np.int32),
                  "start_day": data.span_start, "end_day": end}),
    )  # fmt: skip
    con.register(
        "tp",
        pa.table({"household": data.tp_household, "day": data.tp_day,
                  "kind": data.tp_kind.astype(np.int32), "activity": data.tp_activity,
                  "ref": data.tp_ref}),
    )  # fmt: skip
    con.register(
        "hh",
        pa.table({"household": data.household,
                  "neighbourhood": pa.array(data.neighbourhood.tolist(), pa.string()),
                  "channel": pa.array(data.channel.tolist(), pa.string())}),
    )  # fmt: skip
    st_end = pa.array(data.status_end, mask=data.status_end < 0)
    con.register(
        "st",
        pa.table({"household": data.status_household,
                  "status": data.status_code.astype(np.int32),
                  "start_day": data.status_start, "end_day": st_end}),
    )  # fmt: skip


# -- SQL ----------------------------------------------------------------------------------


def _scope_sql(query: Query) -> str:
    f = query.filters
    where = ["TRUE"]
    if f.neighbourhood:
        where.append(f"neighbourhood = '{f.neighbourhood.replace(chr(39), chr(39) * 2)}'")
    if f.channel:
        where.append(f"channel = '{f.channel.replace(chr(39), chr(39) * 2)}'")
    if f.cohort:
        month = month_number(f.cohort)
        where.append(
            f"household IN (SELECT household FROM tp WHERE kind = {INTAKE_VISIT} GROUP BY 1 "
            f"HAVING min(year(DATE '1970-01-01' + min_day) * 12 + month(DATE '1970-01-01' "
            f"+ min_day) - 1) = {month})".replace("min_day", "day")
        )
    if f.activity is not None:
        where.append(
            f"household IN (SELECT household FROM tp WHERE kind = {ATTENDANCE} AND activity = "
            f"{int(f.activity)} AND day <= {query.period.last})"
        )
    return f"SELECT household FROM hh WHERE {' AND '.join(where)}"


def _month(expr: str) -> str:
    return f"(year(DATE '1970-01-01' + {expr}) * 12 + month(DATE '1970-01-01' + {expr}) - 1)"


def funnel_sql(query: Query, n_stages: int) -> str:
    first, last = query.period.first, query.period.last
    return f"""
    WITH sc AS ({_scope_sql(query)}),
    s AS (SELECT s.* FROM spans s SEMI JOIN sc USING (household) WHERE start_day <= {last}),
    entered AS (SELECT household FROM s GROUP BY household HAVING min(start_day) >= {first}),
    reach AS (
        SELECT s.household, k.k, min(s.start_day) AS day
        FROM s SEMI JOIN entered USING (household)
        JOIN range(0, {n_stages}) k(k) ON s.stage >= k.k
        GROUP BY ALL),
    furthest AS (SELECT household, max(k) AS k FROM reach GROUP BY household),
    steps AS (
        SELECT k.k, count(r.household) AS reached,
               quantile_cont(r.day - p.day, [0.5, 0.75, 0.9]) AS q
        FROM range(0, {n_stages}) k(k)
        LEFT JOIN reach r ON r.k = k.k
        LEFT JOIN reach p ON p.household = r.household AND p.k = k.k - 1
        GROUP BY k.k)
    SELECT k, reached, q,
           (SELECT count(*) FROM entered) AS households,
           (SELECT list(household ORDER BY household) FROM furthest f WHERE f.k = steps.k)
               AS dropped
    FROM steps ORDER BY k
    """


def distribution_sql(query: Query) -> str:
    day = query.period.last
    return f"""
    SELECT stage, count(*) AS n FROM spans SEMI JOIN ({_scope_sql(query)}) sc USING (household)
    WHERE start_day <= {day} AND (end_day IS NULL OR end_day > {day})
    GROUP BY stage ORDER BY stage
    """


def flows_sql(query: Query) -> str:
    first, last = query.period.first, query.period.last
    return f"""
    WITH s AS (
        SELECT household, stage AS a,
               lead(stage) OVER w AS b, lead(start_day) OVER w AS day
        FROM spans SEMI JOIN ({_scope_sql(query)}) sc USING (household)
        WHERE start_day <= {last}
        WINDOW w AS (PARTITION BY household ORDER BY start_day))
    SELECT a, b, count(*) AS transitions, count(DISTINCT household) AS households
    FROM s WHERE b IS NOT NULL AND day >= {first}
    GROUP BY a, b ORDER BY a, b
    """


def cohorts_sql(query: Query) -> str:
    first, last = query.period.first, query.period.last
    return f"""
    WITH sc AS ({_scope_sql(query)}),
    t AS (SELECT * FROM tp SEMI JOIN sc USING (household) WHERE day <= {last}),
    c AS (SELECT household, {_month("min(day)")} AS cohort FROM t
          WHERE kind = {INTAKE_VISIT} GROUP BY household),
    c2 AS (SELECT * FROM c WHERE cohort BETWEEN {_month(str(first))} AND {_month(str(last))}),
    att AS (SELECT DISTINCT t.household, c2.cohort, {_month("t.day")} - c2.cohort AS off
            FROM t JOIN c2 USING (household) WHERE t.kind = {ATTENDANCE}
            AND {_month("t.day")} >= c2.cohort)
    SELECT c2.cohort, count(*) AS size,
           (SELECT list(n ORDER BY off) FROM (
               SELECT o.off, count(a.household) AS n
               FROM range(0, {_month(str(last))} - c2.cohort + 1) o(off)
               LEFT JOIN att a ON a.cohort = c2.cohort AND a.off = o.off
               GROUP BY o.off)) AS attended
    FROM c2 GROUP BY c2.cohort ORDER BY c2.cohort
    """


def time_in_stage_sql(query: Query) -> str:
    first, last = query.period.first, query.period.last
    return f"""
    WITH s AS (
        SELECT stage,
               CASE WHEN end_day IS NOT NULL AND end_day <= {last}
                    THEN end_day ELSE {last} + 1 END - start_day AS t,
               (end_day IS NOT NULL AND end_day <= {last})::INT AS event
        FROM spans SEMI JOIN ({_scope_sql(query)}) sc USING (household)
        WHERE start_day BETWEEN {first} AND {last}),
    byt AS (SELECT stage, t, sum(event) AS d, count(*) AS n FROM s GROUP BY stage, t),
    risk AS (SELECT stage, t, d,
                    sum(n) OVER (PARTITION BY stage ORDER BY t DESC) AS at_risk FROM byt),
    km AS (SELECT stage, t,
                  product(1 - d / at_risk) OVER (PARTITION BY stage ORDER BY t) AS surv
           FROM risk WHERE d > 0)
    SELECT stage, list(t ORDER BY t), list(surv ORDER BY t) FROM km GROUP BY stage ORDER BY stage
    """


def distribution_status_sql(query: Query) -> str:
    """Per status, the households (after the filters) with a status span covering the period's
    last day; a household counts once per status it holds."""
    day = query.period.last
    return f"""
    SELECT status, count(DISTINCT household) AS n
    FROM st SEMI JOIN ({_scope_sql(query)}) sc USING (household)
    WHERE start_day <= {day} AND (end_day IS NULL OR end_day > {day})
    GROUP BY status ORDER BY status
    """


def distribution_households_sql(query: Query) -> str:
    """Households (after the filters) with a current stage on the period's last day."""
    day = query.period.last
    return f"""
    SELECT count(DISTINCT household)
    FROM spans SEMI JOIN ({_scope_sql(query)}) sc USING (household)
    WHERE start_day <= {day} AND (end_day IS NULL OR end_day > {day})
    """


def entry_points_sql(query: Query) -> str:
    """Households whose first stage span starts within the period, by that span's stage."""
    first, last = query.period.first, query.period.last
    return f"""
    WITH f AS (
        SELECT household, arg_min(stage, start_day) AS stage, min(start_day) AS day
        FROM spans SEMI JOIN ({_scope_sql(query)}) sc USING (household)
        GROUP BY household)
    SELECT stage, count(*) AS n FROM f WHERE day BETWEEN {first} AND {last}
    GROUP BY stage ORDER BY stage
    """


def lifecycle_sql(query: Query) -> str:
    """Per month of the period: new, returning, resurrecting, dormant, from the months in which
    each household had a touchpoint other than a communication (up to the period end)."""
    first, last = query.period.first, query.period.last
    return f"""
    WITH act AS (
        SELECT DISTINCT household, {_month("day")} AS m
        FROM tp SEMI JOIN ({_scope_sql(query)}) sc USING (household)
        WHERE kind <> {COMMUNICATION} AND day <= {last}),
    firsts AS (SELECT household, min(m) AS m FROM act GROUP BY household),
    months AS (SELECT m FROM range({_month(str(first))}, {_month(str(last))} + 1) r(m)),
    now AS (
        SELECT mo.m,
               count(a.household) FILTER (WHERE f.m = mo.m) AS new,
               count(a.household) FILTER (WHERE p.household IS NOT NULL) AS n_returning,
               count(a.household) FILTER (WHERE p.household IS NULL AND f.m < mo.m)
                   AS resurrecting
        FROM months mo
        LEFT JOIN act a ON a.m = mo.m
        LEFT JOIN act p ON p.household = a.household AND p.m = mo.m - 1
        LEFT JOIN firsts f ON f.household = a.household
        GROUP BY mo.m),
    gone AS (
        SELECT mo.m, count(b.household) FILTER (WHERE a.household IS NULL) AS dormant
        FROM months mo
        LEFT JOIN act b ON b.m = mo.m - 1
        LEFT JOIN act a ON a.household = b.household AND a.m = mo.m
        GROUP BY mo.m)
    SELECT m, new, n_returning, resurrecting, dormant FROM now JOIN gone USING (m) ORDER BY m
    """


def _furthest_sql(query: Query) -> str:
    """Per household, the highest stage among its spans started by the period end: it reached
    stage k or a later one iff that is >= k."""
    return (
        "SELECT household, max(stage) AS top FROM spans "
        f"WHERE start_day <= {query.period.last} GROUP BY household"
    )


def channels_sql(query: Query, n_stages: int) -> str:
    """Households entered in the period (first span within it), by channel: how many, and per
    stage k how many reached k or later by the period end."""
    first, last = query.period.first, query.period.last
    return f"""
    WITH entered AS (
        SELECT household FROM spans SEMI JOIN ({_scope_sql(query)}) sc USING (household)
        WHERE start_day <= {last} GROUP BY household HAVING min(start_day) >= {first}),
    top AS ({_furthest_sql(query)})
    SELECT coalesce(hh.channel, '') AS channel, k.k, count(*) AS households,
           count(*) FILTER (WHERE t.top >= k.k) AS reached
    FROM entered e JOIN hh USING (household) LEFT JOIN top t USING (household)
    CROSS JOIN range(0, {n_stages}) k(k)
    GROUP BY ALL ORDER BY channel, k.k
    """


def actions_sql(query: Query, n_stages: int) -> str:
    """Per outreach action: households (after the filters) with an outreach_contact of that
    action within the period; per stage k, how many reached k or later by the period end."""
    first, last = query.period.first, query.period.last
    return f"""
    WITH a AS (
        SELECT DISTINCT household, ref
        FROM tp SEMI JOIN ({_scope_sql(query)}) sc USING (household)
        WHERE kind = {OUTREACH_CONTACT} AND ref >= 0 AND day BETWEEN {first} AND {last}),
    top AS ({_furthest_sql(query)})
    SELECT a.ref, k.k, count(*) AS households,
           count(*) FILTER (WHERE t.top >= k.k) AS reached
    FROM a LEFT JOIN top t USING (household) CROSS JOIN range(0, {n_stages}) k(k)
    GROUP BY ALL ORDER BY a.ref, k.k
    """


def activities_sql(query: Query) -> str:
    """Per activity: households (after the filters) attending it within the period, and those
    that, after their first attendance d in the period and by the period end, started a span of
    a higher stage than the span covering d (-1 when none covers d)."""
    first, last = query.period.first, query.period.last
    return f"""
    WITH fa AS (
        SELECT household, activity, min(day) AS d
        FROM tp SEMI JOIN ({_scope_sql(query)}) sc USING (household)
        WHERE kind = {ATTENDANCE} AND activity >= 0 AND day BETWEEN {first} AND {last}
        GROUP BY household, activity),
    held AS (
        SELECT fa.household, fa.activity, max(s.stage) AS stage
        FROM fa JOIN spans s ON s.household = fa.household AND s.start_day <= fa.d
             AND (s.end_day IS NULL OR s.end_day > fa.d)
        GROUP BY ALL),
    after_d AS (
        SELECT fa.household, fa.activity, max(s.stage) AS stage
        FROM fa JOIN spans s ON s.household = fa.household AND s.start_day > fa.d
             AND s.start_day <= {last}
        GROUP BY ALL)
    SELECT fa.activity, count(*) AS attendees,
           count(*) FILTER (WHERE after_d.stage > coalesce(held.stage, -1)) AS progressed
    FROM fa LEFT JOIN held USING (household, activity)
    LEFT JOIN after_d USING (household, activity)
    GROUP BY fa.activity ORDER BY fa.activity
    """


def relapse_sql(query: Query) -> str:
    """Support cases (support_opened / support_closed touchpoints of one case id in ``ref``) of
    the households after the filters, on or before the period end: opened, closed, households
    with an opening, still open at the end (no closure of the same household and ref on or after
    the opening), days in support of the closures in the period (from the latest opening of the
    same household and ref on or before);
    households with a closure in the period moved back a year, and those whose support opened
    again after their first such closure and within a year, with the days it took."""
    first, last, w = query.period.first, query.period.last, RELAPSE_WINDOW
    return f"""
    WITH sc AS ({_scope_sql(query)}),
    o AS (SELECT household, day, ref FROM tp SEMI JOIN sc USING (household)
          WHERE kind = {SUPPORT_OPENED} AND day <= {last}),
    c AS (SELECT row_number() OVER () AS id, household, day, ref FROM tp
          SEMI JOIN sc USING (household) WHERE kind = {SUPPORT_CLOSED} AND day <= {last}),
    dur AS (SELECT c.id, c.day - max(o.day) AS days FROM c
            JOIN o ON o.household = c.household AND o.ref = c.ref AND o.day <= c.day
            WHERE c.day BETWEEN {first} AND {last} GROUP BY c.id, c.day),
    idx AS (SELECT household, min(day) AS closed FROM c
            WHERE day BETWEEN {first - w} AND {last - w} GROUP BY household),
    rel AS (SELECT idx.household, min(o.day) - idx.closed AS days
            FROM idx JOIN o ON o.household = idx.household AND o.day > idx.closed
                 AND o.day <= idx.closed + {w}
            GROUP BY idx.household, idx.closed)
    SELECT
        (SELECT count(*) FROM o WHERE day >= {first}),
        (SELECT count(*) FROM c WHERE day >= {first}),
        (SELECT count(DISTINCT household) FROM o WHERE day >= {first}),
        (SELECT count(*) FROM o WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.household =
             o.household AND c.ref = o.ref AND c.day >= o.day)),
        (SELECT quantile_cont(days, [0.5, 0.75, 0.9]) FROM dur),
        (SELECT count(*) FROM idx),
        (SELECT count(*) FROM rel),
        (SELECT quantile_cont(days, [0.5, 0.75, 0.9]) FROM rel)
    """


def _relapse_answer(row) -> tuple:
    opened, closed, households, still, dur, n, r, gap = row
    return (opened, closed, households, still, tuple(dur) if dur else None, n, r,
            r / n if n else None, tuple(gap) if gap else None)  # fmt: skip


def _attribution(rows) -> dict[Any, tuple[int, tuple[int, ...]]]:
    """(key, k, households, reached) rows ordered by key then k -> {key: (households, reached)}."""
    out: dict[Any, tuple[int, tuple[int, ...]]] = {}
    for key, _k, n, reached in rows:
        prev = out.get(key, (n, ()))
        out[key] = (n, (*prev[1], reached))
    return out


def reference(con, query: Query, n_stages: int) -> dict[str, Any]:
    """Every reference answer, normalised (see ``ours``)."""
    out: dict[str, Any] = {}
    rows = con.sql(funnel_sql(query, n_stages)).fetchall()
    out["funnel"] = {
        "households": rows[0][3] if rows else 0,
        "steps": [
            (k, reached, None if reached == 0 or k == 0 else tuple(q), tuple(dropped or ()))
            for k, reached, q, _h, dropped in rows
        ],
    }
    ep = dict(con.sql(entry_points_sql(query)).fetchall())
    out["entry_points"] = {"households": sum(ep.values()), "counts": ep}
    out["distribution"] = {k: n for k, n in con.sql(distribution_sql(query)).fetchall()}
    out["distribution_status"] = dict(con.sql(distribution_status_sql(query)).fetchall())
    out["distribution_households"] = con.sql(distribution_households_sql(query)).fetchall()[0][0]
    out["flows"] = {(a, b): (t, h) for a, b, t, h in con.sql(flows_sql(query)).fetchall()}
    out["cohorts"] = [(c, size, tuple(att)) for c, size, att in
                      con.sql(cohorts_sql(query)).fetchall()]  # fmt: skip
    out["time_in_stage"] = {
        stage: tuple(zip(ts, ss, strict=True))
        for stage, ts, ss in con.sql(time_in_stage_sql(query)).fetchall()
    }
    out["lifecycle"] = [tuple(r) for r in con.sql(lifecycle_sql(query)).fetchall()]
    out["channels"] = _attribution(con.sql(channels_sql(query, n_stages)).fetchall())
    out["actions"] = _attribution(con.sql(actions_sql(query, n_stages)).fetchall())
    out["activities"] = {a: (n, p) for a, n, p in con.sql(activities_sql(query)).fetchall()}
    out["relapse"] = _relapse_answer(con.sql(relapse_sql(query)).fetchall()[0])
    return out


def reference_sqls(query: Query, n_stages: int) -> list[str]:
    return [
        funnel_sql(query, n_stages),
        distribution_sql(query),
        flows_sql(query),
        cohorts_sql(query),
        time_in_stage_sql(query),
        entry_points_sql(query),
        distribution_status_sql(query),
        distribution_households_sql(query),
        lifecycle_sql(query),
        channels_sql(query, n_stages),
        actions_sql(query, n_stages),
        activities_sql(query),
        relapse_sql(query),
    ]


def ours(data: JourneyData, query: Query) -> dict[str, Any]:
    """The measures' answers, in the reference's normalised shape."""
    keys = data.stage_keys
    idx = {k: i for i, k in enumerate(keys)}
    f = run("funnel", data, query)
    out: dict[str, Any] = {
        "funnel": {
            "households": f.households,
            "steps": [
                (
                    i,
                    s.reached,
                    None
                    if s.days["median"] is None
                    else (s.days["median"], s.days["p75"], s.days["p90"]),
                    tuple(s.dropped),
                )
                for i, s in enumerate(f.steps)
            ],
        }  # fmt: skip
    }
    e = run("entry_points", data, query)
    out["entry_points"] = {
        "households": e.households,
        "counts": {idx[k]: n for k, n in e.counts.items() if n},
    }
    d = run("distribution", data, query)
    out["distribution"] = {idx[k]: n for k, n in d.stages.items() if n}
    sidx = {k: i for i, k in enumerate(STATUSES)}
    out["distribution_status"] = {sidx[k]: n for k, n in d.statuses.items() if n}
    out["distribution_households"] = d.households
    fl = run("flows", data, query)
    out["flows"] = {(idx[x.source], idx[x.target]): (x.transitions, x.households) for x in fl.links}
    c = run("cohorts", data, query)
    out["cohorts"] = [(month_number(x.month), x.households, tuple(x.attended)) for x in c.cohorts]
    t = run("time_in_stage", data, query)
    out["time_in_stage"] = {idx[s.stage]: tuple(s.curve) for s in t.stages if s.curve}
    lc = run("lifecycle", data, query)
    out["lifecycle"] = [
        (month_number(m.month), m.new, m.returning, m.resurrecting, m.dormant) for m in lc.months
    ]
    ch = run("channels", data, query)
    out["channels"] = {
        a.key: (a.households, tuple(a.reached[k] for k in keys)) for a in ch.channels
    }
    out["actions"] = {a.key: (a.households, tuple(a.reached[k] for k in keys)) for a in ch.actions}
    ac = run("activities", data, query)
    out["activities"] = {a.activity: (a.attendees, a.progressed) for a in ac.activities}
    rl = run("relapse", data, query)

    def pcts(d):
        return None if d["median"] is None else (d["median"], d["p75"], d["p90"])

    out["relapse"] = (rl.opened, rl.closed, rl.households, rl.open_at_end,
                      pcts(rl.time_in_support), rl.closures, rl.relapsed, rl.share,
                      pcts(rl.time_to_relapse))  # fmt: skip
    return out


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two normalised answers differ (floats compared to 1e-9)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}: key {k!r} only on one side" for k in set(a) ^ set(b)]
        for k in sorted(set(a) & set(b), key=str):
            out += differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items vs {len(b)}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += differences(x, y, f"{path}[{i}]")
        return out
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
            return [f"{path}: {a!r} vs {b!r}"]
        return []
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def generated(n_households: int, seed: int, end: date):
    """(generator output, JourneyData) for a seeded association, stage and status spans from the
    batch engine (recompute_journeys, as stored)."""
    from parcours.demo.generator import generate
    from parcours.engine import recompute_journeys, shipped_definition

    gen = generate(n_households, seed=seed, end=end)
    journeys = recompute_journeys(gen.touchpoints, shipped_definition(), end)
    return gen, journey_data_from_generated(gen, journeys)


def check_periods(end: date) -> dict[str, Period]:
    """The periods every comparison is made over (``end``: the as-of day of the data)."""
    return {
        "last 12 months": Period(date(end.year - 1, end.month, 1), end),
        "everything": Period(date(end.year - 2, end.month, 1), end),
        "a past half year": Period(date(end.year - 1, 1, 1), date(end.year - 1, 6, 30)),
        "months cut at both ends": Period(date(end.year - 1, 9, 15), date(end.year, 3, 10)),
        "one day": Period(end, end),
    }


def check_filters(data: JourneyData, end: date) -> list[Filters]:
    """The filter sets every comparison is made with: none, each filter alone, two combined,
    and one that keeps nobody."""
    hood = str(data.neighbourhood[0])
    return [
        Filters(),
        Filters(neighbourhood=hood),
        Filters(channel="web"),
        Filters(cohort=f"{end.year}-01"),
        Filters(activity=int(data.tp_activity[data.tp_activity >= 0][0])),
        Filters(neighbourhood=hood, channel="door_to_door"),
        Filters(channel="peer_family", cohort=f"{end.year - 1}-10"),
        Filters(neighbourhood="nowhere"),  # nobody
    ]


def check(size: str, seed: int, end: date) -> dict[str, Any]:
    """Every measure vs its reference over check_periods x check_filters on the generated
    association of ``size``; written to bench/out/<size>-seed<seed>/check.json."""
    import json
    import time

    import duckdb

    from bench.sizes import SIZES

    t0 = time.perf_counter()
    _gen, data = generated(SIZES[size], seed, end)
    del _gen
    con = duckdb.connect()
    register(con, data)
    n, compared, failures = len(data.stage_keys), 0, []
    for name, period in check_periods(end).items():
        for filters in check_filters(data, end):
            query = Query(1, period, filters)
            diff = differences(reference(con, query, n), ours(data, query))
            compared += 1
            if diff:
                failures.append({"period": name, "filters": repr(filters), "diff": diff[:5]})
    notes = {
        "size": size, "households": int(data.household.shape[0]),
        "touchpoints": int(data.tp_household.shape[0]),
        "status_spans": int(data.status_household.shape[0]),
        "periods": list(check_periods(end)), "filter_sets": compared // len(check_periods(end)),
        "queries": compared, "measures": list(KINDS), "failures": failures,
        "seconds": time.perf_counter() - t0,
    }  # fmt: skip
    out = Path(__file__).resolve().parent / "out" / f"{size}-seed{seed}" / "check.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(notes, indent=1))
    return notes


# -- PM4Py: the process map and the variants ----------------------------------------------


def pm4py_log(con, query: Query, keys: tuple[str, ...]):
    """The event log PM4Py reads: one event per stage span (case = household, activity = stage,
    timestamp = span start) of the households whose first span starts within the period."""
    first, last = query.period.first, query.period.last
    df = con.sql(f"""
        WITH s AS (SELECT s.* FROM spans s SEMI JOIN ({_scope_sql(query)}) sc USING (household)
                   WHERE start_day <= {last}),
        e AS (SELECT household FROM s GROUP BY household HAVING min(start_day) >= {first})
        SELECT household::VARCHAR AS "case:concept:name", stage,
               (TIMESTAMP '1970-01-01' + to_days(start_day)) AS "time:timestamp"
        FROM s SEMI JOIN e USING (household) ORDER BY household, start_day
    """).df()
    df["concept:name"] = [keys[i] for i in df.pop("stage")]
    return df


def pm4py_answer(df) -> dict[str, Any]:
    """Directly-follows counts and median durations (days), and variants, by PM4Py."""
    import pm4py

    dfg, _start, _end = pm4py.discover_dfg(df)
    perf, _s, _e = pm4py.discover_performance_dfg(df)
    variants = pm4py.get_variants(df)
    return {
        "transitions": {
            pair: (int(count), float(perf[pair]["median"]) / 86400) for pair, count in dfg.items()
        },
        "variants": {
            tuple(v): int(c if isinstance(c, int) else len(c)) for v, c in variants.items()
        },  # fmt: skip
    }


def ours_process_map(data: JourneyData, query: Query) -> dict[str, Any]:
    p = run("process_map", data, query)
    return {
        "transitions": {(t.source, t.target): (t.count, t.median_days) for t in p.transitions},
        "variants": {v.stages: v.households for v in p.variants},
        "variant_count": p.variant_count,
    }


def top_variants(variants: dict[tuple[str, ...], int], top: int) -> dict[tuple[str, ...], int]:
    """The ``top`` most frequent, ties broken by the sequence of stage indices (as ours)."""
    from parcours.engine import shipped_definition

    idx = {k: i for i, k in enumerate(shipped_definition().stage_keys)}
    ranked = sorted(variants.items(), key=lambda kv: (-kv[1], tuple(idx[s] for s in kv[0])))
    return dict(ranked[:top])


# -- the bench steps (registered in bench/steps.py) ---------------------------------------

SUBSET_NEIGHBOURHOOD = 0  # catalog.NEIGHBOURHOODS[0]: the filtered view timed beside the full one


def _queries(ctx, data):
    from parcours.demo.catalog import NEIGHBOURHOODS

    period = Period(date(ctx.end.year - 1, ctx.end.month, 1), ctx.end)
    return {
        "all households": Query(1, period),
        f"neighbourhood {NEIGHBOURHOODS[SUBSET_NEIGHBOURHOOD]}": Query(
            1, period, Filters(neighbourhood=NEIGHBOURHOODS[SUBSET_NEIGHBOURHOOD])
        ),
    }


def _best(fn, repeats: int) -> tuple[float, Any]:
    import time

    best, answer = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        answer = fn()
        best = min(best, time.perf_counter() - t0)
    return best, answer


def load_generated(ctx) -> JourneyData:
    from bench.sizes import SIZES
    from parcours.demo.generator import generate
    from parcours.engine import recompute_journeys, shipped_definition

    gen = generate(SIZES[ctx.size], seed=ctx.seed, end=ctx.end)
    journeys = recompute_journeys(gen.touchpoints, shipped_definition(), ctx.end)
    return journey_data_from_generated(gen, journeys)  # keeps its spans and statuses only


def dashboard_step(ctx):
    """Time the measures the DuckDB reference also computes (KINDS: every measure but the
    process map), for all households and for one neighbourhood, beside the reference on the
    same rows; check the answers are equal first; also time the full dashboard (every measure of
    the registry). Best of 3 runs each side (1 at L)."""
    import json

    import duckdb

    from bench.steps import Outcome
    from parcours.analytics.measures import run_all

    data = load_generated(ctx)
    ctx.table = None  # the generated columns are the same rows; free the Parquet copy
    con = duckdb.connect()
    register(con, data)
    repeats = 1 if ctx.size == "L" else 3
    n = len(data.stage_keys)
    rows, total_ours, total_ref = {}, 0.0, 0.0
    for name, query in _queries(ctx, data).items():
        t_ours, got = _best(lambda q=query: ours(data, q), repeats)
        t_ref, ref = _best(lambda q=query: reference(con, q, n), repeats)
        diff = differences(ref, got)
        if diff:
            raise AssertionError(f"{name}: measures differ from the DuckDB reference: {diff[:5]}")
        t_full, _ = _best(lambda q=query: run_all(data, q), repeats)
        rows[name] = {"ours": t_ours, "duckdb": t_ref, "full_dashboard": t_full,
                      "households": got["funnel"]["households"]}  # fmt: skip
        total_ours += t_ours
        total_ref += t_ref
    notes = {"views": rows, "duckdb_seconds": total_ref, "ratio": total_ours / total_ref,
             "measures": list(KINDS), "statuses": int(data.status_household.shape[0]),
             "duckdb_threads": int(con.sql("SELECT current_setting('threads')").fetchall()[0][0]),
             "check": "equal"}  # fmt: skip
    out = _out(ctx, "dashboard")
    out.write_text(json.dumps(notes, indent=1))
    return Outcome(total_ours, notes=notes)


def process_map_step(ctx):
    """Time the process map with its variants beside PM4Py (discover_dfg,
    discover_performance_dfg, get_variants) on the same event log; check equal first. The
    event log is built (DuckDB) before timing; PM4Py's own time only."""
    import json
    import time

    import duckdb

    from bench.steps import Outcome
    from parcours.analytics.measures.process_map import TOP

    data = load_generated(ctx)
    ctx.table = None
    con = duckdb.connect()
    register(con, data)
    query = Query(1, Period(date(ctx.end.year - 1, ctx.end.month, 1), ctx.end))
    t_ours, got = _best(lambda: ours_process_map(data, query), 1 if ctx.size == "L" else 3)
    df = pm4py_log(con, query, data.stage_keys)
    t0 = time.perf_counter()
    ref = pm4py_answer(df)
    t_ref = time.perf_counter() - t0
    diff = differences(ref["transitions"], got["transitions"])
    if (
        diff
        or got["variants"] != top_variants(ref["variants"], TOP)
        or got["variant_count"] != len(ref["variants"])
    ):
        raise AssertionError(f"process map differs from PM4Py: {diff[:5]}")
    notes = {"pm4py_seconds": t_ref, "speedup": t_ref / t_ours, "events": len(df),
             "variants": got["variant_count"], "check": "equal"}  # fmt: skip
    _out(ctx, "process_map").write_text(json.dumps(notes, indent=1))
    return Outcome(t_ours, notes=notes)


def _out(ctx, name: str):
    from pathlib import Path

    out = Path(__file__).resolve().parent / "out" / f"{ctx.size}-seed{ctx.seed}" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def record(size: str, seed: int = 1) -> str:
    """A RESULTS.md section from the last dashboard / process_map runs (bench/out/)."""
    import json
    from datetime import UTC, datetime
    from pathlib import Path

    from bench.run import machine

    base = Path(__file__).resolve().parent / "out" / f"{size}-seed{seed}"
    lines = [f"### Analytics at {size}: measures vs references, same run, same rows", ""]
    d = base / "dashboard.json"
    if d.exists():
        notes = json.loads(d.read_text())
        when = datetime.fromtimestamp(d.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines += [
            f"Run {when}: `.venv/bin/python -m bench.run --size {size} --seed {seed} --steps "
            f"dashboard,process_map` then `.venv/bin/python -m bench.analytics_reference "
            f"--record {size}`.",
            "",
        ]
        kinds = notes.get("measures", KINDS[:1] + KINDS[2:6])  # earlier runs: five measures
        lines += [
            f"Measures compared and timed on both sides ({len(kinds)}): {', '.join(kinds)}"
            + (f"; {notes['statuses']:,} status spans" if "statuses" in notes else "")
            + ".",
            "",
            "| view | families entered | parcours.analytics s | DuckDB SQL s | × reference "
            "| full dashboard (10 measures) s | answer |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for view, r in notes["views"].items():
            lines.append(
                f"| {view} | {r['households']:,} | {r['ours']:.3f} | {r['duckdb']:.3f} | "
                f"{r['ours'] / r['duckdb']:.2f} | {r['full_dashboard']:.3f} | equal |"
            )
        lines += ["", f"DuckDB threads: {notes['duckdb_threads']}. Machine: {machine()}.", ""]
    c = base / "check.json"
    if c.exists():
        notes = json.loads(c.read_text())
        verdict = (
            "**all equal**"
            if not notes["failures"]
            else (f"**{len(notes['failures'])} differ**: {notes['failures'][:3]}")
        )
        lines += [
            f"Equality check (`.venv/bin/python -m bench.analytics_reference --check {size}`): "
            f"{len(notes['measures'])} measures ({', '.join(notes['measures'])}; statuses over "
            f"{notes['status_spans']:,} status spans) vs their DuckDB SQL references, "
            f"{len(notes['periods'])} periods ({'; '.join(notes['periods'])}) × "
            f"{notes['filter_sets']} filter sets = {notes['queries']} queries on "
            f"{notes['households']:,} households and {notes['touchpoints']:,} touchpoints: "
            f"{verdict} ({notes['seconds']:.0f} s).",
            "",
        ]
    p = base / "process_map.json"
    if p.exists():
        notes = json.loads(p.read_text())
        lines += [
            f"Process map + variants vs PM4Py ({notes['events']:,} events, "
            f"{notes['variants']:,} variants): PM4Py {notes['pm4py_seconds']:.2f} s, "
            f"parcours.analytics {notes['pm4py_seconds'] / notes['speedup']:.3f} s, "
            f"**{notes['speedup']:.1f}× faster**, answers equal.",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    import sys

    p = argparse.ArgumentParser(
        description="Check every measure against its reference at a size (--check), and/or "
        "append the analytics figures of the last runs to bench/RESULTS.md (--record)"
    )
    p.add_argument("--check", choices=["XS", "S", "M", "L"])
    p.add_argument("--record", choices=["XS", "S", "M", "L"])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--end", type=date.fromisoformat, default=date(2025, 6, 30))
    args = p.parse_args()
    if not (args.check or args.record):
        p.error("--check SIZE and/or --record SIZE")
    if args.check:
        result = check(args.check, args.seed, args.end)
        for f in result["failures"]:
            print(f"DIFFERENT: {f}")
        print(
            f"{args.check}: {result['queries']} queries, {len(result['failures'])} different, "
            f"{result['seconds']:.0f} s"
        )
        if result["failures"]:
            sys.exit(1)
    if not args.record:
        sys.exit(0)
    text = record(args.record, args.seed)
    print(text)
    with (Path(__file__).resolve().parent / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n" + text)
    sys.exit(0)
