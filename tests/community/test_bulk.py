"""The bulk writers of community and support (the demo seeder's path) write the touchpoints the
per-row services write for the same records: same kind, day, household, ref, recorder, linked
from the same field of the record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from parcours.community import bulk, services
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
from parcours.households import services as hs
from parcours.support import services as support
from parcours.support.bulk import cases_write
from parcours.support.models import FollowUp, SupportCase
from tests.basis import BASIS

DAY = timezone.localdate() - timedelta(days=40)
END = DAY + timedelta(days=10)

# record model: (field linking the touchpoint, the record's field equal to the touchpoint's ref,
# field naming its household, field holding its day)
LINKS = {
    GroupMembership: [("joined_touchpoint", "group_id", "household_id", "start"),
                      ("left_touchpoint", "group_id", "household_id", "end")],
    Sponsorship: [("started_touchpoint", "pk", "household_id", "start"),
                  ("ended_touchpoint", "pk", "household_id", "end")],
    CommunityRole: [("started_touchpoint", "pk", "household_id", "start"),
                    ("ended_touchpoint", "pk", "household_id", "end")],
    Referral: [("referrer_touchpoint", "referred_id", "referrer_id", "day"),
               ("referred_touchpoint", "referrer_id", "referred_id", "day")],
    AbsentVisit: [("touchpoint", "visited_id", "visitor_id", "day")],
    ProjectProposal: [("touchpoint", "pk", "household_id", "day")],
    CommunicationRecipient: [("touchpoint", "communication_id", "household_id", None)],
    SupportCase: [("opened_touchpoint", "pk", "household_id", "opened_on"),
                  ("closed_touchpoint", "pk", "household_id", "closed_on")],
}  # fmt: skip


def _facts(record) -> list[tuple]:
    """What each touchpoint of `record` is, relative to the record."""
    record.refresh_from_db()
    out = []
    for link, ref, household, day in LINKS[type(record)]:
        tp = getattr(record, link)
        expected_day = tp.day if day is None else getattr(record, day)
        out.append(
            (link, tp.kind, tp.ref == getattr(record, ref),
             tp.household_id == getattr(record, household), tp.day == expected_day,
             tp.actor_id, tp.activity_id)
        )  # fmt: skip
    return out


@pytest.fixture
def ctx(world):
    with scope(association=[world.a.pk]):
        world.actor = world.users[("a", "coordinator")]
        world.h = [
            hs.household_create(lawful_basis=BASIS, actor=None, association=world.a, name=n)
            for n in ("Famille Un", "Famille Deux", "Famille Trois", "Famille Quatre")
        ]
        world.group = services.group_create(actor=None, association=world.a, name="Mamans")
        yield world


def _service_records(ctx) -> list:
    a, (h1, h2, *_rest), actor = ctx.a, ctx.h, ctx.actor
    m = services.group_join(actor=actor, group=ctx.group, household=h1, start=DAY)
    services.group_leave(actor=actor, membership=m, end=END)
    s = services.sponsorship_start(actor=actor, household=h1, start=DAY, sponsor_household=h2)
    services.sponsorship_end(actor=actor, sponsorship=s, end=END, closure_reason="autonomous")
    r = services.role_start(actor=actor, household=h1, kind="committee_member", start=DAY)
    services.role_end(actor=actor, role=r, end=END)
    c = support.support_case_open(actor=actor, household=h1, opened_on=DAY, reason="Loyer")
    support.support_case_close(actor=actor, case=c, closed_on=END, outcome="resolved")
    comm = services.communication_record(
        actor=actor, association=a, day=DAY, kind="message", subject="Programme", household=h1
    )
    return [
        m, s, r, c,
        services.referral_record(actor=actor, referrer=h1, referred=h2, day=DAY),
        services.absent_visit_record(actor=actor, visitor=h1, visited=h2, day=DAY, outcome="met"),
        services.project_propose(actor=actor, household=h1, day=DAY, title="Fête"),
        CommunicationRecipient.objects.get(communication=comm),
    ]  # fmt: skip


def _bulk_records(ctx) -> list:
    a, (_h1, _h2, h3, h4), actor = ctx.a, ctx.h, ctx.actor
    kw = {"actor": actor, "association": a}
    (m,) = bulk.memberships_write(
        **kw, memberships=[GroupMembership(group=ctx.group, household_id=h3.pk, start=DAY, end=END)]
    )
    (s,) = bulk.sponsorships_write(
        **kw,
        sponsorships=[
            Sponsorship(
                household_id=h3.pk,
                sponsor_household_id=h4.pk,
                start=DAY,
                end=END,
                closure_reason="autonomous",
            )
        ],
    )
    (r,) = bulk.roles_write(
        **kw, roles=[CommunityRole(household_id=h3.pk, kind="committee_member", start=DAY, end=END)]
    )
    case = SupportCase(
        household_id=h3.pk, opened_on=DAY, reason="Loyer", closed_on=END, outcome="resolved"
    )
    (c,) = cases_write(**kw, cases=[case], followups=[FollowUp(case=case, day=DAY, note="Appel")])
    (comm,) = bulk.communications_write(
        **kw,
        communications=[
            Communication(day=DAY, kind="message", subject="Programme", household_id=h3.pk)
        ],
    )
    (ref,) = bulk.referrals_write(
        **kw, referrals=[Referral(referrer_id=h3.pk, referred_id=h4.pk, day=DAY)]
    )
    (v,) = bulk.absent_visits_write(
        **kw, visits=[AbsentVisit(visitor_id=h3.pk, visited_id=h4.pk, day=DAY, outcome="met")]
    )
    (p,) = bulk.projects_write(
        **kw, projects=[ProjectProposal(household_id=h3.pk, day=DAY, title="Fête")]
    )
    return [m, s, r, c, ref, v, p, CommunicationRecipient.objects.get(communication=comm)]


def test_bulk_writers_write_the_touchpoints_of_the_services(ctx):
    by_service = [_facts(r) for r in _service_records(ctx)]
    by_bulk = [_facts(r) for r in _bulk_records(ctx)]
    assert by_bulk == by_service
    # the services' conventions, as the comparison relies on them: each ref as LINKS says,
    # about the record's household, on its day, recorded by the actor
    for facts in by_service:
        for _link, _kind, ref, household, day, actor_id, _activity in facts:
            assert (ref, household, day, actor_id) == (True, True, True, ctx.actor.pk)
    kinds = [f[1] for facts in by_service for f in facts]
    assert len(kinds) == len(set(kinds)) == 13
    assert FollowUp.objects.filter(case__household=ctx.h[2]).count() == 1
