"""Load steps (issue 15, item 6): simulated staff against gunicorn, through bench/load.py.

``load_pg``: 50 people on PostgreSQL; ``load_sqlite``: 10 people on SQLite (WAL). Each seeds
(once, kept) the demo seeder's association of ``LOAD_HOUSEHOLDS`` households (default 10,000),
serves it as ``parcours serve`` does and runs locust for ``LOAD_DURATION`` seconds (default
300), then checks every acknowledged mark in the database. Seconds: the load's wall clock; the
figures (p95 of the work requests, errors, marks acknowledged and lost) are in the notes.
``LOAD_SPAWN_RATE`` (default 0.4 a second: allauth allows 30 sign-ins a minute from one
address) paces the sign-ins. bench/goals.py sets the three for its ``--quick`` run.
"""

from __future__ import annotations

import os

from bench.steps import SELF_CHECKED, Context, Outcome, step

SELF_CHECKED.update({"load_pg", "load_sqlite"})


def _load(db: str, users: int) -> Outcome:
    from bench.load import run

    households = int(os.environ.get("LOAD_HOUSEHOLDS", "10000"))
    duration = int(os.environ.get("LOAD_DURATION", "300"))
    command = (
        f"LOAD_HOUSEHOLDS={households} LOAD_DURATION={duration} "
        f"python -m bench.run --steps load_{db}"
    )
    spawn_rate = float(os.environ.get("LOAD_SPAWN_RATE", "0.4"))
    r = run(db, users=users, duration=duration, households=households, record=False,
            command=command, spawn_rate=spawn_rate)  # fmt: skip
    notes: dict[str, object] = {
        "users": users,
        "households": households,
        "duration s": duration,
        "p50 ms": r.total.get("p50"),
        "p95 ms": r.p95,
        "p99 ms": r.total.get("p99"),
        "requests": r.total.get("count"),
        "errors": r.errors,
        "marks acknowledged": r.check.get("taps acknowledged"),
        "changes applied": r.check.get("applied answers"),
        "changes stored": r.check.get("changes stored (audit)"),
        "lost marks": r.lost,
        "gunicorn": f"{r.workers} workers x {r.threads} threads",
        "server CPU s": round(r.server_cpu_s),
        "load before": r.load_before,
        "load after": r.load_after,
    }
    for row in r.rows:
        notes[f"{row['name']} p50/p95/p99 ms"] = f"{row['p50']}/{row['p95']}/{row['p99']}"
    return Outcome(r.wall_s, notes=notes)


@step(
    "load_pg",
    "load: 50 simulated staff (locust) against gunicorn + PostgreSQL, sign-in with two-factor, "
    "attendance taps, household pages, searches, dashboard; every acknowledged mark checked in "
    "the database (bench/load.py)",
    needs_data=False,
    sizes="",
)
def load_pg_step(ctx: Context) -> Outcome:
    return _load("pg", 50)


@step(
    "load_sqlite",
    "load: 10 simulated staff (locust) against gunicorn + SQLite (WAL), as load_pg",
    needs_data=False,
    sizes="",
)
def load_sqlite_step(ctx: Context) -> Outcome:
    return _load("sqlite", 10)
