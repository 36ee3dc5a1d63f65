"""The bulk path of the front desk: past information requests and welcome visits (imports).

What info_request_record and intake_visit_record write, many at once: the record and its
touchpoint (`intake_visit` is owned by this app: households.ownership). Journeys and tasks are
the caller's, once for all the households.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from parcours.core.fastinsert import insert_objects
from parcours.frontdesk.models import InfoRequest, IntakeVisit, RequestChannel
from parcours.households.bulk import touchpoint_rows_write
from parcours.households.models import TouchpointKind


@transaction.atomic
def records_write(*, actor, association, kind: str, rows: list[tuple[int, date]]) -> int:
    """`rows`: (household id, day) of `kind` (info_request or intake_visit)."""
    if kind not in (TouchpointKind.INFO_REQUEST, TouchpointKind.INTAKE_VISIT):
        raise ValueError(f"the front desk does not write {kind!r}")
    if not rows:
        return 0
    user = actor if getattr(actor, "pk", None) else None
    touchpoint_ids = touchpoint_rows_write(
        association=association,
        rows=[(h, d, kind, None, None, getattr(user, "pk", None)) for h, d in rows],
    )
    touchpoints = [(t, h, d) for t, (h, d) in zip(touchpoint_ids, rows, strict=True)]
    if kind == TouchpointKind.INFO_REQUEST:
        records = [
            InfoRequest(
                association=association,
                household_id=h,
                day=d,
                channel=RequestChannel.INFO_CENTRE,
                touchpoint_id=t,
                recorded_by=user,
            )  # fmt: skip
            for t, h, d in touchpoints
        ]
        insert_objects(records)
    else:
        records = [
            IntakeVisit(
                association=association,
                household_id=h,
                day=d,
                touchpoint_id=t,
                recorded_by=user,
            )  # fmt: skip
            for t, h, d in touchpoints
        ]
        insert_objects(records)
    return len(records)
