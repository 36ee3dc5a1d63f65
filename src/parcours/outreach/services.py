"""Writes of the outreach app: actions, and the households they reached (with touchpoints)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.association_settings.selectors import contact_channel_check
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.households.models import Channel, Household, TouchpointKind
from parcours.households.services import touchpoint_record
from parcours.outreach.models import OutreachAction, OutreachChannel, OutreachContact
from parcours.outreach.shared import check_day, household_quick_create

HEARD_FROM = {
    OutreachChannel.MILITANT: Channel.MILITANT,
    OutreachChannel.PARTNER: Channel.PARTNER,
}


def _team_members(association, team) -> list:
    users = list(team or [])
    allowed = set(
        get_user_model()
        .objects.filter(memberships__association=association, pk__in=[u.pk for u in users])
        .values_list("pk", flat=True)
    )
    if any(u.pk not in allowed for u in users):
        raise ValidationError({"team": _("Team: choose members of the association.")})
    return users


@transaction.atomic
def action_create(
    *, actor, association, day: date, place: str, channel: str, neighbourhood: str = "",
    notes: str = "", team=(),
) -> OutreachAction:  # fmt: skip
    check_day(day, field="day", label=OutreachAction._meta.get_field("day").verbose_name)
    contact_channel_check(association, channel)
    members = _team_members(association, team)
    action = OutreachAction(
        association=association, day=day, place=place.strip(), channel=channel,
        neighbourhood=neighbourhood.strip(), notes=notes,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    action.full_clean()
    action.save()
    action.team.set(members)
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=action,
        fields=["day", "place", "neighbourhood", "channel", "team", "notes"],
    )  # fmt: skip
    return action


@transaction.atomic
def contact_record(
    *, actor, action: OutreachAction, household: Household, new_household: bool = False
) -> OutreachContact:
    """Link a household to the action that reached it; idempotent (a retried save is harmless)."""
    if household.association_id != action.association_id:
        raise ValidationError({"household": _("Household: not found.")})
    existing = OutreachContact.objects.filter(action=action, household=household).first()
    if existing is not None:
        return existing
    touchpoint = touchpoint_record(
        actor=actor, household=household, day=action.day,
        kind=TouchpointKind.OUTREACH_CONTACT, ref=action.pk,
    )  # fmt: skip
    contact = OutreachContact(
        association_id=action.association_id, action=action, household=household,
        new_household=new_household, touchpoint=touchpoint,
    )  # fmt: skip
    contact.full_clean()
    contact.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=contact, fields=["action", "household"]
    )
    return contact


@transaction.atomic
def contact_quick_add(
    *, actor, action: OutreachAction, name: str, neighbourhood: str = "", phone: str = "",
    lawful_basis=None, allow_duplicate: bool = False,
) -> OutreachContact:  # fmt: skip
    """Record a household met during the action with minimal data, then link it.

    Raises shared.DuplicateHousehold when it looks like a known household (nothing is written).
    """
    household = household_quick_create(
        actor=actor, association=action.association, name=name,
        neighbourhood=neighbourhood or action.neighbourhood, phone=phone,
        lawful_basis=lawful_basis,
        heard_from=HEARD_FROM.get(action.channel, Channel.OUTREACH),
        allow_duplicate=allow_duplicate,
    )  # fmt: skip
    return contact_record(actor=actor, action=action, household=household, new_household=True)
