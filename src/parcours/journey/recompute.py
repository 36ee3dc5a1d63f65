"""The batch recomputation of stored journeys: every household of an association at once.

`journey_recompute` reads an association's touchpoints as columns, computes with the batch
engine and writes the same rows `journey.services.journey_refresh` writes one household at a
time (tests/journey/test_recompute.py proves it).
"""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django_scopes import scopes_disabled

from parcours.accounts.visibility import SUPPORT_KINDS, Audience
from parcours.core.fastinsert import insert_rows
from parcours.engine import Journeys, recompute_journeys
from parcours.engine.columns import KIND_CODE, KINDS, TouchpointColumns, day_date, day_number
from parcours.engine.timeline import FLAG_REGRESSION
from parcours.households.models import Household
from parcours.households.models import Touchpoint as TouchpointRow
from parcours.journey.definitions import definition_for
from parcours.journey.models import HouseholdJourney, StageSpan, StatusSpan
from parcours.journey.services import HORIZON_DAYS


def journey_recompute(
    *,
    association=None,
    as_of: date | None = None,
    only_due: bool = False,
    batch_size: int = 1000,
    household_ids: list[int] | None = None,
    progress=None,
) -> int:
    """Recompute stored spans of every household (of one association, or all), batch path.

    Per association: its touchpoints are read as columns with one ordered query, the batch
    engine (``recompute_journeys``) computes spans with reasons and evidence, status spans,
    the placement and ``valid_until`` for all of them at once, and the rows are written with
    bulk_create, ``batch_size`` households per transaction: a crash leaves whole batches.
    The rows are the ones ``journey_refresh`` writes (tests/journey prove it).

    only_due: just the households whose stored spans stop being true by as_of (daily run).
    household_ids: just these households of `association` (a bulk write: imports).
    progress: called with the number of households written so far after each batch (the
    journey editor's background recomputation shows it). Returns the number recomputed.
    """
    from parcours.accounts.models import Association
    from parcours.association_settings.selectors import association_today

    done = 0
    with scopes_disabled():
        if association is not None:
            associations = [association]
        else:
            associations = list(Association.objects.order_by("id"))
        for assoc in associations:
            # each association's "today" is counted in its own time zone
            day = as_of or association_today(assoc)
            done += _recompute_association(
                assoc, day, only_due, batch_size, household_ids, progress, done
            )
    return done


def _household_ids(association, as_of: date, only_due: bool, only=None) -> list[int]:
    households = Household.objects.filter(association=association)
    if only is not None:  # intersected here: the list may exceed a database's parameters
        wanted = set(only)
        ids = households.order_by("id").values_list("id", flat=True)
        return [pk for pk in ids if pk in wanted]
    if only_due:
        households = households.filter(
            Q(journeys__valid_until__lte=as_of) | Q(journeys__isnull=True)
        )
    return list(households.order_by("id").values_list("id", flat=True).distinct())


def touchpoint_columns(association, household_ids: list[int] | None = None) -> TouchpointColumns:
    """The association's touchpoints as engine columns, in the order journey_refresh reads
    them (by day; within a day, the latest recorded first: the model's ordering)."""
    table = TouchpointRow._meta.db_table
    vendor = connection.vendor
    if vendor == "sqlite":
        day_sql = "CAST(julianday(day) - 2440587.5 AS INTEGER)"
    elif vendor == "postgresql":
        day_sql = "(day - DATE '1970-01-01')"
    else:  # pragma: no cover - other databases: dates converted in Python
        day_sql = "day"
    kind_sql = "CASE kind " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))
    kind_sql += " ELSE -1 END"
    sql = (
        f"SELECT household_id, {day_sql}, {kind_sql}, COALESCE(activity_id, -1), "
        f"COALESCE(ref, -1) FROM {table} WHERE association_id = %s "
        "ORDER BY household_id, day, id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [association.pk])
        rows = cursor.fetchall()
    n = len(rows)
    if day_sql == "day":  # pragma: no cover
        rows = [(h, day_number(d), k, a, r) for h, d, k, a, r in rows]
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=5 * n)
    del rows
    a = flat.reshape(n, 5)
    if household_ids is not None:
        a = a[np.isin(a[:, 0], np.asarray(household_ids, dtype=np.int64))]
    return TouchpointColumns(
        household=np.ascontiguousarray(a[:, 0]),
        day=a[:, 1].astype(np.int32),
        kind=a[:, 2].astype(np.int8),
        activity=np.ascontiguousarray(a[:, 3]),
        ref=np.ascontiguousarray(a[:, 4]),
    )


class _Dates:
    """day number -> date / ISO string, cached (a recomputation meets few distinct days)."""

    def __init__(self) -> None:
        self.dates: dict[int, date] = {}
        self.iso: dict[int, str] = {}

    def date(self, n: int) -> date | None:
        if n < 0:
            return None
        got = self.dates.get(n)
        if got is None:
            got = self.dates[n] = day_date(n)
        return got

    def isoformat(self, n: int) -> str:
        got = self.iso.get(n)
        if got is None:
            got = self.iso[n] = day_date(n).isoformat()
        return got


def _public_columns(columns: TouchpointColumns) -> tuple[TouchpointColumns, list[int]]:
    """The touchpoints of the households with support evidence, without that evidence, and
    those households' ids: what the public journeys are computed from (accounts.visibility)."""
    support = np.isin(columns.kind, [KIND_CODE[k] for k in SUPPORT_KINDS])
    ids = np.unique(columns.household[support])
    keep = np.isin(columns.household, ids) & ~support
    public = TouchpointColumns(
        household=np.ascontiguousarray(columns.household[keep]),
        day=np.ascontiguousarray(columns.day[keep]),
        kind=np.ascontiguousarray(columns.kind[keep]),
        activity=np.ascontiguousarray(columns.activity[keep]),
        ref=np.ascontiguousarray(columns.ref[keep]),
    )
    return public, ids.tolist()


def _recompute_association(
    association,
    as_of: date,
    only_due: bool,
    batch_size: int,
    only=None,
    progress=None,
    before: int = 0,
) -> int:
    ids = _household_ids(association, as_of, only_due, only)
    if not ids:
        return 0
    definition = definition_for(association)
    columns = touchpoint_columns(association, ids if only_due or only is not None else None)
    public_columns, with_support = _public_columns(columns)
    journeys = recompute_journeys(columns, definition, as_of, horizon_days=HORIZON_DAYS)
    del columns
    # Only the households with support evidence get a second, public journey: few of them.
    public = recompute_journeys(public_columns, definition, as_of, horizon_days=HORIZON_DAYS)
    support_ids = np.asarray(with_support, dtype=np.int64)
    dates = _Dates()
    for i in range(0, len(ids), batch_size):
        chunk = ids[i : i + batch_size]
        lo, hi = np.searchsorted(support_ids, [chunk[0], chunk[-1] + 1]).tolist()
        sensitive = set(with_support[lo:hi])
        stage_rows, status_rows, snapshots = [], [], []
        for view, households, public_view in (
            (journeys, chunk, False),
            (public, with_support[lo:hi], True),
        ):
            if not households:
                continue

            def audience(h: int, public_view=public_view, sensitive=sensitive) -> str:
                if public_view:
                    return Audience.PUBLIC
                return Audience.SENSITIVE if h in sensitive else Audience.ALL

            rows = _view_rows(association, view, households, definition, as_of, dates, audience)
            for group, out in zip(rows, (stage_rows, status_rows, snapshots), strict=True):
                out += group
        with transaction.atomic():
            StageSpan.objects.filter(household_id__in=chunk).delete()
            StatusSpan.objects.filter(household_id__in=chunk).delete()
            HouseholdJourney.objects.filter(household_id__in=chunk).delete()
            # plain rows (core.fastinsert): the same values bulk_create wrote from instances
            insert_rows(StageSpan, STAGE_FIELDS, stage_rows)
            insert_rows(StatusSpan, STATUS_FIELDS, status_rows)
            insert_rows(HouseholdJourney, JOURNEY_FIELDS, snapshots)
        if progress is not None:
            progress(before + i + len(chunk))
    return len(ids)


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


def _view_rows(association, journeys: Journeys, chunk, definition, as_of, dates, audience):
    """Stage spans, status spans and snapshots of the households ``chunk`` (sorted ids), as
    tuples of STAGE_FIELDS, STATUS_FIELDS and JOURNEY_FIELDS; ``audience``: household id ->
    the audience of its rows."""
    keys = definition.stage_keys
    status_keys = [s.key for s in definition.statuses]
    lo_id, hi_id = chunk[0], chunk[-1]
    s_lo, s_hi = np.searchsorted(journeys.spans.household, [lo_id, hi_id + 1]).tolist()
    t_lo, t_hi = np.searchsorted(journeys.statuses.household, [lo_id, hi_id + 1]).tolist()
    h_lo, h_hi = np.searchsorted(journeys.households, [lo_id, hi_id + 1]).tolist()
    version = definition.version
    return (
        _stage_rows(association, journeys, s_lo, s_hi, keys, version, dates, audience),
        _status_rows(association, journeys, t_lo, t_hi, status_keys, version, dates, audience),
        _snapshots(
            association, journeys, chunk, h_lo, h_hi, keys, status_keys, as_of, dates, audience
        ),
    )


def _evidence_lists(journeys: Journeys, lo: int, hi: int, dates: _Dates) -> list[list[dict]]:
    ev = journeys.span_evidence
    a, b = np.searchsorted(ev.owner, [lo, hi]).tolist()
    out: list[list[dict]] = [[] for _ in range(hi - lo)]
    for o, d, k, act, ref in zip(
        (ev.owner[a:b] - lo).tolist(),
        ev.day[a:b].tolist(),
        ev.kind[a:b].tolist(),
        ev.activity[a:b].tolist(),
        ev.ref[a:b].tolist(),
        strict=True,
    ):
        out[o].append(
            {
                "day": dates.isoformat(d),
                "kind": KINDS[k],
                "activity": None if act < 0 else act,
                "ref": None if ref < 0 else ref,
            }
        )
    return out


def _reason_lists(reasons, lo: int, hi: int) -> list[list[dict]]:
    a, b = np.searchsorted(reasons.owner, [lo, hi]).tolist()
    out: list[list[dict]] = [[] for _ in range(hi - lo)]
    templates = reasons.templates
    # the same reason (template and values) recurs across households: built once, shared by
    # the rows that hold it (they are only written as JSON)
    made: dict[tuple, dict] = {}
    for o, t, v in zip(
        (reasons.owner[a:b] - lo).tolist(),
        reasons.template[a:b].tolist(),
        reasons.values[a:b].tolist(),
        strict=True,
    ):
        key = (t, *v)
        got = made.get(key)
        if got is None:
            got = made[key] = templates[t].as_dict(v)
        out[o].append(got)
    return out


def _stage_rows(association, journeys: Journeys, lo, hi, keys, version, dates, audience):
    spans = journeys.spans
    reasons = _reason_lists(journeys.span_reasons, lo, hi)
    evidence = _evidence_lists(journeys, lo, hi, dates)
    pk = association.pk
    return [
        (
            pk,
            h,
            audience(h),
            keys[s],
            s,
            dates.date(a),
            dates.date(b),
            dates.date(p) if b < 0 else None,
            r,
            e,
            [keys[i] for i in range(len(keys)) if sk >> i & 1],
            bool(f & FLAG_REGRESSION),
            version,
        )  # fmt: skip
        for h, s, a, b, p, sk, f, r, e in zip(
            spans.household[lo:hi].tolist(),
            spans.stage[lo:hi].tolist(),
            spans.start[lo:hi].tolist(),
            spans.end[lo:hi].tolist(),
            journeys.predicted_end[lo:hi].tolist(),
            spans.skipped[lo:hi].tolist(),
            spans.flags[lo:hi].tolist(),
            reasons,
            evidence,
            strict=True,
        )
    ]


def _status_rows(association, journeys: Journeys, lo, hi, status_keys, version, dates, audience):
    st = journeys.statuses
    reasons = _reason_lists(journeys.status_reasons, lo, hi)
    pk = association.pk
    return [
        (pk, h, audience(h), status_keys[k], dates.date(a), dates.date(b), r, version)
        for h, k, a, b, r in zip(
            st.household[lo:hi].tolist(),
            st.status[lo:hi].tolist(),
            st.start[lo:hi].tolist(),
            st.end[lo:hi].tolist(),
            reasons,
            strict=True,
        )
    ]


def _snapshots(
    association, journeys: Journeys, chunk, lo, hi, keys, status_keys, as_of, dates, audience
):
    reasons = _reason_lists(journeys.current_reasons, lo, hi)
    computed = {
        h: (s, m, v, r)
        for h, s, m, v, r in zip(
            journeys.households[lo:hi].tolist(),
            journeys.stage[lo:hi].tolist(),
            journeys.status_mask[lo:hi].tolist(),
            journeys.valid_until[lo:hi].tolist(),
            reasons,
            strict=True,
        )
    }
    out = []
    for h in chunk:
        s, m, v, r = computed.get(h, (-1, 0, -1, []))  # no touchpoint at all: nothing holds
        out.append(
            (
                association.pk,
                h,
                audience(h),
                as_of,
                dates.date(v),
                keys[s] if s >= 0 else "",
                [k for i, k in enumerate(status_keys) if m >> i & 1],
                journeys.version,
                r,
            )  # fmt: skip
        )
    return out
