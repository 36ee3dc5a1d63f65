"""The bulk path of support: support cases of the past with their follow-ups (demo seeder).

What support_case_open, followup_add and support_case_close write, many at once: each case, its
`support_opened` touchpoint on the day it opened and, when closed, its `support_closed`
touchpoint on the day it closed (ref: the case, recorded by `actor`), linked from it. One open
case at a time per household is the caller's to keep, as support_case_open checks it. Journeys
and tasks are the caller's, once for all the households.
"""

from __future__ import annotations

from django.db import transaction

from parcours.core.fastinsert import insert_objects
from parcours.households.bulk import touchpoint_rows_write
from parcours.households.models import TouchpointKind
from parcours.support.models import FollowUp, SupportCase


@transaction.atomic
def cases_write(
    *, actor, association, cases: list[SupportCase], followups: list[FollowUp] = ()
) -> list[SupportCase]:
    """Unsaved cases (household_id, opened_on, closed_on...) and unsaved follow-ups of them
    (`case` set to one of `cases`)."""
    for c in cases:
        c.association_id = association.pk
    insert_objects(cases)
    user_id = getattr(actor, "pk", None)
    for kind, day, link in (
        (TouchpointKind.SUPPORT_OPENED, "opened_on", "opened_touchpoint_id"),
        (TouchpointKind.SUPPORT_CLOSED, "closed_on", "closed_touchpoint_id"),
    ):
        todo = [c for c in cases if getattr(c, day) is not None]
        ids = touchpoint_rows_write(
            association=association,
            rows=[(c.household_id, getattr(c, day), kind, None, c.pk, user_id) for c in todo],
        )
        for c, t in zip(todo, ids, strict=True):
            setattr(c, link, t)
    SupportCase.objects.bulk_update(
        cases, ["opened_touchpoint", "closed_touchpoint"], batch_size=1000
    )
    for f in followups:
        f.association_id = association.pk
        f.case_id = f.case.pk
    insert_objects(list(followups))
    return cases
