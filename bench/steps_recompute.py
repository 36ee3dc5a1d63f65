"""Bench step ``recompute_db``: ``parcours recompute`` end to end on a real database.

M: SQLite (file, WAL); L: PostgreSQL (database ``parcours_recompute_l`` on 127.0.0.1, or
BENCH_RECOMPUTE_PG). The database is seeded once from the size's Parquet log, in a child
process (so the step's peak RSS is the recomputation's): one association, the activities,
the households with ids equal to the log's household ids, the touchpoints (PostgreSQL: COPY
FROM STDIN; SQLite: executemany). A seeded SQLite file is saved beside the data and copied
for each run; the PostgreSQL database is kept (drop it with ``--drop``).

The timed part is ``journey.recompute.recompute_all``: read (COPY out / cursor), compute
(batch engine), delete + write (COPY in / executemany) of the spans, statuses and
placements, then the tasks, in one transaction. The stored stage spans are read back after
timing and checked against the reference. The PostgreSQL server's memory is not in the
peak RSS (another process).

    python -m bench.steps_recompute seed --size L     # seed (done by the step when missing)
    python -m bench.steps_recompute drop --size L     # drop the L database
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bench.steps import Context, Outcome, spans_table, step

ROOT = Path(__file__).resolve().parents[1]
PG_DB = os.environ.get("BENCH_RECOMPUTE_PG", "parcours_recompute_l")
PG_SERVER = "postgres://root@127.0.0.1:5432"


def _sqlite_path(data: Path, what: str) -> Path:
    return data.with_name(f"{data.stem}-recompute-{what}.sqlite3")


def _use(size: str, data: Path, *, fresh: bool) -> str:
    """Point Django at the size's database; returns the backend's name."""
    os.environ.setdefault("PARCOURS_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "parcours.config.settings_test"
    if size == "L":
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        return "postgresql"
    from bench import django_db

    saved, work = _sqlite_path(data, "seed"), _sqlite_path(data, "work")
    if fresh:
        django_db.setup(saved)
        return "sqlite"
    if not saved.exists():
        raise RuntimeError(f"no seeded database {saved}: seed it first")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(saved, work)  # the run writes to the copy
    os.environ["DATABASE_URL"] = f"sqlite:///{work}"
    return "sqlite"


def seed(size: str, data: Path) -> dict[str, float]:
    """Create and fill the size's database from the Parquet log."""
    t0 = time.perf_counter()
    if size == "L":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
            c.execute(f'CREATE DATABASE "{PG_DB}"')
    _use(size, data, fresh=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association
    from parcours.activities.models import Activity
    from parcours.households.models import Household, Touchpoint

    call_command("migrate", verbosity=0)
    timings = {"migrate s": time.perf_counter() - t0}
    f = pq.ParquetFile(data)
    n_households = 0
    activities: set[int] = set()
    for i in range(f.num_row_groups):
        g = f.read_row_group(i, columns=["household", "activity"])
        n_households = max(n_households, int(pc.max(g["household"]).as_py()))
        activities |= set(np.unique(g["activity"].to_numpy()).tolist())
    t0 = time.perf_counter()
    with scopes_disabled(), transaction.atomic():
        association = Association.objects.create(name="Bench", slug="bench")
        for a in sorted(x for x in activities if x >= 0):  # id a + 1: no id 0
            Activity.objects.create(
                id=a + 1, association=association, name=f"Activité {a}", category="workshop"
            )
        Household.objects.create(id=1, association=association, name="Famille 1")
        table = Household._meta.db_table
        cols = [f.column for f in Household._meta.concrete_fields if f.column not in ("id", "name")]
        rest = ", ".join(f'"{c}"' for c in cols)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE s(g) AS (SELECT 2 UNION ALL SELECT g + 1 FROM s WHERE g < %s) "
                f'INSERT INTO "{table}" ("id", "name", {rest}) '
                f"SELECT s.g, 'Famille ' || s.g, {rest} FROM s, \"{table}\" t WHERE t.id = 1",
                [n_households],
            )
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [n_households]
                )
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), 1000)",
                    [Activity._meta.db_table],
                )
    timings["households s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    _touchpoints(f, association.pk, Touchpoint._meta.db_table)
    timings["touchpoints s"] = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    timings["households"] = n_households
    return timings


def _touchpoints(f: pq.ParquetFile, association_id: int, table: str) -> None:
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    from django.db import connection, transaction
    from django.utils import timezone

    from parcours.engine.columns import KINDS

    created = timezone.now()
    kinds = pa.array(KINDS)
    columns = "association_id, household_id, day, kind, activity_id, ref, note, created_at"
    for i in range(f.num_row_groups):
        g = f.read_row_group(i)
        act = g["activity"].to_numpy()
        ref = g["ref"].to_numpy()
        n = g.num_rows
        rows = pa.table(
            {
                "association_id": pa.array(np.full(n, association_id, dtype=np.int64)),
                "household_id": g["household"],
                "day": g["day"].cast(pa.date32()),
                "kind": pc.take(kinds, g["kind"].cast(pa.int32())),
                "activity_id": pa.array(act + 1, mask=act < 0),
                "ref": pa.array(ref, mask=ref < 0),  # referral refs are household ids already
                "note": pa.array(np.full(n, "", dtype=object), type=pa.string()),
                "created_at": pa.array([created], type=pa.timestamp("us", tz="UTC")).take(
                    pa.array(np.zeros(n, dtype=np.int32))
                ),
            }
        )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # the seed's rows are known to hold: no foreign-key trigger per row (superuser)
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                sink = io.BytesIO()
                pacsv.write_csv(rows, sink, pacsv.WriteOptions(include_header=False))
                connection.ensure_connection()
                sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)"
                with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
                    copy.write(sink.getvalue())
            else:
                rows = rows.set_column(2, "day", pc.cast(rows["day"], pa.string()))
                stamp = connection.ops.adapt_datetimefield_value(created)
                values = [rows[c].to_pylist() for c in rows.column_names[:-1]]
                sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                with connection.cursor() as cursor:
                    cursor.executemany(sql, [(*r, stamp) for r in zip(*values, strict=True)])
        print(f"[seed] row group {i + 1}/{f.num_row_groups}", file=sys.stderr, flush=True)


def _seeded(size: str, data: Path) -> bool:
    if size != "L":
        return _sqlite_path(data, "seed").exists()
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/{PG_DB}") as c:
            got = c.execute("SELECT count(*) FROM households_household").fetchone()
            return bool(got and got[0])
    except psycopg.Error:
        return False


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@step(
    "recompute_db",
    "parcours recompute end to end (read touchpoints from the database, batch engine, write "
    "spans with reasons, statuses, placements, then tasks, one transaction): M on SQLite "
    "(file, WAL), L on PostgreSQL (COPY out and in)",
    needs_data=False,
    sizes="ML",
)
def recompute_db_step(ctx: Context) -> Outcome:
    notes: dict[str, object] = {}
    if not _seeded(ctx.size, ctx.data):
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "bench.steps_recompute", "seed", "--size", ctx.size]
        cmd += ["--data", str(ctx.data)]
        subprocess.run(cmd, cwd=ROOT, env=dict(os.environ), check=True)
        notes["seeded in (child process) s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    backend = _use(ctx.size, ctx.data, fresh=False)
    notes["database"] = backend
    notes["restore s"] = round(time.perf_counter() - t0, 1)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    call_command("migrate", verbosity=0)  # a seed made before a new migration: brought up

    from parcours.journey.models import StageSpan
    from parcours.journey.recompute import peak_rss_mb, recompute_all

    # "0": no tasks; "1" (default): tasks; or the sizes that run them ("M": at M only; at L
    # the tasks take tens of minutes on PostgreSQL, too long for one run of every goal)
    wanted = os.environ.get("BENCH_RECOMPUTE_TASKS", "1")
    tasks = wanted == "1" or (wanted != "0" and ctx.size in wanted.upper())
    connection.ensure_connection()
    rss_before = peak_rss_mb()
    cpu0, t0 = _cpu(), time.perf_counter()
    report = recompute_all(as_of=ctx.end, tasks=tasks)
    seconds = time.perf_counter() - t0
    notes["wall s"] = round(seconds, 2)
    notes["CPU s (this process)"] = round(_cpu() - cpu0, 2)
    notes["peak RSS MB (this process, PG server apart)"] = round(peak_rss_mb(), 1)
    notes["RSS before MB"] = round(rss_before, 1)
    notes.update({k: round(v, 2) for k, v in report.timings.items()})
    spans_s = sum(report.timings.get(f"{k} s", 0.0) for k in ("read", "compute", "delete"))
    spans_s += report.timings.get("rows s", 0.0) + report.timings.get("write s", 0.0)
    notes["spans+statuses+placements s (without tasks)"] = round(spans_s, 2)
    notes["households"] = report.households
    notes["rows written"] = report.rows
    if report.tasks is not None:
        t = report.tasks
        notes["tasks"] = f"{t.created} created, {t.closed} closed, {t.reopened} reopened"
    else:
        notes["tasks"] = f"not run (BENCH_RECOMPUTE_TASKS={wanted})"
    with scopes_disabled():
        rows = StageSpan.objects.filter(audience__in=["all", "sensitive"]).values_list(
            "household_id", "stage", "start", "end"
        )
        h, s, a, b = [], [], [], []
        epoch = date(1970, 1, 1).toordinal()
        for hh, st, start, end in rows.iterator(chunk_size=50_000):
            h.append(hh)
            s.append(st)
            a.append(start.toordinal() - epoch)
            b.append(None if end is None else end.toordinal() - epoch)
    return Outcome(seconds, spans_table(h, s, a, b), notes=notes)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.steps_recompute")
    p.add_argument("verb", choices=["seed", "drop"])
    p.add_argument("--size", default="M", choices=["M", "L"])
    p.add_argument("--data", type=Path)
    args = p.parse_args(argv)
    if args.verb == "drop":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        return 0
    data = args.data or ROOT / "bench" / "data" / f"{args.size}-seed1-2025-06-30.parquet"
    timings = seed(args.size, data)
    print("[seed]", {k: round(v, 1) for k, v in timings.items()}, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
