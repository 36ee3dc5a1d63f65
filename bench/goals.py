"""Every goal of issue 15 with its reference, in one run: ``.venv/bin/python -m bench.goals``.

Runs each bench step a goal needs (``bench.run``'s worker: one fresh process a step and size),
the references beside them (DuckDB's stage spans at the same size, the per-household path
before the pipeline), the load tests, the kill -9 and backup/restore figures, and appends ONE
section to bench/RESULTS.md: a table goal / figure / reference / met? / load average, and the
command. The goals are the table ``GOALS`` below; a goal whose step is not registered yet (its
helper's ``bench/steps_<name>.py`` not on main) is listed "not available" and the others run.

    .venv/bin/python -m bench.goals                 # the real sizes (M, L, 5-minute loads)
    .venv/bin/python -m bench.goals --quick         # smoke: S, 30 s loads of 300 households
    .venv/bin/python -m bench.goals --only load_pg,kill9 --no-record
    .venv/bin/python -m bench.goals --resume bench/out/goals-<start>.json   # after a stop

Each step's result is saved as soon as it ends in ``bench/out/goals-<start>.json`` (git-ignored),
so a run that is stopped keeps what it measured; ``--resume`` takes the steps already there and
runs the rest (the section says which steps came from the earlier start). Variables that change
what a step does (``BENCH_*``, ``FEDERATION_BENCH_*``, ``LOAD_*``) are recorded in the command.

``--quick`` checks that everything runs; its figures are not the goals' (S is not M or L):
its "met?" column says "(quick)" after the verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]

RESULTS = ROOT / "bench" / "RESULTS.md"
STATE_DIR = ROOT / "bench" / "out"
END = date(2025, 6, 30)
Result = dict[str, object]


@dataclass(frozen=True)
class Goal:
    key: str
    goal: str  # what issue 15 asks, as a sentence
    step: str  # the bench step that measures it ("kill9" and "backup" are run here)
    size: str  # size of the real run (--quick uses S)
    figure: Callable[[Result], tuple[str, float | None]]  # (shown, value compared)
    limit: Callable[[float, Result, dict[tuple[str, str], Result]], bool]  # met?
    reference: str  # the step whose figure is shown as the reference, at the same size
    ref_figure: Callable[[Result], str] = lambda r: _secs(r)


def _secs(r: Result) -> str:
    s = r.get("seconds")
    return "–" if s is None else f"{float(s):.2f} s"  # type: ignore[arg-type]


def _note(r: Result, *names: str) -> object:
    """The first note whose key contains one of ``names`` (case-insensitive)."""
    notes = r.get("notes") or {}
    for name in names:
        for k, v in notes.items():  # type: ignore[union-attr]
            if name.lower() in k.lower():
                return v
    return None


def _num(x: object) -> float | None:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def seconds(r: Result) -> tuple[str, float | None]:
    s = _num(r.get("seconds"))
    return ("–", None) if s is None else (f"{s:.2f} s", s)


def _percentile_note(r: Result, p: str) -> float | None:
    """A percentile from the notes: a key "p99 ms" with a number, or a key listing several,
    "wall p50/p95/p99/max ms" with "1.2/3.4/4.1/9.0" (the wall-clock one first)."""
    notes = r.get("notes") or {}
    # the step's own figure: "<p> ms" itself, then the wall-clock list, then any other key
    # ("hook journey.placement p50/p99 ms" is a part's, not the step's: last)
    keys = sorted(notes, key=lambda k: (k != f"{p} ms", not k.startswith("wall"),  # type: ignore[arg-type]
                                        k.startswith("hook"), k))  # fmt: skip
    for k in keys:
        if p not in k:
            continue
        v = notes[k]  # type: ignore[index]
        if _num(v) is not None:
            return _num(v)
        names = next((w for w in k.split() if p in w), "").split("/")
        values = str(v).split("/")
        if len(names) == len(values):
            return _num(values[names.index(p)])
    return None


def note_ms(p: str) -> Callable[[Result], tuple[str, float | None]]:
    def get(r: Result) -> tuple[str, float | None]:
        v = _percentile_note(r, p)
        return ("–", None) if v is None else (f"{v:g} ms", v)

    return get


def ref_note_ms(p: str) -> Callable[[Result], str]:
    def get(r: Result) -> str:
        v = _percentile_note(r, p)
        return "–" if v is None else f"{v:g} ms"

    return get


def load_figure(r: Result) -> tuple[str, float | None]:
    p95 = _num(_note(r, "p95 ms"))
    errors, lost = _note(r, "errors"), _note(r, "lost marks")
    acked = _note(r, "marks acknowledged")
    shown = f"p95 {p95:g} ms, {errors} errors, {acked} marks acknowledged, {lost} lost"
    if p95 is None:
        return "–", None
    ok = errors == 0 and lost == 0 and (_num(acked) or 0) > 0
    return shown, p95 if ok else float("inf")  # an error or a lost mark fails the goal


def at_most(x: float) -> Callable[[float, Result, dict], bool]:
    return lambda v, r, all_: v <= x


def ratio_to(reference: str, x: float) -> Callable[[float, Result, dict], bool]:
    """Seconds at most ``x`` times the reference step's at the same size."""

    def met(v: float, r: Result, all_: dict) -> bool:
        ref = _num(all_.get((reference, str(r["size"])), {}).get("seconds"))
        return ref is not None and v <= x * ref

    return met


def ratio_and_memory(reference: str, gb: float) -> Callable[[float, Result, dict], bool]:
    def met(v: float, r: Result, all_: dict) -> bool:
        peak = _num(r.get("peak_mb"))
        return ratio_to(reference, 1.0)(v, r, all_) and peak is not None and peak <= gb * 1024

    return met


REF = "duckdb"
GOALS: tuple[Goal, ...] = (
    Goal("tap", "One attendance tap, p99 <= 5 ms at M (SQLite)", "attendance_tap", "M",
         note_ms("p99"), at_most(5), "touchpoint_latency", ref_note_ms("p99")),
    Goal("tasks_M", "Every task at M <= 10 s", "tasks_batch", "M", seconds, at_most(10), REF),
    Goal("tasks_L", "Every task at L <= 100 s", "tasks_batch", "L", seconds, at_most(100), REF),
    Goal("recompute_M", "parcours recompute into SQLite at M <= 30 s", "recompute_db", "M",
         seconds, at_most(30), REF),
    Goal("recompute_L", "parcours recompute on PostgreSQL at L <= DuckDB's spans, <= 4 GB",
         "recompute_db", "L", seconds, ratio_and_memory(REF, 4), REF),
    Goal("dashboard_L", "Dashboard at L <= 1 s warm", "dashboard_warm", "L", seconds,
         at_most(1), REF),
    Goal("federation_L", "Federation dashboard at L (100 associations, PG) <= 2 s",
         "federation", "L", seconds, at_most(2), REF),
    Goal("load_pg", "50 staff on gunicorn + PostgreSQL: p95 <= 300 ms, 0 errors, 0 lost marks",
         "load_pg", "-", load_figure, at_most(300), "-"),
    Goal("load_sqlite", "10 staff on gunicorn + SQLite: p95 <= 300 ms, 0 errors, 0 lost marks",
         "load_sqlite", "-", load_figure, at_most(300), "-"),
    Goal("kill9", "kill -9 during a recompute, an import, a burst of writes: 0 failed checks",
         "kill9", "-", lambda r: (str(r.get("shown", "–")), _num(r.get("value"))),
         at_most(0), "-", lambda r: "–"),
    Goal("backup", "parcours backup + restore round trip, checked", "backup", "-",
         lambda r: (str(r.get("shown", "–")), _num(r.get("value"))), at_most(0), "copy",
         lambda r: str(r.get("reference", "–"))),
)  # fmt: skip
LOCAL = {"kill9", "backup"}  # run by this module, not bench.run's worker


# -- running ---------------------------------------------------------------------------------


def available(step: str) -> bool:
    from bench.steps import STEPS

    return step in LOCAL or step in STEPS


def quick_skip(step: str) -> Result | None:
    """In --quick, a step made for M or L only (its own seeding, its samples) is not forced
    to S: it is shown skipped, with the sizes it runs at."""
    from bench.steps import STEPS

    if step in LOCAL or step not in STEPS or not STEPS[step].sizes or "S" in STEPS[step].sizes:
        return None
    return {"skipped": f"--quick runs S; `{step}` runs at {'/'.join(sorted(STEPS[step].sizes))}"}


def run_step(step: str, size: str, quick: bool) -> Result:
    """One bench step in its worker process (bench.run), as the harness runs it."""
    if step == "kill9":
        return run_kill9(quick)
    if step == "backup":
        return run_backup()
    from bench.run import data_path, run_worker
    from bench.steps import STEPS

    args = argparse.Namespace(size=size if size != "-" else "S", seed=1, end=END)
    if STEPS[step].needs_data and not data_path(args.size, 1, END).exists():
        if args.size in ("M", "L"):  # shared, generated once: never made again here
            return {"error": f"no generated log at {args.size} in bench/data (see README)"}
        made = run_worker("generate", args)
        if "error" in made:
            return made
    t0 = time.perf_counter()
    r = run_worker(step, args)
    r.setdefault("process_seconds", round(time.perf_counter() - t0, 2))
    return r


# kill -9 keeps its seeded 200-household demo database here; the backup round trip uses it
KILL9_WORK = Path(tempfile.gettempdir()) / "parcours-goals-kill9"


def run_kill9(quick: bool) -> Result:
    runs = 2 if quick else 50
    out = subprocess.run(
        [sys.executable, "-m", "bench.kill9", "--runs", str(runs), "--no-record", "--work",
         str(KILL9_WORK)],
        cwd=ROOT, capture_output=True, text=True, check=False, env=_env(),
    )  # fmt: skip
    rows = re.findall(
        r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", out.stdout, re.M
    )
    if not rows:
        return {"error": f"kill9 exited {out.returncode}: {out.stderr[-500:]}"}
    failed = sum(int(r[4]) for r in rows)
    shown = ", ".join(f"{r[0]} {r[4]} failed of {r[1]} kills ({r[2]} while working)" for r in rows)
    return {"shown": shown, "value": failed, "seconds": sum(int(r[5]) for r in rows)}


def run_backup() -> Result:
    """parcours backup, then parcours restore --force into a copy, on a 200-household demo
    database (kill -9's seeding); the reference is a plain copy of the same file."""
    work = Path(tempfile.mkdtemp(prefix="parcours-goals-backup-"))
    try:
        seeded = subprocess.run(  # seeds the demo database once, or finds it (no kill)
            [sys.executable, "-m", "bench.kill9", "--runs", "0", "--no-record", "--work",
             str(KILL9_WORK)],
            cwd=ROOT, capture_output=True, text=True, check=False, env=_env(),
        )  # fmt: skip
        template = next(KILL9_WORK.glob("template-*.sqlite3"), None)
        if template is None:
            return {"error": f"no demo database: {seeded.stderr[-500:]}"}
        db = work / "live.sqlite3"
        t0 = time.perf_counter()
        shutil.copyfile(template, db)
        copy_s = time.perf_counter() - t0
        env = _env(DATABASE_URL=f"sqlite:///{db}", PARCOURS_ENV="demo",
                   PARCOURS_DATA_DIR=str(work))  # fmt: skip
        parcours = str(Path(sys.executable).parent / "parcours")
        # The kept demo database may predate migrations landed since it was seeded: bring it to
        # this version first, or the restore rightly reports the backup as older (exit 3).
        m = subprocess.run([parcours, "manage", "migrate", "--no-input"], env=env,
                           capture_output=True, text=True, check=False)  # fmt: skip
        if m.returncode:
            return {"error": f"migrate exited {m.returncode}: {m.stderr[-500:]}"}
        t0 = time.perf_counter()
        b = subprocess.run([parcours, "backup", "--output", f"{work}/backups/"], env=env,
                           capture_output=True, text=True, check=False)  # fmt: skip
        backup_s = time.perf_counter() - t0
        made = next((work / "backups").glob("*"), None)
        if b.returncode or made is None:
            return {"error": f"backup exited {b.returncode}: {b.stderr[-500:]}"}
        t0 = time.perf_counter()
        r = subprocess.run([parcours, "restore", str(made), "--force"], env=env,
                           capture_output=True, text=True, check=False)  # fmt: skip
        restore_s = time.perf_counter() - t0
        size_mb = made.stat().st_size / 2**20
        shown = (f"backup {backup_s:.1f} s, restore {restore_s:.1f} s "
                 f"({size_mb:.1f} MB file), restore exit {r.returncode}")  # fmt: skip
        return {"shown": shown, "value": r.returncode, "seconds": backup_s + restore_s,
                "reference": f"file copy {copy_s:.2f} s"}  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_spans(results: dict[tuple[str, str], Result], step: str, size: str) -> None:
    """A step that returned stage spans is checked equal to DuckDB's at the same size (as
    bench.run does), when the reference ran: a difference is marked on the result."""
    r, ref = results.get((step, size)), results.get((REF, size))
    if not r or not ref or "spans" not in r or "spans" not in ref or "checked" in r:
        return
    from bench.run import compare

    a, b, _ = compare(str(ref["spans"]), str(r["spans"]))
    r["checked"] = True
    if a or b:
        r["wrong"] = f"{a} reference spans missing, {b} extra"


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def _save(path: Path, results: dict[tuple[str, str], Result], before: str) -> None:
    """Every result so far, written atomically: a stopped run keeps what it measured."""
    steps = [{"step": k[0], "size": k[1], "result": r} for k, r in results.items()]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"load_before": before, "steps": steps}, default=str, indent=1),
                   encoding="utf-8")  # fmt: skip
    tmp.replace(path)


def _recorded_env() -> list[str]:
    """The variables that change what a step does, as they were set for this run."""
    prefixes = ("BENCH_", "FEDERATION_BENCH_", "LOAD_")
    return [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith(prefixes)]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- the report ------------------------------------------------------------------------------


def verdict(goal: Goal, r: Result | None, results: dict, quick: bool) -> tuple[str, str, str]:
    """(figure, met?, reference) of one goal from its step's result."""
    if r is None:
        return "–", f"not available: step `{goal.step}` is not on main yet", "–"
    if "error" in r:  # its last line, on one line of the table
        last = [ln.strip() for ln in str(r["error"]).splitlines() if ln.strip()][-1:] or ["?"]
        return "–", "FAILED: " + last[0][-200:].replace("|", "/"), "–"
    if r.get("skipped"):
        return "–", f"skipped: {r['skipped']}", "–"
    shown, value = goal.figure(r)
    ref = results.get((goal.reference, str(r.get("size", goal.size))))
    if goal.step in LOCAL:
        ref_shown = goal.ref_figure(r)
    elif ref is None:
        ref_shown = "–"
    else:
        ref_shown = f"{goal.reference}: {goal.ref_figure(ref)}"
    met = "no figure" if value is None else "yes" if goal.limit(value, r, results) else "**no**"
    if r.get("wrong"):
        shown, met = "–", f"**WRONG**: {r['wrong']}"  # a fast wrong answer is no figure
    if quick:
        met += " (quick)"
    return shown, met, ref_shown


def report(
    rows: list[tuple[Goal, str, str, str, str, str]], command: str, before: str, after: str,
    quick: bool,
) -> str:  # fmt: skip
    kind = "quick smoke: size S, 30 s loads, 2 kills" if quick else "the goals' sizes"
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — issue 15 goals, one run ({kind})",
        "",
        f"Command: `{command}`",
        "",
        "| goal | size | figure | reference (same run) | met? | load average after |",
        "|---|---|---|---|---|---|",
    ]
    for goal, size, figure, ref, met, load in rows:
        lines.append(f"| {goal.goal} | {size} | {figure} | {ref} | {met} | {load} |")
    lines += ["", f"Load averages 1/5/15 min: before {before}, after {after}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.goals", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke: size S, 30 s loads, 2 kills")
    p.add_argument("--only", default="", help="goal keys, comma-separated (default: all)")
    p.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    p.add_argument("--resume", type=Path, help="a state file of an earlier start: keep its steps")
    args = p.parse_args(argv)
    only = {k for k in args.only.split(",") if k}
    goals = [g for g in GOALS if not only or g.key in only]
    if args.quick:
        os.environ.setdefault("LOAD_DURATION", "30")
        os.environ.setdefault("LOAD_HOUSEHOLDS", "300")
        os.environ.setdefault("LOAD_SPAWN_RATE", "0.4")  # allauth: 30 sign-ins a minute an address
    before = _load()
    results: dict[tuple[str, str], Result] = {}
    resumed: set[tuple[str, str]] = set()
    if args.resume:
        earlier = json.loads(args.resume.read_text(encoding="utf-8"))
        for saved in earlier["steps"]:
            key = (saved["step"], saved["size"])
            if "error" not in saved["result"]:  # a failed step is run again
                results[key] = saved["result"]
                resumed.add(key)
        before = earlier.get("load_before", before)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    state_path = args.resume or STATE_DIR / f"goals-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    print(f"[goals] state: {state_path}", file=sys.stderr, flush=True)
    timeline: list[str] = []
    rows = []
    for goal in goals:
        size = "S" if args.quick and goal.size != "-" else goal.size
        wanted = [(goal.step, size)]
        if goal.reference not in ("-", "copy") and available(goal.step):
            wanted.append((goal.reference, size))
        for step, sz in wanted:
            if (step, sz) in results or not available(step):
                continue
            print(f"[goals] {step} at {sz} ...", file=sys.stderr, flush=True)
            start, load0 = datetime.now(UTC), _load()
            r = quick_skip(step) if args.quick else None
            r = r or run_step(step, sz, args.quick)
            r["size"] = sz
            r["ran"] = f"{start:%H:%M}–{datetime.now(UTC):%H:%M} UTC, load {load0} → {_load()}"
            results[(step, sz)] = r
            _save(state_path, results, before)
        check_spans(results, goal.step, size)
        r = results.get((goal.step, size))
        figure, met, ref = verdict(goal, r, results, args.quick)
        rows.append((goal, size, figure, ref, met, _load()))
        print(f"[goals] {goal.key}: {figure} | {met}", file=sys.stderr, flush=True)
    for (step, sz), r in results.items():
        mark = " (from the earlier start)" if (step, sz) in resumed else ""
        timeline.append(f"- `{step}` at {sz}: {r.get('ran', '?')}{mark}")
    command = " ".join([*_recorded_env(), "python -m bench.goals",
                        *(argv if argv is not None else sys.argv[1:])])  # fmt: skip
    text = report(rows, command.strip(), before, _load(), args.quick)
    text += "\nSteps, in the order run:\n\n" + "\n".join(timeline) + "\n"
    print(text)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
