"""Writes on households, persons and touchpoints: atomic, keyword-only, audited."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record, changed_fields
from parcours.households import hooks
from parcours.households.models import Household, Person, Touchpoint

HOUSEHOLD_FIELDS = (
    "name",
    "neighbourhood",
    "address",
    "phone",
    "languages",
    "composition",
    "needs",
    "heard_from",
    "consent_given",
    "consent_date",
)


@transaction.atomic
def household_create(*, actor, association, **data) -> Household:
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"unknown household fields: {sorted(unknown)}")
    household = Household(association=association, **data)
    household.full_clean()
    household.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=household, fields=data.keys())
    return household


@transaction.atomic
def household_update(*, actor, household: Household, **data) -> Household:
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"unknown household fields: {sorted(unknown)}")
    changed = changed_fields(household, data)
    if not changed:
        return household
    for name in changed:
        setattr(household, name, data[name])
    household.full_clean()
    household.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, fields=changed)
    return household


@transaction.atomic
def person_add(
    *,
    actor,
    household: Household,
    first_name: str,
    relation: str,
    last_name: str = "",
    birth_year: int | None = None,
    is_contact: bool = False,
) -> Person:
    person = Person(
        association_id=household.association_id,
        household=household,
        first_name=first_name,
        last_name=last_name,
        birth_year=birth_year,
        relation=relation,
        is_contact=is_contact,
    )
    person.full_clean()
    person.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=person,
        fields=["first_name", "last_name", "birth_year", "relation", "is_contact"],
    )
    return person


@transaction.atomic
def touchpoint_record(
    *,
    actor,
    household: Household,
    day: date,
    kind: str,
    activity=None,
    ref: int | None = None,
    note: str = "",
) -> Touchpoint:
    """Record one touchpoint; the household's journey follows in the same transaction."""
    touchpoint = Touchpoint(
        association_id=household.association_id,
        household=household,
        day=day,
        kind=kind,
        activity=activity,
        ref=ref,
        note=note,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    # association and household come from the saved household: checking that they exist
    # would cost two queries on every write (the database's foreign keys hold them anyway)
    touchpoint.full_clean(exclude=["association", "household"] if household.pk else None)
    touchpoint.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=touchpoint,
        fields=["day", "kind", "activity", "ref"] + (["note"] if note else []),
    )
    hooks.touchpoints_changed(household)
    return touchpoint
