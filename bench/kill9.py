"""Kill -9 at a random moment, then check nothing is half written (issue 15, Operations).

    .venv/bin/python -m bench.kill9                       # 50 runs of each scenario
    .venv/bin/python -m bench.kill9 --runs 5 --no-record  # a quick look
    .venv/bin/python -m bench.kill9 --scenarios writes --runs 20 --max-delay 2

A demo association (``parcours.seed.seed_demo``, ``--households``, default 200) is seeded once
into a SQLite file (WAL, as in production). Each scenario starts from a copy of it; then, ``--runs``
times, a child process (``python -m bench.kill9 --child <scenario>``) sets Django up, says
"ready", and works in a loop:

- recompute: ``journey_recompute(batch_size=--batch)`` of every household, again and again
  (each batch deletes and rewrites its households' stage spans, status spans and journeys in
  one transaction);
- import: a new association, then a 2,000-row touchpoint file (``bench/import_file.py``) read
  and committed through ``parcours.imports.services.import_commit`` (one transaction);
- writes: attendance marks (present, absent, excused) on random held sessions for random
  households through ``attendance_mark``, each deriving or removing its touchpoint and updating
  the household's journey.

After a random delay (uniform in [0, --max-delay] seconds after "ready") the parent sends
SIGKILL, waits, and checks the database as the next start would find it:

1. ``PRAGMA integrity_check`` is ok and ``PRAGMA foreign_key_check`` finds nothing;
2. the stored stage spans, status spans and journeys equal a fresh ``journey_recompute`` (run in
   a transaction that is rolled back, so the check repairs nothing);
3. no write is half done: each import association holds all of the file's households and
   touchpoints or none; each attendance row marked by the child is present with its linked
   attendance touchpoint (same household, activity and day) or not present with none.

Prints one line per scenario (runs, killed while working, units finished before the kill,
failures) and, unless ``--no-record``, appends the table to bench/RESULTS.md with the command
and the load averages before and after. Exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("RESULTS.md")
SCENARIOS = ("recompute", "import", "writes")
IMPORT_ROWS = 2_000
MARK_PREFIX = "kill9-"


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _environment(db_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PARCOURS_ENV="test",
        PARCOURS_DATA_DIR=str(db_file.parent),
        DATABASE_URL=f"sqlite:///{db_file}",
        DJANGO_SETTINGS_MODULE="parcours.config.settings_test",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "src"), env.get("PYTHONPATH", "")]),
    )
    return env


def _django(db_file: Path) -> None:
    os.environ.update(_environment(db_file))
    import django

    django.setup()


def _unlink(db_file: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)


# --- the child: works until it is killed -------------------------------------------------------


def _say(*words) -> None:
    print(*words, flush=True)


def child_recompute(batch: int) -> None:
    from parcours.journey.recompute import journey_recompute

    _say("ready")
    unit = 0
    while True:
        journey_recompute(batch_size=batch)
        unit += 1
        _say("unit", unit)


def child_import(work: Path) -> None:
    from django_scopes import scopes_disabled

    from bench.import_file import write_file
    from parcours.accounts.models import Association
    from parcours.consent.basis import Basis
    from parcours.imports import services

    path = work / "kill9-import.csv"
    if not path.exists():
        write_file(path.with_suffix(".part"), IMPORT_ROWS)
        os.replace(path.with_suffix(".part"), path)
    basis = Basis("consent", datetime(2026, 1, 1).date(), frozenset({"follow_up"}))
    _layout, plan = services.read_plan(path)
    counts = plan.counts()
    _say("expect", counts["households"], counts["touchpoints"])
    _say("ready")
    unit = 0
    while True:
        slug = f"kill9-{os.getpid()}-{unit}"
        with scopes_disabled():
            association = Association.objects.create(name=slug, slug=slug)
            _layout, plan = services.read_plan(path)
            services.import_commit(
                actor=None, association=association, plan=plan, decisions={}, lawful_basis=basis
            )
        unit += 1
        _say("unit", unit)


def child_writes(seed: int) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from parcours.activities.models import Session
    from parcours.activities.services import attendance_mark
    from parcours.households.models import Household

    rng = random.Random(seed)
    with scopes_disabled():
        sessions = list(Session.objects.filter(day__lte=timezone.localdate()).order_by("id"))
        households = {}
        for h in Household.objects.order_by("id"):
            households.setdefault(h.association_id, []).append(h)
    sessions = [s for s in sessions if s.association_id in households]
    _say("ready")
    unit = 0
    while True:
        for _ in range(10):
            session = rng.choice(sessions)
            household = rng.choice(households[session.association_id])
            status = rng.choice(("present", "absent", "excused"))
            mark = f"{MARK_PREFIX}{os.getpid()}-{unit}-{rng.random()}"
            try:
                with scopes_disabled():
                    attendance_mark(
                        actor=None, session=session, household=household, status=status,
                        mark_id=mark,
                    )  # fmt: skip
            except ValidationError:
                continue  # a cancelled session, a household that left: refused, nothing written
        unit += 1
        _say("unit", unit)


def child(args: argparse.Namespace) -> int:
    _django(Path(args.db))
    if args.child == "recompute":
        child_recompute(args.batch)
    elif args.child == "import":
        child_import(Path(args.db).parent)
    else:
        child_writes(os.getpid())
    return 0


# --- the parent: seeds, kills, checks ----------------------------------------------------------


@dataclass
class Tally:
    scenario: str
    runs: int = 0
    killed_working: int = 0
    units: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def seed_template(db_file: Path, households: int) -> None:
    from django.core.management import call_command
    from django.utils import translation

    from parcours.journey.recompute import journey_recompute
    from parcours.seed import seed_demo

    call_command("migrate", verbosity=0)
    with translation.override("fr"):
        seed_demo(households=households, seed=2026)
    journey_recompute()


def _stored() -> dict[str, list]:
    from django_scopes import scopes_disabled

    from parcours.journey.models import HouseholdJourney, StageSpan, StatusSpan

    fields = {
        StageSpan: ("household_id", "audience", "stage", "start", "end", "predicted_end",
                    "skipped", "regression", "definition_version"),
        StatusSpan: ("household_id", "audience", "status", "start", "end"),
        HouseholdJourney: ("household_id", "audience", "stage", "valid_until", "statuses"),
    }  # fmt: skip
    with scopes_disabled():
        return {
            model.__name__: sorted(map(repr, model.objects.values_list(*names)))
            for model, names in fields.items()
        }


class _Rollback(Exception):
    pass


def check(expect: tuple[int, int] | None) -> list[str]:
    """What is wrong with the database as a restart would find it (empty: nothing)."""
    from django.db import connection, transaction
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association
    from parcours.activities.models import Attendance
    from parcours.households.models import Household, Touchpoint
    from parcours.journey.recompute import journey_recompute

    connection.close()
    problems = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            if (ok := cursor.fetchone()[0]) != "ok":
                problems.append(f"integrity_check: {ok}")
            cursor.execute("PRAGMA foreign_key_check")
            if rows := cursor.fetchall():
                problems.append(f"foreign_key_check: {rows[:3]}")
    stored = _stored()
    fresh = {}
    try:
        with transaction.atomic():
            journey_recompute()
            fresh.update(_stored())
            raise _Rollback
    except _Rollback:
        pass
    for name, rows in stored.items():
        if rows != fresh[name]:
            diff = len(set(rows) ^ set(fresh[name]))
            problems.append(f"{name}: stored differs from a fresh recompute ({diff} rows)")
    with scopes_disabled():
        for assoc in Association.objects.filter(slug__startswith="kill9-"):
            got = (
                Household.objects.filter(association=assoc).count(),
                Touchpoint.objects.filter(association=assoc).count(),
            )
            if got != (0, 0) and got != expect:
                problems.append(f"import {assoc.slug}: {got} households/touchpoints of {expect}")
        marked = Attendance.objects.filter(mark_id__startswith=MARK_PREFIX).select_related(
            "session", "touchpoint"
        )
        for row in marked:
            tp = row.touchpoint
            if row.status == Attendance.Status.PRESENT:
                if tp is None or (tp.household_id, tp.activity_id, tp.day, tp.kind) != (
                    row.household_id, row.session.activity_id, row.session.day, "attendance"
                ):  # fmt: skip
                    problems.append(f"attendance {row.pk}: present without its touchpoint")
            elif tp is not None:
                problems.append(f"attendance {row.pk}: {row.status} with a touchpoint")
    connection.close()
    return problems


def run_once(scenario: str, db_file: Path, args, rng: random.Random, tally: Tally, state: dict):
    started = time.perf_counter()
    argv = [sys.executable, "-m", "bench.kill9", "--child", scenario, "--db", str(db_file),
            "--batch", str(args.batch)]  # fmt: skip
    proc = subprocess.Popen(
        argv, env=_environment(db_file), cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    for line in proc.stdout:
        if line.startswith("expect"):
            state["expect"] = tuple(int(x) for x in line.split()[1:])
        if line.startswith("ready"):
            break
    time.sleep(rng.uniform(0, args.max_delay))
    working = proc.poll() is None
    if working:
        os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    units = [int(line.split()[1]) for line in out.splitlines() if line.startswith("unit")]
    tally.runs += 1
    tally.killed_working += working
    tally.units += max(units, default=0)
    if not working:
        tally.failures.append(f"run {tally.runs}: the child stopped by itself: {err[-500:]}")
    for problem in check(state.get("expect")):
        tally.failures.append(f"run {tally.runs}: {problem}")
    tally.seconds += time.perf_counter() - started


def run(args) -> list[Tally]:
    work = Path(args.work or tempfile.mkdtemp(prefix="parcours-kill9-"))
    work.mkdir(parents=True, exist_ok=True)
    template = work / f"template-{args.households}.sqlite3"
    db_file = work / "kill9.sqlite3"
    _unlink(db_file)
    _django(db_file)
    from django.db import connection

    if not template.exists():
        seed_template(db_file, args.households)
        connection.close()
        _unlink(template)
        shutil.copyfile(db_file, template)
    rng = random.Random(args.seed)
    tallies = []
    for scenario in args.scenarios:
        connection.close()
        _unlink(db_file)
        shutil.copyfile(template, db_file)
        tally, state = Tally(scenario), {}
        for _ in range(args.runs):
            run_once(scenario, db_file, args, rng, tally, state)
            print(
                f"{scenario}: run {tally.runs}/{args.runs}, failures {len(tally.failures)}",
                flush=True,
            )
        tallies.append(tally)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return tallies


def table(tallies: list[Tally]) -> str:
    lines = [
        "| scenario | runs | killed while working | units finished before the kills | "
        "failed checks | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for t in tallies:
        lines.append(
            f"| {t.scenario} | {t.runs} | {t.killed_working} | {t.units} | {len(t.failures)} | "
            f"{t.seconds:.0f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.kill9", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=50, help="kills per scenario (default 50)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--max-delay", type=float, default=3.0, help="seconds after 'ready'")
    parser.add_argument("--batch", type=int, default=50, help="recompute: households a transaction")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", help="keep the databases here (default: a temporary folder)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    before = _load()
    tallies = run(args)
    after = _load()
    summary = table(tallies)
    print(summary)
    for t in tallies:
        for failure in t.failures[:20]:
            print(f"FAILED {t.scenario} {failure}")
    command = "python -m bench.kill9 " + " ".join(argv if argv is not None else sys.argv[1:])
    if not args.no_record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(
                f"\n## Kill -9: {stamp}\n\nCommand: `{command.strip()}` "
                f"({args.households} demo households, kill uniformly within {args.max_delay} s "
                f"of 'ready', recompute batches of {args.batch}). Load average before: {before}; "
                f"after: {after}.\n\n{summary}\n"
            )
    print(json.dumps({"load_before": before, "load_after": after}))
    return 1 if any(t.failures for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
