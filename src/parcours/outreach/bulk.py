"""The bulk path of outreach: households reached by proximity actions on past days (imports).

What contact_record writes for each, many at once: the action of that day in the household's
neighbourhood (found, else created with the channel "other"), the contact and its
`outreach_contact` touchpoint (ref: the action). Journeys and tasks are the caller's, once.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from parcours.audit.services import audit_many
from parcours.core.fastinsert import insert_objects
from parcours.households.bulk import touchpoint_rows_write
from parcours.households.models import TouchpointKind
from parcours.outreach.models import OutreachAction, OutreachChannel, OutreachContact


@transaction.atomic
def contacts_write(*, actor, association, contacts: list[tuple[int, date, str]]) -> int:
    """`contacts`: (household id, day, neighbourhood). Returns the number of contacts created;
    a household already linked to that action is not linked twice."""
    if not contacts:
        return 0
    user = actor if getattr(actor, "pk", None) else None
    keys = {(d, nb) for _h, d, nb in contacts}
    days = [d for d, _nb in keys]
    actions = {
        (a.day, a.neighbourhood): a
        for a in OutreachAction.objects.filter(
            association=association, day__gte=min(days), day__lte=max(days)
        ).order_by("-id")
    }
    new = [
        OutreachAction(
            association=association,
            day=d,
            neighbourhood=nb,
            channel=OutreachChannel.OTHER,
            place=nb or _("Imported"),
            created_by=user,
        )  # fmt: skip
        for d, nb in sorted(keys - set(actions))
    ]
    OutreachAction.objects.bulk_create(new)
    audit_many(actor=actor, association_id=association.pk, objs=new,
               fields=["day", "place", "neighbourhood", "channel"])  # fmt: skip
    actions.update({(a.day, a.neighbourhood): a for a in new})
    linked = set(
        OutreachContact.objects.filter(
            association=association, action__day__gte=min(days), action__day__lte=max(days)
        ).values_list("action_id", "household_id")
    )
    todo = []
    for h, d, nb in contacts:
        action = actions[(d, nb)]
        if (action.pk, h) not in linked:
            linked.add((action.pk, h))
            todo.append((h, action))
    touchpoint_ids = touchpoint_rows_write(
        association=association,
        rows=[(h, a.day, TouchpointKind.OUTREACH_CONTACT, None, a.pk, getattr(user, "pk", None))
              for h, a in todo],
    )  # fmt: skip
    insert_objects(
        OutreachContact(association=association, action=a, household_id=h, touchpoint_id=t)
        for (h, a), t in zip(todo, touchpoint_ids, strict=True)
    )
    return len(todo)
