"""Writes of the journey: stored stage and status spans, manual placements.

Stage spans, status spans and the journey rows are three consequences of the touchpoint
pipeline (households.hooks, registered by JourneyConfig.ready at SPANS, STATUSES and
PLACEMENT): they run inside the transaction of every service that changes a household's
touchpoints, on the timelines the pipeline computed once. `journey_refresh` runs the three
alone (a household's journey as of a day).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.db import connection, models, transaction
from django.db.models import F, Value
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.core.fastinsert import insert_objects, upsert_objects
from parcours.core.prepared import Prepared
from parcours.engine import Reason, Timeline, Touchpoint, timeline
from parcours.engine.columns import day_date, day_number
from parcours.households import hooks
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
_JSON_FIELDS = frozenset({"reasons", "evidence", "skipped", "statuses"})
_JOURNEY_FIELDS = (
    "association_id", "computed_on", "valid_until", "stage", "statuses", "reasons",
    "definition_version",
)  # fmt: skip


def _same(stored: tuple, row, fields: tuple[str, ...]) -> bool:
    """Whether a stored row (values of ``fields``) is what writing ``row`` would store: JSON
    columns compared as the JSON text they hold, so 1, 1.0 and True stay different, keys in
    sorted order (PostgreSQL's jsonb gives an object's keys back in its own order)."""
    for value, name in zip(stored, fields, strict=True):
        new = getattr(row, name)
        if name in _JSON_FIELDS:
            if json.dumps(value, sort_keys=True) != json.dumps(new, sort_keys=True):
                return False
        elif value != new or type(value) is not type(new):
            return False
    return True


# The columns of the one read of a household's stored journey (stage spans, status spans,
# journey rows): per table, the field read in each column (None: NULL of that column's type).
_READ_COLUMNS = (
    ("association_id", "association_id", "association_id", models.IntegerField()),
    ("household_id", "household_id", "household_id", models.IntegerField()),
    ("stage", "status", "stage", models.CharField()),
    ("stage_order", None, None, models.IntegerField()),
    ("start", "start", "computed_on", models.DateField()),
    ("end", "end", "valid_until", models.DateField()),
    ("predicted_end", None, None, models.DateField()),
    ("reasons", "reasons", "reasons", models.JSONField()),
    ("evidence", None, "statuses", models.JSONField()),
    ("skipped", None, None, models.JSONField()),
    ("regression", None, None, models.BooleanField()),
    ("definition_version", "definition_version", "definition_version", models.CharField()),
    ("audience", "audience", "audience", models.CharField()),
)
_STAGE_READ = tuple(range(13))  # positions of _STAGE_FIELDS among the columns
_STATUS_READ = (0, 1, 2, 4, 5, 7, 11, 12)  # _STATUS_FIELDS
_JOURNEY_READ = (0, 4, 5, 2, 8, 7, 11)  # _JOURNEY_FIELDS


def _stored_read(household_id):
    """The union read of :func:`_stored_journey` (a queryset, compiled once: Prepared)."""
    names = [f"c{i}" for i in range(len(_READ_COLUMNS))]
    parts = []
    for tag, model in enumerate((StageSpan, StatusSpan, HouseholdJourney)):
        columns = {
            name: F(col[tag]) if col[tag] else Value(None, output_field=col[3])
            for name, col in zip(names, _READ_COLUMNS, strict=True)
        }
        qs = model.objects.filter(household_id=household_id).annotate(
            tag=Value(tag, output_field=models.IntegerField()), row=F("id"), **columns
        )
        parts.append(qs.order_by().values_list("tag", "row", *names))
    return parts[0].union(parts[1], parts[2], all=True).order_by("tag", "row")


_STORED = Prepared(_stored_read)


def _stored_journey(change: hooks.Change) -> tuple[list, list, dict]:
    """The household's stored stage spans, status spans (each ``(id, *fields)`` by id) and
    journey rows (audience -> values of _JOURNEY_FIELDS): one statement for the three tables."""
    got = change.facts.get("journey.stored")
    if got is not None:
        return got
    stage, status, journey = [], [], {}
    for tag, pk, *values in _STORED.rows(change.household.pk):
        if tag == 0:
            stage.append((pk, *(values[i] for i in _STAGE_READ)))
        elif tag == 1:
            status.append((pk, *(values[i] for i in _STATUS_READ)))
        else:
            journey[values[12]] = tuple(values[i] for i in _JOURNEY_READ)
    got = change.facts["journey.stored"] = (stage, status, journey)
    return got


def _update_rows(model, rows: list, fields: tuple[str, ...]) -> None:
    """UPDATE the stored rows (by pk) to the values of ``rows``: one executemany of one plain
    statement, the values prepared by their fields (bulk_update builds a CASE expression per
    field and row, most of a tap's time when a span changes)."""
    meta = model._meta
    cols = [meta.get_field(f.removesuffix("_id")) for f in fields]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(c.column)} = %s" for c in cols)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"
    values = [
        [c.get_db_prep_save(getattr(r, c.attname), connection) for c in cols] + [r.pk] for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _store_spans(model, stored: list, rows: list, fields: tuple[str, ...]) -> set[str]:
    """Make the household's stored spans (``stored``: ``(id, *fields)`` by id) ``rows``,
    writing only from the first change on.

    The stored spans (by id: the order they were written in) that equal the new ones from the
    start are kept; the next ones are updated in place (one statement), those left over
    deleted and the new ones beyond inserted. The rows stored are exactly those of deleting
    all and inserting ``rows``, in the same id order; a new touchpoint mostly changes the last
    span only (its predicted end): one UPDATE. Returns the audiences stored before.
    """
    keep = 0
    for old, new in zip(stored, rows, strict=False):
        if not _same(old[1:], new, fields):
            break
        keep += 1
    both = min(len(stored), len(rows))
    if keep < both:
        changed = []
        for old, new in zip(stored[keep:both], rows[keep:both], strict=True):
            if not _same(old[1:], new, fields):
                new.pk = old[0]
                changed.append(new)
        _update_rows(model, changed, fields)
    if both < len(stored):
        model.objects.filter(id__in=[old[0] for old in stored[both:]]).delete()
    if both < len(rows):
        insert_objects(rows[both:])
    at = fields.index("audience") + 1
    return {old[at] for old in stored}


def _journey_rows(change: hooks.Change):
    """(stage rows, status rows, snapshots, audiences) of the household's journey views as of
    the change's day: computed once, from the change's shared timelines."""
    got = change.facts.get("journey.rows")
    if got is not None:
        return got
    household, as_of = change.household, change.as_of
    stage_rows, status_rows, snapshots = [], [], []
    views = change.views()
    for i, (audience, evidence, now) in enumerate(views):
        future = None
        if evidence and evidence[-1].day > as_of:  # a touchpoint after as_of: the later cut
            future = change.views(as_of + timedelta(days=HORIZON_DAYS))[i][2]
        stages, statuses, snapshot = _rows_for(household, now, future, as_of, audience)
        stage_rows += stages
        status_rows += statuses
        snapshots.append(snapshot)
    wanted = {audience for audience, _tps, _tl in views}
    got = change.facts["journey.rows"] = (stage_rows, status_rows, snapshots, wanted)
    return got


def store_stage_spans(change: hooks.Change) -> None:
    """Pipeline consequence (hooks.SPANS): the household's stored stage spans."""
    stage_rows = _journey_rows(change)[0]
    with scopes_disabled():
        before = _stored_journey(change)[0]
        stored = _store_spans(StageSpan, before, stage_rows, _STAGE_FIELDS)
    change.facts["journey.stored_audiences"] = stored


def store_status_spans(change: hooks.Change) -> None:
    """Pipeline consequence (hooks.STATUSES): the household's stored status spans."""
    status_rows = _journey_rows(change)[1]
    with scopes_disabled():
        before = _stored_journey(change)[1]
        stored = _store_spans(StatusSpan, before, status_rows, _STATUS_FIELDS)
    change.facts["journey.stored_audiences"] = stored | change.facts.get(
        "journey.stored_audiences", set()
    )


def store_placement(change: hooks.Change) -> None:
    """Pipeline consequence (hooks.PLACEMENT): the household's journey rows (current stage,
    statuses, valid_until), one per view; leaves ``journey.valid_until`` (the first day one
    of them stops being true) for the tasks."""
    _stages, _statuses, snapshots, wanted = _journey_rows(change)
    stored = change.facts.get("journey.stored_audiences")
    with scopes_disabled():
        rows = _stored_journey(change)[2]
        if stored != wanted:  # support evidence came or went (or unknown): drop other views
            HouseholdJourney.objects.filter(household=change.household).exclude(
                audience__in=wanted
            ).delete()
        elif set(rows) == wanted and all(
            _same(rows[s.audience], s, _JOURNEY_FIELDS) for s in snapshots
        ):
            snapshots = []  # stored as they are: nothing to write
        # one statement: insert, or update the household's rows in place
        upsert_objects(
            snapshots, unique_fields=["household", "audience"], update_fields=list(_JOURNEY_FIELDS)
        )
    snapshots = _journey_rows(change)[2]
    days = [s.valid_until for s in snapshots if s.valid_until is not None]
    change.facts["journey.valid_until"] = min(days) if days else None
    change.facts["journey.snapshot"] = snapshots[0]


JOURNEY_CONSEQUENCES = (
    (hooks.SPANS, "journey.stage_spans", store_stage_spans),
    (hooks.STATUSES, "journey.status_spans", store_status_spans),
    (hooks.PLACEMENT, "journey.placement", store_placement),
)


@transaction.atomic(savepoint=False)
def journey_refresh(household: Household, *, as_of: date | None = None) -> HouseholdJourney:
    """Recompute and store one household's stage and status spans and journey rows as of a
    day (today by default): the journey's consequences of the pipeline, alone.

    Inside the caller's transaction (a touchpoint write) without a savepoint of its own: an
    error here fails the whole write, nothing is caught and continued after it.
    """
    change = hooks.Change(household, as_of or timezone.localdate())
    for _order, _name, consequence in JOURNEY_CONSEQUENCES:
        consequence(change)
    return change.facts["journey.snapshot"]


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
