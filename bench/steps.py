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
        names = ("household", "day", "kind", "activity", "ref")
        if self.table is None:  # steps without the Arrow table: read column by column
            return TouchpointColumns(
                *(pq.read_table(self.data, columns=[c]).column(c).to_numpy() for c in names)
            )
        t = self.table
        return TouchpointColumns(*(t.column(c).to_numpy() for c in names))


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
    # False: the step reads numpy columns only (Context.columns() reads the Parquet file
    # column by column): no Arrow copy of the log beside the numpy one in its memory
    arrow: bool = True


STEPS: dict[str, Step] = {}
# Steps that seed their own database and check their answers themselves (no spans reference).
SELF_CHECKED = {"picker", "import", "xes_read"}


def step(
    name: str, what: str, *, needs_data: bool = True, sizes: str = "SML", arrow: bool = True
) -> Callable[[Callable[[Context], Outcome]], Callable[[Context], Outcome]]:
    def register(fn: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
        STEPS[name] = Step(name, what, fn, needs_data, frozenset(sizes), arrow)
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


@step(
    "recompute",
    "engine: batch recompute of every household's timeline (parcours.engine.batch)",
    arrow=False,
)
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


def _spans_out(spans: object, definition: object) -> pa.Table:
    import numpy as np

    keys = np.array(definition.stage_keys, dtype=object)  # type: ignore[attr-defined]
    end = pa.array(spans.end, mask=spans.end < 0)  # type: ignore[attr-defined]
    return spans_table(
        spans.household,  # type: ignore[attr-defined]
        keys[spans.stage.astype(np.int64)],  # type: ignore[attr-defined]
        spans.start,  # type: ignore[attr-defined]
        end,
    )


@step(
    "recompute_reasons",
    "engine: full batch recompute as stored (spans + reasons + evidence, status spans, "
    "placement, predicted ends, valid_until)",
    arrow=False,
)
def recompute_reasons_step(ctx: Context) -> Outcome:
    from parcours.engine.batch_journeys import recompute_journeys
    from parcours.engine.definition import shipped_definition

    definition = shipped_definition()
    cols = ctx.columns()
    t0 = time.perf_counter()
    j = recompute_journeys(cols, definition, ctx.end)
    seconds = time.perf_counter() - t0
    return Outcome(
        seconds,
        _spans_out(j.spans, definition),
        notes={
            "stage spans": len(j.spans),
            "span reasons": int(j.span_reasons.owner.shape[0]),
            "evidence touchpoints": int(j.span_evidence.owner.shape[0]),
            "status spans": len(j.statuses),
            "households": int(j.households.shape[0]),
        },
    )


def _db_path(ctx: Context, what: str) -> Path:
    return ctx.data.with_name(f"{ctx.data.stem}-{what}.sqlite3")


@step(
    "touchpoint_latency",
    "Django on SQLite (file, WAL): touchpoint_record -> stored spans, 1,000 random calls "
    "(seconds = total; p50/p95/p99 in notes)",
    needs_data=False,
    sizes="M",
)
def touchpoint_latency_step(ctx: Context) -> Outcome:
    import random

    # The seeded database is saved beside the data (bench/data/, git-ignored) and copied for
    # each run, the calls below write to the copy: seeding M takes minutes. Saved seeds whose
    # schema lacks a migration are made again; delete the file (or BENCH_RESEED=1) after a
    # change of the seeding or of the stored journeys.
    from bench.steps_pipeline import seeded_copy

    notes = seeded_copy(ctx, "latency")

    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association
    from parcours.activities.models import Activity
    from parcours.engine.columns import KINDS
    from parcours.households import hooks
    from parcours.households.models import Household

    # The write behind touchpoint_record, without its ownership check (a frame read and a dict
    # lookup): the calls draw every kind, owned ones included, as the seeded log does.
    from parcours.households.services import _touchpoint_write as touchpoint_record

    # time each hook too: which part of a write is the journey, which other apps
    hook_times: dict[str, list[float]] = {}
    originals = list(hooks._consequences)

    def timed(c):  # type: ignore[no-untyped-def]
        def run(arg):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            c.run(arg)
            hook_times.setdefault(c.name, []).append(time.perf_counter() - t)

        return hooks.Consequence(c.order, c.name, run, c.change)

    hooks._consequences[:] = [timed(c) for c in originals]
    rng = random.Random(ctx.seed)
    with scopes_disabled():
        association = Association.objects.get(slug="bench")
        # the households in the order the seed created them (its household_pk values)
        pks = list(
            Household.objects.filter(association=association)
            .order_by("id")
            .values_list("id", flat=True)
        )
        activities = list(Activity.objects.filter(association=association))
        calls = []
        for _ in range(1000):
            kind = rng.choice(KINDS)
            calls.append(
                (
                    rng.choice(pks),
                    kind,
                    rng.choice(activities) if kind in ("attendance", "activity_led") else None,
                    rng.randint(1, 3)
                    if kind not in ("attendance", "communication", "referral_made")
                    else None,
                )
            )
        lat: list[float] = []
        t0 = time.perf_counter()
        for pk, kind, activity, ref in calls:
            household = Household.objects.get(pk=pk)
            t = time.perf_counter()
            touchpoint_record(
                actor=None, household=household, day=ctx.end, kind=kind, activity=activity, ref=ref
            )
            lat.append(time.perf_counter() - t)
        seconds = time.perf_counter() - t0
    hooks._consequences[:] = originals

    def pct(xs: list[float], p: float) -> float:
        s = sorted(xs)
        return round(1000 * s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)

    notes = {
        "p50 ms": pct(lat, 50),
        "p95 ms": pct(lat, 95),
        "p99 ms": pct(lat, 99),
        "max ms": round(1000 * max(lat), 2),
        **notes,
    }
    for name, xs in hook_times.items():
        notes[f"hook {name} p50/p99 ms"] = f"{pct(xs, 50)}/{pct(xs, 99)}"
    return Outcome(seconds, notes=notes)


@step(
    "orm_naive",
    "slow reference: Django ORM loop, journey_refresh for each household (SQLite file)",
    needs_data=False,
    sizes="S",
)
def orm_naive_step(ctx: Context) -> Outcome:
    from bench import django_db
    from bench.sizes import SIZES
    from parcours.demo.generator import generate

    t0 = time.perf_counter()
    django_db.setup(_db_path(ctx, "orm"))
    gen = generate(SIZES[ctx.size], seed=ctx.seed, end=ctx.end)
    seeded = django_db.seed(gen, ctx.end, journeys=False)
    seed_s = time.perf_counter() - t0

    from django_scopes import scopes_disabled

    from parcours.accounts.visibility import full_view
    from parcours.engine.columns import day_number
    from parcours.households.models import Household
    from parcours.journey.models import StageSpan
    from parcours.journey.services import journey_refresh

    with scopes_disabled():
        households = list(
            Household.objects.filter(association=seeded["association"]).select_related(
                "association"
            )
        )
        t0 = time.perf_counter()
        for household in households:
            journey_refresh(household, as_of=ctx.end)
        seconds = time.perf_counter() - t0
        gen_id = {pk: i for i, pk in seeded["household_pk"].items()}
        # the full view (what the references compute): not the public journeys beside it
        rows = list(
            full_view(StageSpan.objects.all()).values_list("household_id", "stage", "start", "end")
        )
    return Outcome(
        seconds,
        spans_table(
            [gen_id[h] for h, _, _, _ in rows],
            [s for _, s, _, _ in rows],
            [day_number(a) for _, _, a, _ in rows],
            [None if b is None else day_number(b) for _, _, _, b in rows],
        ),
        notes={
            "households": len(households),
            "households/s": round(len(households) / seconds),
            "seed s": round(seed_s, 1),
        },
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
    "report",
    "reports: the yearly period activity report (measures, panels, SVG charts, HTML, PDF by "
    "WeasyPrint) from the columns, its measures checked equal to DuckDB first",
    sizes="SM",
)
def report_step(ctx: Context) -> Outcome:
    from bench.report_bench import report_step as run

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


@step(
    "tasks",
    "worklists: task proposals of every household (parcours.engine.worklists, per-household "
    "timeline + rules + next change), checked on the timelines' spans",
)
def tasks_step(ctx: Context) -> Outcome:
    from bench.worklists_bench import propose_all

    seconds, spans, notes = propose_all(ctx)
    return Outcome(seconds, spans, notes=notes)


@step(
    "tasks_db",
    "worklists on SQLite (file, WAL): tasks_regenerate_many of every household, then again "
    "(must create nothing)",
    needs_data=False,
    sizes="SM",
)
def tasks_db_step(ctx: Context) -> Outcome:
    from bench.worklists_bench import regenerate_db

    return regenerate_db(ctx, _db_path(ctx, "tasks"))


@step(
    "picker",
    "household pickers on SQLite (file, WAL): picker_search as a volunteer types, p95 of 300 "
    "queries at the size's households (answers checked against a full scan first)",
    needs_data=False,
    sizes="M",
)
def picker_step(ctx: Context) -> Outcome:
    from bench.picker_bench import picker

    return picker(ctx, _db_path(ctx, "picker"))


@step(
    "import",
    "imports: a CSV of touchpoint rows (XS 2,000, S 20,000, M and L 200,000) imported into "
    "SQLite end to end (parse, commit, stages with reasons, tasks) beside DuckDB's read_csv; "
    "seconds: the total's wall clock, CPU seconds in the notes (bench/import_bench.py)",
    needs_data=False,
    sizes="",
)
def import_step(ctx: Context) -> Outcome:
    from bench.import_bench import ROWS_BY_SIZE, run

    phases, notes, _path = run(ROWS_BY_SIZE[ctx.size])
    for p in phases:
        notes[f"{p.name} wall/CPU s"] = f"{p.wall:.1f}/{p.cpu:.1f}"
    total = next(p for p in phases if p.name == "total")
    notes["rows"] = ROWS_BY_SIZE[ctx.size]
    return Outcome(total.wall, notes=notes)


@step(
    "xes_read",
    "imports: read a 262,000-event XES file (parcours.imports.logreading, pyexpat) vs "
    "pm4py.read_xes of the same file in the same worker (answers checked equal)",
    needs_data=False,
    sizes="",
)
def xes_read_step(ctx: Context) -> Outcome:
    try:
        import pm4py  # noqa: F401
    except ImportError:
        return Outcome(skipped="pm4py is not installed (pip install -e .[bench])")
    from bench.xes_bench import xes_read

    seconds, notes = xes_read(ctx.data.parent)
    return Outcome(seconds=seconds, notes=notes)


from bench import steps_dashboard as _dashboard  # noqa: E402, F401  (dashboard_warm)
from bench import steps_federation as _federation  # noqa: E402, F401  (federation)
from bench import steps_load  # noqa: E402, F401  (load_pg, load_sqlite)
from bench import steps_pipeline as _pipeline  # noqa: E402, F401  (attendance_tap)
from bench import steps_tasks as _tasks  # noqa: E402, F401  (tasks_batch)
from bench.steps_recompute import recompute_db_step  # noqa: E402,F401
