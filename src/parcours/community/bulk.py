"""The bulk path of the community app: group memberships, sponsorships, referrals, visits to
absent families, roles, projects and communications of the past (demo seeder).

What the per-row services of parcours.community.services write, many at once: each record and
the touchpoints it opens or closes, linked from it, with the same `ref` (the group, the
sponsorship, the household brought or visited, the role, the project, the communication) and
`actor` (who recorded it) as the services. Journeys and tasks are the caller's, once for all.
Records are unsaved instances of `association` with their households and days filled.
"""

from __future__ import annotations

from django.db import transaction

from parcours.community.models import (
    AbsentVisit,
    Communication,
    CommunicationRecipient,
    CommunityRole,
    GroupMembership,
    ProjectProposal,
    Referral,
    Sponsorship,
)
from parcours.core.fastinsert import insert_objects
from parcours.households.bulk import touchpoint_rows_write
from parcours.households.models import TouchpointKind as K


def _touchpoints(association, actor, kind, rows, link) -> None:
    """`rows`: (record, household id, day, ref); the touchpoint of each set on record.`link`."""
    user_id = getattr(actor, "pk", None)
    ids = touchpoint_rows_write(
        association=association, rows=[(h, d, kind, None, ref, user_id) for _r, h, d, ref in rows]
    )
    for (record, *_rest), t in zip(rows, ids, strict=True):
        setattr(record, f"{link}_id", t)


def _insert(association, records):
    for r in records:
        r.association_id = association.pk
    return insert_objects(records)


def _episodes(association, actor, records, model, opened, closed) -> list:
    """Episodes whose touchpoints carry their own id (sponsorship, role): the rows first, then
    the opening (start) and closing (end, when ended) touchpoints, linked back."""
    _insert(association, records)
    _touchpoints(
        association,
        actor,
        opened,
        [(r, r.household_id, r.start, r.pk) for r in records],
        "started_touchpoint",
    )
    _touchpoints(association, actor, closed,
                 [(r, r.household_id, r.end, r.pk) for r in records if r.end is not None],
                 "ended_touchpoint")  # fmt: skip
    model.objects.bulk_update(records, ["started_touchpoint", "ended_touchpoint"], batch_size=1000)
    return records


@transaction.atomic
def memberships_write(*, actor, association, memberships: list[GroupMembership]) -> list:
    """Members of saved groups: `group_joined` on the start, `group_left` on the end (ref: the
    group), as membership_add and membership_end."""
    _touchpoints(
        association,
        actor,
        K.GROUP_JOINED,
        [(m, m.household_id, m.start, m.group_id) for m in memberships],
        "joined_touchpoint",
    )
    _touchpoints(association, actor, K.GROUP_LEFT,
                 [(m, m.household_id, m.end, m.group_id) for m in memberships
                  if m.end is not None], "left_touchpoint")  # fmt: skip
    return _insert(association, memberships)


@transaction.atomic
def sponsorships_write(*, actor, association, sponsorships: list[Sponsorship]) -> list:
    """`sponsor_assigned` on the start, `sponsor_ended` on the end (ref: the sponsorship)."""
    return _episodes(association, actor, sponsorships, Sponsorship,
                     K.SPONSOR_ASSIGNED, K.SPONSOR_ENDED)  # fmt: skip


@transaction.atomic
def roles_write(*, actor, association, roles: list[CommunityRole]) -> list:
    """`role_started` on the start, `role_ended` on the end (ref: the role)."""
    return _episodes(association, actor, roles, CommunityRole,
                     K.ROLE_STARTED, K.ROLE_ENDED)  # fmt: skip


@transaction.atomic
def referrals_write(*, actor, association, referrals: list[Referral]) -> list:
    """`referral_made` on the referrer (ref: the family brought) and `peer_contact` on the
    family brought (ref: the referrer), as referral_record."""
    _touchpoints(
        association,
        actor,
        K.REFERRAL_MADE,
        [(r, r.referrer_id, r.day, r.referred_id) for r in referrals],
        "referrer_touchpoint",
    )
    _touchpoints(association, actor, K.PEER_CONTACT,
                 [(r, r.referred_id, r.day, r.referrer_id) for r in referrals],
                 "referred_touchpoint")  # fmt: skip
    return _insert(association, referrals)


@transaction.atomic
def absent_visits_write(*, actor, association, visits: list[AbsentVisit]) -> list:
    """`absent_visit` on the visiting family (ref: the family visited)."""
    _touchpoints(
        association,
        actor,
        K.ABSENT_VISIT,
        [(v, v.visitor_id, v.day, v.visited_id) for v in visits],
        "touchpoint",
    )
    return _insert(association, visits)


@transaction.atomic
def projects_write(*, actor, association, projects: list[ProjectProposal]) -> list:
    """`project_proposed` (ref: the project)."""
    _insert(association, projects)
    _touchpoints(
        association,
        actor,
        K.PROJECT_PROPOSED,
        [(p, p.household_id, p.day, p.pk) for p in projects],
        "touchpoint",
    )
    ProjectProposal.objects.bulk_update(projects, ["touchpoint"], batch_size=1000)
    return projects


@transaction.atomic
def communications_write(*, actor, association, communications: list[Communication]) -> list:
    """Communications to one household each: the `communication` touchpoint (ref: the
    communication) and its recipient row, as communication_record. The caller checked the
    household's consent to messages."""
    _insert(association, communications)
    recipients = [
        CommunicationRecipient(communication_id=c.pk, household_id=c.household_id)
        for c in communications
    ]
    _touchpoints(association, actor, K.COMMUNICATION,
                 [(r, c.household_id, c.day, c.pk) for r, c in
                  zip(recipients, communications, strict=True)], "touchpoint")  # fmt: skip
    _insert(association, recipients)
    return communications
