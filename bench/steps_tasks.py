"""Bench step of issue 15 item 2: every household's task proposals from the engine's columns.

``tasks_batch``: ``recompute_journeys`` (stage spans, statuses, placement, predicted ends) then
``batch_tasks`` (every task rule, vectorised) on the whole log, timed together (wall and
CPU). Before the time counts, the proposals and next change days are checked equal to the
per-household path (``tasks_per_household``: ``propose_tasks`` + ``next_task_change`` per
household) on every household, or on a sample of ``BENCH_TASKS_CHECK`` households (default:
all at S and M, 50,000 at L, where the per-household path would take ~12 min of CPU).
The stage spans are returned, so the harness checks them against the DuckDB reference
of the same run.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import numpy as np

from bench.steps import Context, Outcome, spans_table, step
from parcours.engine.columns import TouchpointColumns


def _sample(cols: TouchpointColumns, n: int | None) -> TouchpointColumns:
    if n is None:
        return cols
    ids = np.unique(cols.household)
    if n >= ids.shape[0]:
        return cols
    pick = ids[np.linspace(0, ids.shape[0] - 1, n).astype(np.int64)]
    keep = np.isin(cols.household, pick)
    return TouchpointColumns(
        cols.household[keep], cols.day[keep], cols.kind[keep], cols.activity[keep], cols.ref[keep]
    )


def _rows(tasks, households=None) -> tuple[dict[int, list[tuple]], dict[int, int]]:  # type: ignore[no-untyped-def]
    props: dict[int, list[tuple]] = {}
    for h, ps in tasks.by_household():
        if households is None or h in households:
            props[h] = sorted(
                (p.rule, p.cause, p.assignee, p.stage, p.reason.as_dict(), p.since, p.due, p.ref)
                for p in ps
            )
    changes = {
        int(h): int(d)
        for h, d in zip(tasks.households, tasks.next_change, strict=True)
        if d >= 0 and (households is None or int(h) in households)
    }
    return props, changes


@step(
    "tasks_batch",
    "worklists from columns: recompute_journeys + batch_tasks (every task rule, vectorised) "
    "for every household, checked equal to the per-household propose_tasks first",
    sizes="SML",
    arrow=False,
)
def tasks_batch_step(ctx: Context) -> Outcome:
    from parcours.engine.batch_journeys import recompute_journeys
    from parcours.engine.batch_tasks import batch_tasks, tasks_per_household
    from parcours.engine.definition import shipped_definition

    definition = shipped_definition()
    cols = ctx.columns()
    as_of = ctx.end
    t0, c0 = time.perf_counter(), time.process_time()
    journeys = recompute_journeys(cols, definition, as_of)
    t1, c1 = time.perf_counter(), time.process_time()
    tasks = batch_tasks(cols, definition, as_of, journeys=journeys)
    t2, c2 = time.perf_counter(), time.process_time()

    env = os.environ.get("BENCH_TASKS_CHECK")
    n_check = None if env == "all" else int(env) if env else (50_000 if ctx.size == "L" else None)
    sample = _sample(cols, n_check)
    c3, t3 = time.process_time(), time.perf_counter()
    reference = tasks_per_household(sample, definition, as_of)
    ref_s, ref_cpu = time.perf_counter() - t3, time.process_time() - c3
    checked = set(np.unique(sample.household).tolist()) if n_check is not None else None
    got = _rows(tasks, checked)
    want = _rows(reference)
    if got != want:
        bad = (
            sorted(set(got[0]) ^ set(want[0]))[:5]
            or [h for h in got[0] if got[0][h] != want[0].get(h)][:5]
        )
        raise AssertionError(f"batch tasks differ from the per-household path, e.g. {bad}")

    sp = journeys.spans
    keys = np.asarray(definition.stage_keys, dtype=object)
    by_rule = Counter(tasks.rules[int(r)].key for r in tasks.rule.tolist())
    notes: dict[str, object] = {
        "households": int(journeys.households.shape[0]),
        "tasks": len(tasks),
        "journeys s (wall)": round(t1 - t0, 2),
        "journeys s (CPU)": round(c1 - c0, 2),
        "batch_tasks s (wall)": round(t2 - t1, 2),
        "batch_tasks s (CPU)": round(c2 - c1, 2),
        "total s (CPU)": round(c2 - c0, 2),
        "checked households": "all" if checked is None else len(checked),
        "per-household check s (wall)": round(ref_s, 1),
        "per-household check s (CPU)": round(ref_cpu, 1),
    }
    notes.update({f"tasks {k}": v for k, v in sorted(by_rule.items())})
    spans = spans_table(
        sp.household,
        keys[sp.stage.astype(np.int64)].tolist(),
        sp.start,
        np.where(sp.end < 0, None, sp.end).tolist(),
    )
    return Outcome(t2 - t0, spans, notes=notes)
