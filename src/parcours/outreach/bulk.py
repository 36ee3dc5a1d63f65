"""The bulk path of outreach: households reached by proximity actions on past days (imports,
demo seeder).

What action_create and contact_record write, many at once: the actions with their team
(actions_write), the contacts and their `outreach_contact` touchpoints (ref: the action;
action_contacts_write). Imports know only a day and a neighbourhood: contacts_write finds the
action of that day there, else creates it with the channel "other". Journeys and tasks are the
caller's, once.
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
    actions_write(actor=actor, association=association, actions=new)
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
    action_contacts_write(
        actor=actor,
        association=association,
        contacts=[OutreachContact(action=a, household_id=h) for h, a in todo],
    )
    return len(todo)


@transaction.atomic
def actions_write(
    *, actor, association, actions: list[OutreachAction], teams: list[list] | None = None,
    audit: bool = True,
) -> list[OutreachAction]:  # fmt: skip
    """Unsaved actions of `association`, with the members of each one's team (`teams`, in the
    same order, users of the association) when given. audit=False: the demo's history."""
    for a in actions:
        a.association = association
    OutreachAction.objects.bulk_create(actions)
    if teams is not None:
        Team = OutreachAction.team.through
        Team.objects.bulk_create(
            Team(outreachaction_id=a.pk, user_id=u.pk)
            for a, team in zip(actions, teams, strict=True)
            for u in team
        )
    if audit:
        audit_many(actor=actor, association_id=association.pk, objs=actions,
                   fields=["day", "place", "neighbourhood", "channel"])  # fmt: skip
    return actions


@transaction.atomic
def action_contacts_write(
    *, actor, association, contacts: list[OutreachContact]
) -> list[OutreachContact]:
    """Unsaved contacts (action saved, household_id, new_household), each with its
    `outreach_contact` touchpoint on the action's day, recorded by `actor`. The caller knows
    each household is linked to each action once."""
    user_id = getattr(actor, "pk", None)
    touchpoint_ids = touchpoint_rows_write(
        association=association,
        rows=[(c.household_id, c.action.day, TouchpointKind.OUTREACH_CONTACT, None,
               c.action.pk, user_id) for c in contacts],
    )  # fmt: skip
    for c, t in zip(contacts, touchpoint_ids, strict=True):
        c.association_id = association.pk
        c.touchpoint_id = t
    return insert_objects(contacts)
