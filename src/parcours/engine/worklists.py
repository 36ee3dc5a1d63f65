"""Worklist task rules: what someone should do next for a household, as of a day.

Pure functions (no clock, no I/O). The rules come from the ``[[tasks]]`` tables of a journey
definition; every number is a setting there. :func:`task_rules` gives them, validated when the
definition loaded (any problem raises :class:`DefinitionError` naming the key path: each
rule type is a registered class of task_types.py / task_kinds.py); :func:`propose_tasks`
evaluates them on one household's touchpoints as of a day and returns :class:`TaskProposal`
rows. The same for every household at once from the batch engine's columns: batch_tasks.py.

Rule types (``type``) and their settings
========================================

All rules: ``key``, ``type``, ``assignee`` (one of :data:`ASSIGNEES`), ``due_days`` (int >= 0:
the task is due that many days after it appears; default 7).

``stage_for``
    The household's current stage is ``stage`` and it entered it ``after_days`` days ago or
    more (the entry day counts as day 0). Optional: ``without_kinds`` (no touchpoint of these
    kinds since the stage started), ``without_episode`` = ``{opened, closed}`` (no episode of
    that pair open on the day, e.g. no active sponsorship). Cause: the stage span's start.
``stage_lapse``
    The current stage is windowed and ends within ``within_days`` days unless something
    happens (1 <= lapse - day <= within_days). Due on the last day it still holds (unless
    ``due_days`` would be earlier). Cause: the stage and the predicted lapse day, so a family
    that comes back closes the task and a later lapse opens a new one.
``status``
    Status ``status`` holds and has held for ``after_days`` days or more. Cause: the status
    span's start.
``episode_idle``
    An episode of ``opened``/``closed`` is open and there has been no touchpoint of
    ``followup_kinds`` since max(opening, last follow-up) for ``after_days`` days or more.
    Cause: the episode ref and the last follow-up day.

Reason codes of proposals (params in brackets): ``stage_for`` [stage, since, days, needed,
without_kinds], ``stage_without_episode`` [stage, since, days, opened], ``stage_lapse``
[stage, lapse, days_left, within], ``status_for`` [status, since, days, needed],
``episode_idle`` [opened, ref, opened_on, last_followup, days, needed].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache

from parcours.engine.definition import JourneyDefinition
from parcours.engine.task_kinds import EpisodeIdle, StageFor, StageLapse, StatusFor, task_types
from parcours.engine.task_types import (
    ASSIGNEES,
    Episode,
    HouseholdFacts,
    TaskProposal,
    TaskType,
)
from parcours.engine.timeline import Timeline, timeline
from parcours.engine.touchpoints import Touchpoint

TYPES = task_types()
TaskSpec = TaskType  # the name callers have used for a validated rule
_Episode = Episode


def task_rules(definition: JourneyDefinition) -> tuple[TaskType, ...]:
    """The definition's task rules, validated when it loaded (DefinitionError then)."""
    return definition.tasks


def open_episodes(
    touchpoints: Iterable[Touchpoint], opened: str, closed: str, as_of: date
) -> tuple[Episode, ...]:
    """Episodes of this kind pair open on ``as_of`` (paired by ref, in log order: an opener
    opens its ref unless open already, a closer closes it), oldest first."""
    open_: dict[int | None, date] = {}
    for tp in sorted(touchpoints, key=lambda tp: tp.day):
        if tp.day > as_of:
            break
        if tp.kind == opened:
            open_.setdefault(tp.ref, tp.day)
        elif tp.kind == closed:
            open_.pop(tp.ref, None)
    return tuple(
        sorted((Episode(r, d) for r, d in open_.items()), key=lambda e: (e.opened_on, e.ref or 0))
    )


def household_facts(
    tps: tuple[Touchpoint, ...],
    tl: Timeline,
    as_of: date,
    followups: Mapping[int, date] | None,
) -> HouseholdFacts:
    """What the task rules read of one household (touchpoints up to as_of, its timeline)."""
    span = tl.stage_spans[-1] if tl.stage_spans and tl.stage_spans[-1].end is None else None

    @cache
    def episodes(opened: str, closed: str) -> tuple[Episode, ...]:
        return open_episodes(tps, opened, closed, as_of)

    sponsors = episodes("sponsor_assigned", "sponsor_ended")
    return HouseholdFacts(
        as_of=as_of,
        touchpoints=tps,
        stage=None if span is None else span.stage,
        stage_start=None if span is None else span.start,
        lapse=None if span is None else tl.lapses.get(span.stage),
        statuses={s.status: s.start for s in tl.status_spans if s.end is None},
        followups=followups,
        episodes=episodes,
        sponsor_ref=sponsors[-1].ref if sponsors else None,
    )


def _facts(
    touchpoints: Iterable[Touchpoint],
    definition: JourneyDefinition,
    as_of: date,
    tl: Timeline | None,
    followups: Mapping[int, date] | None,
) -> HouseholdFacts:
    tps = tuple(tp for tp in touchpoints if tp.day <= as_of)
    if tl is None or tl.as_of != as_of:
        tl = timeline(tps, definition, as_of)
    return household_facts(tps, tl, as_of, followups)


def propose_tasks(
    touchpoints: Iterable[Touchpoint],
    definition: JourneyDefinition,
    as_of: date,
    *,
    rules: tuple[TaskType, ...] | None = None,
    tl: Timeline | None = None,
    followups: Mapping[int, date] | None = None,
) -> tuple[TaskProposal, ...]:
    """The tasks the definition's rules propose for one household as of ``as_of``.

    ``followups``: the last follow-up day of an episode (by ref) recorded outside the
    touchpoint log (e.g. a support case's follow-up notes), for ``episode_idle`` rules.
    """
    f = _facts(touchpoints, definition, as_of, tl, followups)
    return tuple(
        p
        for rule in (rules if rules is not None else task_rules(definition))
        for p in rule.propose(f)
    )


def next_task_change(
    touchpoints: Iterable[Touchpoint],
    definition: JourneyDefinition,
    as_of: date,
    *,
    rules: tuple[TaskType, ...] | None = None,
    tl: Timeline | None = None,
    followups: Mapping[int, date] | None = None,
) -> date | None:
    """The first day after ``as_of`` when a rule's threshold is reached by itself.

    Changes of stage or status (a window lapsing) are not included: the journey's own
    "valid until" day covers them. Together they say when proposals must be evaluated again.
    """
    f = _facts(touchpoints, definition, as_of, tl, followups)
    rules = rules if rules is not None else task_rules(definition)
    future = [d for rule in rules for d in rule.next_days(f) if d > as_of]
    return min(future) if future else None


__all__ = [
    "ASSIGNEES",
    "TYPES",
    "EpisodeIdle",
    "StageFor",
    "StageLapse",
    "StatusFor",
    "TaskProposal",
    "TaskSpec",
    "household_facts",
    "next_task_change",
    "open_episodes",
    "propose_tasks",
    "task_rules",
]
