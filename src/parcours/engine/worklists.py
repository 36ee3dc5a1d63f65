"""Worklist task rules: what someone should do next for a household, as of a day.

Pure functions (no clock, no I/O). The rules come from the ``[[tasks]]`` tables of a journey
definition; every number is a setting there. :func:`task_rules` validates them (any problem
raises :class:`DefinitionError` naming the key path); :func:`propose_tasks` evaluates them on
one household's touchpoints as of a day and returns :class:`TaskProposal` rows.

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
from dataclasses import dataclass
from datetime import date, timedelta

from parcours.engine.columns import KIND_CODE
from parcours.engine.definition import JourneyDefinition
from parcours.engine.errors import DefinitionError
from parcours.engine.reasons import Reason
from parcours.engine.timeline import Timeline, timeline
from parcours.engine.touchpoints import Touchpoint

TYPES = ("stage_for", "stage_lapse", "status", "episode_idle")
ASSIGNEES = (
    "outreach_team",
    "peer_family",
    "peer_family_neighbourhood",
    "coordinator",
    "group_facilitator",
    "sponsor",
    "social_worker",
    "board",
)
_ALLOWED: dict[str, frozenset[str]] = {
    "stage_for": frozenset({"stage", "after_days", "without_kinds", "without_episode"}),
    "stage_lapse": frozenset({"within_days"}),
    "status": frozenset({"status", "after_days"}),
    "episode_idle": frozenset({"opened", "closed", "followup_kinds", "after_days"}),
}
_COMMON = frozenset({"type", "assignee", "due_days"})


@dataclass(frozen=True)
class TaskSpec:
    """One validated task rule."""

    key: str
    type: str
    assignee: str
    due_days: int
    stage: str | None = None
    status: str | None = None
    after_days: int = 0
    within_days: int = 0
    without_kinds: frozenset[str] = frozenset()
    episode: tuple[str, str] | None = None  # (opened, closed)
    followup_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TaskProposal:
    """A task the rules want to exist for one household on a day.

    ``cause`` is stable while the situation that produced it lasts: the same rule and cause
    on two days is the same task. ``ref`` is the episode id the task is about (the active
    sponsorship for the ``sponsor`` assignee, the support case for a follow-up), if any.
    """

    rule: str
    cause: str
    assignee: str
    stage: str | None
    reason: Reason
    since: date  # the day the rule started to hold
    due: date
    ref: int | None = None


def _int(
    t: Mapping[str, object], name: str, path: str, source: str, default: int | None, low: int
) -> int:
    value = t.get(name, default)
    if value is None:
        raise DefinitionError(source, f"{path}.{name}", "missing key")
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise DefinitionError(
            source, f"{path}.{name}", f"must be an integer >= {low}, got {value!r}"
        )
    return value


def _kinds(t: Mapping[str, object], name: str, path: str, source: str) -> frozenset[str]:
    value = t.get(name, [])
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise DefinitionError(source, f"{path}.{name}", "must be an array of touchpoint kinds")
    for k in value:
        if k not in KIND_CODE:
            raise DefinitionError(source, f"{path}.{name}", f"unknown touchpoint kind {k!r}")
    return frozenset(value)


def _kind(t: Mapping[str, object], name: str, path: str, source: str) -> str:
    value = t.get(name)
    if not isinstance(value, str) or value not in KIND_CODE:
        reason = "missing key" if value is None else f"unknown touchpoint kind {value!r}"
        raise DefinitionError(source, f"{path}.{name}", reason)
    return value


def task_rules(definition: JourneyDefinition) -> tuple[TaskSpec, ...]:
    """The definition's task rules, validated (raises DefinitionError naming the key path)."""
    source = definition.source
    stages = definition.stage_keys
    statuses = tuple(s.key for s in definition.statuses)
    out: list[TaskSpec] = []
    for i, rule in enumerate(definition.tasks):
        path = f"tasks[{i}]"
        t = rule.settings
        if rule.key in (s.key for s in out):
            raise DefinitionError(source, f"{path}.key", f"duplicate task key {rule.key!r}")
        kind = t.get("type")
        if kind not in TYPES:
            raise DefinitionError(
                source, f"{path}.type", f"must be one of {', '.join(TYPES)}, got {kind!r}"
            )
        assert isinstance(kind, str)
        for k in t:
            if k not in _COMMON | _ALLOWED[kind]:
                allowed = ", ".join(sorted(_COMMON | _ALLOWED[kind] | {"key"}))
                raise DefinitionError(source, f"{path}.{k}", f"unknown key (allowed: {allowed})")
        assignee = t.get("assignee")
        if assignee not in ASSIGNEES:
            raise DefinitionError(
                source,
                f"{path}.assignee",
                f"must be one of {', '.join(ASSIGNEES)}, got {assignee!r}",
            )
        assert isinstance(assignee, str)
        due_days = _int(t, "due_days", path, source, 7, 0)
        spec = TaskSpec(rule.key, kind, assignee, due_days)
        if kind == "stage_for":
            stage = t.get("stage")
            if stage not in stages:
                raise DefinitionError(source, f"{path}.stage", f"unknown stage key {stage!r}")
            episode = None
            if "without_episode" in t:
                ep = t["without_episode"]
                if not isinstance(ep, Mapping):
                    raise DefinitionError(source, f"{path}.without_episode", "must be a table")
                epath = f"{path}.without_episode"
                episode = (_kind(ep, "opened", epath, source), _kind(ep, "closed", epath, source))
            spec = TaskSpec(
                rule.key,
                kind,
                assignee,
                due_days,
                stage=str(stage),
                after_days=_int(t, "after_days", path, source, 0, 0),
                without_kinds=_kinds(t, "without_kinds", path, source),
                episode=episode,
            )
        elif kind == "stage_lapse":
            spec = TaskSpec(
                rule.key,
                kind,
                assignee,
                due_days,
                within_days=_int(t, "within_days", path, source, None, 1),
            )
        elif kind == "status":
            status = t.get("status")
            if status not in statuses:
                raise DefinitionError(source, f"{path}.status", f"unknown status key {status!r}")
            spec = TaskSpec(
                rule.key,
                kind,
                assignee,
                due_days,
                status=str(status),
                after_days=_int(t, "after_days", path, source, 0, 0),
            )
        else:
            spec = TaskSpec(
                rule.key,
                kind,
                assignee,
                due_days,
                episode=(_kind(t, "opened", path, source), _kind(t, "closed", path, source)),
                followup_kinds=_kinds(t, "followup_kinds", path, source),
                after_days=_int(t, "after_days", path, source, None, 1),
            )
        out.append(spec)
    return tuple(out)


@dataclass(frozen=True)
class _Episode:
    ref: int | None
    opened_on: date


def open_episodes(
    touchpoints: Iterable[Touchpoint], opened: str, closed: str, as_of: date
) -> tuple[_Episode, ...]:
    """Episodes of this kind pair open on ``as_of`` (paired by ref), oldest first."""
    open_: dict[int | None, date] = {}
    for tp in sorted(touchpoints, key=lambda tp: tp.day):
        if tp.day > as_of:
            break
        if tp.kind == opened:
            open_.setdefault(tp.ref, tp.day)
        elif tp.kind == closed:
            open_.pop(tp.ref, None)
    return tuple(
        sorted((_Episode(r, d) for r, d in open_.items()), key=lambda e: (e.opened_on, e.ref or 0))
    )


def _last_followup(
    ep: _Episode,
    tps: tuple[Touchpoint, ...],
    rule: TaskSpec,
    followups: Mapping[int, date] | None,
    as_of: date,
) -> date:
    days = [ep.opened_on]
    days += [tp.day for tp in tps if tp.kind in rule.followup_kinds and tp.day >= ep.opened_on]
    extra = followups.get(ep.ref) if followups and ep.ref is not None else None
    if extra is not None and extra <= as_of:
        days.append(extra)
    return max(days)


def propose_tasks(
    touchpoints: Iterable[Touchpoint],
    definition: JourneyDefinition,
    as_of: date,
    *,
    rules: tuple[TaskSpec, ...] | None = None,
    tl: Timeline | None = None,
    followups: Mapping[int, date] | None = None,
) -> tuple[TaskProposal, ...]:
    """The tasks the definition's rules propose for one household as of ``as_of``.

    ``followups``: the last follow-up day of an episode (by ref) recorded outside the
    touchpoint log (e.g. a support case's follow-up notes), for ``episode_idle`` rules.
    """
    tps = tuple(tp for tp in touchpoints if tp.day <= as_of)
    if rules is None:
        rules = task_rules(definition)
    if tl is None or tl.as_of != as_of:
        tl = timeline(tps, definition, as_of)
    span = tl.stage_spans[-1] if tl.stage_spans and tl.stage_spans[-1].end is None else None
    out: list[TaskProposal] = []
    sponsors = open_episodes(tps, "sponsor_assigned", "sponsor_ended", as_of)
    sponsor_ref = sponsors[-1].ref if sponsors else None

    for rule in rules:
        ref = sponsor_ref if rule.assignee == "sponsor" else None
        if rule.type == "stage_for":
            if span is None or span.stage != rule.stage:
                continue
            days = (as_of - span.start).days
            if days < rule.after_days:
                continue
            if rule.without_kinds and any(
                tp.kind in rule.without_kinds and tp.day >= span.start for tp in tps
            ):
                continue
            since = span.start + timedelta(days=rule.after_days)
            if rule.episode is not None:
                opened, closed = rule.episode
                if open_episodes(tps, opened, closed, as_of):
                    continue
                reason = Reason(
                    "stage_without_episode",
                    stage=span.stage,
                    since=span.start,
                    days=days,
                    opened=opened,
                )
            else:
                reason = Reason(
                    "stage_for",
                    stage=span.stage,
                    since=span.start,
                    days=days,
                    needed=rule.after_days,
                    without_kinds=",".join(sorted(rule.without_kinds)) or None,
                )
            out.append(
                TaskProposal(
                    rule.key,
                    f"{span.stage}:{span.start.isoformat()}",
                    rule.assignee,
                    span.stage,
                    reason,
                    since,
                    since + timedelta(days=rule.due_days),
                    ref,
                )
            )
        elif rule.type == "stage_lapse":
            if span is None or span.stage not in tl.lapses:
                continue
            lapse = tl.lapses[span.stage]
            left = (lapse - as_of).days
            if not 1 <= left <= rule.within_days:
                continue
            since = lapse - timedelta(days=rule.within_days)
            out.append(
                TaskProposal(
                    rule.key,
                    f"{span.stage}:{lapse.isoformat()}",
                    rule.assignee,
                    span.stage,
                    Reason(
                        "stage_lapse",
                        stage=span.stage,
                        lapse=lapse,
                        days_left=left,
                        within=rule.within_days,
                    ),
                    since,
                    min(lapse - timedelta(days=1), since + timedelta(days=rule.due_days)),
                    ref,
                )
            )
        elif rule.type == "status":
            current = next(
                (s for s in tl.status_spans if s.status == rule.status and s.end is None), None
            )
            if current is None:
                continue
            days = (as_of - current.start).days
            if days < rule.after_days:
                continue
            since = current.start + timedelta(days=rule.after_days)
            out.append(
                TaskProposal(
                    rule.key,
                    f"{rule.status}:{current.start.isoformat()}",
                    rule.assignee,
                    span.stage if span else None,
                    Reason(
                        "status_for",
                        status=str(rule.status),
                        since=current.start,
                        days=days,
                        needed=rule.after_days,
                    ),
                    since,
                    since + timedelta(days=rule.due_days),
                    ref,
                )
            )
        else:
            assert rule.episode is not None
            opened, closed = rule.episode
            for ep in open_episodes(tps, opened, closed, as_of):
                last = _last_followup(ep, tps, rule, followups, as_of)
                days = (as_of - last).days
                if days < rule.after_days:
                    continue
                since = last + timedelta(days=rule.after_days)
                out.append(
                    TaskProposal(
                        rule.key,
                        f"{ep.ref}:{last.isoformat()}",
                        rule.assignee,
                        span.stage if span else None,
                        Reason(
                            "episode_idle",
                            opened=opened,
                            ref=ep.ref,
                            opened_on=ep.opened_on,
                            last_followup=last,
                            days=days,
                            needed=rule.after_days,
                        ),
                        since,
                        since + timedelta(days=rule.due_days),
                        ep.ref if rule.assignee != "sponsor" else ref,
                    )
                )
    return tuple(out)


def next_task_change(
    touchpoints: Iterable[Touchpoint],
    definition: JourneyDefinition,
    as_of: date,
    *,
    rules: tuple[TaskSpec, ...] | None = None,
    tl: Timeline | None = None,
    followups: Mapping[int, date] | None = None,
) -> date | None:
    """The first day after ``as_of`` when a rule's threshold is reached by itself.

    Changes of stage or status (a window lapsing) are not included: the journey's own
    "valid until" day covers them. Together they say when proposals must be evaluated again.
    """
    tps = tuple(tp for tp in touchpoints if tp.day <= as_of)
    if rules is None:
        rules = task_rules(definition)
    if tl is None or tl.as_of != as_of:
        tl = timeline(tps, definition, as_of)
    span = tl.stage_spans[-1] if tl.stage_spans and tl.stage_spans[-1].end is None else None
    days: list[date] = []
    for rule in rules:
        if rule.type == "stage_for" and span is not None and span.stage == rule.stage:
            days.append(span.start + timedelta(days=rule.after_days))
        elif rule.type == "stage_lapse" and span is not None and span.stage in tl.lapses:
            days.append(tl.lapses[span.stage] - timedelta(days=rule.within_days))
        elif rule.type == "status":
            for s in tl.status_spans:
                if s.status == rule.status and s.end is None:
                    days.append(s.start + timedelta(days=rule.after_days))
        elif rule.type == "episode_idle" and rule.episode is not None:
            for ep in open_episodes(tps, rule.episode[0], rule.episode[1], as_of):
                last = _last_followup(ep, tps, rule, followups, as_of)
                days.append(last + timedelta(days=rule.after_days))
    future = [d for d in days if d > as_of]
    return min(future) if future else None
