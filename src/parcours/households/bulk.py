"""The bulk path of households, persons and touchpoints: many rows in a few statements.

For imports and the demo seeder. Same rules as the per-row services: households are created on
a lawful basis recorded with them (parcours.consent.bulk), a touchpoint of an owned kind is
written only by its owner's module (households.ownership), with its record. What the per-row
services do after each write (the journey, the tasks) the caller does once for all the
households touched: journey.recompute.journey_recompute(household_ids=...) and
worklists.regenerate.tasks_regenerate_many(household_ids=...). The pickers' search words are
written here (parcours.directory.search).
"""

from __future__ import annotations

import sys

from django.db import transaction

from parcours.association_settings.services import neighbourhoods_ensure
from parcours.audit.services import audit_many
from parcours.core.fastinsert import insert_objects
from parcours.households import ownership
from parcours.households.models import Household, Person, Touchpoint

BATCH = 2000


@transaction.atomic
def households_write(
    *,
    actor,
    association,
    households: list[Household],
    lawful_basis=None,
    audit: bool = True,
    index: bool = True,
) -> list[Household]:
    """Create households (unsaved rows of `association`) on `lawful_basis`.

    The demo seeder passes no basis (it writes its own consent history) and audit=False (the
    seeded history was done by no one). index=False: the caller writes the pickers' search
    words once, after the members too (directory.search.index_households)."""
    from parcours.consent.basis import basis_check
    from parcours.consent.bulk import basis_record_many
    from parcours.directory.search import index_households

    if lawful_basis is not None or audit:
        lawful_basis = basis_check(association=association, lawful_basis=lawful_basis)
    for h in households:
        h.association = association
    insert_objects(households)
    if index:
        index_households(h.pk for h in households)  # the pickers' search words
    neighbourhoods_ensure(association, {h.neighbourhood for h in households})
    if audit:
        fields = ["name", "neighbourhood", "address", "phone", "heard_from"]
        audit_many(actor=actor, association_id=association.pk, objs=households, fields=fields)
    if lawful_basis is not None:
        basis_record_many(actor=actor, households=households, lawful_basis=lawful_basis)
    return households


@transaction.atomic
def persons_write(
    *, actor, association, persons: list[Person], audit: bool = True, index: bool = True
) -> list[Person]:
    """Create members of saved households, covered by their household's basis (index: as
    households_write)."""
    from parcours.directory.search import index_households

    for p in persons:
        p.association_id = association.pk
        p.household_id = p.household.pk
    insert_objects(persons)
    if index:
        index_households({p.household_id for p in persons})
    if audit:
        fields = ["first_name", "last_name", "birth_year", "sex", "relation", "is_contact"]
        audit_many(actor=actor, association_id=association.pk, objs=persons, fields=fields)
    return persons


TOUCHPOINT_COLUMNS = ["household_id", "day", "kind", "activity_id", "ref", "actor_id"]


def touchpoint_rows_write(*, association, rows: list[tuple]) -> list[int]:
    """Insert touchpoints given as tuples of TOUCHPOINT_COLUMNS (the fast path of imports);
    their ids, in order.

    An owned kind is refused (OwnedKindError) unless called from its owner's services or bulk
    module, which links each one to its record in the same transaction. Not decorated: the
    check reads its direct caller's module, as touchpoint_record does."""
    from django.utils import timezone

    from parcours.core.fastinsert import insert_rows

    caller = sys._getframe(1).f_globals.get("__name__")
    for kind in {r[2] for r in rows}:
        ownership.check_bulk_write(kind=kind, caller=caller)
    now = timezone.now()
    fields = ["association_id", *TOUCHPOINT_COLUMNS, "note", "created_at"]
    with transaction.atomic():
        return insert_rows(Touchpoint, fields, [(association.pk, *r, "", now) for r in rows])


@transaction.atomic
def generic_touchpoints_write(*, actor, association, kind: str, rows: list[tuple]) -> int:
    """Touchpoints of a kind that has no record of its own (appointment booked, communication,
    met a peer family: households.ownership.GENERIC_KINDS), `rows` as (household id, day):
    for imports of event logs. The kinds with a record go through their owner's writer."""
    if kind not in ownership.GENERIC_KINDS:
        raise ValueError(f"{kind!r} is written with its record, by its owner's bulk writer")
    user_id = getattr(actor, "pk", None)
    return len(
        touchpoint_rows_write(
            association=association, rows=[(h, d, kind, None, None, user_id) for h, d in rows]
        )
    )
