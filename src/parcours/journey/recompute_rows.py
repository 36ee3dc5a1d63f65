"""The rows a recomputation stores, built as Arrow columns (no Python object per row).

``view_tables`` turns the batch engine's columns (``recompute_journeys``) into three Arrow
tables, one per stored model, with the columns of STAGE_FIELDS, STATUS_FIELDS and
JOURNEY_FIELDS: days as date32, JSON columns as the text ``json.dumps`` gives for the values
``journey_refresh`` stores (same keys in the same order, same separators), so a writer sends
them as they are (PostgreSQL COPY) or as Python values (SQLite executemany).

The JSON of a reason is made per template: its code and its fixed params are written once as
text, its data-dependent values are formatted by Arrow compute and joined in between.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parcours.engine.batch_explain import CODE, DATE, NONE
from parcours.engine.batch_journeys import Journeys, ReasonColumns
from parcours.engine.columns import KINDS, day_number
from parcours.engine.reasons import CODES
from parcours.engine.timeline import FLAG_REGRESSION

STAGE_FIELDS = [
    "association_id", "household_id", "audience", "stage", "stage_order", "start", "end",
    "predicted_end", "reasons", "evidence", "skipped", "regression", "definition_version",
]  # fmt: skip
STATUS_FIELDS = [
    "association_id", "household_id", "audience", "status", "start", "end", "reasons",
    "definition_version",
]  # fmt: skip
JOURNEY_FIELDS = [
    "association_id", "household_id", "audience", "computed_on", "valid_until", "stage",
    "statuses", "definition_version", "reasons",
]  # fmt: skip


def _days(values: np.ndarray) -> pa.Array:
    """Day numbers as date32, -1 as null."""
    values = np.asarray(values, dtype=np.int32)
    return pa.array(values, type=pa.date32(), mask=values < 0)


def _const(value, n: int, type_=None) -> pa.Array:
    return pa.array([value], type=type_).take(pa.array(np.zeros(n, dtype=np.int32)))


def _lookup(texts: list[str], codes: np.ndarray) -> pa.Array:
    """texts[codes] as an Arrow string array."""
    return pc.take(pa.array(texts, type=pa.string()), pa.array(codes.astype(np.int32)))


def _json_lists(items: pa.Array, owner: np.ndarray, lo: int, hi: int) -> pa.Array:
    """Per owner lo..hi-1, the JSON list of its ``items`` (JSON texts sorted by owner)."""
    bounds = np.searchsorted(owner, np.arange(lo, hi + 1)).astype(np.int32)
    bounds -= bounds[0]
    lists = pa.ListArray.from_arrays(pa.array(bounds), items)
    return pc.binary_join_element_wise("[", pc.binary_join(lists, ", "), "]", "")


def _value_texts(kind: str, values: np.ndarray) -> pa.Array:
    """The JSON text of data-dependent reason values (batch_explain._decode, then dumps)."""
    missing = values == NONE
    if kind == CODE:
        texts = [json.dumps(c) for c in CODES] + ['""']
        return _lookup(texts, np.where(missing, len(CODES), values))
    if kind == DATE:
        iso = pc.cast(_days(np.where(missing, -1, values)), pa.string())
        quoted = pc.binary_join_element_wise('"', iso, '"', "")
        return pc.fill_null(quoted, "null")
    ints = pa.array(values, mask=missing)
    return pc.fill_null(pc.cast(ints, pa.string()), "null")


def _reason_texts(reasons: ReasonColumns, a: int, b: int) -> pa.Array:
    """JSON text of reason rows a..b-1, each ``json.dumps(template.as_dict(values))``."""
    template = reasons.template[a:b]
    values = reasons.values[a:b]
    order = np.argsort(template, kind="stable")
    parts: list[pa.Array] = []
    for t in np.unique(template).tolist():
        rows = order[np.searchsorted(template[order], t) :][: int((template == t).sum())]
        tpl = reasons.templates[t]
        params: dict[str, object] = {
            k: json.dumps(v.isoformat() if isinstance(v, date) else v) for k, v in tpl.static
        }
        for i, (name, _kind) in enumerate(tpl.dynamic):
            params[name] = i  # a slot: the values' column i
        pieces: list = [f'{{"code": {json.dumps(tpl.code)}, "params": {{']
        for n, name in enumerate(sorted(params)):
            pieces.append((", " if n else "") + json.dumps(name) + ": ")
            got = params[name]
            if isinstance(got, int):
                pieces.append(_value_texts(tpl.dynamic[got][1], values[rows, got]))
            else:
                pieces.append(got)
        pieces.append("}}")
        if all(isinstance(p, str) for p in pieces):
            parts.append(_const("".join(pieces), len(rows), pa.string()))
        else:
            parts.append(pc.binary_join_element_wise(*pieces, ""))
    if not parts:
        return pa.array([], type=pa.string())
    grouped = pa.concat_arrays(parts)
    back = np.empty_like(order)
    back[order] = np.arange(order.shape[0])
    return pc.take(grouped, pa.array(back))


def _reason_lists(reasons: ReasonColumns, lo: int, hi: int) -> pa.Array:
    a, b = np.searchsorted(reasons.owner, [lo, hi]).tolist()
    return _json_lists(_reason_texts(reasons, a, b), reasons.owner[a:b], lo, hi)


def _evidence_lists(journeys: Journeys, lo: int, hi: int) -> pa.Array:
    ev = journeys.span_evidence
    a, b = np.searchsorted(ev.owner, [lo, hi]).tolist()

    def number(v: np.ndarray) -> pa.Array:
        return pc.fill_null(pc.cast(pa.array(v, mask=v < 0), pa.string()), "null")

    texts = pc.binary_join_element_wise(
        '{"day": "',
        pc.cast(_days(ev.day[a:b]), pa.string()),
        '", "kind": ',
        _lookup([json.dumps(k) for k in KINDS], ev.kind[a:b]),
        ', "activity": ',
        number(ev.activity[a:b]),
        ', "ref": ',
        number(ev.ref[a:b]),
        "}",
        "",
    )
    return _json_lists(texts, ev.owner[a:b], lo, hi)


def _mask_lists(masks: np.ndarray, keys: list[str]) -> pa.Array:
    """JSON list of ``keys[i]`` for each bit i set in each mask (few distinct masks)."""
    distinct, inverse = np.unique(masks, return_inverse=True)
    texts = [json.dumps([k for i, k in enumerate(keys) if m >> i & 1]) for m in distinct.tolist()]
    return _lookup(texts, inverse.reshape(-1))


def view_tables(
    association_id: int,
    journeys: Journeys,
    households: np.ndarray,
    audience: np.ndarray,
    definition,
    as_of: date,
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Stage spans, status spans and snapshots of ``households`` (sorted ids: a range of the
    ids ``journeys`` was computed for, households without touchpoints included), each row told
    for ``audience`` (an array of audience texts aligned with ``households``)."""
    keys = list(definition.stage_keys)
    status_keys = [s.key for s in definition.statuses]
    version = definition.version
    if households.shape[0] == 0:
        empty = [pa.table({f: pa.array([]) for f in fs}) for fs in (STAGE_FIELDS, STATUS_FIELDS)]
        return empty[0], empty[1], pa.table({f: pa.array([]) for f in JOURNEY_FIELDS})
    first, last = int(households[0]), int(households[-1])
    audience_of = pa.array(audience, type=pa.string())

    def told(ids: np.ndarray) -> pa.Array:  # the audience of rows owned by households ``ids``
        return pc.take(audience_of, pa.array(np.searchsorted(households, ids)))

    sp = journeys.spans
    s_lo, s_hi = np.searchsorted(sp.household, [first, last + 1]).tolist()
    n = s_hi - s_lo
    end = sp.end[s_lo:s_hi]
    stage = sp.stage[s_lo:s_hi]
    stages = pa.table(
        {
            "association_id": _const(association_id, n, pa.int64()),
            "household_id": pa.array(sp.household[s_lo:s_hi]),
            "audience": told(sp.household[s_lo:s_hi]),
            "stage": _lookup(keys, stage),
            "stage_order": pa.array(stage.astype(np.int16)),
            "start": _days(sp.start[s_lo:s_hi]),
            "end": _days(end),
            "predicted_end": _days(np.where(end < 0, journeys.predicted_end[s_lo:s_hi], -1)),
            "reasons": _reason_lists(journeys.span_reasons, s_lo, s_hi),
            "evidence": _evidence_lists(journeys, s_lo, s_hi),
            "skipped": _mask_lists(sp.skipped[s_lo:s_hi], keys),
            "regression": pa.array((sp.flags[s_lo:s_hi] & FLAG_REGRESSION) != 0),
            "definition_version": _const(version, n, pa.string()),
        }
    )
    st = journeys.statuses
    t_lo, t_hi = np.searchsorted(st.household, [first, last + 1]).tolist()
    n = t_hi - t_lo
    statuses = pa.table(
        {
            "association_id": _const(association_id, n, pa.int64()),
            "household_id": pa.array(st.household[t_lo:t_hi]),
            "audience": told(st.household[t_lo:t_hi]),
            "status": _lookup(status_keys, st.status[t_lo:t_hi]),
            "start": _days(st.start[t_lo:t_hi]),
            "end": _days(st.end[t_lo:t_hi]),
            "reasons": _reason_lists(journeys.status_reasons, t_lo, t_hi),
            "definition_version": _const(version, n, pa.string()),
        }
    )
    return stages, statuses, _snapshots(association_id, journeys, households, audience_of,
                                        keys, status_keys, as_of)  # fmt: skip


def _snapshots(association_id, journeys, households, audience_of, keys, status_keys, as_of):
    """One row per household of ``households``; one without touchpoints: nothing holds."""
    n = households.shape[0]
    h_lo, h_hi = np.searchsorted(journeys.households, [households[0], households[-1] + 1])
    h_lo, h_hi = int(h_lo), int(h_hi)
    computed = journeys.households[h_lo:h_hi]
    at = np.searchsorted(households, computed)  # positions of the computed households
    stage = np.full(n, -1, dtype=np.int64)
    stage[at] = journeys.stage[h_lo:h_hi]
    mask = np.zeros(n, dtype=np.int64)
    mask[at] = journeys.status_mask[h_lo:h_hi]
    until = np.full(n, -1, dtype=np.int32)
    until[at] = journeys.valid_until[h_lo:h_hi]
    reasons = journeys.current_reasons
    a, b = np.searchsorted(reasons.owner, [h_lo, h_hi]).tolist()
    texts = _reason_texts(reasons, a, b)
    # the owners are positions in journeys.households: as positions in ``households``
    owner = at[reasons.owner[a:b] - h_lo] if b > a else np.zeros(0, dtype=np.int64)
    return pa.table(
        {
            "association_id": _const(association_id, n, pa.int64()),
            "household_id": pa.array(households),
            "audience": audience_of,
            "computed_on": _const(day_number(as_of), n, pa.int32()).cast(pa.date32()),
            "valid_until": _days(until),
            "stage": _lookup(["", *keys], stage + 1),
            "statuses": _mask_lists(mask, status_keys),
            "definition_version": _const(journeys.version, n, pa.string()),
            "reasons": _json_lists(texts, owner, 0, n),
        }
    )
