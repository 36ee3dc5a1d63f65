"""Writes of retention: the policy, extensions, archive reads, and the daily tiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record, changed_fields
from parcours.compliance import selectors
from parcours.compliance.models import Processor, RetentionEvent, RetentionPolicy
from parcours.compliance.selectors import add_months, policy_for, tiers_of
from parcours.households.models import ArchiveReason, Household
from parcours.worklists.models import AssigneeKind, Task

RETENTION_RULE = "retention_review"
POLICY_FIELDS = ("active_months", "archive_months", "notes_months", "audit_months")
OPEN_STATES = (Task.State.OPEN, Task.State.SNOOZED)
CHUNK = 500


@transaction.atomic
def retention_policy_set(*, actor, association, **values) -> RetentionPolicy:
    policy = policy_for(association)
    data = {k: values[k] for k in POLICY_FIELDS if k in values}
    changed = changed_fields(policy, data) if policy.pk else list(data)
    for name, value in data.items():
        setattr(policy, name, value)
    policy.updated_by = actor if getattr(actor, "pk", None) else None
    policy.full_clean()
    policy.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=policy, fields=changed)
    return policy


def _close_retention_tasks(household_ids, *, keep_cause: dict[int, str] | None = None, **state):
    """Close open retention tasks of households, except each household's current one."""
    qs = Task.objects.with_scopes_disabled().filter(
        household_id__in=household_ids, rule=RETENTION_RULE, state__in=OPEN_STATES
    )
    closing = [t for t in qs if (keep_cause or {}).get(t.household_id) != t.cause]
    for t in closing:
        for name, value in state.items():
            setattr(t, name, value)
        t.state_at, t.snoozed_until = timezone.now(), None
    Task.objects.with_scopes_disabled().bulk_update(
        closing, ["state", "state_at", "state_by", "snoozed_until", "closed_because"]
    )
    return len(closing)


@transaction.atomic
def retention_extend(*, actor, household: Household, until: date, reason: str) -> RetentionEvent:
    """Keep a household in the active base until `until` (inclusive), for a stated reason."""
    reason = (reason or "").strip()
    today = timezone.localdate()
    policy = policy_for(household.association)
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for keeping this household active longer.")
    latest = add_months(today, policy.active_months)
    if until is None or until <= today:
        errors["until"] = _("The date must be after today.")
    elif until > latest:
        errors["until"] = _(
            "A household can be kept active at most %(months)s months from today (until %(day)s)."
        ) % {"months": policy.active_months, "day": latest.strftime("%d/%m/%Y")}
    if household.archived_at is not None:
        errors["until"] = _("This household is already in the intermediate archive.")
    if errors:
        raise ValidationError(errors)
    event = RetentionEvent(
        association_id=household.association_id,
        household=household,
        kind=RetentionEvent.Kind.EXTENDED,
        until=until,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    event.full_clean()
    event.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, fields=["retention"])
    _close_retention_tasks(
        [household.pk],
        state=Task.State.DONE,
        state_by=event.actor,
        closed_because={"code": "retention_extended", "params": {"until": until.isoformat()}},
    )
    return event


@transaction.atomic
def archive_read_record(*, actor, household: Household, reason: str) -> RetentionEvent:
    """An administrator opens an archived household: the reason is kept with who and when."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reading this archived record.")})
    if household.archived_at is None:
        raise ValidationError({"reason": _("This household is not in the archive.")})
    event = RetentionEvent.objects.with_scopes_disabled().create(
        association_id=household.association_id,
        household=household,
        kind=RetentionEvent.Kind.ARCHIVE_READ,
        reason=reason,
        actor=actor,
    )
    # The audit log names the read; its reason stays with the retention event.
    audit_record(actor=actor, action=AuditEvent.Action.VIEW, obj=household, fields=["archive"])
    return event


@transaction.atomic
def processor_add(*, actor, association, **values) -> Processor:
    processor = Processor(association=association, **values)
    processor.full_clean()
    processor.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=processor, fields=list(values))
    return processor


@transaction.atomic
def processor_delete(*, actor, processor: Processor) -> None:
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=processor, fields=["name"])
    processor.delete()


def archive_read_grant(session, household_id: int) -> None:
    grants = dict(session.get(selectors.ARCHIVE_SESSION_KEY, {}))
    until = timezone.now() + timedelta(minutes=selectors.ARCHIVE_READ_MINUTES)
    grants[str(household_id)] = until.timestamp()
    session[selectors.ARCHIVE_SESSION_KEY] = grants


# --- the daily tiers ---------------------------------------------------------------------------


@dataclass
class RetentionReport:
    warned: int = 0
    archived: int = 0
    anonymised: int = 0
    notes_blanked: int = 0
    audit_purged: int = 0
    details: list[str] = field(default_factory=list)

    def __iadd__(self, other: RetentionReport) -> RetentionReport:
        for name in ("warned", "archived", "anonymised", "notes_blanked", "audit_purged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.details += other.details
        return self


def _warn_and_archive(association, policy: RetentionPolicy, as_of: date, now: datetime, report):
    ids = list(
        Household.objects.with_scopes_disabled()
        .filter(association=association)
        .active()
        .order_by("id")
        .values_list("id", flat=True)
    )
    for i in range(0, len(ids), CHUNK):
        households = list(
            Household.objects.with_scopes_disabled().filter(id__in=ids[i : i + CHUNK])
        )
        tiers = tiers_of(households, policy)
        leaving = [h for h in households if tiers[h.pk].leaves_active_on <= as_of]
        warned = {
            h.pk: f"leaves:{tiers[h.pk].leaves_active_on.isoformat()}"
            for h in households
            if tiers[h.pk].warn_from <= as_of < tiers[h.pk].leaves_active_on
        }
        # A task whose date moved (a new contact, an extension) closes by itself.
        _close_retention_tasks(
            [h.pk for h in households if h.pk not in warned and h not in leaving],
            state=Task.State.CLOSED,
            state_by=None,
            closed_because={"code": "retention_moved", "params": {}},
        )
        _close_retention_tasks(
            list(warned),
            keep_cause=warned,
            state=Task.State.CLOSED,
            state_by=None,
            closed_because={"code": "retention_moved", "params": {}},
        )
        have = set(
            Task.objects.with_scopes_disabled()
            .filter(household_id__in=list(warned), rule=RETENTION_RULE)
            .values_list("household_id", "cause")
        )
        new = [
            Task(
                association_id=association.pk,
                household_id=pk,
                rule=RETENTION_RULE,
                cause=cause,
                assignee_kind=AssigneeKind.COORDINATOR,
                reason={
                    "code": "retention_due",
                    "params": {
                        "leaves_on": tiers[pk].leaves_active_on.isoformat(),
                        "last_contact": tiers[pk].last_contact.isoformat(),
                    },
                },
                since=tiers[pk].warn_from,
                due=tiers[pk].leaves_active_on - timedelta(days=1),
            )
            for pk, cause in warned.items()
            if (pk, cause) not in have
        ]
        Task.objects.with_scopes_disabled().bulk_create(new)
        report.warned += len(new)
        for h in leaving:
            archive_write(h, now=now)
        report.archived += len(leaving)


def archive_write(
    household: Household, *, now: datetime, reason=ArchiveReason.RETENTION, actor=None, note=""
) -> None:
    """Move a household to the intermediate archive: by the retention tiers, or by hand
    (parcours.directory). Its open tasks close; the retention event and the audit say so."""
    Household.objects.with_scopes_disabled().filter(pk=household.pk).update(
        archived_at=now, archived_reason=reason
    )
    household.archived_reason = reason
    household.archived_at = now
    Task.objects.with_scopes_disabled().filter(household=household, state__in=OPEN_STATES).update(
        state=Task.State.CLOSED,
        state_at=now,
        state_by=None,
        snoozed_until=None,
        closed_because={"code": "archived", "params": {}},
    )
    RetentionEvent.objects.with_scopes_disabled().create(
        association_id=household.association_id,
        household=household,
        kind=RetentionEvent.Kind.ARCHIVED,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=note,
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=household, fields=["archived_at"]
    )


def _anonymise_due(association, policy: RetentionPolicy, as_of: date, report) -> None:
    done = RetentionEvent.objects.with_scopes_disabled().filter(
        association=association, kind=RetentionEvent.Kind.ANONYMISED
    )
    candidates = list(
        selectors.archived_households(association=association).exclude(
            pk__in=done.values("household_id")
        )
    )
    if not candidates:
        return
    tiers = tiers_of(candidates, policy)
    due = [
        h
        for h in candidates
        if tiers[h.pk].anonymise_on(policy, timezone.localdate(h.archived_at)) <= as_of
    ]
    if not due:
        return
    from parcours.privacy.services import household_erase

    for h in due:
        with transaction.atomic():
            household_erase(
                actor=None,
                household=h,
                reason=_("End of the intermediate archive (retention period)"),
            )
            RetentionEvent.objects.with_scopes_disabled().create(
                association_id=association.pk,
                household_id=h.pk,
                kind=RetentionEvent.Kind.ANONYMISED,
            )
        report.anonymised += 1
