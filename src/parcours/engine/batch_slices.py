"""Household ranges of the batch engine's columns, cut out without computing anything again.

Everything the engine holds is sorted by household id, or owned by rows that are (a span's
reasons and evidence, a status span's reasons, a household's current reasons), so the rows of
the households ``first..last`` are slices. A consumer that works block by block on what was
computed once for every household (``parcours recompute``'s task phase) takes its block's
touchpoints (``columns_range``) and journeys (``journeys_range``): the same columns and
journeys as ``recompute_journeys`` on that block's touchpoints alone, since no household's
journey depends on another's touchpoints.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from parcours.engine.batch import SpanColumns
from parcours.engine.batch_journeys import (
    EvidenceColumns,
    Journeys,
    ReasonColumns,
    StatusColumns,
)
from parcours.engine.columns import TouchpointColumns

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Rows = TypeVar("Rows", bound="DataclassInstance")


def _bounds(sorted_ids: np.ndarray, first: int, last: int) -> tuple[int, int]:
    lo, hi = np.searchsorted(sorted_ids, [first, last + 1]).tolist()
    return int(lo), int(hi)


def _rows(columns: Rows, lo: int, hi: int) -> Rows:
    """The rows lo..hi-1 of a dataclass of parallel arrays (views, no copy); its other fields
    (a day, a definition's keys) as they are."""

    def cut(value: Any) -> Any:
        return value[lo:hi] if isinstance(value, np.ndarray) else value

    made: Any = type(columns)
    rows: Rows = made(**{f.name: cut(getattr(columns, f.name)) for f in fields(columns)})
    return rows


def columns_range(columns: TouchpointColumns, first: int, last: int) -> TouchpointColumns:
    """The touchpoints of the households whose id is in [first, last]."""
    return _rows(columns, *_bounds(columns.household, first, last))


def _reasons(reasons: ReasonColumns, lo: int, hi: int) -> ReasonColumns:
    """The reasons owned by rows lo..hi-1, owners renumbered from 0."""
    a, b = _bounds(reasons.owner, lo, hi - 1)
    return ReasonColumns(
        reasons.owner[a:b] - lo, reasons.template[a:b], reasons.values[a:b], reasons.templates
    )


def _evidence(evidence: EvidenceColumns, lo: int, hi: int) -> EvidenceColumns:
    a, b = _bounds(evidence.owner, lo, hi - 1)
    cut = _rows(evidence, a, b)
    return EvidenceColumns(cut.owner - lo, cut.day, cut.kind, cut.activity, cut.ref)


def journeys_range(journeys: Journeys, first: int, last: int) -> Journeys:
    """The journeys of the households whose id is in [first, last]."""
    s_lo, s_hi = _bounds(journeys.spans.household, first, last)
    t_lo, t_hi = _bounds(journeys.statuses.household, first, last)
    h_lo, h_hi = _bounds(journeys.households, first, last)
    spans: SpanColumns = _rows(journeys.spans, s_lo, s_hi)
    statuses: StatusColumns = _rows(journeys.statuses, t_lo, t_hi)
    return Journeys(
        version=journeys.version,
        as_of=journeys.as_of,
        spans=spans,
        predicted_end=journeys.predicted_end[s_lo:s_hi],
        span_reasons=_reasons(journeys.span_reasons, s_lo, s_hi),
        span_evidence=_evidence(journeys.span_evidence, s_lo, s_hi),
        statuses=statuses,
        status_reasons=_reasons(journeys.status_reasons, t_lo, t_hi),
        households=journeys.households[h_lo:h_hi],
        stage=journeys.stage[h_lo:h_hi],
        status_mask=journeys.status_mask[h_lo:h_hi],
        current_reasons=_reasons(journeys.current_reasons, h_lo, h_hi),
        valid_until=journeys.valid_until[h_lo:h_hi],
    )
