"""Import bench: N touchpoint rows from a CSV into SQLite, beside DuckDB's read_csv.

    .venv/bin/python -m bench.import_bench --rows 200000
    .venv/bin/python -m bench.run --size M --steps import     # the same, as a bench.run step

Each phase is timed by the wall clock (time.perf_counter) and by this process's CPU time
(time.process_time: the machine is shared, so the wall clock counts the other sessions' work
too), with the process's peak RSS (ru_maxrss) after it:
- duckdb: the reference for the parsing part: DuckDB's read_csv of the same file, dates parsed
  (strptime) and rows counted by kind;
- parse: parcours.imports: the file read, every cell checked (dates, phones, channels...), the
  plan built (the dry run; nothing written);
- commit: the plan written into a fresh migrated SQLite file (WAL) in one transaction:
  households, persons, consent, sessions, attendance, contacts, requests and their touchpoints
  through each app's bulk writer, then the stage spans with their reasons, status spans and
  placements of those households by the batch engine;
- tasks: the worklists' tasks of the imported households (the worker's job after the commit);
- total: parse + commit + tasks, the import end to end (the ≤ 60 s goal of issue 13).
The commit's own time is split by phase in the notes (households and persons, touchpoints,
journeys).
Appends a section to bench/RESULTS.md with the command and the load averages (as `uptime`).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
ROWS_BY_SIZE = {"XS": 2_000, "S": 20_000, "M": 200_000, "L": 200_000}


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class Phase:
    name: str
    what: str
    wall: float
    cpu: float
    peak_mb: float
    answer: str


@dataclass
class Timer:
    """Wall and CPU seconds of a block: `with timer:`, then .wall and .cpu."""

    wall: float = 0.0
    cpu: float = 0.0
    _t: tuple[float, float] = field(default=(0.0, 0.0), repr=False)

    def __enter__(self) -> Timer:
        self._t = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *exc) -> None:
        self.wall += time.perf_counter() - self._t[0]
        self.cpu += time.process_time() - self._t[1]


def duckdb_step(path: Path) -> tuple[Timer, str]:
    import duckdb

    with Timer() as t:
        rows = duckdb.sql(
            f"""SELECT "Type", count(*), min(strptime("Date", '%d/%m/%Y'))
                FROM read_csv('{path}', delim=';', header=true, all_varchar=true)
                GROUP BY ALL ORDER BY 1"""
        ).fetchall()
    return t, f"{sum(r[1] for r in rows):,} rows"


@contextmanager
def _split(timers: dict[str, Timer]):
    """Time the commit's phases: the households' and persons' writers, the touchpoints'
    writers, the journeys (wrapping the functions import_commit calls, for this run only)."""
    from parcours.households import bulk
    from parcours.imports import services

    wrapped = [
        (bulk, "households_write", "households"),
        (bulk, "persons_write", "persons"),
        (services, "_touchpoints", "touchpoints"),
        (services, "_follow", "journeys"),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _label in wrapped]

    def timed(fn, label):
        def call(*args, **kwargs):
            with timers.setdefault(label, Timer()):
                return fn(*args, **kwargs)

        return call

    for (module, name, label), (_m, _n, fn) in zip(wrapped, saved, strict=True):
        setattr(module, name, timed(fn, label))
    try:
        yield
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def run(rows: int, work: Path | None = None) -> tuple[list[Phase], dict[str, object], Path]:
    """Write the file, migrate a fresh SQLite file, run the phases; (phases, notes, file)."""
    from bench import django_db
    from bench.import_file import write_file

    work = work or Path(tempfile.mkdtemp(prefix="parcours-import-bench-"))
    path = write_file(work / "familles.csv", rows)
    django_db.setup(work / "bench.sqlite3")
    from django.utils import translation
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association
    from parcours.consent.basis import Basis
    from parcours.imports import services
    from parcours.imports.tasks import tasks_for

    translation.activate("fr")
    phases: list[Phase] = []
    t, answer = duckdb_step(path)
    phases.append(Phase("duckdb", "reference: DuckDB read_csv of the file, dates parsed, by kind",
                        t.wall, t.cpu, _peak(), answer))  # fmt: skip
    with scopes_disabled():
        association = Association.objects.create(name="Bench", slug="bench")
    parse, commit, tasks = Timer(), Timer(), Timer()
    with parse:
        _layout, plan = services.read_plan(path)
    assert plan.ok, plan.problems[:5]
    counts = plan.counts()
    phases.append(Phase("parse", "parcours.imports: read, check every cell, plan (dry run)",
                        parse.wall, parse.cpu, _peak(),
                        f"{counts['touchpoints']:,} touchpoints"))  # fmt: skip
    split: dict[str, Timer] = {}
    with commit, scopes_disabled(), _split(split):
        report = services.import_commit(
            actor=None, association=association, plan=plan, decisions={},
            lawful_basis=Basis("consent", datetime(2026, 1, 1).date(), frozenset({"follow_up"})),
        )  # fmt: skip
    del plan
    written = sum(report.touchpoints.values())
    phases.append(Phase("commit", "the plan written in one transaction: bulk writers, then stage "
                        "spans with reasons, statuses, placements (batch engine)",
                        commit.wall, commit.cpu, _peak(),
                        f"{report.households_created:,} households, {written:,} touchpoints, "
                        f"{report.journeys:,} journeys"))  # fmt: skip
    with tasks, scopes_disabled():
        created = tasks_for(association=association, household_ids=report.touched_ids)
    phases.append(Phase("tasks", "the worklists' tasks of the imported households (after the "
                        "commit, as the worker does)", tasks.wall, tasks.cpu, _peak(),
                        f"{created:,} tasks"))  # fmt: skip
    phases.append(Phase("total", "the import end to end: parse + commit + tasks",
                        parse.wall + commit.wall + tasks.wall, parse.cpu + commit.cpu + tasks.cpu,
                        _peak(), "≤ 60 s goal"))  # fmt: skip
    notes: dict[str, object] = {
        f"commit {name} wall/CPU s": f"{t.wall:.1f}/{t.cpu:.1f}" for name, t in split.items()
    }
    notes["file MB"] = round(path.stat().st_size / 1048576, 1)
    return phases, notes, path


def section(rows: int, phases: list[Phase], notes: dict, path: Path, command: str,
            load_before: str) -> str:  # fmt: skip
    import psutil

    table = ["| step | what | wall s | CPU s | peak RSS MB (process so far) | answer |",
             "|---|---|---:|---:|---:|---|"]  # fmt: skip
    for p in phases:
        table.append(
            f"| {p.name} | {p.what} | {p.wall:.2f} | {p.cpu:.2f} | {p.peak_mb:.0f} | {p.answer} |"
        )
    return "\n".join([
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — import of {rows:,} touchpoint rows "
        f"({path.stat().st_size / 1048576:.1f} MB CSV, UTF-8 with BOM, `;`) into SQLite",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB "
        f"RAM, Python {platform.python_version()}; load averages (1/5/15 min, as `uptime`): "
        f"before {load_before}, after {_load()}",
        "",
        *table,
        "",
        "Notes: " + "; ".join(f"{k} {v}" for k, v in notes.items()),
        "",
    ])  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    load_before = _load()
    phases, notes, path = run(args.rows)
    command = f".venv/bin/python -m bench.import_bench --rows {args.rows}"
    text = section(args.rows, phases, notes, path, command, load_before)
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
