"""Import bench: N touchpoint rows from a CSV into SQLite, beside DuckDB's read_csv.

    .venv/bin/python -m bench.import_bench --rows 200000

Steps, each timed with the process's peak RSS (psutil; ru_maxrss for the whole run):
- duckdb: reference for the parsing part: DuckDB's read_csv of the same file, dates parsed
  (strptime) and rows counted by kind;
- parse: parcours.imports: the file read, every cell checked (dates, phones, channels...), the
  plan built (the dry run; nothing written);
- import: the same plus the commit into a fresh migrated SQLite file: households, persons,
  consent, sessions, attendance, contacts, requests and their touchpoints through each app's
  bulk writer, then the journeys (batch engine), one transaction;
- tasks: the worklists' tasks of the imported households (the worker's job after the commit).
Appends a section to bench/RESULTS.md with the command and the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench import django_db
from bench.import_file import write_file

RESULTS = Path(__file__).with_name("RESULTS.md")


def _rss() -> float:
    return psutil.Process().memory_info().rss / 1048576


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def duckdb_step(path: Path) -> tuple[float, str]:
    import duckdb

    t = time.perf_counter()
    rows = duckdb.sql(
        f"""SELECT "Type", count(*), min(strptime("Date", '%d/%m/%Y'))
            FROM read_csv('{path}', delim=';', header=true, all_varchar=true)
            GROUP BY ALL ORDER BY 1"""
    ).fetchall()
    seconds = time.perf_counter() - t
    return seconds, f"{sum(r[1] for r in rows):,} rows"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="parcours-import-bench-"))
    path = write_file(work / "familles.csv", args.rows)
    django_db.setup(work / "bench.sqlite3")
    from django.utils import translation
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association
    from parcours.consent.basis import Basis
    from parcours.imports import services

    translation.activate("fr")
    steps = []
    before = _rss()
    seconds, answer = duckdb_step(path)
    steps.append(("duckdb", "reference: DuckDB read_csv of the file, dates parsed, by kind",
                  seconds, _peak(), before, answer))  # fmt: skip
    before = _rss()
    t = time.perf_counter()
    _layout, plan = services.read_plan(path)
    seconds = time.perf_counter() - t
    assert plan.ok, plan.problems[:5]
    counts = plan.counts()
    steps.append(("parse", "parcours.imports: read, check every cell, plan (dry run)", seconds,
                  _peak(), before, f"{counts['touchpoints']:,} touchpoints"))  # fmt: skip
    del plan
    before = _rss()
    t = time.perf_counter()
    with scopes_disabled():
        association = Association.objects.create(name="Bench", slug="bench")
        _layout, plan = services.read_plan(path)
        report = services.import_commit(
            actor=None, association=association, plan=plan, decisions={},
            lawful_basis=Basis("consent", datetime(2026, 1, 1).date(), frozenset({"follow_up"})),
        )  # fmt: skip
    seconds = time.perf_counter() - t
    written = sum(report.touchpoints.values())
    steps.append(("import", "parse + commit (bulk writers, journeys), one transaction",
                  seconds, _peak(), before,
                  f"{report.households_created:,} households, {written:,} touchpoints, "
                  f"{report.journeys:,} journeys"))  # fmt: skip
    from parcours.imports.tasks import tasks_for

    before = _rss()
    t = time.perf_counter()
    with scopes_disabled():
        created = tasks_for(association=association, household_ids=report.touched_ids)
    steps.append(("tasks", "after the commit, in the background: tasks of those households",
                  time.perf_counter() - t, _peak(), before, f"{created:,} tasks"))  # fmt: skip
    table = ["| step | what | seconds | peak RSS MB (process so far) | RSS before MB | answer |",
             "|---|---|---:|---:|---:|---|"]  # fmt: skip
    for name, what, s, peak, rss, answer in steps:
        table.append(f"| {name} | {what} | {s:.2f} | {peak:.0f} | {rss:.0f} | {answer} |")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    section = "\n".join([
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — import of {args.rows:,} touchpoint rows "
        f"({path.stat().st_size / 1048576:.1f} MB CSV, UTF-8 with BOM, `;`) into SQLite",
        "",
        f"Command: `.venv/bin/python -m bench.import_bench --rows {args.rows}`",
        "",
        f"Machine: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB "
        f"RAM, Python {platform.python_version()}; load average at the end: {load}",
        "",
        *table,
        "",
    ])  # fmt: skip
    print(section)
    if not args.no_record:
        with RESULTS.open("a") as fh:
            fh.write("\n" + section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
