"""Writes of support cases. Opening writes support_opened, closing writes support_closed, both
with ref = case id. The case row is the source of truth; it keeps a link to each touchpoint."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.households.models import Household, TouchpointKind
from parcours.households.services import touchpoint_record
from parcours.outreach.shared import check_day
from parcours.support.models import FollowUp, Outcome, SupportCase


def _label(model, name):
    return model._meta.get_field(name).verbose_name


def _check_review(next_review: date | None, after: date) -> None:
    if next_review is not None and next_review < max(after, timezone.localdate()):
        raise ValidationError({"next_review": _("Next review: choose today or a later day.")})


@transaction.atomic
def support_case_open(
    *, actor, household: Household, opened_on: date, reason: str,
    next_review: date | None = None,
) -> SupportCase:  # fmt: skip
    check_day(opened_on, field="opened_on", label=_label(SupportCase, "opened_on"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Reason: say what the breakdown is about.")})
    _check_review(next_review, opened_on)
    # Lock the household's cases so two openings at once cannot both pass the check.
    if SupportCase.objects.select_for_update().filter(household=household, closed_on=None).exists():
        raise ValidationError(
            _("This household already has an open support case: add a follow-up to it instead.")
        )
    case = SupportCase(
        association_id=household.association_id, household=household, opened_on=opened_on,
        reason=reason.strip(), next_review=next_review,
        opened_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    case.full_clean()
    case.save()
    case.opened_touchpoint = touchpoint_record(
        actor=actor, household=household, day=opened_on, kind=TouchpointKind.SUPPORT_OPENED,
        ref=case.pk, record=case,
    )  # fmt: skip
    case.save(update_fields=["opened_touchpoint"])
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=case,
        fields=["household", "opened_on", "reason", "next_review"],
    )  # fmt: skip
    return case


def _locked(case: SupportCase) -> SupportCase:
    return SupportCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def support_followup_add(
    *, actor, case: SupportCase, day: date, note: str, next_review: date | None = None
) -> FollowUp:
    case = _locked(case)
    if not case.is_open:
        raise ValidationError(_("This support case is closed: reopen a new one if needed."))
    check_day(
        day, field="day", label=_label(FollowUp, "day"), not_before=case.opened_on,
        not_before_label=_("the opening day"),
    )  # fmt: skip
    if not (note or "").strip():
        raise ValidationError({"note": _("Note: say what was done or decided.")})
    _check_review(next_review, day)
    followup = FollowUp(
        association_id=case.association_id, case=case, day=day, note=note.strip(),
        author=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    followup.full_clean()
    followup.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=followup, fields=["day", "note"])
    if next_review is not None and next_review != case.next_review:
        case.next_review = next_review
        case.save(update_fields=["next_review"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=case, fields=["next_review"])
    return followup


@transaction.atomic
def support_case_close(
    *, actor, case: SupportCase, closed_on: date, outcome: str, outcome_note: str = ""
) -> SupportCase:
    case = _locked(case)
    if not case.is_open:
        raise ValidationError(_("This support case is already closed."))
    last = case.followups.order_by("-day").values_list("day", flat=True).first()
    check_day(
        closed_on, field="closed_on", label=_label(SupportCase, "closed_on"),
        not_before=max(case.opened_on, last or case.opened_on),
        not_before_label=(
            _("the last follow-up") if last and last > case.opened_on else _("the opening day")
        ),
    )  # fmt: skip
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Outcome: choose one of the proposed outcomes.")})
    case.closed_on = closed_on
    case.outcome = outcome
    case.outcome_note = (outcome_note or "").strip()
    case.next_review = None
    case.closed_touchpoint = touchpoint_record(
        actor=actor, household=case.household, day=closed_on,
        kind=TouchpointKind.SUPPORT_CLOSED, ref=case.pk, record=case,
    )  # fmt: skip
    case.full_clean()
    case.save(
        update_fields=["closed_on", "outcome", "outcome_note", "next_review", "closed_touchpoint"]
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=case,
        fields=["closed_on", "outcome", "outcome_note", "next_review"],
    )  # fmt: skip
    return case
