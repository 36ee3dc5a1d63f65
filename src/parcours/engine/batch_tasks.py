"""Every household's task proposals at once, from the batch engine's columns.

``batch_tasks(columns, definition, as_of, journeys=...)`` gives, as columns, exactly what
``worklists.propose_tasks`` and ``worklists.next_task_change`` give household by household:
each rule type computes its proposals for every household with numpy (``TaskType.batch``,
task_kinds.py) from :class:`BatchFacts`:

- from :func:`batch_journeys.recompute_journeys` (``journeys``): the current stage and the
  start of its open span, the open status spans, and the open span's predicted end, which is
  the current windowed stage's lapse when no stage can begin without a new touchpoint (no
  ``not`` in a stage condition; otherwise the whole computation falls back to the
  per-household path, with the same result);
- from the touchpoint columns (cut at as_of): open episodes paired by ref in log order, the
  last day of given kinds, the active sponsorship;
- ``followups``: last follow-up day of an episode by ref recorded outside the log.

Lapses further than the journeys' horizon (800 days) are not seen, as for ``valid_until``.
:func:`tasks_per_household` is the fallback and the reference of the equality tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from parcours.engine.batch import _household_bounds, household_touchpoints
from parcours.engine.batch_journeys import Journeys, recompute_journeys
from parcours.engine.columns import KIND_CODE, TouchpointColumns, day_date, day_number
from parcours.engine.definition import JourneyDefinition
from parcours.engine.registry import Condition
from parcours.engine.task_types import ProposalRow, TaskProposal, TaskType
from parcours.engine.worklists import next_task_change, propose_tasks, task_rules

I64 = npt.NDArray[np.int64]
_Z = np.zeros(0, dtype=np.int64)


def _codes(kinds: frozenset[str] | tuple[str, ...]) -> npt.NDArray[np.bool_]:
    lut = np.zeros(256, dtype=bool)
    lut[[KIND_CODE[k] for k in kinds]] = True
    return lut


def _run_last(h: I64) -> npt.NDArray[np.bool_]:
    """True on the last element of each run of equal values."""
    last = np.ones(h.shape[0], dtype=bool)
    if h.shape[0] > 1:
        np.not_equal(h[1:], h[:-1], out=last[:-1])
    return last


@dataclass
class BatchFacts:
    """Every household as the task rules read it; per household arrays are aligned with
    ``households`` (sorted ids), days are day numbers, -1 for none."""

    definition: JourneyDefinition
    as_of: date
    limit: int
    households: I64
    stage: I64  # current stage index
    stage_start: I64  # start of the open stage span
    lapse: I64  # the current windowed stage's lapse
    tp_h: I64  # household index of each touchpoint up to as_of, log order
    tp_day: I64
    tp_kind: npt.NDArray[np.int8]
    tp_ref: I64
    statuses: dict[str, I64]  # status key -> start of its open span per household
    followup_ref: I64  # sorted refs of episodes with a follow-up day up to as_of
    followup_days: I64
    sponsor_ref: I64 = field(default_factory=lambda: _Z)
    memo: dict[object, object] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.households.shape[0])

    def stage_index(self, key: str) -> int:
        return self.definition.stage_index(key)

    def status_start(self, key: str) -> I64:
        return self.statuses[key]

    def last_day(self, kinds: frozenset[str]) -> I64:
        """Per household, the last day of a touchpoint of these kinds (-1: none)."""
        key = ("last", kinds)
        got = self.memo.get(key)
        if got is None:
            idx = np.flatnonzero(_codes(kinds)[self.tp_kind.view(np.uint8)])
            h = self.tp_h[idx]
            last = _run_last(h)
            got = np.full(self.n, -1, dtype=np.int64)
            got[h[last]] = self.tp_day[idx[last]]
            self.memo[key] = got
        return got  # type: ignore[return-value]

    def open_episodes(self, opened: str, closed: str) -> tuple[I64, I64, I64]:
        """Episodes open on as_of: (household index, ref (-1: none), opened on), sorted per
        household oldest first as ``worklists.open_episodes`` gives them."""
        key = ("episodes", opened, closed)
        got = self.memo.get(key)
        if got is None:
            got = self._episodes(opened, closed)
            self.memo[key] = got
        return got  # type: ignore[return-value]

    def _episodes(self, opened: str, closed: str) -> tuple[I64, I64, I64]:
        sel = np.flatnonzero(_codes((opened, closed))[self.tp_kind.view(np.uint8)])
        h, ref = self.tp_h[sel], self.tp_ref[sel]
        order = np.lexsort((sel, ref, h))  # by household, ref, log position
        sel, h, ref = sel[order], h[order], ref[order]
        m = sel.shape[0]
        if m == 0:
            return _Z, _Z, _Z
        closer = self.tp_kind[sel] == KIND_CODE[closed]
        new = np.ones(m, dtype=bool)
        new[1:] = (h[1:] != h[:-1]) | (ref[1:] != ref[:-1])
        start = np.maximum.accumulate(np.where(new, np.arange(m), 0))
        last_closer = np.maximum.accumulate(np.where(closer, np.arange(m), -1))
        end = np.ones(m, dtype=bool)  # last element of each (household, ref) group
        end[:-1] = new[1:]
        g_last = np.flatnonzero(end)
        open_ = ~closer[g_last]  # after the last closer, only openers: open iff one follows
        g_last = g_last[open_]
        first = np.maximum(last_closer[g_last], start[g_last] - 1) + 1
        eh, eref, eday = h[first], ref[first], self.tp_day[sel[first]]
        # oldest first: (opened on, ref or 0), ties in the order the episodes (re)opened
        o = np.lexsort((sel[first], np.maximum(eref, 0), eday, eh))
        return eh[o], eref[o], eday[o]

    def has_open(self, opened: str, closed: str) -> npt.NDArray[np.bool_]:
        out = np.zeros(self.n, dtype=bool)
        out[self.open_episodes(opened, closed)[0]] = True
        return out

    def followup_day(self, refs: I64) -> I64:
        """Per episode ref, its follow-up day recorded outside the log (-1: none or None)."""
        if self.followup_ref.shape[0] == 0:
            return np.full(refs.shape[0], -1, dtype=np.int64)
        i = np.minimum(np.searchsorted(self.followup_ref, refs), self.followup_ref.shape[0] - 1)
        hit = (self.followup_ref[i] == refs) & (refs >= 0)
        return np.where(hit, self.followup_days[i], -1)


@dataclass(frozen=True)
class TaskColumns:
    """Task proposals of many households, sorted by (household, rule order); per household
    (aligned with ``households``) the next change day (-1: none). See ``ProposalRow``."""

    rules: tuple[TaskType, ...]
    stage_keys: tuple[str, ...]
    as_of: date
    household: I64
    rule: npt.NDArray[np.int16]  # index into rules
    stage: npt.NDArray[np.int8]  # current stage, -1 for none
    day: npt.NDArray[np.int32]
    since: npt.NDArray[np.int32]
    due: npt.NDArray[np.int32]
    ref: I64
    cause_ref: I64
    opened_on: npt.NDArray[np.int32]
    households: I64
    next_change: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return int(self.household.shape[0])

    def proposal(self, i: int) -> TaskProposal:
        def opt(v: int) -> int | None:
            return None if v < 0 else v

        s = int(self.stage[i])
        opened = int(self.opened_on[i])
        row = ProposalRow(
            day_date(int(self.day[i])),
            day_date(int(self.since[i])),
            day_date(int(self.due[i])),
            opt(int(self.ref[i])),
            opt(int(self.cause_ref[i])),
            None if opened < 0 else day_date(opened),
        )
        stage = None if s < 0 else self.stage_keys[s]
        return self.rules[int(self.rule[i])].proposal(stage, self.as_of, row)

    def of(self, household: int) -> tuple[TaskProposal, ...]:
        lo = int(np.searchsorted(self.household, household, "left"))
        hi = int(np.searchsorted(self.household, household, "right"))
        return tuple(self.proposal(i) for i in range(lo, hi))

    def by_household(self) -> Iterator[tuple[int, tuple[TaskProposal, ...]]]:
        """(household id, its proposals) for every household with a proposal."""
        hh = self.household
        if hh.shape[0] == 0:
            return
        cuts = np.flatnonzero(hh[1:] != hh[:-1]) + 1
        lo = [0, *cuts.tolist()]
        hi = [*cuts.tolist(), hh.shape[0]]
        for a, b in zip(lo, hi, strict=True):
            yield int(hh[a]), tuple(self.proposal(i) for i in range(a, b))

    def next_change_of(self, household: int) -> date | None:
        i = int(np.searchsorted(self.households, household))
        if i >= self.households.shape[0] or self.households[i] != household:
            return None
        n = int(self.next_change[i])
        return None if n < 0 else day_date(n)


def _starts_by_itself(cond: Condition) -> bool:
    return cond.type_name == "not" or any(_starts_by_itself(c) for c in cond.children())


def _cut(columns: TouchpointColumns, limit: int) -> TouchpointColumns:
    if columns.day.shape[0] == 0 or int(columns.day.max()) <= limit:
        return columns
    keep = columns.day <= limit
    return TouchpointColumns(
        columns.household[keep], columns.day[keep], columns.kind[keep], columns.activity[keep],
        columns.ref[keep],
    )  # fmt: skip


def _facts(
    columns: TouchpointColumns,
    journeys: Journeys,
    definition: JourneyDefinition,
    as_of: date,
    followups: Mapping[int, date] | None,
) -> BatchFacts:
    limit = day_number(as_of)
    households = journeys.households
    n = households.shape[0]
    sp = journeys.spans
    open_ = np.flatnonzero(sp.end < 0)
    oh = np.searchsorted(households, sp.household[open_])
    stage = np.full(n, -1, dtype=np.int64)
    stage[oh] = sp.stage[open_]
    stage_start = np.full(n, -1, dtype=np.int64)
    stage_start[oh] = sp.start[open_]
    windowed = np.asarray([not s.sticky for s in definition.stages], dtype=bool)
    lapse = np.full(n, -1, dtype=np.int64)
    pred = journeys.predicted_end[open_].astype(np.int64)
    has = windowed[sp.stage[open_].astype(np.int64)] & (pred > limit)
    lapse[oh[has]] = pred[has]
    st = journeys.statuses
    statuses: dict[str, I64] = {}
    for k, status in enumerate(definition.statuses):
        rows = np.flatnonzero((st.status == k) & (st.end < 0))
        starts = np.full(n, -1, dtype=np.int64)
        starts[np.searchsorted(households, st.household[rows])] = st.start[rows]
        statuses[status.key] = starts
    f_ref = np.asarray(
        sorted(r for r, d in (followups or {}).items() if r is not None and d <= as_of),
        dtype=np.int64,
    )
    f_day = np.asarray([day_number((followups or {})[int(r)]) for r in f_ref], dtype=np.int64)
    facts = BatchFacts(
        definition=definition,
        as_of=as_of,
        limit=limit,
        households=households,
        stage=stage,
        stage_start=stage_start,
        lapse=lapse,
        tp_h=np.searchsorted(households, columns.household).astype(np.int64),
        tp_day=columns.day.astype(np.int64),
        tp_kind=columns.kind,
        tp_ref=columns.ref.astype(np.int64),
        statuses=statuses,
        followup_ref=f_ref,
        followup_days=f_day,
    )
    sh, sref, _ = facts.open_episodes("sponsor_assigned", "sponsor_ended")
    sponsor = np.full(n, -1, dtype=np.int64)
    last = _run_last(sh)
    sponsor[sh[last]] = sref[last]
    facts.sponsor_ref = sponsor
    return facts


def batch_tasks(
    columns: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    *,
    journeys: Journeys | None = None,
    rules: tuple[TaskType, ...] | None = None,
    followups: Mapping[int, date] | None = None,
) -> TaskColumns:
    """Every household's task proposals and next change day as of ``as_of`` (module doc).

    ``journeys``: ``recompute_journeys(columns, definition, as_of)`` if already computed (on
    columns with no touchpoint after as_of; otherwise it is computed again on the cut log).
    """
    rules = rules if rules is not None else task_rules(definition)
    limit = day_number(as_of)
    cut = _cut(columns, limit)
    if any(_starts_by_itself(s.condition) for s in definition.stages):
        return tasks_per_household(cut, definition, as_of, rules=rules, followups=followups)
    if journeys is None or cut is not columns or journeys.as_of != as_of:
        journeys = recompute_journeys(cut, definition, as_of)
    facts = _facts(cut, journeys, definition, as_of, followups)
    parts = []
    ch_h, ch_d = [_Z], [_Z]
    for r, rule in enumerate(rules):
        rows = rule.batch(facts)
        k = rows.h.shape[0]
        parts.append((r, rows, k))
        ch_h.append(rows.change_h)
        ch_d.append(rows.change_day)
    n = facts.n
    nxt = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    cd, chh = np.concatenate(ch_d), np.concatenate(ch_h)
    after = cd > limit
    np.minimum.at(nxt, chh[after], cd[after])
    next_change = np.where(nxt == np.iinfo(np.int64).max, -1, nxt)

    def cat(get: list[I64]) -> I64:
        return np.concatenate([_Z, *get])

    h = cat([p[1].h for p in parts])
    rule_ix = cat([np.full(p[2], p[0], dtype=np.int64) for p in parts])
    minus = [np.full(p[2], -1, dtype=np.int64) for p in parts]
    cause_ref = cat([p[1].cause_ref if p[1].cause_ref is not None else m
                     for p, m in zip(parts, minus, strict=True)])  # fmt: skip
    opened_on = cat([p[1].opened_on if p[1].opened_on is not None else m
                     for p, m in zip(parts, minus, strict=True)])  # fmt: skip
    order = np.lexsort((rule_ix, h))  # stable: within a rule, the rule's own order
    h = h[order]
    return TaskColumns(
        rules=rules,
        stage_keys=definition.stage_keys,
        as_of=as_of,
        household=facts.households[h],
        rule=rule_ix[order].astype(np.int16),
        stage=facts.stage[h].astype(np.int8),
        day=cat([p[1].day for p in parts])[order].astype(np.int32),
        since=cat([p[1].since for p in parts])[order].astype(np.int32),
        due=cat([p[1].due for p in parts])[order].astype(np.int32),
        ref=cat([p[1].ref for p in parts])[order],
        cause_ref=cause_ref[order],
        opened_on=opened_on[order].astype(np.int32),
        households=facts.households,
        next_change=next_change.astype(np.int32),
    )


def tasks_per_household(
    columns: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    *,
    rules: tuple[TaskType, ...] | None = None,
    followups: Mapping[int, date] | None = None,
) -> TaskColumns:
    """The same result as :func:`batch_tasks`, from ``propose_tasks`` household by household."""
    rules = rules if rules is not None else task_rules(definition)
    index = {r.key: i for i, r in enumerate(rules)}
    first, stop = _household_bounds(columns)
    cols: dict[str, list[int]] = {
        k: []
        for k in ("household", "rule", "stage", "day", "since", "due", "ref", "cref", "opened")
    }
    households: list[int] = []
    nxt: list[int] = []
    for lo, hi in zip(first.tolist(), stop.tolist(), strict=True):
        hid = int(columns.household[lo])
        tps = household_touchpoints(columns, lo, hi)
        households.append(hid)
        change = next_task_change(tps, definition, as_of, rules=rules, followups=followups)
        nxt.append(-1 if change is None else day_number(change))
        for p in propose_tasks(tps, definition, as_of, rules=rules, followups=followups):
            reason = p.reason
            cols["household"].append(hid)
            cols["rule"].append(index[p.rule])
            cols["stage"].append(-1 if p.stage is None else definition.stage_index(p.stage))
            day_key = {
                "stage_for": "since",
                "stage_without_episode": "since",
                "stage_lapse": "lapse",
                "status_for": "since",
                "episode_idle": "last_followup",
            }[reason.code]
            cols["day"].append(day_number(reason[day_key]))  # type: ignore[arg-type]
            cols["since"].append(day_number(p.since))
            cols["due"].append(day_number(p.due))
            cols["ref"].append(-1 if p.ref is None else p.ref)
            idle = reason.code == "episode_idle"
            cref = reason["ref"] if idle else None
            cols["cref"].append(cref if isinstance(cref, int) else -1)
            opened = reason["opened_on"] if idle else None
            cols["opened"].append(-1 if opened is None else day_number(opened))  # type: ignore[arg-type]

    def arr(name: str, dtype: type) -> npt.NDArray[np.generic]:
        return np.asarray(cols[name], dtype=dtype)

    return TaskColumns(
        rules=rules,
        stage_keys=definition.stage_keys,
        as_of=as_of,
        household=arr("household", np.int64),  # type: ignore[arg-type]
        rule=arr("rule", np.int16),  # type: ignore[arg-type]
        stage=arr("stage", np.int8),  # type: ignore[arg-type]
        day=arr("day", np.int32),  # type: ignore[arg-type]
        since=arr("since", np.int32),  # type: ignore[arg-type]
        due=arr("due", np.int32),  # type: ignore[arg-type]
        ref=arr("ref", np.int64),  # type: ignore[arg-type]
        cause_ref=arr("cref", np.int64),  # type: ignore[arg-type]
        opened_on=arr("opened", np.int32),  # type: ignore[arg-type]
        households=np.asarray(households, dtype=np.int64),
        next_change=np.asarray(nxt, dtype=np.int32),
    )


__all__ = ["BatchFacts", "TaskColumns", "batch_tasks", "tasks_per_household"]
