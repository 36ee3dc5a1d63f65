"""Task rule types: the base class, the registry by ``type`` name, and the shipped types.

A task rule type is a class registered with :func:`register`, like the condition types
(registry.py). It knows how to
- read itself from a ``[[tasks]]`` table (``from_dict``, errors name the key path); the
  definition loader calls it, so a bad table fails the load;
- propose its tasks for one household (``propose``) from :class:`HouseholdFacts`, and give the
  days its thresholds are reached by themselves (``next_days``);
- do both for every household at once (``batch``) from the columns of
  :class:`parcours.engine.batch_tasks.BatchFacts`, and turn one proposal row back into the
  :class:`TaskProposal` the per-household path gives (``proposal``).

Settings common to every type: ``key``, ``type``, ``assignee`` (one of :data:`ASSIGNEES`),
``due_days`` (int >= 0: the task is due that many days after it appears; default 7). The
types and their own settings are described in worklists.py. Titles of the tasks are words:
they live in the vocabulary files (``[tasks.<key>.<lang>] title``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, ClassVar, TypeVar

import numpy as np
import numpy.typing as npt

from parcours.engine.columns import KIND_CODE
from parcours.engine.errors import DefinitionError
from parcours.engine.reasons import Reason
from parcours.engine.touchpoints import Touchpoint

if TYPE_CHECKING:
    from parcours.engine.batch_tasks import BatchFacts

I64 = npt.NDArray[np.int64]

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
COMMON = frozenset({"type", "assignee", "due_days"})


@dataclass(frozen=True)
class TaskParseContext:
    """What a task rule may refer to while it is read."""

    source: str
    stages: tuple[str, ...]
    windowed: frozenset[str]
    statuses: tuple[str, ...]

    def error(self, path: str, reason: str) -> DefinitionError:
        return DefinitionError(self.source, path, reason)


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


@dataclass(frozen=True)
class Episode:
    ref: int | None
    opened_on: date


@dataclass
class HouseholdFacts:
    """One household as of a day, as the task rules read it (built by worklists.py)."""

    as_of: date
    touchpoints: tuple[Touchpoint, ...]  # up to as_of, in log order
    stage: str | None  # current stage (its span is open on as_of)
    stage_start: date | None
    lapse: date | None  # the current stage's lapse if windowed and holding until then
    statuses: Mapping[str, date]  # statuses holding on as_of -> start of their span
    followups: Mapping[int, date] | None
    episodes: Callable[[str, str], tuple[Episode, ...]]
    sponsor_ref: int | None = None


@dataclass
class BatchRows:
    """Proposals of one rule for many households (``h``: household index of the facts).

    ``day``: the day in the cause (span start, lapse, status start, last follow-up);
    ``cause_ref`` and ``opened_on`` for episode rules (-1 otherwise); ``ref`` -1 for None.
    ``change_h``/``change_day``: the days its thresholds are reached (next_days), any day.
    """

    h: I64
    day: I64
    since: I64
    due: I64
    ref: I64
    cause_ref: I64 | None = None
    opened_on: I64 | None = None
    change_h: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    change_day: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class TaskType(ABC):
    """A validated task rule; subclasses are dataclasses with their own settings."""

    type_name: ClassVar[str] = ""
    allowed: ClassVar[frozenset[str]] = frozenset()

    key: str
    assignee: str
    due_days: int
    settings: Mapping[str, object]

    @classmethod
    @abstractmethod
    def from_dict(
        cls,
        key: str,
        t: Mapping[str, object],
        path: str,
        ctx: TaskParseContext,
        common: tuple[str, int],
    ) -> TaskType:
        """Read the type's own settings; raise DefinitionError naming ``path``."""

    @property
    def type(self) -> str:
        return self.type_name

    @abstractmethod
    def propose(self, f: HouseholdFacts) -> list[TaskProposal]: ...

    @abstractmethod
    def next_days(self, f: HouseholdFacts) -> list[date]: ...

    @abstractmethod
    def batch(self, b: BatchFacts) -> BatchRows: ...

    @abstractmethod
    def proposal(self, stage: str | None, as_of: date, row: ProposalRow) -> TaskProposal:
        """The proposal of one batch row (same cause, reason and days as ``propose``)."""

    def _ref(self, f: HouseholdFacts) -> int | None:
        return f.sponsor_ref if self.assignee == "sponsor" else None

    def _batch_ref(self, b: BatchFacts, h: I64) -> I64:
        if self.assignee == "sponsor":
            return b.sponsor_ref[h]
        return np.full(h.shape[0], -1, dtype=np.int64)


@dataclass(frozen=True)
class ProposalRow:
    day: date
    since: date
    due: date
    ref: int | None
    cause_ref: int | None
    opened_on: date | None


_REGISTRY: dict[str, type[TaskType]] = {}

T = TypeVar("T", bound=type[TaskType])


def register(name: str) -> Callable[[T], T]:
    def deco(cls: T) -> T:
        if name in _REGISTRY:
            raise ValueError(f"task rule type {name!r} registered twice")
        cls.type_name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def task_types() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def parse_task(key: str, t: Mapping[str, object], path: str, ctx: TaskParseContext) -> TaskType:
    """One ``[[tasks]]`` table (without its key) as a validated rule of its type."""
    kind = t.get("type")
    if not isinstance(kind, str) or kind not in _REGISTRY:
        raise ctx.error(f"{path}.type", f"must be one of {', '.join(_REGISTRY)}, got {kind!r}")
    cls = _REGISTRY[kind]
    for k in t:
        if k not in COMMON | cls.allowed:
            allowed = ", ".join(sorted(COMMON | cls.allowed | {"key"}))
            raise ctx.error(f"{path}.{k}", f"unknown key (allowed: {allowed})")
    assignee = t.get("assignee")
    if not isinstance(assignee, str) or assignee not in ASSIGNEES:
        raise ctx.error(
            f"{path}.assignee", f"must be one of {', '.join(ASSIGNEES)}, got {assignee!r}"
        )
    due_days = integer(t, "due_days", path, ctx, 7, 0)
    return cls.from_dict(key, t, path, ctx, (assignee, due_days))


# --- validation helpers -----------------------------------------------------------------


def integer(
    t: Mapping[str, object], name: str, path: str, ctx: TaskParseContext, default: int | None,
    low: int,
) -> int:  # fmt: skip
    value = t.get(name, default)
    if value is None:
        raise ctx.error(f"{path}.{name}", "missing key")
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ctx.error(f"{path}.{name}", f"must be an integer >= {low}, got {value!r}")
    return value


def kinds(t: Mapping[str, object], name: str, path: str, ctx: TaskParseContext) -> frozenset[str]:
    value = t.get(name, [])
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ctx.error(f"{path}.{name}", "must be an array of touchpoint kinds")
    for k in value:
        if k not in KIND_CODE:
            raise ctx.error(f"{path}.{name}", f"unknown touchpoint kind {k!r}")
    return frozenset(value)


def kind(t: Mapping[str, object], name: str, path: str, ctx: TaskParseContext) -> str:
    value = t.get(name)
    if not isinstance(value, str) or value not in KIND_CODE:
        reason = "missing key" if value is None else f"unknown touchpoint kind {value!r}"
        raise ctx.error(f"{path}.{name}", reason)
    return value


__all__ = [
    "ASSIGNEES",
    "BatchRows",
    "Episode",
    "HouseholdFacts",
    "ProposalRow",
    "TaskParseContext",
    "TaskProposal",
    "TaskType",
    "parse_task",
    "register",
    "task_types",
]
