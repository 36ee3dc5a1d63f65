"""Each community service writes the right touchpoint with the right ref; ends write the
closing one; bad dates are refused naming the field, with nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from parcours.community import services
from parcours.community.models import (
    CommunicationRecipient,
    GroupMembership,
    Referral,
    Sponsorship,
)
from parcours.households import services as hs
from parcours.households.models import Household, Touchpoint
from parcours.outreach.shared import DuplicateHousehold
from tests.basis import BASIS

TODAY = timezone.localdate


@pytest.fixture
def ctx(world):
    with scope(association=[world.a.pk]):
        world.other = hs.household_create(
            lawful_basis=BASIS, actor=None, association=world.a, name="Famille Leroy"
        )
        world.group = services.group_create(actor=None, association=world.a, name="Mamans")
        yield world


def _tp(kind, household):
    return Touchpoint.objects.filter(kind=kind, household=household)


def test_group_join_and_leave(ctx):
    start = TODAY() - timedelta(days=20)
    m = services.group_join(actor=None, group=ctx.group, household=ctx.household_a, start=start)
    assert (m.joined_touchpoint.kind, m.joined_touchpoint.ref, m.joined_touchpoint.day) == (
        "group_joined", ctx.group.pk, start,
    )  # fmt: skip
    m = services.group_leave(actor=None, membership=m, end=TODAY(), end_reason="Déménagement")
    assert (m.left_touchpoint.kind, m.left_touchpoint.ref, m.end) == (
        "group_left", ctx.group.pk, TODAY(),
    )  # fmt: skip


def test_joining_twice_is_refused(ctx):
    services.group_join(actor=None, group=ctx.group, household=ctx.household_a, start=TODAY())
    with pytest.raises(ValidationError):
        services.group_join(actor=None, group=ctx.group, household=ctx.household_a, start=TODAY())
    assert _tp("group_joined", ctx.household_a).count() == 1


@pytest.mark.parametrize("delta,field", [(-30, "end"), (+1, "end")])
def test_leave_dates_are_checked_and_nothing_partial(ctx, delta, field):
    start = TODAY() - timedelta(days=10)
    m = services.group_join(actor=None, group=ctx.group, household=ctx.household_a, start=start)
    with pytest.raises(ValidationError) as exc:
        services.group_leave(actor=None, membership=m, end=TODAY() + timedelta(days=delta))
    assert field in exc.value.error_dict
    m.refresh_from_db()
    assert m.end is None and not _tp("group_left", ctx.household_a).exists()


def test_sponsorship_by_a_volunteer_then_ended(ctx):
    s = services.sponsorship_start(
        actor=None, household=ctx.household_a, start=TODAY() - timedelta(days=5),
        sponsor_user=ctx.user("volunteer"),
    )  # fmt: skip
    assert (s.started_touchpoint.kind, s.started_touchpoint.ref) == ("sponsor_assigned", s.pk)
    s = services.sponsorship_end(
        actor=None, sponsorship=s, end=TODAY(), closure_reason="autonomous"
    )
    assert (s.ended_touchpoint.kind, s.ended_touchpoint.ref, s.closure_reason) == (
        "sponsor_ended", s.pk, "autonomous",
    )  # fmt: skip


def test_sponsorship_needs_exactly_one_sponsor_and_one_at_a_time(ctx):
    with pytest.raises(ValidationError) as exc:
        services.sponsorship_start(actor=None, household=ctx.household_a, start=TODAY())
    assert "sponsor_user" in exc.value.error_dict
    with pytest.raises(ValidationError):  # a board member is no sponsor
        services.sponsorship_start(
            actor=None, household=ctx.household_a, start=TODAY(), sponsor_user=ctx.user("board")
        )
    with pytest.raises(ValidationError):  # nor a volunteer of another association
        services.sponsorship_start(
            actor=None, household=ctx.household_a, start=TODAY(),
            sponsor_user=ctx.user("volunteer", "b"),
        )  # fmt: skip
    services.sponsorship_start(
        actor=None, household=ctx.household_a, start=TODAY(), sponsor_household=ctx.other
    )
    with pytest.raises(ValidationError):
        services.sponsorship_start(
            actor=None, household=ctx.household_a, start=TODAY(), sponsor_household=ctx.other
        )
    assert Sponsorship.objects.count() == 1
    assert _tp("sponsor_assigned", ctx.household_a).count() == 1


def test_sponsorship_end_before_start_names_the_field(ctx):
    s = services.sponsorship_start(
        actor=None, household=ctx.household_a, start=TODAY(), sponsor_household=ctx.other
    )
    with pytest.raises(ValidationError) as exc:
        services.sponsorship_end(
            actor=None, sponsorship=s, end=TODAY() - timedelta(days=1), closure_reason="other"
        )
    assert "end" in exc.value.error_dict
    s.refresh_from_db()
    assert s.end is None and not _tp("sponsor_ended", ctx.household_a).exists()


def test_referral_of_a_known_household(ctx):
    r = services.referral_record(
        actor=None, referrer=ctx.household_a, referred=ctx.other, day=TODAY()
    )
    assert (r.referrer_touchpoint.kind, r.referrer_touchpoint.ref) == (
        "referral_made",
        ctx.other.pk,
    )
    assert r.referrer_touchpoint.household == ctx.household_a
    assert (r.referred_touchpoint.kind, r.referred_touchpoint.household) == (
        "peer_contact", ctx.other,
    )  # fmt: skip


def test_referral_creates_the_new_household_or_proposes_a_known_one(ctx):
    new = {"name": "Famille Nouvelle", "neighbourhood": "", "phone": "", "lawful_basis": BASIS}
    r = services.referral_record(
        actor=None, referrer=ctx.household_a, day=TODAY(), new_household=new
    )
    assert r.referred.name == "Famille Nouvelle" and r.referred.heard_from == "peer"
    with pytest.raises(DuplicateHousehold):
        services.referral_record(
            actor=None, referrer=ctx.other, day=TODAY(),
            new_household=new | {"name": "famille nouvelle"},
        )  # fmt: skip
    assert Referral.objects.count() == 1
    assert Household.objects.filter(name__iexact="famille nouvelle").count() == 1


def test_referral_to_itself_is_refused(ctx):
    with pytest.raises(ValidationError) as exc:
        services.referral_record(
            actor=None, referrer=ctx.household_a, referred=ctx.household_a, day=TODAY()
        )
    assert "referred" in exc.value.error_dict
    assert not _tp("referral_made", ctx.household_a).exists()


def test_absent_visit_is_on_the_visitor(ctx):
    v = services.absent_visit_record(
        actor=None, visitor=ctx.household_a, visited=ctx.other, day=TODAY(), outcome="met"
    )
    assert (v.touchpoint.kind, v.touchpoint.household, v.touchpoint.ref) == (
        "absent_visit", ctx.household_a, ctx.other.pk,
    )  # fmt: skip
    assert not _tp("absent_visit", ctx.other).exists()


def test_role_started_and_ended(ctx):
    role = services.role_start(
        actor=None, household=ctx.household_a, kind="committee_member",
        start=TODAY() - timedelta(days=100), person=ctx.person_a,
    )  # fmt: skip
    assert (role.started_touchpoint.kind, role.started_touchpoint.ref) == ("role_started", role.pk)
    role = services.role_end(actor=None, role=role, end=TODAY())
    assert (role.ended_touchpoint.kind, role.ended_touchpoint.ref) == ("role_ended", role.pk)
    with pytest.raises(ValidationError):  # already ended
        services.role_end(actor=None, role=role, end=TODAY())


def test_role_person_must_belong_to_the_household(ctx):
    with pytest.raises(ValidationError) as exc:
        services.role_start(
            actor=None, household=ctx.other, kind="project_lead", start=TODAY(),
            person=ctx.person_a,
        )  # fmt: skip
    assert "person" in exc.value.error_dict


def test_project_proposed(ctx):
    p = services.project_propose(actor=None, household=ctx.household_a, day=TODAY(), title="Jardin")
    assert (p.touchpoint.kind, p.touchpoint.ref) == ("project_proposed", p.pk)


def test_communication_to_a_group_reaches_its_members_of_that_day(ctx):
    services.group_join(
        actor=None, group=ctx.group, household=ctx.household_a, start=TODAY() - timedelta(days=9)
    )
    m = services.group_join(
        actor=None, group=ctx.group, household=ctx.other, start=TODAY() - timedelta(days=9)
    )
    services.group_leave(actor=None, membership=m, end=TODAY() - timedelta(days=2))
    comm = services.communication_record(
        actor=None, association=ctx.a, day=TODAY(), kind="newsletter", subject="Fête",
        group=ctx.group,
    )  # fmt: skip
    assert [r.household for r in CommunicationRecipient.objects.filter(communication=comm)] == [
        ctx.household_a
    ]
    tp = _tp("communication", ctx.household_a).get()
    assert tp.ref == comm.pk
    assert not _tp("communication", ctx.other).exists()


def test_communication_to_one_household(ctx):
    comm = services.communication_record(
        actor=None, association=ctx.a, day=TODAY(), kind="call", subject="Nouvelles",
        household=ctx.other,
    )  # fmt: skip
    assert _tp("communication", ctx.other).get().ref == comm.pk
    with pytest.raises(ValidationError):
        services.communication_record(
            actor=None, association=ctx.a, day=TODAY(), kind="call", subject="x",
            household=ctx.other, group=ctx.group,
        )  # fmt: skip


def test_group_membership_of_another_association_is_refused(ctx):
    with pytest.raises(ValidationError):
        services.group_join(actor=None, group=ctx.group, household=ctx.household_b, start=TODAY())
    assert not GroupMembership.objects.exists()
