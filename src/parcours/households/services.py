"""Writes on households, persons and touchpoints: atomic, keyword-only, audited."""

from __future__ import annotations

import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record, changed_fields
from parcours.consent.basis import COVERED_BY_HOUSEHOLD, basis_check
from parcours.consent.services import basis_record
from parcours.households import hooks, ownership
from parcours.households.duplicates import DuplicateHousehold, household_duplicates
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
)


@transaction.atomic
def household_create(
    *, actor, association, lawful_basis=None, allow_duplicate: bool = False, **data
) -> Household:
    """Create a household on a lawful basis (parcours.consent.basis.Basis), recorded with it.

    Every creation path comes here, so none can skip the two checks, done before anything is
    written: without a lawful basis, ValidationError (field "basis"); when it looks like a
    known household, DuplicateHousehold unless the user confirmed (allow_duplicate).
    """
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"unknown household fields: {sorted(unknown)}")
    basis_check(association=association, lawful_basis=lawful_basis)
    household = Household(association=association, **data)
    household.full_clean()
    if not allow_duplicate:
        matches = household_duplicates(
            name=household.name,
            neighbourhood=household.neighbourhood,
            phone=household.phone,
            association=association,
        )
        if matches:
            raise DuplicateHousehold(matches)
    household.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=household, fields=data.keys())
    basis_record(actor=actor, household=household, lawful_basis=lawful_basis)
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
    lawful_basis=None,
) -> Person:
    """Add a member on a lawful basis: their own (a Basis), or COVERED_BY_HOUSEHOLD when the
    household's current basis for follow-up covers them (refused when it has none)."""
    from parcours.consent.selectors import has_follow_up_basis

    if lawful_basis == COVERED_BY_HOUSEHOLD:
        if not has_follow_up_basis(household):
            raise ValidationError(
                {
                    "basis": _(
                        "Lawful basis: this household has no current consent or basis for "
                        "follow-up; record this person's own consent. Nothing was saved."
                    )
                }
            )
    else:
        basis_check(association=household.association, lawful_basis=lawful_basis)
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
    if lawful_basis != COVERED_BY_HOUSEHOLD:
        basis_record(actor=actor, household=household, lawful_basis=lawful_basis, person=person)
    return person


def touchpoint_record(
    *,
    actor,
    household: Household,
    day: date,
    kind: str,
    activity=None,
    ref: int | None = None,
    note: str = "",
    record=None,
) -> Touchpoint:
    """Record one touchpoint; the household's journey follows in the same transaction.

    A kind owned by a record (households.ownership.OWNERS) is written only by its owner's
    service module, which passes the saved `record`; anything else raises OwnedKindError.
    Not decorated: the check reads its direct caller's module from the stack.
    """
    caller = sys._getframe(1).f_globals.get("__name__")
    ownership.check_write(kind=kind, household=household, record=record, caller=caller)
    return _touchpoint_write(
        actor=actor, household=household, day=day, kind=kind, activity=activity, ref=ref,
        note=note,
    )  # fmt: skip


@transaction.atomic
def _touchpoint_write(
    *, actor, household, day, kind, activity=None, ref=None, note: str = ""
) -> Touchpoint:
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
