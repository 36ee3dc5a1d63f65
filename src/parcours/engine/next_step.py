"""What would move a household to its next stage: the next stage's condition against its history.

``next_step(tl)`` reads the stage after the current one (the first stage when none holds yet),
explains its condition on ``as_of`` and says, for each way the condition could come to hold,
what is missing: "2 more attendances", "attendances in 1 more activity", "a support case".
The condition tree is read in disjunctive form: an ``any`` gives one way per member, an
``all`` combines the needs of its members; a ``not`` cannot be reached by doing something, so
a way through one that does not hold is dropped. Ways are sorted, fewest missing first.

Pure: no clock, no I/O. Amounts are as of ``as_of`` within each window: a window may also
lose touchpoints as days pass, which a later call sees.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from itertools import product

from parcours.engine.combinators import AllOf, AnyOf, Not
from parcours.engine.counts import DistinctActivities, SameActivity, TouchpointCount
from parcours.engine.episodes import ActiveEpisode, OpenEpisode
from parcours.engine.registry import Condition, EvalContext
from parcours.engine.timeline import Timeline

# Gap codes, with the fields each fills:
#   "touchpoints"  kinds ("" = any kind), more, window_days
#   "same_activity" kinds (the attendance kind), more, activity (None: no activity yet),
#                  window_days
#   "distinct"     kinds, more (touchpoints), more_distinct (activities), window_days
#   "episode"      kinds (the opening kind): one episode to open (and keep open, for
#                  an active episode)
GAP_CODES = ("touchpoints", "same_activity", "distinct", "episode")


@dataclass(frozen=True)
class Gap:
    code: str
    kinds: str
    more: int = 0
    more_distinct: int = 0
    activity: int | None = None
    window_days: int | None = None

    @property
    def size(self) -> int:
        return max(self.more, 1) + self.more_distinct


@dataclass(frozen=True)
class NextStep:
    stage: str
    # each way is a tuple of gaps that together make the stage hold; sorted, smallest first
    ways: tuple[tuple[Gap, ...], ...]

    @property
    def easiest(self) -> tuple[Gap, ...]:
        return self.ways[0] if self.ways else ()


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _ways(condition: Condition, ctx: EvalContext, day: int) -> list[tuple[Gap, ...]]:
    """The ways (each a tuple of gaps) by which ``condition`` comes to hold on ``day``."""
    if isinstance(condition, AnyOf):
        return [w for c in condition.conditions for w in _ways(c, ctx, day)]
    if isinstance(condition, AllOf):
        parts = [_ways(c, ctx, day) for c in condition.conditions]
        return [tuple(g for way in combo for g in way) for combo in product(*parts)]
    explanation = condition.explain(ctx, day)
    if explanation.holds:
        return [()]
    if isinstance(condition, Not):
        return []
    reason = explanation.reasons[0] if explanation.reasons else None
    params = reason.params if reason is not None else {}
    if isinstance(condition, TouchpointCount):
        kinds = ",".join(sorted(condition.kinds)) if condition.kinds else ""
        more = condition.min_count - _int(params.get("count"))
        return [(Gap("touchpoints", kinds, more=more, window_days=condition.window_days),)]
    if isinstance(condition, SameActivity):
        activity = params.get("activity")
        more = condition.min_count - _int(params.get("count"))
        gap = Gap(
            "same_activity",
            condition.kind,
            more=more,
            activity=activity if isinstance(activity, int) else None,
            window_days=condition.window_days,
        )
        return [(gap,)]
    if isinstance(condition, DistinctActivities):
        more = max(condition.min_count - _int(params.get("count")), 0)
        more_distinct = max(condition.min_distinct - _int(params.get("distinct")), 0)
        gap = Gap(
            "distinct",
            condition.kind,
            more=more,
            more_distinct=more_distinct,
            window_days=condition.window_days,
        )
        return [(gap,)]
    if isinstance(condition, OpenEpisode | ActiveEpisode):
        return [(Gap("episode", condition.opened, more=1),)]
    return []  # a condition type this module does not know: no way to tell


def next_step(tl: Timeline, passing_over: Collection[str] = ()) -> NextStep | None:
    """The next stage of the household of ``tl`` and what is missing to reach it on as_of;
    None at the last stage, or when the next stage cannot be reached by doing something.
    Stages in ``passing_over`` are not proposed (the reader may not learn of them): the one
    after them is."""
    definition = tl.definition
    current = tl.current.stage
    index = 0 if current is None else definition.stage_index(current) + 1
    while index < len(definition.stages) and definition.stages[index].key in passing_over:
        index += 1
    if index >= len(definition.stages):
        return None
    rule = definition.stages[index]
    ctx = tl._ctx
    ways = [w for w in _ways(rule.condition, ctx, ctx.history.as_of) if w]
    if not ways:
        return None
    unique = sorted(set(ways), key=lambda w: (sum(g.size for g in w), len(w), repr(w)))
    return NextStep(rule.key, tuple(unique))
