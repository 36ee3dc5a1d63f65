"""The shorter settings: listening and support notes blanked, the audit log purged; and the
daily run that applies every tier of every association (`parcours daily`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parcours.accounts.models import Association
from parcours.audit.models import AuditEvent
from parcours.compliance.models import DEFAULT_AUDIT_MONTHS, RetentionPolicy
from parcours.compliance.selectors import add_months, policy_for
from parcours.compliance.services import RetentionReport, _anonymise_due, _warn_and_archive
from parcours.frontdesk.models import IntakeVisit
from parcours.households.models import Touchpoint
from parcours.support.models import FollowUp, SupportCase

# (model, the date the note counts from, the note fields): what "listening and support notes"
# means. The support case's reason and outcome count from its closing (an open case keeps them).
NOTES = (
    (IntakeVisit, "day", ("listening_notes", "needs")),
    (FollowUp, "day", ("note",)),
    (SupportCase, "closed_on", ("reason", "outcome_note")),
    (Touchpoint, "day", ("note",)),
)


def blank_old_notes(association, policy: RetentionPolicy, as_of: date) -> int:
    """Blank the notes older than policy.notes_months; one audit row per record (field names)."""
    cutoff = add_months(as_of, -policy.notes_months)
    blanked = 0
    for model, day_field, fields in NOTES:
        not_blank = Q()
        for name in fields:
            not_blank |= ~Q(**{name: ""})
        qs = model.objects.with_scopes_disabled().filter(
            not_blank, association=association, **{f"{day_field}__lte": cutoff}
        )
        household = "case__household_id" if model is FollowUp else "household_id"
        rows = dict(qs.values_list("id", household))
        ids = list(rows)
        if not ids:
            continue
        model.objects.with_scopes_disabled().filter(id__in=ids).update(
            **{name: "" for name in fields}
        )
        label = model._meta.label_lower
        AuditEvent.objects.with_scopes_disabled().bulk_create(
            [
                AuditEvent(
                    association_id=association.pk,
                    action=AuditEvent.Action.UPDATE,
                    object_type=label,
                    object_id=pk,
                    household_id=household_id,
                    fields=sorted(fields),
                )
                for pk, household_id in rows.items()
            ],
            batch_size=1000,
        )
        blanked += len(ids)
    return blanked


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def purge_audit(association, policy: RetentionPolicy, as_of: date) -> int:
    """Delete audit rows older than policy.audit_months. Erasure records stay: they prove that
    a request was answered, and hold no data of the person (field names only)."""
    cutoff = _start_of(add_months(as_of, -policy.audit_months))
    qs = AuditEvent.objects.with_scopes_disabled().filter(association=association, at__lt=cutoff)
    deleted, _ = qs.exclude(action=AuditEvent.Action.ERASE).delete()
    return deleted


def purge_audit_without_association(as_of: date) -> int:
    """Rows that belong to no association (e.g. a failed sign-in), with the default period."""
    field = AuditEvent._meta.get_field("association")
    if not field.null:
        return 0
    cutoff = _start_of(add_months(as_of, -DEFAULT_AUDIT_MONTHS))
    qs = AuditEvent.objects.with_scopes_disabled().filter(association__isnull=True, at__lt=cutoff)
    return qs.exclude(action=AuditEvent.Action.ERASE).delete()[0]


def retention_run(*, as_of: date | None = None) -> RetentionReport:
    """Apply every association's tiers as of a day: warn 30 days before, archive, anonymise,
    blank old notes, purge the audit log. Idempotent: running it twice a day changes nothing.
    Without ``as_of``, each association's own day (its time zone, association settings)."""
    from parcours.association_settings.selectors import association_today

    given = as_of
    now = timezone.now()
    report = RetentionReport()
    for association in Association.objects.order_by("id"):
        as_of = given or association_today(association)
        policy = policy_for(association)
        with transaction.atomic():
            _warn_and_archive(association, policy, as_of, now, report)
        _anonymise_due(association, policy, as_of, report)
        with transaction.atomic():
            report.notes_blanked += blank_old_notes(association, policy, as_of)
            report.audit_purged += purge_audit(association, policy, as_of)
    report.audit_purged += purge_audit_without_association(given or timezone.localdate())
    return report


def cutoff_days(policy: RetentionPolicy, as_of: date) -> dict[str, date]:
    """For display: records older than these days are blanked or purged today."""
    return {
        "notes": add_months(as_of, -policy.notes_months),
        "audit": add_months(as_of, -policy.audit_months),
        "warning": as_of + timedelta(days=30),
    }
