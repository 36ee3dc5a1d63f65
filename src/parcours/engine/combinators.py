"""Combinator condition types: ``any``, ``all`` (a list of ``conditions``), ``not`` (one
``condition``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from parcours.engine import batch_explain as be
from parcours.engine import batch_intervals as bi
from parcours.engine.intervals import INF, Intervals, complement, intersect, union
from parcours.engine.reasons import Reason
from parcours.engine.registry import (
    Condition,
    EvalContext,
    Explanation,
    ParseContext,
    check_keys,
    parse_condition,
    register,
)


def _members(data: Mapping[str, object], path: str, ctx: ParseContext) -> tuple[Condition, ...]:
    check_keys(data, {"conditions"}, path, ctx)
    items = data.get("conditions")
    if items is None:
        raise ctx.error(f"{path}.conditions", "missing key")
    if not isinstance(items, list) or not items:
        raise ctx.error(f"{path}.conditions", "must be a non-empty list of conditions")
    return tuple(parse_condition(c, f"{path}.conditions[{i}]", ctx) for i, c in enumerate(items))


@register("any")
@dataclass(frozen=True)
class AnyOf(Condition):
    conditions: tuple[Condition, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: str, ctx: ParseContext) -> AnyOf:
        return cls(_members(data, path, ctx))

    def children(self) -> tuple[Condition, ...]:
        return self.conditions

    def stage_refs(self) -> frozenset[str]:
        return frozenset().union(*(c.stage_refs() for c in self.conditions))

    def intervals(self, ctx: EvalContext) -> Intervals:
        return union([c.intervals(ctx) for c in self.conditions])

    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        parts = [c.explain(ctx, day) for c in self.conditions]
        held = [p for p in parts if p.holds]
        shown = held or parts
        return Explanation(
            bool(held),
            tuple(r for p in shown for r in p.reasons),
            tuple(t for p in held for t in p.touchpoints),
        )

    def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
        return bi.union([c.batch_intervals(bctx) for c in self.conditions])

    def batch_explain(
        self, bctx: bi.BatchContext, q_h: bi.I64, q_day: bi.I64, evidence: bool
    ) -> be.BatchExplanation:
        parts = [c.batch_explain(bctx, q_h, q_day, evidence) for c in self.conditions]
        held = np.logical_or.reduce([p.holds for p in parts])
        # reasons of the holding members (of all when none holds), their touchpoints
        return be.combine(held, [(p, p.holds | ~held, p.holds) for p in parts])


@register("all")
@dataclass(frozen=True)
class AllOf(Condition):
    conditions: tuple[Condition, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: str, ctx: ParseContext) -> AllOf:
        return cls(_members(data, path, ctx))

    def children(self) -> tuple[Condition, ...]:
        return self.conditions

    def stage_refs(self) -> frozenset[str]:
        return frozenset().union(*(c.stage_refs() for c in self.conditions))

    def intervals(self, ctx: EvalContext) -> Intervals:
        return intersect([c.intervals(ctx) for c in self.conditions])

    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        parts = [c.explain(ctx, day) for c in self.conditions]
        holds = all(p.holds for p in parts)
        return Explanation(
            holds,
            tuple(r for p in parts for r in p.reasons),
            tuple(t for p in parts for t in p.touchpoints) if holds else (),
        )

    def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
        return bi.intersect([c.batch_intervals(bctx) for c in self.conditions])

    def batch_explain(
        self, bctx: bi.BatchContext, q_h: bi.I64, q_day: bi.I64, evidence: bool
    ) -> be.BatchExplanation:
        parts = [c.batch_explain(bctx, q_h, q_day, evidence) for c in self.conditions]
        holds = np.logical_and.reduce([p.holds for p in parts])
        every = np.ones(q_h.shape[0], dtype=bool)
        return be.combine(holds, [(p, every, holds) for p in parts])


@register("not")
@dataclass(frozen=True)
class Not(Condition):
    """Holds when ``condition`` does not, from the household's first touchpoint on."""

    condition: Condition

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: str, ctx: ParseContext) -> Not:
        check_keys(data, {"condition"}, path, ctx)
        if "condition" not in data:
            raise ctx.error(f"{path}.condition", "missing key")
        return cls(parse_condition(data["condition"], f"{path}.condition", ctx))

    def children(self) -> tuple[Condition, ...]:
        return (self.condition,)

    def stage_refs(self) -> frozenset[str]:
        return self.condition.stage_refs()

    def intervals(self, ctx: EvalContext) -> Intervals:
        first = ctx.history.first_day
        if first is None:
            return []
        return complement(self.condition.intervals(ctx), first)

    def explain(self, ctx: EvalContext, day: int) -> Explanation:
        inner = self.condition.explain(ctx, day)
        code = inner.reasons[0].code if inner.reasons else ""
        return Explanation(not inner.holds, (Reason("not", of=code), *inner.reasons), ())

    def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
        return bi.complement(self.condition.batch_intervals(bctx), bctx.first_day)

    def batch_explain(
        self, bctx: bi.BatchContext, q_h: bi.I64, q_day: bi.I64, evidence: bool
    ) -> be.BatchExplanation:
        inner = self.condition.batch_explain(bctx, q_h, q_day, evidence)
        n = q_h.shape[0]
        first = be.first_per_query(inner.r_q, np.ones(inner.r_q.shape[0], dtype=bool), n)
        of = np.full(n, be.NONE, dtype=np.int64)
        has = first >= 0
        codes = np.asarray([be.CODE_INDEX[t.code] for t in bctx.templates.table], dtype=np.int64)
        of[has] = codes[inner.r_t[first[has]]]
        template = bctx.templates.id(be.Template("not", (), (("of", be.CODE),)))
        head = be.leaf(~inner.holds, template, [of])
        every = np.ones(n, dtype=bool)
        return be.combine(~inner.holds, [(head, every, every), (inner, every, ~every)])


__all__ = ["INF", "AllOf", "AnyOf", "Not"]
