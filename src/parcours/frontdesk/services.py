"""Writes of the front desk. Each record writes its touchpoint; the row keeps a link to it.

Every service takes either `household` or `new_household` (quick-add data: name,
neighbourhood, phone, consent_given, consent_date), so a first contact records the family and
the act in one transaction; a likely duplicate raises shared.DuplicateHousehold.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.frontdesk.models import (
    Appointment,
    Explanation,
    InfoRequest,
    IntakeVisit,
    PeerContact,
    RequestChannel,
)
from parcours.households.models import Channel, Household, TouchpointKind
from parcours.households.services import touchpoint_record
from parcours.outreach.shared import check_day, household_resolve

HEARD_FROM = {
    RequestChannel.INFO_CENTRE: Channel.INFO_CENTRE,
    RequestChannel.WEB: Channel.WEB,
    RequestChannel.PEER: Channel.PEER,
}


def _label(model, name):
    return model._meta.get_field(name).verbose_name


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_peer(household: Household, peer: Household | None, *, field: str) -> None:
    if peer is None:
        return
    if peer.association_id != household.association_id:
        raise ValidationError({field: _("Member family: not found.")})
    if peer.pk == household.pk:
        raise ValidationError({field: _("Member family: choose another family than this one.")})


@transaction.atomic
def info_request_record(
    *, actor, association, day: date, channel: str, household: Household | None = None,
    new_household: dict | None = None, allow_duplicate: bool = False,
    peer_household: Household | None = None, subject: str = "",
) -> InfoRequest:  # fmt: skip
    check_day(day, field="day", label=_label(InfoRequest, "day"))
    if channel == RequestChannel.PEER and peer_household is None:
        raise ValidationError(
            {"peer_household": _("Through the family: say which family sent them.")}
        )
    household = household_resolve(
        actor=actor, association=association, household=household, new_household=new_household,
        heard_from=HEARD_FROM.get(channel, Channel.OTHER), allow_duplicate=allow_duplicate,
    )  # fmt: skip
    _check_peer(household, peer_household, field="peer_household")
    touchpoint = touchpoint_record(
        actor=actor, household=household, day=day, kind=TouchpointKind.INFO_REQUEST
    )
    record = InfoRequest(
        association=association, household=household, day=day, channel=channel,
        peer_household=peer_household, subject=subject.strip(), touchpoint=touchpoint,
        recorded_by=_user(actor),
    )  # fmt: skip
    record.full_clean()
    record.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=record,
        fields=["household", "day", "channel", "peer_household", "subject"],
    )  # fmt: skip
    return record


@transaction.atomic
def peer_contact_record(
    *, actor, association, day: date, peer_household: Household,
    household: Household | None = None, new_household: dict | None = None,
    allow_duplicate: bool = False,
) -> PeerContact:  # fmt: skip
    check_day(day, field="day", label=_label(PeerContact, "day"))
    if peer_household is None:
        raise ValidationError({"peer_household": _("Member family met: this field is required.")})
    household = household_resolve(
        actor=actor, association=association, household=household, new_household=new_household,
        heard_from=Channel.PEER, allow_duplicate=allow_duplicate,
    )  # fmt: skip
    _check_peer(household, peer_household, field="peer_household")
    touchpoint = touchpoint_record(
        actor=actor, household=household, day=day, kind=TouchpointKind.PEER_CONTACT,
        ref=peer_household.pk,
    )  # fmt: skip
    record = PeerContact(
        association=association, household=household, day=day, peer_household=peer_household,
        touchpoint=touchpoint, recorded_by=_user(actor),
    )  # fmt: skip
    record.full_clean()
    record.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=record,
        fields=["household", "day", "peer_household"],
    )  # fmt: skip
    return record


@transaction.atomic
def appointment_book(
    *, actor, association, starts_at: datetime, booked_on: date | None = None,
    household: Household | None = None, new_household: dict | None = None,
    allow_duplicate: bool = False, with_user=None, note: str = "",
) -> Appointment:  # fmt: skip
    booked_on = booked_on or timezone.localdate()
    check_day(booked_on, field="booked_on", label=_label(Appointment, "booked_on"))
    if starts_at is None:
        raise ValidationError({"starts_at": _("Appointment: give the day and time.")})
    if timezone.localdate(starts_at) < booked_on:
        raise ValidationError(
            {"starts_at": _("Appointment: it cannot be before the day it was booked.")}
        )
    household = household_resolve(
        actor=actor, association=association, household=household, new_household=new_household,
        allow_duplicate=allow_duplicate,
    )  # fmt: skip
    touchpoint = touchpoint_record(
        actor=actor, household=household, day=booked_on, kind=TouchpointKind.APPOINTMENT_BOOKED
    )
    record = Appointment(
        association=association, household=household, booked_on=booked_on, starts_at=starts_at,
        with_user=with_user, note=note.strip(), touchpoint=touchpoint, recorded_by=_user(actor),
    )  # fmt: skip
    record.full_clean()
    record.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=record,
        fields=["household", "booked_on", "starts_at", "with_user", "note"],
    )  # fmt: skip
    return record


@transaction.atomic
def intake_visit_record(
    *, actor, association, day: date, household: Household | None = None,
    new_household: dict | None = None, allow_duplicate: bool = False, received_by=None,
    reception: str = "", listening_notes: str = "", needs: str = "", explanations=(),
    explanations_note: str = "",
) -> IntakeVisit:  # fmt: skip
    """The welcome visit. Listening notes and needs are sensitive: only the audit knows they
    were written, never their content."""
    check_day(day, field="day", label=_label(IntakeVisit, "day"))
    unknown = set(explanations) - set(Explanation.values)
    if unknown:
        raise ValidationError({"explanations": _("Explanations given: unknown choice.")})
    household = household_resolve(
        actor=actor, association=association, household=household, new_household=new_household,
        allow_duplicate=allow_duplicate,
    )  # fmt: skip
    record = IntakeVisit(
        association=association, household=household, day=day,
        received_by=received_by or _user(actor), reception=reception.strip(),
        listening_notes=listening_notes.strip(), needs=needs.strip(),
        explanations=list(explanations), explanations_note=explanations_note.strip(),
        recorded_by=_user(actor),
    )  # fmt: skip
    record.full_clean()
    record.save()
    # The visit owns its touchpoint (households.ownership): the row first, then its trace.
    record.touchpoint = touchpoint_record(
        actor=actor, household=household, day=day, kind=TouchpointKind.INTAKE_VISIT,
        record=record,
    )  # fmt: skip
    record.save(update_fields=["touchpoint"])
    fields = ["household", "day", "received_by", "reception", "explanations"]
    fields += [n for n in ("listening_notes", "needs", "explanations_note") if getattr(record, n)]
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=record, fields=fields)
    return record
