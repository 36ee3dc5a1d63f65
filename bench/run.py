"""The benchmark harness: ``.venv/bin/python -m bench.run --size S|M|L [--steps a,b]``.

Each step runs in its own worker process (a fresh interpreter: honest peak memory from
``ru_maxrss``): the parent generates the data once (step ``generate``, seeded, written to
bench/data/ as Parquet), runs the reference (``duckdb``) and the other steps, checks that every
step's answer equals the reference's before it reports a time, and appends the results to
bench/RESULTS.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.sizes import SIZES  # noqa: E402
from bench.steps import REFERENCE, SELF_CHECKED, STEPS, Context, Outcome  # noqa: E402

DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_END = date(2025, 6, 30)
MARK = "BENCH_RESULT "


def data_path(size: str, seed: int, end: date) -> Path:
    return DATA / f"{size}-seed{seed}-{end.isoformat()}.parquet"


def spans_path(size: str, seed: int, step: str) -> Path:
    return OUT / f"{size}-seed{seed}" / f"{step}.parquet"


# -- worker ----------------------------------------------------------------------------------


def worker(name: str, size: str, seed: int, end: date) -> dict[str, object]:
    import psutil
    import pyarrow.parquet as pq

    step = STEPS[name]
    ctx = Context(size=size, seed=seed, end=end, data=data_path(size, seed, end))
    touchpoints = None
    if step.needs_data and step.arrow:
        ctx.table = pq.read_table(ctx.data)
        touchpoints = ctx.table.num_rows
    elif step.needs_data:
        touchpoints = pq.ParquetFile(ctx.data).metadata.num_rows
    base_mb = psutil.Process().memory_info().rss / 2**20
    outcome: Outcome = step.run(ctx)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result: dict[str, object] = {
        "step": name,
        "seconds": outcome.seconds,
        "skipped": outcome.skipped,
        "notes": outcome.notes,
        "base_mb": round(base_mb, 1),
        "peak_mb": round(peak_mb, 1),
        "touchpoints": touchpoints,
    }
    if outcome.spans is not None:
        import pyarrow.parquet as pq

        path = spans_path(size, seed, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(outcome.spans, path)
        result["spans"] = str(path)
        result["rows"] = outcome.spans.num_rows
    return result


# -- parent ----------------------------------------------------------------------------------


def run_worker(name: str, args: argparse.Namespace) -> dict[str, object]:
    cmd = [sys.executable, "-m", "bench.run", "--worker", name, "--size", args.size]
    cmd += ["--seed", str(args.seed), "--end", args.end.isoformat()]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            result: dict[str, object] = json.loads(line[len(MARK) :])
            result["process_seconds"] = round(wall, 2)
            return result
    return {"step": name, "error": f"worker exited {proc.returncode}: {proc.stderr[-2000:]}"}


def compare(reference: str, other: str) -> tuple[int, int, list[tuple[object, ...]]]:
    """(rows only in the reference, rows only in the other, a few examples)."""
    import duckdb

    con = duckdb.connect()
    only_ref = f"SELECT * FROM '{reference}' EXCEPT ALL SELECT * FROM '{other}'"
    only_other = f"SELECT * FROM '{other}' EXCEPT ALL SELECT * FROM '{reference}'"
    a = con.sql(f"SELECT count(*) FROM ({only_ref})").fetchall()[0][0]
    b = con.sql(f"SELECT count(*) FROM ({only_other})").fetchall()[0][0]
    examples = con.sql(
        f"(SELECT 'reference' AS side, * FROM ({only_ref}) LIMIT 3) UNION ALL "
        f"(SELECT 'step' AS side, * FROM ({only_other}) LIMIT 3)"
    ).fetchall()
    return int(a), int(b), examples


def machine() -> str:
    import duckdb
    import numpy
    import psutil

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = psutil.virtual_memory().total / 2**30
    return (
        f"{cpus} CPUs ({model}), {mem:.1f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"numpy {numpy.__version__}"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt_s(x: object) -> str:
    return "–" if x is None else f"{float(x):.2f}"  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--size", choices=sorted(SIZES), default="S")
    p.add_argument(
        "--steps",
        default="",
        help=f"comma-separated among {', '.join(STEPS)} (default: every step meant for the size)",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END, help="as-of day")
    p.add_argument("--regenerate", action="store_true", help="generate even if data exists")
    p.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        print(MARK + json.dumps(worker(args.worker, args.size, args.seed, args.end)), flush=True)
        return 0

    asked = [s for s in args.steps.split(",") if s]
    unknown = [s for s in asked if s not in STEPS]
    if unknown:
        p.error(f"unknown steps {unknown}; known: {list(STEPS)}")
    wanted = asked or [n for n, s in STEPS.items() if args.size in s.sizes and n != "generate"]
    data = data_path(args.size, args.seed, args.end)
    order: list[str] = []
    # Steps that seed their own database and check their own answers (SELF_CHECKED) need
    # neither the generated log nor the spans reference: asked alone, they run alone.
    on_log = [n for n in wanted if n not in SELF_CHECKED]
    if on_log and ("generate" in asked or args.regenerate or not data.exists()):
        order.append("generate")
    if any(n not in ("generate",) for n in on_log):
        order.append(REFERENCE)  # the reference always runs: every answer is checked against it
    order += [n for n in wanted if n not in order]

    load_before = _load()
    results: dict[str, dict[str, object]] = {}
    for name in order:
        print(f"[bench] {args.size}: {name} ...", file=sys.stderr, flush=True)
        r = run_worker(name, args)
        results[name] = r
        if "error" in r:
            print(f"[bench] {name} FAILED: {r['error']}", file=sys.stderr)
            if name in ("generate", REFERENCE):
                break
        elif r.get("skipped"):
            print(f"[bench] {name} skipped: {r['skipped']}", file=sys.stderr)
        else:
            print(
                f"[bench] {name}: {fmt_s(r['seconds'])} s, peak {r['peak_mb']} MB", file=sys.stderr
            )

    ref = results.get(REFERENCE, {})
    ok = True
    for name, r in results.items():
        if "error" in r:
            r["check"], ok = "crashed", False
        elif r.get("skipped"):
            r["check"] = f"skipped: {r['skipped']}"
        elif name == REFERENCE:
            r["check"] = f"reference ({r.get('rows', 0):,} spans)"
        elif "spans" in r and "spans" in ref:
            a, b, ex = compare(str(ref["spans"]), str(r["spans"]))
            if a == b == 0:
                r["check"] = f"equal ({r.get('rows', 0):,} spans)"
            else:
                r["check"] = f"WRONG: {a} reference rows missing, {b} extra"
                ok = False
                print(f"[bench] {name} differs from the reference, e.g. {ex}", file=sys.stderr)
        else:
            r["check"] = "–"

    households = SIZES[args.size]
    touchpoints = next(
        (r.get("touchpoints") for r in results.values() if r.get("touchpoints")), None
    )
    if touchpoints is None and "generate" in results:
        touchpoints = results["generate"].get("notes", {}).get("touchpoints")  # type: ignore[union-attr]
    ref_s = ref.get("seconds")
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — size {args.size}: {households:,} households, "
        f"{touchpoints or 0:,} touchpoints (seed {args.seed}, as of {args.end.isoformat()})",
        "",
        f"Command: `.venv/bin/python -m bench.run {' '.join(argv or sys.argv[1:])}`".rstrip(),
        "",
        f"Machine: {machine()}",
        "",
        "| step | what | seconds | × reference | peak RSS MB | RSS before step MB | answer |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        secs = None if r.get("skipped") or "error" in r else r.get("seconds")
        wrong = str(r.get("check", "")).startswith(("WRONG", "crashed"))
        ratio = "–"
        if secs is not None and ref_s and not wrong and "rows" in r:
            ratio = f"{float(secs) / float(ref_s):.2f}"  # type: ignore[arg-type]
        shown = "–" if wrong else fmt_s(secs)  # a fast wrong answer is a failure: no time shown
        lines.append(
            f"| {name} | {STEPS[name].what} | {shown} | {ratio} | {r.get('peak_mb', '–')} | "
            f"{r.get('base_mb', '–')} | {r['check']} |"
        )
    notes = [
        f"- {name}: " + "; ".join(f"{k} {v}" for k, v in r["notes"].items())  # type: ignore[union-attr]
        for name, r in results.items()
        if r.get("notes") and not r.get("skipped") and "error" not in r
    ]
    if notes:
        lines += ["", "Notes:", *notes]
    lines += ["", f"Load (uptime load averages 1/5/15 min): before {load_before}, after {_load()}."]
    not_run = [n for n in STEPS if n not in results]
    if not_run:
        lines += ["", f"Not run: {', '.join(not_run)}."]
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as f:
            if f.tell() == 0:
                f.write(
                    "# Benchmark results\n\nAppended by `python -m bench.run`; see README.md.\n"
                )
            f.write("\n" + report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
