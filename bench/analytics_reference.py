"""DuckDB references for the journey measures (funnel, distribution, flows, cohorts, time in
stage), and the glue that runs both sides on the same rows.

The measures of :mod:`parcours.analytics.measures` are numpy code over columns; here each one is
re-derived independently as SQL, straight from its definition (the measure modules' docstrings),
over three tables registered in DuckDB from the same arrays:

- ``spans(household, stage, start_day, end_day)``: stage spans, stage as its index, end NULL
  while current;
- ``tp(household, day, kind, activity, ref)``: touchpoints (kind as engine.columns code);
- ``hh(household, neighbourhood, channel)``.

``reference(con, query)`` returns every answer in the normalised shape of ``ours(data, query)``
so that ``differences`` can compare them (floats to 1e-9).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from parcours.analytics.measures import run
from parcours.analytics.measures.base import (
    ATTENDANCE,
    INTAKE_VISIT,
    Filters,
    JourneyData,
    Period,
    Query,
    month_number,
)

KINDS = ("funnel", "distribution", "flows", "cohorts", "time_in_stage")


# -- the same rows for both sides ------------------------------------------------------------


def journey_data_from_generated(gen, spans) -> JourneyData:
    """JourneyData from the generator's output and the batch engine's SpanColumns."""
    from parcours.demo.catalog import CHANNELS, NEIGHBOURHOODS
    from parcours.engine import shipped_definition

    h = gen.households
    tp = gen.touchpoints
    e64, e32, e8 = (np.empty(0, dtype=t) for t in (np.int64, np.int32, np.int8))
    hoods = np.array(NEIGHBOURHOODS, dtype=object)
    channels = np.array([c[0] for c in CHANNELS], dtype=object)
    return JourneyData(
        stage_keys=shipped_definition().stage_keys,
        household=h.id,
        neighbourhood=hoods[h.neighbourhood.astype(np.int64)],
        channel=channels[h.channel.astype(np.int64)],
        span_household=spans.household,
        span_stage=spans.stage,
        span_start=spans.start,
        span_end=spans.end,
        status_household=e64, status_code=e8, status_start=e32, status_end=e32,
        tp_household=tp.household,
        tp_day=tp.day,
        tp_kind=tp.kind,
        tp_activity=tp.activity,
        tp_ref=tp.ref,
    )  # fmt: skip


def register(con, data: JourneyData) -> None:
    """Register the columns of ``data`` as DuckDB tables spans, tp, hh (Arrow, no copy)."""
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
    out["distribution"] = {k: n for k, n in con.sql(distribution_sql(query)).fetchall()}
    out["flows"] = {(a, b): (t, h) for a, b, t, h in con.sql(flows_sql(query)).fetchall()}
    out["cohorts"] = [(c, size, tuple(att)) for c, size, att in
                      con.sql(cohorts_sql(query)).fetchall()]  # fmt: skip
    out["time_in_stage"] = {
        stage: tuple(zip(ts, ss, strict=True))
        for stage, ts, ss in con.sql(time_in_stage_sql(query)).fetchall()
    }
    return out


def reference_sqls(query: Query, n_stages: int) -> list[str]:
    return [
        funnel_sql(query, n_stages),
        distribution_sql(query),
        flows_sql(query),
        cohorts_sql(query),
        time_in_stage_sql(query),
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
    d = run("distribution", data, query)
    out["distribution"] = {idx[k]: n for k, n in d.stages.items() if n}
    fl = run("flows", data, query)
    out["flows"] = {(idx[x.source], idx[x.target]): (x.transitions, x.households) for x in fl.links}
    c = run("cohorts", data, query)
    out["cohorts"] = [(month_number(x.month), x.households, tuple(x.attended)) for x in c.cohorts]
    t = run("time_in_stage", data, query)
    out["time_in_stage"] = {idx[s.stage]: tuple(s.curve) for s in t.stages if s.curve}
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
    """(generator output, JourneyData) for a seeded association, spans from the batch engine."""
    from parcours.demo.generator import generate
    from parcours.engine import recompute, shipped_definition

    gen = generate(n_households, seed=seed, end=end)
    spans = recompute(gen.touchpoints, shipped_definition(), end)
    return gen, journey_data_from_generated(gen, spans)


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
    from parcours.engine import recompute, shipped_definition

    gen = generate(SIZES[ctx.size], seed=ctx.seed, end=ctx.end)
    spans = recompute(gen.touchpoints, shipped_definition(), ctx.end)
    return journey_data_from_generated(gen, spans)


def dashboard_step(ctx):
    """Time the measures the DuckDB reference also computes (funnel, distribution, flows,
    cohorts, time in stage), for all households and for one neighbourhood, beside the reference
    on the same rows; check the answers are equal first; also time the full dashboard (every
    measure of the registry). Best of 3 runs each side (1 at L)."""
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
    from pathlib import Path

    from bench.run import machine

    base = Path(__file__).resolve().parent / "out" / f"{size}-seed{seed}"
    lines = [f"### Analytics at {size}: measures vs references, same run, same rows", ""]
    d = base / "dashboard.json"
    if d.exists():
        notes = json.loads(d.read_text())
        lines += [
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
    from pathlib import Path

    p = argparse.ArgumentParser(description="Append the analytics figures to bench/RESULTS.md")
    p.add_argument("--record", required=True, choices=["XS", "S", "M", "L"])
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    text = record(args.record, args.seed)
    print(text)
    with (Path(__file__).resolve().parent / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n" + text)
    sys.exit(0)
