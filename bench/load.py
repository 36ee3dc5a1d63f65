"""Load test: simulated staff against gunicorn, as `parcours serve` runs it, on PostgreSQL or
SQLite; one command prepares and runs everything (bench/README.md, "Load").

    .venv/bin/python -m bench.load --db pg          # 50 people, 5 minutes, 10,000 households
    .venv/bin/python -m bench.load --db sqlite --users 10
    .venv/bin/python -m bench.load --db pg --duration 30 --households 1000 --no-record

1. **Seed** (once per database kind and size, kept for the next runs): the demo seeder's
   association of ``--households`` households and the bench's accounts (bench/load_db.py). On
   PostgreSQL the seeded database ``parcours_load_seed_<N>`` is the template each run's
   ``parcours_load_run`` is created from; on SQLite the seeded file (WAL) in bench/data/ is
   copied to the run's file.
2. **Serve**: ``parcours serve --bind 127.0.0.1:<port> --workers W --threads T`` with the
   production settings (``PARCOURS_ENV=production``, a secret key, ``PARCOURS_SSL_REDIRECT=0``:
   TLS ends at the proxy the clients simulate with ``X-Forwarded-Proto: https``), its
   background worker beside it, static files collected as in production.
3. **Load**: ``locust --headless`` with bench/locustfile.py, ``--users`` people started at
   ``--spawn-rate`` a second, for ``--duration`` seconds.
4. **Check**: the marks the clients logged against the database (bench/load_db.py ``check``).
5. **Report**: per request kind the count, errors, p50/p95/p99 (locust's figures, ms), the
   marks acknowledged and stored, the load averages, the server's CPU seconds, the command;
   appended to bench/RESULTS.md unless ``--no-record``.

Goal (issue 15): p95 <= 300 ms for the work requests (the sign-in, a one-off that hashes a
password on purpose, is reported apart), 0 errors, 0 lost marks.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "RESULTS.md"
PG = os.environ.get("LOAD_PG", "postgres://root@127.0.0.1:5432")
BIN = Path(sys.executable).parent
GOAL_P95_MS = 300
RAMP_MARGIN_S = 30  # the last sign-ins, slow while the others' passwords are hashed
SIGN_IN = "sign-in: "


@dataclass
class LoadResult:
    db: str
    users: int
    duration: int
    households: int
    workers: int
    threads: int
    spawn_rate: float = 0.4
    rows: list[dict[str, object]] = field(default_factory=list)  # per request name
    total: dict[str, object] = field(default_factory=dict)  # work requests, steady window
    whole: dict[str, object] = field(default_factory=dict)  # work requests, whole run
    steady_s: float = 0.0
    check: dict[str, object] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    wall_s: float = 0.0
    exceptions: list[str] = field(default_factory=list)
    command: str = ""
    seed_note: str = ""

    @property
    def p95(self) -> float | None:
        return self.total.get("p95")  # type: ignore[return-value]

    @property
    def errors(self) -> int:
        failed = int(self.whole.get("failures", 0))  # type: ignore[call-overload]
        sign_in = sum(int(r["failures"]) for r in self.rows if SIGN_IN in str(r["name"]))  # type: ignore[call-overload]
        return failed + sign_in + len(self.exceptions)

    @property
    def lost(self) -> int:
        return int(self.check.get("lost or doubled", -1))  # type: ignore[call-overload]

    @property
    def met(self) -> bool:
        return (
            self.p95 is not None
            and self.p95 <= GOAL_P95_MS
            and self.errors == 0
            and self.lost == 0
            and int(self.check.get("taps acknowledged", 0)) > 0  # type: ignore[call-overload]
        )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def _psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", f"{PG}/{db}", "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


# -- 1. seed ---------------------------------------------------------------------------------


def prepare(db: str, households: int, work: Path, *, reseed: bool) -> tuple[str, Path, str]:
    """The run's DATABASE_URL, the plan, and a note on the seeding."""
    plan = DATA / f"load-{db}-{households}-plan.json"
    if db == "pg":
        seed_db = f"parcours_load_seed_{households}"
        exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{seed_db}'") == "1"
        if reseed or not exists or not plan.exists():
            _psql(f"DROP DATABASE IF EXISTS {seed_db}")
            _psql(f"CREATE DATABASE {seed_db}")
            note = _seed(f"{PG}/{seed_db}", households, plan, work)
        else:
            note = f"reused database {seed_db} (seeded by this script)"
        _psql("DROP DATABASE IF EXISTS parcours_load_run WITH (FORCE)")
        _psql(f"CREATE DATABASE parcours_load_run TEMPLATE {seed_db}")
        # Planner statistics, as autovacuum keeps them on a live server (it may be off here,
        # and a freshly bulk-seeded database has none: plans for 7 rows, minutes a page).
        _psql("VACUUM ANALYZE", "parcours_load_run")
        return f"{PG}/parcours_load_run", plan, note
    seed_file = DATA / f"load-sqlite-{households}.sqlite3"
    if reseed or not seed_file.exists() or not plan.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{seed_file}{suffix}").unlink(missing_ok=True)
        note = _seed(f"sqlite:///{seed_file}", households, plan, work)
        _checkpoint(seed_file)
    else:
        note = f"reused {seed_file.name} (seeded by this script)"
    run_file = work / "load-run.sqlite3"
    shutil.copyfile(seed_file, run_file)
    _checkpoint(run_file, analyze=True)
    return f"sqlite:///{run_file}", plan, note


def _checkpoint(path: Path, *, analyze: bool = False) -> None:
    import sqlite3

    con = sqlite3.connect(path)
    if analyze:  # planner statistics, as on PostgreSQL
        con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _seed(url: str, households: int, plan: Path, work: Path) -> str:
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"[load] seeding {households} households into {url} ...", file=sys.stderr, flush=True)
    t0, c0 = time.perf_counter(), _children_cpu()
    subprocess.run(
        [sys.executable, "-m", "bench.load_db", "seed", "--households", str(households),
         "--plan", str(plan)],
        cwd=ROOT, env=_env(DATABASE_URL=url, PARCOURS_DATA_DIR=str(work)), check=True,
    )  # fmt: skip
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    return f"seeded by bench/load_db.py in {wall:.0f} s wall, {cpu:.0f} s CPU"


def _children_cpu() -> float:
    r = os.times()
    return r.children_user + r.children_system


# -- 2. serve --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, work: Path, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    env = _env(
        DATABASE_URL=url, PARCOURS_ENV="production", PARCOURS_DATA_DIR=str(work),
        PARCOURS_SECRET_KEY=secrets.token_urlsafe(40), PARCOURS_SSL_REDIRECT="0",
    )  # fmt: skip
    parcours = str(BIN / "parcours")
    subprocess.run([parcours, "manage", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([parcours, "manage", "migrate", "-v0"], env=env, check=True)
    port = _free_port()
    log = (work / "gunicorn.log").open("w")
    cmd = [parcours, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", str(threads)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {work / 'gunicorn.log'}") from None
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def _tree_cpu(proc: subprocess.Popen) -> float:
    import psutil

    total = 0.0
    try:
        p = psutil.Process(proc.pid)
        for q in [p, *p.children(recursive=True)]:
            t = q.cpu_times()
            total += t.user + t.system
    except psutil.Error:
        pass
    return total


# -- 3. load, 4. check, 5. report ------------------------------------------------------------


def run(
    db: str, *, users: int, duration: int, households: int, workers: int = 2, threads: int = 4,
    spawn_rate: float = 0.4, reseed: bool = False, record: bool = True, command: str = "",
) -> LoadResult:  # fmt: skip
    work = Path(os.environ.get("LOAD_WORK", "/tmp")) / f"parcours-load-{db}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    url, plan, note = prepare(db, households, work, reseed=reseed)
    result = LoadResult(db, users, duration, households, workers, threads, spawn_rate,
                        command=command)  # fmt: skip
    result.seed_note = note
    proc, port = serve(url, work, workers, threads)
    marks, times = work / "marks.jsonl", work / "times.tsv"
    marks.touch()
    times.touch()
    try:
        result.load_before = _load()
        since = time.time()
        # the ramp-up (people signing in, spawn_rate a second) comes before the steady minutes
        run_time = duration + math.ceil(users / spawn_rate) + RAMP_MARGIN_S
        t0, c0 = time.perf_counter(), _children_cpu()
        server_cpu0 = _tree_cpu(proc)
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{run_time}s",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(work / "locust"),
             "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0"],
            cwd=ROOT, check=True,
            env=_env(LOAD_PLAN=str(plan), LOAD_MARKS=str(marks), LOAD_TIMES=str(times),
                     LOAD_USERS=str(users)),
        )  # fmt: skip
        result.wall_s = time.perf_counter() - t0
        result.client_cpu_s = _children_cpu() - c0
        result.server_cpu_s = _tree_cpu(proc) - server_cpu0
        result.load_after = _load()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    out = work / "check.json"
    subprocess.run(
        [sys.executable, "-m", "bench.load_db", "check", "--marks", str(marks), "--since",
         str(since), "--out", str(out)],
        cwd=ROOT, env=_env(DATABASE_URL=url, PARCOURS_DATA_DIR=str(work)), check=True,
    )  # fmt: skip
    result.check = json.loads(out.read_text())
    read_stats(result, times, work / "locust")
    if db == "pg":
        _psql("DROP DATABASE IF EXISTS parcours_load_run WITH (FORCE)")
    report = format_report(result)
    print(report)
    if record:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n" + report)
    return result


def read_stats(result: LoadResult, times: Path, prefix: Path) -> None:
    """Per request name: count, failures, p50/p95/p99/max (ms, exact: every request's time as
    the locustfile logged it) over the steady window, from the moment the last person signed
    in to the end; the same over the work requests (sign-in apart) of the window, and of the
    whole run (ramp-up, when sign-ins that hash a password on purpose crowd the server)."""
    entries = []
    for line in times.read_text().splitlines():
        name, ms, ok, at = line.rsplit("\t", 3)
        entries.append((name, float(ms), ok == "1", float(at)))
    signed_in = [at for name, _, _, at in entries if SIGN_IN in name]
    start = max(signed_in, default=min((e[3] for e in entries), default=0.0))
    end = max((e[3] for e in entries), default=start)
    result.steady_s = end - start
    by_name: dict[str, list[float]] = {}
    failed: dict[str, int] = {}
    for name, ms, ok, at in entries:
        if at >= start or SIGN_IN in name:  # sign-ins all shown: they are the ramp-up
            by_name.setdefault(name, []).append(ms)
            failed[name] = failed.get(name, 0) + (not ok)
    for name, xs in by_name.items():
        window = result.wall_s if SIGN_IN in name else result.steady_s
        result.rows.append({"name": name, "failures": failed[name], **summary(xs, window)})
    work = [x for name, xs in by_name.items() if SIGN_IN not in name for x in xs]
    result.total = {"failures": sum(n for k, n in failed.items() if SIGN_IN not in k)}
    result.total.update(summary(work, result.steady_s))
    whole = [ms for name, ms, _, _ in entries if SIGN_IN not in name]
    result.whole = {"failures": sum(1 for n, _, ok, _ in entries if not ok and SIGN_IN not in n)}
    result.whole.update(summary(whole, result.wall_s))
    exc = Path(f"{prefix}_exceptions.csv")
    if exc.exists():
        with exc.open(encoding="utf-8") as f:
            result.exceptions = [f"{r['Count']}x {r['Message']}" for r in csv.DictReader(f)]


def percentile(xs: list[float], p: float) -> float | None:
    """The nearest-rank percentile (the smallest value with p % of the values at or under)."""
    if not xs:
        return None
    s = sorted(xs)
    return round(s[max(0, math.ceil(p / 100 * len(s)) - 1)], 1)


def summary(xs: list[float], wall: float) -> dict[str, object]:
    return {
        "count": len(xs),
        "p50": percentile(xs, 50),
        "p95": percentile(xs, 95),
        "p99": percentile(xs, 99),
        "max": round(max(xs), 1) if xs else None,
        "rps": round(len(xs) / wall, 2) if wall else None,
    }


def format_report(r: LoadResult) -> str:
    engine = "PostgreSQL" if r.db == "pg" else "SQLite (file, WAL)"
    status = "met" if r.met else "NOT met"
    ck = r.check
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — load: {r.users} simulated staff, "
        f"{r.duration} s after the ramp-up, gunicorn + {engine}, {r.households:,} households",
        "",
        f"Command: `{r.command or '.venv/bin/python -m bench.load --db ' + r.db}`",
        "",
        f"Server: `parcours serve --workers {r.workers} --threads {r.threads}` (production "
        f"settings, background worker beside it). Data: {r.seed_note}. Load averages 1/5/15 "
        f"min: before {r.load_before}, after {r.load_after}. Wall {r.wall_s:.0f} s; CPU "
        f"seconds: server {r.server_cpu_s:.0f} (gunicorn and its worker), locust "
        f"{r.client_cpu_s:.0f}. People started {r.spawn_rate:g} a second, each signing in; the "
        f"table is the steady window from the last sign-in to the end ({r.steady_s:.0f} s), "
        "sign-ins whole.",
        "",
        "| request | count | errors | p50 ms | p95 ms | p99 ms | max ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(r.rows, key=lambda x: str(x["name"])):
        lines.append(
            f"| {row['name']} | {row['count']} | {row['failures']} | {row['p50']} | "
            f"{row['p95']} | {row['p99']} | {row['max']} | {row['rps']} |"
        )
    t = r.total
    lines.append(
        f"| **work requests (sign-in apart)** | {t.get('count')} | {t.get('failures')} | "
        f"{t.get('p50')} | **{t.get('p95')}** | {t.get('p99')} | {t.get('max')} | "
        f"{t.get('rps')} |"
    )
    w = r.whole
    lines.append(
        f"| work requests, whole run with the ramp-up | {w.get('count')} | {w.get('failures')} | "
        f"{w.get('p50')} | {w.get('p95')} | {w.get('p99')} | {w.get('max')} | {w.get('rps')} |"
    )
    lines += [
        "",
        f"Marks: {ck.get('taps acknowledged')} taps acknowledged of {ck.get('taps answered')} "
        f"sent ({ck.get('retries')} retries of a tap with its mark_id), "
        f"{ck.get('applied answers')} applied, {ck.get('changes stored (audit)')} changes "
        f"stored (audit log), on {ck.get('pairs')} (session, household) rows; lost or doubled: "
        f"**{ck.get('lost or doubled')}**.",
    ]
    if ck.get("problems"):
        lines.append("Problems: " + "; ".join(map(str, ck["problems"])))  # type: ignore[arg-type]
    if r.exceptions:
        lines.append("Client exceptions: " + "; ".join(r.exceptions))
    lines += [
        "",
        f"Goal (p95 <= {GOAL_P95_MS} ms on the work requests, 0 errors, 0 lost marks): "
        f"**{status}** (p95 {r.p95} ms, {r.errors} errors, {r.lost} lost).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    p.add_argument("--db", choices=("pg", "sqlite"), default="pg")
    p.add_argument("--users", type=int, help="simulated people (default: 50 pg, 10 sqlite)")
    p.add_argument("--duration", type=int, default=300, help="seconds of load (default 300)")
    p.add_argument("--households", type=int, default=10_000)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (parcours serve's)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (idem)")
    p.add_argument("--spawn-rate", type=float, default=0.4, help="people started per second")
    p.add_argument("--reseed", action="store_true", help="seed again even if a seed is kept")
    p.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    p.add_argument("--seed-only", action="store_true", help="prepare the seeded data, run nothing")
    args = p.parse_args(argv)
    if args.seed_only:
        work = Path(os.environ.get("LOAD_WORK", "/tmp")) / f"parcours-load-{args.db}-seed"
        work.mkdir(parents=True, exist_ok=True)
        print(prepare(args.db, args.households, work, reseed=args.reseed)[2])
        if args.db == "pg":
            _psql("DROP DATABASE IF EXISTS parcours_load_run WITH (FORCE)")
        return 0
    users = args.users or (50 if args.db == "pg" else 10)
    command = "python -m bench.load " + " ".join(argv if argv is not None else sys.argv[1:])
    result = run(
        args.db, users=users, duration=args.duration, households=args.households,
        workers=args.workers, threads=args.threads, spawn_rate=args.spawn_rate,
        reseed=args.reseed, record=not args.no_record, command=command.strip(),
    )  # fmt: skip
    return 0 if result.met else 1


if __name__ == "__main__":
    sys.exit(main())
