"""Writes of the journey: stored stage and status spans, manual placements.

`journey_refresh` runs inside the transaction of every service that changes a household's
touchpoints (registered in households.hooks by JourneyConfig.ready).
"""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.visibility import (
    SUPPORT_KINDS,
    Audience,
    has_support_evidence,
    public_evidence,
)
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.core.fastinsert import insert_rows
from parcours.engine import Journeys, Reason, Timeline, Touchpoint, recompute_journeys, timeline
from parcours.engine.columns import KIND_CODE, KINDS, TouchpointColumns, day_date, day_number
from parcours.engine.timeline import FLAG_REGRESSION
from parcours.households.models import Household
from parcours.households.models import Touchpoint as TouchpointRow
from parcours.journey.definitions import definition_for
from parcours.journey.models import HouseholdJourney, ManualPlacement, StageSpan, StatusSpan

# How far ahead we look for the next change that happens by itself (a window lapsing,
# a household turning dormant). Longer than any window or status delay of the journeys.
HORIZON_DAYS = 800


def _json_reason(reason: Reason) -> dict:
    params = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in reason.items()}
    return {"code": reason.code, "params": params}


def _json_touchpoint(tp: Touchpoint) -> dict:
    return {"day": tp.day.isoformat(), "kind": tp.kind, "activity": tp.activity, "ref": tp.ref}


def household_timeline(household: Household, as_of: date, rows=None) -> Timeline:
    """The engine's timeline for one stored household."""
    if rows is None:
        rows = TouchpointRow.objects.with_scopes_disabled().filter(household=household)
        rows = rows.values_list("day", "kind", "activity_id", "ref")
    touchpoints = [Touchpoint(day=d, kind=k, activity=a, ref=r) for d, k, a, r in rows]
    return timeline(touchpoints, definition_for(household.association), as_of)


def _next_change(now: Timeline, future: Timeline, as_of: date) -> date | None:
    """The first day after as_of when the stage or a status changes if nothing new happens."""
    days = [s.start for s in future.stage_spans if s.start > as_of] + [
        s.end for s in future.stage_spans if s.end and s.end > as_of
    ]
    days += [s.start for s in future.status_spans if s.start > as_of]
    days += [s.end for s in future.status_spans if s.end and s.end > as_of]
    return min(days) if days else None


def _ahead(now: Timeline, future: Timeline | None, as_of: date):
    """(predicted end by span start, valid_until): what the timeline cut HORIZON_DAYS after
    as_of says, the household getting no new touchpoint.

    When no touchpoint is dated after as_of (``future`` None), that cut reads the same history
    as ``now``: same condition intervals, same runs of the current stage, same status
    intervals; it only cuts them later. Both answers are then read from ``now``'s runs and
    status intervals, without a second timeline (nor its reasons): the same days as the spans
    of the later cut (a span starting after the cut is left out, an end after it is open).
    """
    if future is not None:
        return {s.start: s.end for s in future.stage_spans}, _next_change(now, future, as_of)
    limit = day_number(as_of)
    horizon = limit + HORIZON_DAYS
    predicted: dict[date, date | None] = {}
    days: list[int] = []
    for r in now._runs:
        if r.start > horizon:
            break
        end = r.end if r.end <= horizon else None
        predicted[day_date(r.start)] = None if end is None else day_date(end)
        if r.start > limit:
            days.append(r.start)
        if end is not None and end > limit:
            days.append(end)
    for ivs in now._status_ivs:
        for a, b in ivs:
            if a > horizon:
                break
            if a > limit:
                days.append(a)
            if limit < b <= horizon:
                days.append(b)
    return predicted, (day_date(min(days)) if days else None)


def _rows_for(
    household: Household, now: Timeline, future: Timeline | None, as_of: date, audience: str
):
    version = now.definition.version
    order = {k: i for i, k in enumerate(now.definition.stage_keys)}
    predicted, valid_until = _ahead(now, future, as_of)
    stage_rows = [
        StageSpan(
            association_id=household.association_id,
            household_id=household.pk,
            stage=s.stage,
            stage_order=order[s.stage],
            start=s.start,
            end=s.end,
            predicted_end=predicted.get(s.start) if s.end is None else None,
            reasons=[_json_reason(r) for r in s.reasons],
            evidence=[_json_touchpoint(t) for t in s.touchpoints],
            skipped=list(s.skipped),
            regression=s.regression,
            definition_version=version,
            audience=audience,
        )
        for s in now.stage_spans
    ]
    status_rows = [
        StatusSpan(
            association_id=household.association_id,
            household_id=household.pk,
            status=s.status,
            start=s.start,
            end=s.end,
            reasons=[_json_reason(r) for r in s.reasons],
            definition_version=version,
            audience=audience,
        )
        for s in now.status_spans
    ]
    current = now.current
    snapshot = HouseholdJourney(
        association_id=household.association_id,
        household_id=household.pk,
        computed_on=as_of,
        valid_until=valid_until,
        stage=current.stage or "",
        statuses=list(current.statuses),
        definition_version=version,
        reasons=[_json_reason(r) for r in current.reasons],
        audience=audience,
    )
    return stage_rows, status_rows, snapshot


# The stored columns of each span, compared to tell an unchanged row (ids and keys aside).
_STAGE_FIELDS = (
    "association_id", "household_id", "stage", "stage_order", "start", "end", "predicted_end",
    "reasons", "evidence", "skipped", "regression", "definition_version", "audience",
)  # fmt: skip
_STATUS_FIELDS = (
    "association_id", "household_id", "status", "start", "end", "reasons", "definition_version",
    "audience",
)  # fmt: skip
_JSON_FIELDS = frozenset({"reasons", "evidence", "skipped"})
_JOURNEY_FIELDS = (
    "association_id", "computed_on", "valid_until", "stage", "statuses", "reasons",
    "definition_version",
)  # fmt: skip


def _same(stored: tuple, row, fields: tuple[str, ...]) -> bool:
    """Whether a stored row (values of ``fields``) is what writing ``row`` would store: JSON
    columns compared as the JSON text they hold, so 1, 1.0 and True stay different."""
    for value, name in zip(stored, fields, strict=True):
        new = getattr(row, name)
        if name in _JSON_FIELDS:
            if json.dumps(value) != json.dumps(new):
                return False
        elif value != new or type(value) is not type(new):
            return False
    return True


def _store_spans(model, household: Household, rows: list, fields: tuple[str, ...]) -> set[str]:
    """Make the household's stored spans ``rows``, writing only from the first change on.

    The stored spans (by id: the order they were written in) that equal the new ones from the
    start are kept; the rest are deleted and the new ones from there inserted. The rows stored
    are exactly those of deleting all and inserting ``rows``, in the same id order; a new
    touchpoint mostly changes the last spans only. Returns the audiences stored before.
    """
    stored = list(
        model.objects.filter(household=household).order_by("id").values_list("id", *fields)
    )
    keep = 0
    for old, new in zip(stored, rows, strict=False):
        if not _same(old[1:], new, fields):
            break
        keep += 1
    if keep < len(stored):
        model.objects.filter(household=household, id__gte=stored[keep][0]).delete()
    if keep < len(rows):
        model.objects.bulk_create(rows[keep:])
    at = fields.index("audience") + 1
    return {old[at] for old in stored}


@transaction.atomic(savepoint=False)
def journey_refresh(household: Household, *, as_of: date | None = None) -> HouseholdJourney:
    """Recompute and store one household's stage and status spans as of today.

    Inside the caller's transaction (a touchpoint write) without a savepoint of its own: an
    error here fails the whole write, nothing is caught and continued after it.
    """
    as_of = as_of or timezone.localdate()
    rows = list(
        TouchpointRow.objects.with_scopes_disabled()
        .filter(household=household)
        .order_by("day", "-id")  # the order journey_recompute reads (touchpoint_columns)
        .values_list("day", "kind", "activity_id", "ref")
    )
    # A household with support evidence gets its full journey and the one computed without
    # that evidence, for the roles that may not learn of support (accounts.visibility).
    if has_support_evidence(k for _d, k, _a, _r in rows):
        views = [(Audience.SENSITIVE, rows), (Audience.PUBLIC, public_evidence(rows))]
    else:
        views = [(Audience.ALL, rows)]
    stage_rows, status_rows, snapshots = [], [], []
    for audience, evidence in views:
        now = household_timeline(household, as_of, evidence)
        future = None
        if evidence and evidence[-1][0] > as_of:  # a touchpoint after as_of: the later cut
            future = household_timeline(household, as_of + timedelta(days=HORIZON_DAYS), evidence)
        stages, statuses, snapshot = _rows_for(household, now, future, as_of, audience)
        stage_rows += stages
        status_rows += statuses
        snapshots.append(snapshot)
    wanted = {audience for audience, _rows in views}
    with scopes_disabled():
        stored = _store_spans(StageSpan, household, stage_rows, _STAGE_FIELDS)
        stored |= _store_spans(StatusSpan, household, status_rows, _STATUS_FIELDS)
        if stored != wanted:  # support evidence came or went: drop the other views
            HouseholdJourney.objects.filter(household=household).exclude(
                audience__in=wanted
            ).delete()
        # one statement: insert, or update the household's rows in place
        HouseholdJourney.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=["household", "audience"],
            update_fields=list(_JOURNEY_FIELDS),
        )
    snapshot = snapshots[0]
    return snapshot


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


@transaction.atomic
def placement_set_manual(
    *, actor, household: Household, stage: str, reason: str
) -> ManualPlacement:
    """Place a household by hand. A written reason is required; the change is audited."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    definition = definition_for(household.association)
    if stage not in definition.stage_keys:
        raise ValidationError({"stage": _("Unknown stage.")})
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Write why you place this household by hand.")})
    ManualPlacement.objects.filter(household=household, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    placement = ManualPlacement(
        association_id=household.association_id,
        household=household,
        stage=stage,
        reason=reason.strip(),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    placement.full_clean()
    placement.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.PLACE, obj=placement, fields=["stage", "reason"]
    )
    return placement


@transaction.atomic
def placement_withdraw(*, actor, placement: ManualPlacement) -> None:
    placement.withdrawn_at = timezone.now()
    placement.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=placement, fields=["withdrawn_at"]
    )
