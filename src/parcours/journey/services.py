"""Writes of the journey: stored stage and status spans, manual placements.

`journey_refresh` runs inside the transaction of every service that changes a household's
touchpoints (registered in households.hooks by JourneyConfig.ready).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.engine import Reason, Timeline, Touchpoint, timeline
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


def _rows_for(household: Household, now: Timeline, future: Timeline, as_of: date):
    version = now.definition.version
    order = {k: i for i, k in enumerate(now.definition.stage_keys)}
    predicted = {s.start: s.end for s in future.stage_spans}
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
        )
        for s in now.status_spans
    ]
    current = now.current
    snapshot = HouseholdJourney(
        association_id=household.association_id,
        household_id=household.pk,
        computed_on=as_of,
        valid_until=_next_change(now, future, as_of),
        stage=current.stage or "",
        statuses=list(current.statuses),
        definition_version=version,
        reasons=[_json_reason(r) for r in current.reasons],
    )
    return stage_rows, status_rows, snapshot


@transaction.atomic
def journey_refresh(household: Household, *, as_of: date | None = None) -> HouseholdJourney:
    """Recompute and store one household's stage and status spans as of today."""
    as_of = as_of or timezone.localdate()
    rows = list(
        TouchpointRow.objects.with_scopes_disabled()
        .filter(household=household)
        .values_list("day", "kind", "activity_id", "ref")
    )
    now = household_timeline(household, as_of, rows)
    future = household_timeline(household, as_of + timedelta(days=HORIZON_DAYS), rows)
    stage_rows, status_rows, snapshot = _rows_for(household, now, future, as_of)
    with scopes_disabled():
        StageSpan.objects.filter(household=household).delete()
        StatusSpan.objects.filter(household=household).delete()
        HouseholdJourney.objects.filter(household=household).delete()
        StageSpan.objects.bulk_create(stage_rows)
        StatusSpan.objects.bulk_create(status_rows)
        snapshot.save()
    return snapshot


def journey_recompute(
    *, association=None, as_of: date | None = None, only_due: bool = False, batch_size: int = 500
) -> int:
    """Recompute stored spans of every household (of one association, or all).

    only_due: just the households whose stored spans stop being true by as_of (daily run).
    Each batch of households is written in its own transaction: a crash leaves whole batches.
    Returns the number of households recomputed.
    """
    as_of = as_of or timezone.localdate()
    with scopes_disabled():
        households = Household.objects.select_related("association").order_by("id")
        if association is not None:
            households = households.filter(association=association)
        if only_due:
            households = households.filter(journey__valid_until__lte=as_of) | households.filter(
                journey__isnull=True
            )
        ids = list(households.values_list("id", flat=True))
        done = 0
        for i in range(0, len(ids), batch_size):
            chunk = ids[i : i + batch_size]
            batch = list(Household.objects.select_related("association").filter(id__in=chunk))
            rows_by_household: dict[int, list] = {h: [] for h in chunk}
            for hid, *row in (
                TouchpointRow.objects.filter(household_id__in=chunk)
                .order_by("household_id", "day")
                .values_list("household_id", "day", "kind", "activity_id", "ref")
            ):
                rows_by_household[hid].append(row)
            stage_rows, status_rows, snapshots = [], [], []
            for household in batch:
                rows = rows_by_household[household.pk]
                now = household_timeline(household, as_of, rows)
                future = household_timeline(household, as_of + timedelta(days=HORIZON_DAYS), rows)
                s, st, snap = _rows_for(household, now, future, as_of)
                stage_rows += s
                status_rows += st
                snapshots.append(snap)
            with transaction.atomic():
                StageSpan.objects.filter(household_id__in=chunk).delete()
                StatusSpan.objects.filter(household_id__in=chunk).delete()
                HouseholdJourney.objects.filter(household_id__in=chunk).delete()
                StageSpan.objects.bulk_create(stage_rows, batch_size=1000)
                StatusSpan.objects.bulk_create(status_rows, batch_size=1000)
                HouseholdJourney.objects.bulk_create(snapshots, batch_size=1000)
            done += len(batch)
    return done


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
