"""Bench steps of the touchpoint pipeline (issue 15, item 1): ``attendance_tap``.

Real attendance taps (``activities.services.attendance_mark``) on the seeded association of the
size (the database ``touchpoint_latency`` seeds and saves, copied), SQLite file in WAL as in
production. The association's "today" is the as-of day of the data (its log is live then):
each tap marks a random household present at one of that day's sessions (a new row, its
touchpoint, the pipeline: spans, statuses, placement, tasks). Wall time (``perf_counter``) and
the thread's CPU time (``time.thread_time``: the honest figure on a shared machine) per tap,
p50/p95/p99/max of both, the same for the households with 400 or more touchpoints, and the SQL
statements per tap (a second pass of taps, counted with CaptureQueriesContext).
"""

from __future__ import annotations

import os
import random
import time
from contextlib import contextmanager

from bench.steps import Context, Outcome, _db_path, step

TAPS = 1000
COUNTED = 200  # taps of the second pass, whose statements are counted
HEAVY = 400  # touchpoints: "the heaviest households" (400 to 700 at M)


def seeded_copy(ctx: Context, what: str) -> dict[str, object]:
    """Point Django at a fresh copy (``bench/data/...-<what>.sqlite3``) of the size's seeded
    database (made and saved first when missing or stale, as ``touchpoint_latency`` does)."""
    from bench import django_db
    from bench.sizes import SIZES
    from parcours.demo.generator import generate

    t_all = time.perf_counter()
    saved = _db_path(ctx, "latency-seed")
    work = _db_path(ctx, what)
    if os.environ.get("BENCH_RESEED"):
        saved.unlink(missing_ok=True)
    notes: dict[str, object] = {}
    if django_db.restore_copy(saved, work):
        copied_s = time.perf_counter() - t_all
        notes["seed"] = f"reused {saved.name} (copied in {copied_s:.1f} s)"
        return notes
    django_db.setup(work)
    migrate_s = time.perf_counter() - t_all
    gen = generate(SIZES[ctx.size], seed=ctx.seed, end=ctx.end)
    seeded = django_db.seed(gen, ctx.end)
    django_db.save_copy(saved)
    notes["seed total s (migrate + generate + write + journeys)"] = round(
        time.perf_counter() - t_all, 1
    )
    notes["migrate s"] = round(migrate_s, 1)
    notes.update({k: round(v, 1) for k, v in seeded["timings"].items()})
    return notes


@contextmanager
def today_is(day):
    """The association's clock on ``day`` (django.utils.timezone.localdate, which the services
    read as "today"); the time of day (timezone.now) is left as it is."""
    from django.utils import timezone

    real = timezone.localdate
    timezone.localdate = lambda *args, **kwargs: day
    try:
        yield
    finally:
        timezone.localdate = real


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return round(1000 * s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)


@step(
    "attendance_tap",
    "Django on SQLite (file, WAL): attendance_mark (present, new row) -> touchpoint, spans, "
    "statuses, placement, tasks; 1,000 taps on random households (seconds = total; "
    "wall and CPU p50/p95/p99 in notes)",
    needs_data=False,
    sizes="M",
)
def attendance_tap_step(ctx: Context) -> Outcome:
    notes = seeded_copy(ctx, "attendance")

    from datetime import time as clock

    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    import parcours.config.wsgi  # noqa: F401  the app loaded as gunicorn does (objects frozen)
    from parcours.accounts.models import Association
    from parcours.activities.models import Activity, Session
    from parcours.activities.services import attendance_mark
    from parcours.households.models import Household
    from parcours.operations.checkpoint import INTERVAL_S, start_checkpointer

    rng = random.Random(ctx.seed)
    with scopes_disabled(), today_is(ctx.end):
        association = Association.objects.get(slug="bench")
        sizes = dict(
            Household.objects.filter(association=association)
            .annotate(n=Count("touchpoints"))
            .values_list("id", "n")
        )
        pks = sorted(sizes)
        sessions = [
            Session.objects.create(
                association=association, activity=a, day=ctx.end, start_time=clock(14, 0)
            )
            for a in Activity.objects.filter(association=association).order_by("id")
        ]
        picks = rng.sample(pks, TAPS + COUNTED)
        taps = [(pk, rng.choice(sessions)) for pk in picks]
        wall: list[float] = []
        cpu: list[float] = []
        heavy_wall: list[float] = []
        heavy_cpu: list[float] = []
        # as in production: the background worker checkpoints the WAL, not the taps' commits
        checkpointer = start_checkpointer()
        t0 = time.perf_counter()
        for pk, session in taps[:TAPS]:
            household = Household.objects.select_related("association").get(pk=pk)
            w, c = time.perf_counter(), time.thread_time()
            result = attendance_mark(
                actor=None, session=session, household=household, status="present"
            )
            c, w = time.thread_time() - c, time.perf_counter() - w
            assert result.outcome == "applied", result.outcome
            wall.append(w)
            cpu.append(c)
            if sizes[pk] >= HEAVY:
                heavy_wall.append(w)
                heavy_cpu.append(c)
        seconds = time.perf_counter() - t0
        checkpointer.stop()
        counts: list[int] = []
        for pk, session in taps[TAPS:]:
            household = Household.objects.select_related("association").get(pk=pk)
            with CaptureQueriesContext(connection) as queries:
                attendance_mark(actor=None, session=session, household=household, status="present")
            counts.append(len(queries.captured_queries))

    notes = {
        "wall p50/p95/p99/max ms": "/".join(
            str(x) for x in (pct(wall, 50), pct(wall, 95), pct(wall, 99), pct(wall, 100))
        ),
        "CPU p50/p95/p99/max ms": "/".join(
            str(x) for x in (pct(cpu, 50), pct(cpu, 95), pct(cpu, 99), pct(cpu, 100))
        ),
        "CPU mean ms": round(1000 * sum(cpu) / len(cpu), 2),
        f"households with >= {HEAVY} touchpoints": len(heavy_cpu),
        f">= {HEAVY} touchpoints wall/CPU p50 ms": (
            f"{pct(heavy_wall, 50)}/{pct(heavy_cpu, 50)}" if heavy_cpu else "-"
        ),
        f">= {HEAVY} touchpoints wall/CPU max ms": (
            f"{pct(heavy_wall, 100)}/{pct(heavy_cpu, 100)}" if heavy_cpu else "-"
        ),
        "touchpoints per household max": max(sizes.values()),
        "statements per tap (min/max, BEGIN and COMMIT included)": f"{min(counts)}/{max(counts)}",
        "sessions": len(sessions),
        "WAL checkpoints": f"a thread every {INTERVAL_S:g} s ({checkpointer.rounds} rounds), as "
        "parcours worker does",
        **notes,
    }
    return Outcome(seconds, notes=notes)
