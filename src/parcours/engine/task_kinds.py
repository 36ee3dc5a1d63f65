"""The shipped task rule types (importing this module fills the task type registry).

=================  ==========================================================================
type               own settings
=================  ==========================================================================
``stage_for``      ``stage``, ``after_days`` (0), ``without_kinds`` ([]), ``without_episode``
                   (``{opened, closed}``, optional)
``stage_lapse``    ``within_days`` (>= 1)
``status``         ``status``, ``after_days`` (0)
``episode_idle``   ``opened``, ``closed``, ``followup_kinds`` ([]), ``after_days`` (>= 1)
=================  ==========================================================================

Each type proposes for one household (``propose``) and for every household at once
(``batch``, numpy over :class:`parcours.engine.batch_tasks.BatchFacts`), with the same result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from parcours.engine.columns import day_date
from parcours.engine.reasons import Reason
from parcours.engine.task_types import (
    I64,
    BatchRows,
    HouseholdFacts,
    ProposalRow,
    TaskParseContext,
    TaskProposal,
    TaskType,
    integer,
    kind,
    kinds,
    parse_task,
    register,
    task_types,
)

if TYPE_CHECKING:
    from parcours.engine.batch_tasks import BatchFacts


def _empty() -> Mapping[str, object]:
    return MappingProxyType({})


def _rows(b: BatchFacts, rule: TaskType, h: I64, day: I64, since: I64, due: I64) -> BatchRows:
    return BatchRows(h=h, day=day, since=since, due=due, ref=rule._batch_ref(b, h))


@register("stage_for")
@dataclass(frozen=True)
class StageFor(TaskType):
    """The current stage is ``stage`` since ``after_days`` days or more (entry day = day 0).
    Optional: ``without_kinds`` (no touchpoint of these kinds since the stage started),
    ``without_episode`` = ``{opened, closed}`` (no episode of that pair open on the day).
    Cause: the stage span's start."""

    allowed = frozenset({"stage", "after_days", "without_kinds", "without_episode"})

    key: str
    assignee: str
    due_days: int
    stage: str
    after_days: int
    without_kinds: frozenset[str]
    episode: tuple[str, str] | None
    settings: Mapping[str, object] = field(default_factory=_empty, compare=False, repr=False)

    @classmethod
    def from_dict(
        cls,
        key: str,
        t: Mapping[str, object],
        path: str,
        ctx: TaskParseContext,
        common: tuple[str, int],
    ) -> StageFor:
        stage = t.get("stage")
        if not isinstance(stage, str) or stage not in ctx.stages:
            raise ctx.error(f"{path}.stage", f"unknown stage key {stage!r}")
        episode = None
        if "without_episode" in t:
            ep = t["without_episode"]
            if not isinstance(ep, Mapping):
                raise ctx.error(f"{path}.without_episode", "must be a table")
            epath = f"{path}.without_episode"
            episode = (kind(ep, "opened", epath, ctx), kind(ep, "closed", epath, ctx))
        return cls(
            key,
            *common,
            stage=stage,
            after_days=integer(t, "after_days", path, ctx, 0, 0),
            without_kinds=kinds(t, "without_kinds", path, ctx),
            episode=episode,
            settings=t,
        )

    def propose(self, f: HouseholdFacts) -> list[TaskProposal]:
        start = f.stage_start
        if f.stage != self.stage or start is None:
            return []
        days = (f.as_of - start).days
        if days < self.after_days:
            return []
        if self.without_kinds and any(
            tp.kind in self.without_kinds and tp.day >= start for tp in f.touchpoints
        ):
            return []
        if self.episode is not None and f.episodes(*self.episode):
            return []
        since = start + timedelta(days=self.after_days)
        due = since + timedelta(days=self.due_days)
        row = ProposalRow(start, since, due, self._ref(f), None, None)
        return [self.proposal(self.stage, f.as_of, row)]

    def next_days(self, f: HouseholdFacts) -> list[date]:
        if f.stage != self.stage or f.stage_start is None:
            return []
        return [f.stage_start + timedelta(days=self.after_days)]

    def batch(self, b: BatchFacts) -> BatchRows:
        s = b.stage_index(self.stage)
        everyone = np.flatnonzero(b.stage == s).astype(np.int64)
        start = b.stage_start[everyone]
        keep = b.limit - start >= self.after_days
        if self.without_kinds:
            keep &= b.last_day(self.without_kinds)[everyone] < start
        if self.episode is not None:
            keep &= ~b.has_open(*self.episode)[everyone]
        h, start = everyone[keep], start[keep]
        since = start + self.after_days
        rows = _rows(b, self, h, start, since, since + self.due_days)
        rows.change_h, rows.change_day = everyone, b.stage_start[everyone] + self.after_days
        return rows

    def proposal(self, stage: str | None, as_of: date, row: ProposalRow) -> TaskProposal:
        start = row.day
        days = (as_of - start).days
        if self.episode is not None:
            reason = Reason(
                "stage_without_episode",
                stage=self.stage,
                since=start,
                days=days,
                opened=self.episode[0],
            )
        else:
            reason = Reason(
                "stage_for",
                stage=self.stage,
                since=start,
                days=days,
                needed=self.after_days,
                without_kinds=",".join(sorted(self.without_kinds)) or None,
            )
        return TaskProposal(
            self.key,
            f"{self.stage}:{start.isoformat()}",
            self.assignee,
            self.stage,
            reason,
            row.since,
            row.due,
            row.ref,
        )


@register("stage_lapse")
@dataclass(frozen=True)
class StageLapse(TaskType):
    """The current stage is windowed and lapses within ``within_days`` days unless something
    happens (1 <= lapse - day <= within_days). Due on the last day it still holds (unless
    ``due_days`` is earlier). Cause: the stage and the lapse day, so a family that comes back
    closes the task and a later lapse opens a new one."""

    allowed = frozenset({"within_days"})

    key: str
    assignee: str
    due_days: int
    within_days: int
    settings: Mapping[str, object] = field(default_factory=_empty, compare=False, repr=False)

    @classmethod
    def from_dict(
        cls,
        key: str,
        t: Mapping[str, object],
        path: str,
        ctx: TaskParseContext,
        common: tuple[str, int],
    ) -> StageLapse:
        return cls(
            key, *common, within_days=integer(t, "within_days", path, ctx, None, 1), settings=t
        )

    def _days(self, lapse: date) -> tuple[date, date]:
        since = lapse - timedelta(days=self.within_days)
        return since, min(lapse - timedelta(days=1), since + timedelta(days=self.due_days))

    def propose(self, f: HouseholdFacts) -> list[TaskProposal]:
        if f.stage is None or f.lapse is None:
            return []
        if not 1 <= (f.lapse - f.as_of).days <= self.within_days:
            return []
        since, due = self._days(f.lapse)
        row = ProposalRow(f.lapse, since, due, self._ref(f), None, None)
        return [self.proposal(f.stage, f.as_of, row)]

    def next_days(self, f: HouseholdFacts) -> list[date]:
        if f.stage is None or f.lapse is None:
            return []
        return [f.lapse - timedelta(days=self.within_days)]

    def batch(self, b: BatchFacts) -> BatchRows:
        everyone = np.flatnonzero(b.lapse >= 0).astype(np.int64)
        lapse = b.lapse[everyone]
        left = lapse - b.limit
        keep = (left >= 1) & (left <= self.within_days)
        h, lapse = everyone[keep], lapse[keep]
        since = lapse - self.within_days
        due = np.minimum(lapse - 1, since + self.due_days)
        rows = _rows(b, self, h, lapse, since, due)
        rows.change_h, rows.change_day = everyone, b.lapse[everyone] - self.within_days
        return rows

    def proposal(self, stage: str | None, as_of: date, row: ProposalRow) -> TaskProposal:
        assert stage is not None
        lapse = row.day
        return TaskProposal(
            self.key,
            f"{stage}:{lapse.isoformat()}",
            self.assignee,
            stage,
            Reason(
                "stage_lapse",
                stage=stage,
                lapse=lapse,
                days_left=(lapse - as_of).days,
                within=self.within_days,
            ),
            row.since,
            row.due,
            row.ref,
        )


@register("status")
@dataclass(frozen=True)
class StatusFor(TaskType):
    """Status ``status`` holds and has held for ``after_days`` days or more. Cause: the status
    span's start."""

    allowed = frozenset({"status", "after_days"})

    key: str
    assignee: str
    due_days: int
    status: str
    after_days: int
    settings: Mapping[str, object] = field(default_factory=_empty, compare=False, repr=False)

    @classmethod
    def from_dict(
        cls,
        key: str,
        t: Mapping[str, object],
        path: str,
        ctx: TaskParseContext,
        common: tuple[str, int],
    ) -> StatusFor:
        status = t.get("status")
        if not isinstance(status, str) or status not in ctx.statuses:
            raise ctx.error(f"{path}.status", f"unknown status key {status!r}")
        return cls(
            key,
            *common,
            status=status,
            after_days=integer(t, "after_days", path, ctx, 0, 0),
            settings=t,
        )

    def propose(self, f: HouseholdFacts) -> list[TaskProposal]:
        start = f.statuses.get(self.status)
        if start is None or (f.as_of - start).days < self.after_days:
            return []
        since = start + timedelta(days=self.after_days)
        row = ProposalRow(start, since, since + timedelta(days=self.due_days), self._ref(f), None,
                          None)  # fmt: skip
        return [self.proposal(f.stage, f.as_of, row)]

    def next_days(self, f: HouseholdFacts) -> list[date]:
        start = f.statuses.get(self.status)
        return [] if start is None else [start + timedelta(days=self.after_days)]

    def batch(self, b: BatchFacts) -> BatchRows:
        starts = b.status_start(self.status)
        everyone = np.flatnonzero(starts >= 0).astype(np.int64)
        start = starts[everyone]
        keep = b.limit - start >= self.after_days
        h, start = everyone[keep], start[keep]
        since = start + self.after_days
        rows = _rows(b, self, h, start, since, since + self.due_days)
        rows.change_h, rows.change_day = everyone, starts[everyone] + self.after_days
        return rows

    def proposal(self, stage: str | None, as_of: date, row: ProposalRow) -> TaskProposal:
        start = row.day
        return TaskProposal(
            self.key,
            f"{self.status}:{start.isoformat()}",
            self.assignee,
            stage,
            Reason(
                "status_for",
                status=self.status,
                since=start,
                days=(as_of - start).days,
                needed=self.after_days,
            ),
            row.since,
            row.due,
            row.ref,
        )


@register("episode_idle")
@dataclass(frozen=True)
class EpisodeIdle(TaskType):
    """An episode of ``opened``/``closed`` is open and there has been no touchpoint of
    ``followup_kinds`` since max(opening, last follow-up) for ``after_days`` days or more.
    Cause: the episode ref and the last follow-up day."""

    allowed = frozenset({"opened", "closed", "followup_kinds", "after_days"})

    key: str
    assignee: str
    due_days: int
    episode: tuple[str, str]
    followup_kinds: frozenset[str]
    after_days: int
    settings: Mapping[str, object] = field(default_factory=_empty, compare=False, repr=False)

    @classmethod
    def from_dict(
        cls,
        key: str,
        t: Mapping[str, object],
        path: str,
        ctx: TaskParseContext,
        common: tuple[str, int],
    ) -> EpisodeIdle:
        return cls(
            key,
            *common,
            episode=(kind(t, "opened", path, ctx), kind(t, "closed", path, ctx)),
            followup_kinds=kinds(t, "followup_kinds", path, ctx),
            after_days=integer(t, "after_days", path, ctx, None, 1),
            settings=t,
        )

    def _last(self, f: HouseholdFacts, ref: int | None, opened_on: date) -> date:
        days = [opened_on]
        days += [
            tp.day for tp in f.touchpoints if tp.kind in self.followup_kinds and tp.day >= opened_on
        ]
        extra = f.followups.get(ref) if f.followups and ref is not None else None
        if extra is not None and extra <= f.as_of:
            days.append(extra)
        return max(days)

    def propose(self, f: HouseholdFacts) -> list[TaskProposal]:
        out = []
        for ep in f.episodes(*self.episode):
            last = self._last(f, ep.ref, ep.opened_on)
            if (f.as_of - last).days < self.after_days:
                continue
            since = last + timedelta(days=self.after_days)
            ref = ep.ref if self.assignee != "sponsor" else f.sponsor_ref
            row = ProposalRow(last, since, since + timedelta(days=self.due_days), ref, ep.ref,
                              ep.opened_on)  # fmt: skip
            out.append(self.proposal(f.stage, f.as_of, row))
        return out

    def next_days(self, f: HouseholdFacts) -> list[date]:
        return [
            self._last(f, ep.ref, ep.opened_on) + timedelta(days=self.after_days)
            for ep in f.episodes(*self.episode)
        ]

    def batch(self, b: BatchFacts) -> BatchRows:
        everyone, ep_ref, opened_on = b.open_episodes(*self.episode)
        last = opened_on
        if self.followup_kinds:
            last = np.maximum(last, b.last_day(self.followup_kinds)[everyone])
        last = np.maximum(last, b.followup_day(ep_ref))
        keep = b.limit - last >= self.after_days
        h = everyone[keep]
        day = last[keep]
        since = day + self.after_days
        rows = BatchRows(
            h=h,
            day=day,
            since=since,
            due=since + self.due_days,
            ref=b.sponsor_ref[h] if self.assignee == "sponsor" else ep_ref[keep],
            cause_ref=ep_ref[keep],
            opened_on=opened_on[keep],
        )
        rows.change_h, rows.change_day = everyone, last + self.after_days
        return rows

    def proposal(self, stage: str | None, as_of: date, row: ProposalRow) -> TaskProposal:
        last = row.day
        assert row.opened_on is not None
        return TaskProposal(
            self.key,
            f"{row.cause_ref}:{last.isoformat()}",
            self.assignee,
            stage,
            Reason(
                "episode_idle",
                opened=self.episode[0],
                ref=row.cause_ref,
                opened_on=row.opened_on,
                last_followup=last,
                days=(as_of - last).days,
                needed=self.after_days,
            ),
            row.since,
            row.due,
            row.ref,
        )


__all__ = [
    "EpisodeIdle",
    "StageFor",
    "StageLapse",
    "StatusFor",
    "day_date",
    "parse_task",
    "task_types",
]
