"""Bench of the worklists: every household's task proposals (pure engine), and the stored
regeneration of every household's tasks on a SQLite file (Django)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np


def propose_all(ctx: Any) -> tuple[float, Any, dict[str, object]]:
    from bench.steps import spans_table
    from parcours.engine.columns import KINDS, day_date, day_number
    from parcours.engine.definition import shipped_definition
    from parcours.engine.timeline import timeline
    from parcours.engine.touchpoints import Touchpoint
    from parcours.engine.worklists import next_task_change, propose_tasks, task_rules

    definition = shipped_definition()
    rules = task_rules(definition)
    cols = ctx.columns()
    as_of = ctx.end
    t0 = time.perf_counter()
    hh = cols.household
    bounds = np.flatnonzero(np.diff(hh)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(hh)]])
    days = cols.day.tolist()
    kinds = cols.kind.tolist()
    acts = cols.activity.tolist()
    refs = cols.ref.tolist()
    date_of = {d: day_date(d) for d in set(days)}
    by_rule: Counter[str] = Counter()
    out_h: list[int] = []
    out_s: list[str] = []
    out_a: list[int] = []
    out_b: list[int | None] = []
    households = 0
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        tps = [
            Touchpoint(
                date_of[days[i]],
                KINDS[kinds[i]],
                acts[i] if acts[i] >= 0 else None,
                refs[i] if refs[i] >= 0 else None,
            )
            for i in range(a, b)
        ]
        tl = timeline(tps, definition, as_of)
        for p in propose_tasks(tps, definition, as_of, rules=rules, tl=tl):
            by_rule[p.rule] += 1
        next_task_change(tps, definition, as_of, rules=rules, tl=tl)
        h = int(hh[a])
        households += 1
        for s in tl.stage_spans:
            out_h.append(h)
            out_s.append(s.stage)
            out_a.append(day_number(s.start))
            out_b.append(None if s.end is None else day_number(s.end))
    seconds = time.perf_counter() - t0
    notes: dict[str, object] = {"households": households, "tasks": sum(by_rule.values())}
    notes.update({f"tasks {k}": v for k, v in sorted(by_rule.items())})
    return seconds, spans_table(out_h, out_s, out_a, out_b), notes


def regenerate_db(ctx: Any, path: Path) -> Any:
    from bench import django_db
    from bench.sizes import SIZES
    from bench.steps import Outcome
    from parcours.demo.generator import generate

    t_all = time.perf_counter()
    django_db.setup(path)
    gen = generate(SIZES[ctx.size], seed=ctx.seed, end=ctx.end)
    # the seed writes touchpoints in bulk (no hooks): no task exists before the timed run
    seeded = django_db.seed(gen, ctx.end)
    seed_s = time.perf_counter() - t_all

    from django_scopes import scopes_disabled

    from parcours.worklists.models import Task
    from parcours.worklists.regenerate import tasks_regenerate_many

    t0 = time.perf_counter()
    first = tasks_regenerate_many(as_of=ctx.end)
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    second = tasks_regenerate_many(as_of=ctx.end)
    again_s = time.perf_counter() - t1
    with scopes_disabled():
        stored = Task.objects.count()
    if second.created or second.closed or second.reopened or stored != first.created:
        raise AssertionError(f"regeneration is not idempotent: {first} then {second}")
    return Outcome(
        seconds,
        notes={
            "households": first.households,
            "tasks created": first.created,
            "second run s": round(again_s, 1),
            "second run created/closed": f"{second.created}/{second.closed}",
            "seed s (migrate + generate + write + journeys)": round(seed_s, 1),
            **{k: round(v, 1) for k, v in seeded["timings"].items()},
        },
    )
