"""Condition types: the base class, the registry by ``type`` name, and validation helpers.

A condition type is a class registered with :func:`register`. It knows how to
- read itself from a definition table (``from_dict``, errors name the key path),
- give the days on which it holds for one household (``intervals``),
- explain itself on a given day (``explain``: holds?, reasons, the touchpoints used),
- and, optionally, compute its intervals for all households at once (``batch_intervals``).
The lapse date (when it stops holding if nothing new happens) follows from ``intervals``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, TypeVar

from parcours.engine.columns import KIND_CODE
from parcours.engine.errors import DefinitionError
from parcours.engine.intervals import INF, Intervals, containing
from parcours.engine.reasons import Reason
from parcours.engine.touchpoints import History, Touchpoint

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from parcours.engine.batch_explain import BatchExplanation
    from parcours.engine.batch_intervals import BatchContext, BatchIntervals


@dataclass(frozen=True)
class ParseContext:
    """What a condition may refer to while it is read."""

    source: str
    stages_before: tuple[str, ...] = ()  # stage keys a condition may depend on
    all_stages: tuple[str, ...] = ()

    def error(self, path: str, reason: str) -> DefinitionError:
        return DefinitionError(self.source, path, reason)


@dataclass
class EvalContext:
    """One household's history plus what earlier stages already established."""

    history: History
    first_held: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Explanation:
    holds: bool
    reasons: tuple[Reason, ...]
    touchpoints: tuple[Touchpoint, ...] = ()


class NotVectorised(Exception):
    """Raised by a condition type that has no batch implementation."""


class Condition(ABC):
    type_name: ClassVar[str] = ""

    @classmethod
    @abstractmethod
    def from_dict(cls, data: Mapping[str, object], path: str, ctx: ParseContext) -> Condition:
        """Read and validate; raise DefinitionError naming ``path``."""

    @abstractmethod
    def intervals(self, ctx: EvalContext) -> Intervals:
        """Days (history up to as_of) on which the condition holds, merged."""

    @abstractmethod
    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        """Whether it holds on ``day`` from the touchpoints up to ``day``, and why."""

    def holds(self, ctx: EvalContext, day: int) -> bool:
        return self.explain(ctx, day).holds

    def lapse(self, ctx: EvalContext, day: int) -> int | None:
        """First day after ``day`` on which it stops holding if nothing new happens."""
        iv = containing(self.intervals(ctx), day)
        if iv is None or iv[1] >= INF:
            return None
        return iv[1]

    def stage_refs(self) -> frozenset[str]:
        """Stage keys this condition depends on."""
        return frozenset()

    def children(self) -> tuple[Condition, ...]:
        return ()

    def batch_intervals(self, bctx: BatchContext) -> BatchIntervals:
        raise NotVectorised(self.type_name)

    def batch_explain(
        self,
        bctx: BatchContext,
        q_h: npt.NDArray[np.int64],
        q_day: npt.NDArray[np.int64],
        evidence: bool,
    ) -> BatchExplanation:
        """``explain`` for many queries (household index ``q_h`` on day ``q_day``, each day at
        most as_of) at once, evidence rows only when ``evidence`` (batch_explain.py)."""
        raise NotVectorised(self.type_name)


_REGISTRY: dict[str, type[Condition]] = {}

C = TypeVar("C", bound=type[Condition])


def register(name: str) -> Callable[[C], C]:
    def deco(cls: C) -> C:
        if name in _REGISTRY:
            raise ValueError(f"condition type {name!r} registered twice")
        cls.type_name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def condition_types() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def parse_condition(data: object, path: str, ctx: ParseContext) -> Condition:
    table = as_table(data, path, ctx)
    kind = table.get("type")
    if kind is None:
        raise ctx.error(f"{path}.type", "missing key")
    if not isinstance(kind, str) or kind not in _REGISTRY:
        known = ", ".join(condition_types())
        raise ctx.error(f"{path}.type", f"unknown condition type {kind!r} (known: {known})")
    return _REGISTRY[kind].from_dict(table, path, ctx)


# --- validation helpers -----------------------------------------------------------------


def as_table(data: object, path: str, ctx: ParseContext) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise ctx.error(path, f"must be a table, got {type(data).__name__}")
    return data


def check_keys(data: Mapping[str, object], allowed: set[str], path: str, ctx: ParseContext) -> None:
    for key in data:
        if key not in allowed and key != "type":
            raise ctx.error(f"{path}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def get_int(
    data: Mapping[str, object],
    key: str,
    path: str,
    ctx: ParseContext,
    *,
    default: int | None = None,
    minimum: int = 1,
    required: bool = False,
) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ctx.error(f"{path}.{key}", "missing key")
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ctx.error(f"{path}.{key}", f"must be an integer >= {minimum}, got {value!r}")
    return value


def get_kind(data: Mapping[str, object], key: str, path: str, ctx: ParseContext) -> str:
    value = data.get(key)
    if value is None:
        raise ctx.error(f"{path}.{key}", "missing key")
    if not isinstance(value, str) or value not in KIND_CODE:
        raise ctx.error(f"{path}.{key}", f"unknown touchpoint kind {value!r}")
    return value


def get_kinds(
    data: Mapping[str, object], key: str, path: str, ctx: ParseContext
) -> frozenset[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise ctx.error(f"{path}.{key}", "must be a non-empty list of touchpoint kinds")
    for i, item in enumerate(value):
        if not isinstance(item, str) or item not in KIND_CODE:
            raise ctx.error(f"{path}.{key}[{i}]", f"unknown touchpoint kind {item!r}")
    return frozenset(value)


def get_stage(data: Mapping[str, object], key: str, path: str, ctx: ParseContext) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or value not in ctx.all_stages:
        raise ctx.error(f"{path}.{key}", f"unknown stage key {value!r}")
    if value not in ctx.stages_before:
        raise ctx.error(f"{path}.{key}", f"stage {value!r} must come before this one")
    return value
