"""The tasks of many households written from the batch engine's columns, where regeneration
would only create the proposed tasks.

For most households a recomputation creates a task for each new proposal and changes
nothing else: over an empty task table (the first ``parcours recompute``, households just
imported) and, on later runs, for every household whose stored tasks are still those
proposed. For those households regeneration's per-household loop (worklists.regenerate)
only turns proposals into rows, so they are written here straight from the task columns of
``batch_plans.Plans`` (``executemany`` on SQLite, ``COPY`` on PostgreSQL, as the journey
rows: journey.recompute_io.write_table), with their task checks.

A household is taken here when regeneration would do nothing else for it than create its
new proposals as they are: no open or snoozed task of it would close, no snooze has ended,
no stored task changes view; no withdrawn consent purpose the rules ask about, no proposal
whose assignee is picked (a peer family by load while the association has some, the sponsor
of an active sponsorship: worklists.assignment, in household order) and no two proposals of
one view with the same rule and cause. The others go through the loop. Proposals of a seat
a household already holds are left out, as the loop does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
from django.db import connection
from django.utils import timezone

from parcours.accounts.visibility import Audience
from parcours.engine.batch_tasks import TaskColumns
from parcours.engine.columns import day_number
from parcours.journey.models import HouseholdJourney
from parcours.journey.recompute_io import write_table
from parcours.worklists import reads
from parcours.worklists.assignment import PeerPool
from parcours.worklists.batch_plans import Plans
from parcours.worklists.models import AssigneeKind, Task, TaskCheck

#: assignees a new task is given a family or a person for, in household order (the loop's)
PICKED = frozenset(
    {AssigneeKind.PEER_FAMILY, AssigneeKind.PEER_FAMILY_NEIGHBOURHOOD, AssigneeKind.SPONSOR}
)
TASK_FIELDS = [
    "association", "household", "rule", "cause", "assignee_kind", "stage", "reason", "ref",
    "since", "due", "state", "state_reason", "closed_because", "audience", "created_at",
]  # fmt: skip
CHECK_FIELDS = ["association", "household", "computed_on", "valid_until"]
_IN = 900  # ids per IN (...) list
_STAGING = "parcours_new_task_checks"  # PostgreSQL: the checks COPied, then upserted


@dataclass
class Written:
    """What ``store_new`` wrote: its households (sorted ids) and the tasks created."""

    households: list[int]
    created: int


def _between(rows, lo: int, hi: int):
    return rows.filter(household_id__gte=lo, household_id__lte=hi)


def _existing(lo: int, hi: int) -> dict[tuple[int, str, str], tuple[str, str, date | None]]:
    """(household, rule, cause) -> (state, audience, snoozed until) of the tasks regeneration
    manages of the households with an id in [lo, hi]."""
    from parcours.worklists.regenerate import MANAGED_ELSEWHERE

    rows = _between(Task.objects.exclude(rule__in=MANAGED_ELSEWHERE), lo, hi)
    fields = ("household_id", "rule", "cause", "state", "audience", "snoozed_until")
    return {(h, r, c): rest for h, r, c, *rest in rows.values_list(*fields)}


def _keys(view: _View) -> list[tuple[int, str, str]]:
    rules = view.tasks.rules
    return [
        (h, rules[r].key, c)
        for h, r, c in zip(view.households.tolist(), view.tasks.rule[view.rows].tolist(),
                           view.texts[0].tolist(), strict=True)
    ]  # fmt: skip


def _known(view: _View, existing: dict) -> np.ndarray:
    return np.asarray([k in existing for k in _keys(view)], dtype=bool)


def _changing(views: list[_View], existing: dict, as_of: date) -> np.ndarray:
    """The households whose stored tasks regeneration would change: an open or snoozed task
    no longer proposed (closed), a snooze that ended (reopened), a task proposed by another
    view (its audience changes). They go through the loop."""
    wanted = {k: a for v in views for k, a in zip(_keys(v), v.audience.tolist(), strict=True)}
    changed = set()
    for key, (state, audience, until) in existing.items():
        want = wanted.get(key)
        if want is None:
            if state in (Task.State.OPEN, Task.State.SNOOZED):
                changed.add(key[0])
        elif want != audience or (state == Task.State.SNOOZED and until and until <= as_of):
            changed.add(key[0])
    return np.asarray(sorted(changed), dtype=np.int64)


def _withdrawn(lo: int, hi: int) -> np.ndarray:
    return np.asarray(sorted(reads.withdrawn_between(lo, hi)), dtype=np.int64)


def _held(rule: str, ids: np.ndarray, as_of: date) -> np.ndarray:
    from parcours.worklists.regenerate import _already_held

    found: set[int] = set()
    for i in range(0, ids.shape[0], _IN):
        found |= _already_held(ids[i : i + _IN].tolist(), as_of).get(rule, set())
    return np.asarray(sorted(found), dtype=np.int64)


def _picks(plans: Plans, association_id: int, view: _View) -> np.ndarray:
    """Which rows of a view would get a family or a person picked (assignment.new_task): a
    peer-family rule's while the association has peer families to pick from, a sponsor
    rule's of an active sponsorship (a ref); the others are for a role's pool."""
    rules, rule = view.tasks.rules, view.tasks.rule[view.rows]
    sponsor = np.asarray([r.assignee == AssigneeKind.SPONSOR for r in rules], dtype=bool)
    peer = np.asarray([r.assignee in PICKED for r in rules], dtype=bool) & ~sponsor
    out = sponsor[rule] & (view.tasks.ref[view.rows] >= 0)
    if peer[rule].any() and PeerPool(association_id, plans.definition).households:
        out |= peer[rule]
    return out


def _journey_until(lo: int, hi: int, households: np.ndarray) -> np.ndarray:
    """Per household of ``households``, the first valid_until of its journeys (-1: none)."""
    rows = _between(HouseholdJourney.objects.filter(valid_until__isnull=False), lo, hi)
    got = np.full(households.shape[0], np.iinfo(np.int64).max, dtype=np.int64)
    pairs = list(rows.values_list("household_id", "valid_until"))
    if pairs:
        h = np.fromiter((p[0] for p in pairs), np.int64, len(pairs))
        d = np.fromiter((day_number(p[1]) for p in pairs), np.int64, len(pairs))
        i = np.searchsorted(households, h)
        hit = (i < households.shape[0]) & (households[np.minimum(i, households.shape[0] - 1)] == h)
        np.minimum.at(got, i[hit], d[hit])
    return np.where(got == np.iinfo(np.int64).max, -1, got)


def _texts(tc: TaskColumns, rows: np.ndarray) -> tuple[list, list, list, list]:
    """(cause, reason JSON, stage, assignee) of the task columns' rows ``rows``, each made
    once per distinct (rule, stage, day, episode, opening): the texts depend on nothing else."""
    keys = zip(
        tc.rule[rows].tolist(), tc.stage[rows].tolist(), tc.day[rows].tolist(),
        tc.cause_ref[rows].tolist(), tc.opened_on[rows].tolist(), rows.tolist(), strict=True,
    )  # fmt: skip
    made: dict[tuple, tuple] = {}
    out: tuple[list, list, list, list] = ([], [], [], [])
    for *key, i in keys:
        k = tuple(key)
        got = made.get(k)
        if got is None:
            p = tc.proposal(i)
            got = made[k] = (p.cause, json.dumps(p.reason.as_dict()), p.stage or "", p.assignee)
        for column, value in zip(out, got, strict=True):
            column.append(value)
    return out


class _View:
    """The proposal rows of one view (the full or the public journey) for some households,
    with their texts and the audience each row is told with."""

    def __init__(self, tasks: TaskColumns, households: np.ndarray, audience: np.ndarray):
        self.tasks = tasks
        a, b = np.searchsorted(tasks.household, [households[0], households[-1] + 1]).tolist()
        self.rows = np.arange(a, b)[np.isin(tasks.household[a:b], households)]
        self.households = tasks.household[self.rows]
        i = np.searchsorted(households, self.households)
        self.audience = audience[i] if self.rows.shape[0] else np.zeros(0, dtype=object)
        self.texts = [np.asarray(t, dtype=object) for t in _texts(tasks, self.rows)]

    def keep(self, mask: np.ndarray) -> None:
        self.rows, self.households, self.audience = (
            self.rows[mask], self.households[mask], self.audience[mask],
        )  # fmt: skip
        self.texts = [t[mask] for t in self.texts]


def _repeated(households: np.ndarray, rule: np.ndarray, cause: list[str]) -> np.ndarray:
    """The households with two proposals of the same rule and cause (the loop keeps one)."""
    if not households.shape[0]:
        return households
    code = np.unique(np.asarray(cause, dtype=object), return_inverse=True)[1].ravel()
    keyed = np.stack([households, rule.astype(np.int64), code.astype(np.int64)])
    _u, first, count = np.unique(keyed, axis=1, return_index=True, return_counts=True)
    return households[first[count > 1]]


def _days(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def store_new(plans: Plans, ids: list[int], association_id: int, as_of: date) -> Written:
    """Write the new tasks and the checks of the households of ``ids`` (sorted, one
    association, planned by ``plans``) that regeneration would only add tasks to (module
    doc); returns those households."""
    if not ids:
        return Written([], 0)
    lo, hi = ids[0], ids[-1]
    taken = np.asarray(ids, dtype=np.int64)
    supported = np.isin(taken, plans.with_support)
    told = np.where(supported, Audience.SENSITIVE, Audience.ALL).astype(object)
    views = [
        _View(plans.full[0], taken, told),
        _View(plans.public[0], taken, np.full(taken.shape[0], Audience.PUBLIC, dtype=object)),
    ]
    away = [v.households[_picks(plans, association_id, v)] for v in views]
    away += [_repeated(v.households, v.tasks.rule[v.rows], v.texts[0]) for v in views]
    if any(v.rows.shape[0] for v in views):  # the loop reads the consents once one is proposed
        away.append(_withdrawn(lo, hi))
    taken = taken[~np.isin(taken, np.concatenate(away))]
    for v in views:
        v.keep(np.isin(v.households, taken))
        _leave_held(v, as_of)
    full, public = views
    _told_by_both(full, public)
    existing = _existing(lo, hi)
    if existing:
        taken = taken[~np.isin(taken, _changing(views, existing, as_of))]
        for v in views:  # what exists stays as it is; the rest is created
            v.keep(np.isin(v.households, taken) & ~_known(v, existing))
    n = sum(v.rows.shape[0] for v in views)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    stamp = stamp if isinstance(stamp, str) else now.isoformat()
    rules = full.tasks.rules

    def cat(get) -> np.ndarray:
        return np.concatenate([get(v) for v in views])

    ref = cat(lambda v: v.tasks.ref[v.rows])
    write_table(Task, TASK_FIELDS, pa.table({
        "association": pa.array(np.full(n, association_id, np.int64)),
        "household": pa.array(cat(lambda v: v.households)),
        "rule": pa.array([rules[r].key for r in cat(lambda v: v.tasks.rule[v.rows]).tolist()],
                         pa.string()),
        "cause": pa.array(cat(lambda v: v.texts[0]), pa.string()),
        "assignee_kind": pa.array(cat(lambda v: v.texts[3]), pa.string()),
        "stage": pa.array(cat(lambda v: v.texts[2]), pa.string()),
        "reason": pa.array(cat(lambda v: v.texts[1]), pa.string()),
        "ref": pa.array(ref, mask=ref < 0),
        "since": _days(cat(lambda v: v.tasks.since[v.rows])),
        "due": _days(cat(lambda v: v.tasks.due[v.rows])),
        "state": pa.array([Task.State.OPEN] * n, pa.string()),
        "state_reason": pa.array([""] * n, pa.string()),
        "closed_because": pa.array(["{}"] * n, pa.string()),
        "audience": pa.array(cat(lambda v: v.audience), pa.string()),
        "created_at": pa.array([stamp] * n, pa.string()),
    }))  # fmt: skip
    _write_checks(plans, taken, association_id, as_of)
    return Written(taken.tolist(), n)


def _leave_held(view: _View, as_of: date) -> None:
    """Leave out the proposals of what a household already holds (ALREADY_HELD)."""
    from parcours.worklists.regenerate import ALREADY_HELD

    rule = view.tasks.rule[view.rows]
    for r, spec in enumerate(view.tasks.rules):
        if spec.key in ALREADY_HELD:
            mine = rule == r
            if mine.any():
                held = _held(spec.key, np.unique(view.households[mine]), as_of)
                view.keep(~(mine & np.isin(view.households, held)))
                rule = view.tasks.rule[view.rows]


def _told_by_both(full: _View, public: _View) -> None:
    """A proposal of both views of a household with support evidence is every role's task,
    told as the public view has it (regenerate's loop): the full view's row goes."""
    if not (full.rows.shape[0] and public.rows.shape[0]):
        return
    causes = np.concatenate([full.texts[0], public.texts[0]])
    code = np.unique(causes, return_inverse=True)[1].ravel().astype(np.int64)
    m = full.rows.shape[0]
    rule = np.concatenate([full.tasks.rule[full.rows], public.tasks.rule[public.rows]])
    keyed = np.stack([np.concatenate([full.households, public.households]),
                      rule.astype(np.int64), code])  # fmt: skip
    _u, inverse, count = np.unique(keyed, axis=1, return_inverse=True, return_counts=True)
    both = count[inverse.ravel()] > 1
    full.keep(~both[:m])
    public.audience = np.where(both[m:], Audience.ALL, public.audience).astype(object)


def _write_checks(plans: Plans, households: np.ndarray, association_id: int, as_of: date) -> None:
    """Each household's check: the first of its next task change and its journey's end."""
    if not households.shape[0]:
        return
    both = _journey_until(int(households[0]), int(households[-1]), households)
    for tc in (plans.full[0], plans.public[0]):
        if not tc.households.shape[0]:
            continue
        i = np.minimum(np.searchsorted(tc.households, households), tc.households.shape[0] - 1)
        found = tc.households[i] == households
        change = np.where(found, tc.next_change[i], -1).astype(np.int64)
        both = np.where(change < 0, both, np.where(both < 0, change, np.minimum(change, both)))
    days = both.astype("datetime64[D]")
    valid = (
        np.datetime_as_string(days, unit="D").tolist()
        if connection.vendor == "sqlite"
        else days.tolist()
    )
    day = connection.ops.adapt_datefield_value(as_of)
    rows = [
        (association_id, h, day, None if d < 0 else v)
        for h, d, v in zip(households.tolist(), both.tolist(), valid, strict=True)
    ]
    columns = ", ".join(f'"{TaskCheck._meta.get_field(f).column}"' for f in CHECK_FIELDS)
    upsert = (
        'ON CONFLICT ("household_id") DO UPDATE SET "association_id" = '
        'EXCLUDED."association_id", "computed_on" = EXCLUDED."computed_on", '
        '"valid_until" = EXCLUDED."valid_until"'
    )
    table = f'"{TaskCheck._meta.db_table}"'
    if connection.vendor == "postgresql":  # COPY into a temporary table, then one upsert
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_STAGING} (association_id bigint, household_id bigint,"
                " computed_on date, valid_until date) ON COMMIT DROP"
            )
            with cursor.copy(f"COPY {_STAGING} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM {_STAGING} {upsert}")
            cursor.execute(f"DROP TABLE {_STAGING}")
        return
    marks = ", ".join(["%s"] * len(CHECK_FIELDS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks}) {upsert}", rows)
