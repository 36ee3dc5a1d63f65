"""The benchmark steps, as a registry: each step runs in its own worker process.

A step gets a :class:`Context` (the generated data, loaded from Parquet) and returns a
:class:`Outcome`: the seconds of the timed part, and for steps that compute stage spans, the
spans as an Arrow table ``(household, stage, start_day, end_day)`` (end exclusive, NULL when
open on the as-of day) that the harness checks against the reference before it reports a time.

To add a step (touchpoint latency, dashboard, import, load...): write a function taking a
Context and returning an Outcome, and decorate it with ``@step(...)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from parcours.engine.columns import TouchpointColumns, day_number

REFERENCE = "duckdb"
SPAN_SCHEMA = pa.schema(
    [
        ("household", pa.int64()),
        ("stage", pa.string()),
        ("start_day", pa.int32()),
        ("end_day", pa.int32()),
    ]
)


@dataclass
class Context:
    size: str
    seed: int
    end: date
    data: Path  # Parquet file of the touchpoints
    table: pa.Table | None = None  # the touchpoints, loaded before the step is timed

    @property
    def as_of(self) -> int:
        return day_number(self.end)

    def columns(self) -> TouchpointColumns:
        """The touchpoints as numpy columns (zero copy from the loaded Arrow table)."""
        assert self.table is not None
        t = self.table
        return TouchpointColumns(
            *(t.column(c).to_numpy() for c in ("household", "day", "kind", "activity", "ref"))
        )


@dataclass
class Outcome:
    seconds: float | None = None
    spans: pa.Table | None = None
    skipped: str | None = None  # why the step did not run
    notes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    name: str
    what: str
    run: Callable[[Context], Outcome]
    needs_data: bool = True
    sizes: frozenset[str] = frozenset({"S", "M", "L"})  # sizes where it runs by default


STEPS: dict[str, Step] = {}


def step(
    name: str, what: str, *, needs_data: bool = True, sizes: str = "SML"
) -> Callable[[Callable[[Context], Outcome]], Callable[[Context], Outcome]]:
    def register(fn: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
        STEPS[name] = Step(name, what, fn, needs_data, frozenset(sizes))
        return fn

    return register


def spans_table(household: object, stage: object, start: object, end: object) -> pa.Table:
    return pa.table(
        {"household": household, "stage": stage, "start_day": start, "end_day": end},
        schema=SPAN_SCHEMA,
    )


# --------------------------------------------------------------------------------------------


@step(
    "generate",
    "seeded generator -> touchpoint columns (Parquet written after timing)",
    needs_data=False,
)
def generate_step(ctx: Context) -> Outcome:
    from bench.sizes import SIZES
    from parcours.demo.generator import generate

    t0 = time.perf_counter()
    gen = generate(SIZES[ctx.size], seed=ctx.seed, end=ctx.end)
    seconds = time.perf_counter() - t0
    tp = gen.touchpoints
    table = pa.table(
        {
            "household": tp.household,
            "day": tp.day,
            "kind": tp.kind,
            "activity": tp.activity,
            "ref": tp.ref,
        }
    )
    ctx.data.parent.mkdir(parents=True, exist_ok=True)
    tmp = ctx.data.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(ctx.data)
    return Outcome(seconds, notes={"touchpoints": len(tp), "households": gen.n_households})


@step(REFERENCE, "reference: one hand-written DuckDB SQL query (window functions)")
def duckdb_step(ctx: Context) -> Outcome:
    import duckdb

    from bench.duckdb_reference import spans_sql

    con = duckdb.connect()
    con.register("tp", ctx.table)
    sql = spans_sql(ctx.as_of)
    t0 = time.perf_counter()
    spans = con.sql(sql).to_arrow_table()
    seconds = time.perf_counter() - t0
    return Outcome(seconds, spans.cast(SPAN_SCHEMA), notes={"threads": _duckdb_threads(con)})


def _duckdb_threads(con: object) -> int:
    return int(con.sql("SELECT current_setting('threads')").fetchall()[0][0])  # type: ignore[attr-defined]


@step("naive", "reference: pure-Python per-household loop, day by day", sizes="S")
def naive_step(ctx: Context) -> Outcome:
    from bench.naive_reference import naive_spans

    cols = ctx.columns()
    t0 = time.perf_counter()
    rows = naive_spans(cols, ctx.as_of)
    seconds = time.perf_counter() - t0
    h, s, a, b = zip(*rows, strict=True) if rows else ((), (), (), ())
    return Outcome(seconds, spans_table(list(h), list(s), list(a), list(b)))


@step("recompute", "engine: batch recompute of every household's timeline (parcours.engine.batch)")
def recompute_step(ctx: Context) -> Outcome:
    try:
        from parcours.engine.batch import recompute
        from parcours.engine.definition import shipped_definition
    except ImportError as exc:  # the engine is written concurrently
        return Outcome(skipped=f"engine batch API not available yet ({exc})")
    import numpy as np

    definition = shipped_definition()
    cols = ctx.columns()
    t0 = time.perf_counter()
    spans = recompute(cols, definition, ctx.end)
    seconds = time.perf_counter() - t0
    keys = np.array(definition.stage_keys, dtype=object)
    end = pa.array(spans.end, mask=spans.end < 0)
    return Outcome(
        seconds,
        spans_table(spans.household, keys[spans.stage.astype(np.int64)], spans.start, end),
        notes={"version": spans.version},
    )


# -- journey analytics (bench/analytics_reference.py) ----------------------------------------


@step(
    "dashboard",
    "analytics: funnel, distribution, flows, cohorts, time in stage (parcours.analytics) for all "
    "households and one neighbourhood; DuckDB SQL on the same rows in the same worker",
    sizes="SM",
)
def dashboard_step(ctx: Context) -> Outcome:
    from bench.analytics_reference import dashboard_step as run

    return run(ctx)


@step(
    "process_map",
    "analytics: process map and variants (parcours.analytics) vs PM4Py on the same event log",
    sizes="SL",
)
def process_map_step(ctx: Context) -> Outcome:
    try:
        import pm4py  # noqa: F401
    except ImportError:
        return Outcome(skipped="pm4py is not installed (pip install pm4py)")
    from bench.analytics_reference import process_map_step as run

    return run(ctx)
