"""Writes on households, persons and touchpoints: atomic, keyword-only, audited."""

from __future__ import annotations

import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.association_settings.services import neighbourhoods_ensure
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_later, audit_record, changed_fields
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


def _reindex(household_id: int) -> None:
    """The household's words for the pickers (parcours.directory.search)."""
    from parcours.directory.search import index_households

    index_households([household_id])


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
    _reindex(household.pk)
    neighbourhoods_ensure(association, [household.neighbourhood])  # association settings' list
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=household, fields=data.keys())
    basis_record(actor=actor, household=household, lawful_basis=lawful_basis)
    return household


def _update(*, actor, obj, allowed, data, indexed, check=None, also=()) -> None:
    """Set the changed fields of `obj` (only `allowed` ones), save, audit the field names, and
    refresh the pickers' words when one of `indexed` changed. `check(changed)` may refuse."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {obj._meta.model_name} fields: {sorted(unknown)}")
    changed = changed_fields(obj, data)
    if not changed:
        return
    if check is not None:
        check(changed)
    for name in changed:
        setattr(obj, name, data[name])
    obj.full_clean()
    obj.save(update_fields=[*changed, *also])
    if set(indexed) & set(changed):
        _reindex(obj.pk if isinstance(obj, Household) else obj.household_id)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=obj, fields=changed)


@transaction.atomic
def household_update(*, actor, household: Household, **data) -> Household:
    _update(actor=actor, obj=household, allowed=HOUSEHOLD_FIELDS, data=data,
            indexed=("name", "neighbourhood", "address"), also=["updated_at"])  # fmt: skip
    if "neighbourhood" in data:  # the association settings' list
        neighbourhoods_ensure(household.association_id, [household.neighbourhood])
    return household


PERSON_FIELDS = ("first_name", "last_name", "birth_year", "sex", "relation", "is_contact")


def _check_reference(household: Household, relation: str, person: Person | None = None) -> None:
    """One reference person per household: naming a second one is refused, naming who."""
    if relation != Person.Relation.REFERENCE:
        return
    others = Person.objects.filter(household=household, relation=Person.Relation.REFERENCE)
    current = others.exclude(pk=person.pk).first() if person else others.first()
    if current is not None:
        raise ValidationError(
            {
                "relation": _(
                    "Relation: %(name)s is already this household's reference person; give "
                    "them another relation first. Nothing was saved."
                )
                % {"name": str(current)}
            }
        )


@transaction.atomic
def person_add(
    *,
    actor,
    household: Household,
    first_name: str,
    relation: str,
    last_name: str = "",
    birth_year: int | None = None,
    sex: str = Person.Sex.NOT_STATED,
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
    _check_reference(household, relation)
    person = Person(
        association_id=household.association_id,
        household=household,
        first_name=first_name,
        last_name=last_name,
        birth_year=birth_year,
        sex=sex or Person.Sex.NOT_STATED,
        relation=relation,
        is_contact=is_contact,
    )
    person.full_clean()
    person.save()
    _reindex(household.pk)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=person,
        fields=PERSON_FIELDS,
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
    record_pending: bool = False,
    audits: list | None = None,
) -> Touchpoint:
    """Record one touchpoint; the household's journey follows in the same transaction.

    A kind owned by a record (households.ownership.OWNERS) is written only by its owner's
    service module, which passes the saved `record` (or, with `record_pending`, the record it
    saves right after in the same transaction, linked to this touchpoint); anything else
    raises OwnedKindError. Not decorated: the check reads its direct caller's module from the
    stack. `audits`: a list the audit event is kept in (audit.services.audit_later) for the
    caller to write with its own, in one statement.
    """
    caller = sys._getframe(1).f_globals.get("__name__")
    ownership.check_write(
        kind=kind, household=household, record=record, caller=caller, pending=record_pending
    )
    return _touchpoint_write(
        actor=actor, household=household, day=day, kind=kind, activity=activity, ref=ref,
        note=note, audits=audits,
    )  # fmt: skip


def _touchpoint_write(
    *, actor, household, day, kind, activity=None, ref=None, note: str = "", audits=None
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
    # association, household, activity and actor come as saved rows: checking that they exist
    # would cost a query each on every write (the database's foreign keys hold them anyway)
    saved = [
        name
        for name, obj in (
            ("association", household if household.pk else None),
            ("household", household),
            ("activity", activity),
            ("actor", touchpoint.actor),
        )
        if obj is not None and obj.pk is not None
    ]
    touchpoint.full_clean(exclude=saved)  # before the transaction: a refusal writes nothing
    # no savepoint inside a caller's transaction: an error from here on fails the whole write
    with transaction.atomic(savepoint=False):
        touchpoint.save()
        fields = ["day", "kind", "activity", "ref"] + (["note"] if note else [])
        if audits is None:
            audit_record(
                actor=actor, action=AuditEvent.Action.CREATE, obj=touchpoint, fields=fields
            )
        else:
            audit_later(audits, actor=actor, action=AuditEvent.Action.CREATE, obj=touchpoint,
                        fields=fields)  # fmt: skip
        hooks.touchpoints_changed(household, since=day)
    return touchpoint


@transaction.atomic
def person_update(*, actor, person: Person, **data) -> Person:
    """Change a member's name, birth year, sex, relation or contact flag (audited, field names)."""

    def check(changed):
        if "relation" in changed:
            _check_reference(person.household, data["relation"], person)

    _update(actor=actor, obj=person, allowed=PERSON_FIELDS, data=data,
            indexed=("first_name", "last_name"), check=check)  # fmt: skip
    return person


def person_records(person: Person) -> list[str]:
    """What is recorded in this member's own name (not the household's): any row of any model
    pointing at them (their consent records, a role, the sessions they were unticked at...),
    found from the models, so a model added later counts too."""
    found = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete or rel.related_model._meta.auto_created:
            continue  # not a relation from another model to Person (or a many-to-many's table)
        rows = rel.related_model._base_manager.filter(**{rel.field.name: person.pk})
        if rows.exists():
            found.append(str(rel.related_model._meta.verbose_name_plural))
    return sorted(found)


@transaction.atomic
def person_remove(*, actor, person: Person) -> None:
    """Remove a member recorded by mistake or who left the household.

    Only a member with nothing recorded in their own name: touchpoints, attendance marks and
    the household's consent are the household's and stay. A member with their own consent, a
    role, or unticked on an attendance sheet is refused, with what to do instead (end the
    role; erase their personal data on the household's data-protection page, which
    anonymises and keeps the history consistent).
    """
    records = person_records(person)
    if records:
        raise ValidationError(
            _(
                "%(name)s cannot be removed: rows are recorded in their name (%(records)s) "
                "and must stay with them. End their role first, or erase their personal data "
                "from the page « Personal data: access and erasure ». Nothing was removed."
            )
            % {"name": str(person), "records": ", ".join(str(r) for r in records)},
            code="person_has_records",
        )
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=person, fields=["person"])
    person.delete()
    _reindex(person.household_id)
