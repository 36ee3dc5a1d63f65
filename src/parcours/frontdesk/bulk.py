"""The bulk path of the front desk: past information requests, peer contacts, appointments and
welcome visits (imports, demo seeder).

What info_request_record, peer_contact_record, appointment_book and intake_visit_record write,
many at once: the record and its touchpoint (`intake_visit` is owned by this app:
households.ownership), the touchpoint recorded by the record's `recorded_by`, about the peer
family (ref) for a peer contact. Journeys and tasks are the caller's, once for all the
households.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from parcours.core.fastinsert import insert_objects
from parcours.frontdesk.models import (
    Appointment,
    InfoRequest,
    IntakeVisit,
    PeerContact,
    RequestChannel,
)
from parcours.households.bulk import touchpoint_rows_write
from parcours.households.models import TouchpointKind

# record model: (its touchpoint's kind, the record's field holding the touchpoint's day)
KIND_OF = {
    InfoRequest: (TouchpointKind.INFO_REQUEST, "day"),
    PeerContact: (TouchpointKind.PEER_CONTACT, "day"),
    Appointment: (TouchpointKind.APPOINTMENT_BOOKED, "booked_on"),
    IntakeVisit: (TouchpointKind.INTAKE_VISIT, "day"),
}


@transaction.atomic
def front_desk_write(*, association, records: list) -> list:
    """Unsaved records of one front-desk model (household_id set, all their fields filled),
    each written with its touchpoint, in order."""
    if not records:
        return records
    kind, day = KIND_OF[type(records[0])]
    touchpoint_ids = touchpoint_rows_write(
        association=association,
        rows=[
            (r.household_id, getattr(r, day), kind, None,
             r.peer_household_id if kind == TouchpointKind.PEER_CONTACT else None,
             r.recorded_by_id)
            for r in records
        ],
    )  # fmt: skip
    for r, t in zip(records, touchpoint_ids, strict=True):
        r.association_id = association.pk
        r.touchpoint_id = t
    return insert_objects(records)


def records_write(*, actor, association, kind: str, rows: list[tuple[int, date]]) -> int:
    """`rows`: (household id, day) of `kind` (info_request or intake_visit), as imports know
    them: a request at the information centre, recorded by `actor`."""
    if kind not in (TouchpointKind.INFO_REQUEST, TouchpointKind.INTAKE_VISIT):
        raise ValueError(f"the front desk does not write {kind!r}")
    user = actor if getattr(actor, "pk", None) else None
    if kind == TouchpointKind.INFO_REQUEST:
        records = [
            InfoRequest(
                household_id=h, day=d, channel=RequestChannel.INFO_CENTRE, recorded_by=user
            )  # fmt: skip
            for h, d in rows
        ]
    else:
        records = [IntakeVisit(household_id=h, day=d, recorded_by=user) for h, d in rows]
    return len(front_desk_write(association=association, records=records))
