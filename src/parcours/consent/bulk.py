"""The bulk path of consent: the lawful basis many new households were created on (imports).

The rows basis_record writes for one household, for each of `households`, in one statement.
"""

from __future__ import annotations

from parcours.audit.services import audit_many
from parcours.consent.basis import Basis
from parcours.consent.models import ConsentRecord, LawfulBasis, Purpose
from parcours.core.fastinsert import insert_objects

FIELDS = ["household", "person", "purpose", "basis", "action", "day", "collected_by"]


def basis_record_many(*, actor, households, lawful_basis: Basis) -> list[ConsentRecord]:
    """`lawful_basis` checked by the caller (consent.basis.basis_check)."""
    user = actor if getattr(actor, "pk", None) else None
    rows = []
    for h in households:
        for purpose in Purpose.values:
            if purpose == Purpose.FOLLOW_UP:
                basis = lawful_basis.basis
            elif purpose in lawful_basis.purposes:
                basis = LawfulBasis.CONSENT
            else:
                continue
            rows.append(
                ConsentRecord(
                    association_id=h.association_id,
                    household=h,
                    purpose=purpose,
                    basis=basis,
                    action=ConsentRecord.Action.GIVEN,
                    day=lawful_basis.day,
                    collected_by=user,
                    collected_by_name=lawful_basis.collected_by_name,
                )  # fmt: skip
            )
    insert_objects(rows)
    if households:
        fields = FIELDS + (["collected_by_name"] if lawful_basis.collected_by_name else [])
        audit_many(actor=actor, association_id=households[0].association_id, objs=rows,
                    fields=fields)  # fmt: skip
    return rows
