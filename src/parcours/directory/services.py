"""Archive a household by hand, and restore it: atomic, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.compliance.services import archive_write
from parcours.households.models import ArchiveReason, Household


@transaction.atomic
def household_archive(*, actor, household: Household, reason: str = "") -> Household:
    """The family left or is no longer followed: the household leaves every list, picker,
    task and export (the intermediate archive of parcours.compliance, with its later
    anonymisation). `reason` stays with the retention event, not in the audit log."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.archived_at is not None:
        raise ValidationError(_("This household is already archived. Nothing was changed."))
    archive_write(
        household, now=timezone.now(), reason=ArchiveReason.BY_HAND, actor=actor, note=reason
    )
    return household


@transaction.atomic
def household_restore(*, actor, household: Household) -> Household:
    """Back to the active base: in lists and pickers again; its journey is recomputed."""
    from parcours.households import hooks

    household = Household.objects.all().select_for_update().get(pk=household.pk)
    if household.archived_at is None:
        raise ValidationError(_("This household is not archived. Nothing was changed."))
    household.archived_at = None
    household.archived_reason = ""
    household.save(update_fields=["archived_at", "archived_reason", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household,
                 fields=["archived_at"])  # fmt: skip
    hooks.touchpoints_changed(household)
    return household
