"""The demo association: realistic, spread over all ten stages, one login per role."""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.activities.models import Attendance, Session
from parcours.cli import build_parser
from parcours.community.models import (
    AbsentVisit,
    Communication,
    CommunicationRecipient,
    CommunityRole,
    Group,
    GroupMembership,
    ProjectProposal,
    Referral,
    Sponsorship,
)
from parcours.core import fastinsert
from parcours.frontdesk.models import Appointment, InfoRequest, IntakeVisit, PeerContact
from parcours.households import ownership
from parcours.households.models import Touchpoint, TouchpointKind
from parcours.journey.models import HouseholdJourney, StageSpan
from parcours.outreach.models import OutreachAction, OutreachContact
from parcours.seed import DEMO_PASSWORD, DEMO_USERS, seed_association
from parcours.support.models import FollowUp, SupportCase
from parcours.worklists.models import SponsorProfile, Task, TaskCheck


def _spy_touchpoint_inserts(written: dict[tuple[str, str], list[int]]):
    """fastinsert.insert_rows, noting the ids of the touchpoints it inserts by (function that
    called it, module that called that function)."""
    real = fastinsert.insert_rows

    def spy(model, fields, rows):
        ids = real(model, fields, rows)
        if model is Touchpoint:
            caller, writer = sys._getframe(1), sys._getframe(2)
            written[(caller.f_code.co_name, writer.f_globals["__name__"])] += ids
        return ids

    return spy


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    written: dict[tuple[str, str], list[int]] = defaultdict(list)
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(fastinsert, "insert_rows", _spy_touchpoint_inserts(written))
        result = seed_association(
            name="Démo", slug="demo", households=300, seed=2026, end=date(2026, 11, 1)
        )
        mp.undo()
        result.touchpoints_written = dict(written)
        yield result
        with scopes_disabled():
            result.association.delete()
        from django.contrib.auth import get_user_model

        names = [u for u, *_ in DEMO_USERS] + result.volunteer_usernames
        get_user_model().objects.filter(username__in=names).delete()


@pytest.mark.django_db
def test_demo_spreads_over_all_ten_stages(demo):
    with scopes_disabled():
        stages = set(
            HouseholdJourney.objects.filter(association=demo.association).values_list(
                "stage", flat=True
            )
        )
        assert stages >= {
            "awareness", "research", "selection", "acquisition", "discovery", "usage",
            "maintenance", "loyalty", "recommendation", "engagement",
        }  # fmt: skip
        assert demo.household_count == 300
        assert 10_000 < demo.touchpoint_count < 30_000
        # history over two years, with regressions recorded
        assert StageSpan.objects.filter(association=demo.association, regression=True).exists()


@pytest.mark.django_db
def test_demo_has_one_login_per_role(demo):
    with scopes_disabled():
        roles = set(
            Membership.objects.filter(association=demo.association).values_list("role", flat=True)
        )
        assert roles == {role for _, role, _ in DEMO_USERS}
        peer = Membership.objects.get(association=demo.association, role="peer_family")
        assert peer.household is not None
    for username, *_ in DEMO_USERS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None


@pytest.mark.django_db
def test_demo_sensitive_roles_are_enrolled_with_the_demo_secret(demo):
    """They can sign in at once (README: the demo secret or `parcours demo-code`)."""
    import pyotp
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import validate_totp_code

    from parcours.seed import DEMO_TOTP_SECRET

    enrolled = {
        a.user.username: a
        for a in Authenticator.objects.select_related("user").filter(
            user__memberships__association=demo.association, type=Authenticator.Type.TOTP
        )
    }
    assert set(enrolled) == {"admin", "coordination", "social"}
    for authenticator in enrolled.values():
        assert authenticator.data["secret"] == DEMO_TOTP_SECRET
    assert validate_totp_code(DEMO_TOTP_SECRET, pyotp.TOTP(DEMO_TOTP_SECRET).now())


# (touchpoint kind, model, field linking the touchpoint, what the touchpoint's ref is)
LINKS = [
    ("sponsor_assigned", Sponsorship, "started_touchpoint", "pk"),
    ("sponsor_ended", Sponsorship, "ended_touchpoint", "pk"),
    ("support_opened", SupportCase, "opened_touchpoint", "pk"),
    ("support_closed", SupportCase, "closed_touchpoint", "pk"),
    ("role_started", CommunityRole, "started_touchpoint", "pk"),
    ("role_ended", CommunityRole, "ended_touchpoint", "pk"),
    ("project_proposed", ProjectProposal, "touchpoint", "pk"),
    ("group_joined", GroupMembership, "joined_touchpoint", "group_id"),
    ("group_left", GroupMembership, "left_touchpoint", "group_id"),
    ("referral_made", Referral, "referrer_touchpoint", "referred_id"),
    ("absent_visit", AbsentVisit, "touchpoint", "visited_id"),
    ("communication", CommunicationRecipient, "touchpoint", "communication_id"),
    ("outreach_contact", OutreachContact, "touchpoint", "action_id"),
    ("info_request", InfoRequest, "touchpoint", None),
    ("appointment_booked", Appointment, "touchpoint", None),
    ("intake_visit", IntakeVisit, "touchpoint", None),
    ("attendance", Attendance, "touchpoint", None),
    ("activity_led", Session, "led_touchpoint", None),
]
DOMAIN_TABLES = [
    Group, GroupMembership, Sponsorship, Referral, AbsentVisit, CommunityRole, ProjectProposal,
    Communication, CommunicationRecipient, SupportCase, FollowUp, IntakeVisit, InfoRequest,
    PeerContact, Appointment, OutreachAction, OutreachContact, Session, Attendance, Task,
    SponsorProfile,
]  # fmt: skip


@pytest.mark.django_db
def test_each_domain_table_has_rows(demo):
    with scopes_disabled():
        for model in DOMAIN_TABLES:
            assert model.objects.filter(association=demo.association).exists(), model.__name__
    assert demo.unlinked == {}


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "model", "link", "ref"), LINKS, ids=[k for k, *_ in LINKS])
def test_every_touchpoint_has_its_domain_row(demo, kind, model, link, ref):
    """The rows the services would write: each touchpoint linked from exactly one row, whose
    id (or the household / group it names) is the touchpoint's ref."""
    with scopes_disabled():
        tps = dict(
            Touchpoint.objects.filter(association=demo.association, kind=kind).values_list(
                "pk", "ref"
            )
        )
        assert tps, kind
        rows = model.objects.filter(association=demo.association, **{f"{link}__isnull": False})
        linked = list(rows.values_list(f"{link}_id", ref or "pk"))
    assert sorted(t for t, _ in linked) == sorted(tps)
    if ref is not None:
        assert all(tps[t] == value for t, value in linked)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(ownership.OWNERS))
def test_every_owned_touchpoint_is_about_its_records_household(demo, kind):
    """The seeder once filed support_closed on the wrong household (a loop variable reused):
    each owned-kind touchpoint is linked from its record, about the record's household."""
    owner = ownership.OWNERS[kind]
    with scopes_disabled():
        tps = dict(
            Touchpoint.objects.filter(association=demo.association, kind=kind).values_list(
                "pk", "household_id"
            )
        )
        linked = dict(
            owner.model_class()
            .objects.filter(association=demo.association, **{f"{owner.link}__isnull": False})
            .values_list(f"{owner.link}_id", f"{owner.household}_id")
        )
    assert tps, kind
    assert linked == tps


@pytest.mark.django_db
def test_every_touchpoint_went_through_its_apps_bulk_writer(demo):
    """The seeder writes no touchpoint itself: each one of the demo, of every kind, was
    inserted by households.bulk.touchpoint_rows_write on behalf of an app's bulk writer (the
    path imports take), so the services' conventions live in one place."""
    with scopes_disabled():
        kinds = dict(
            Touchpoint.objects.filter(association=demo.association).values_list("pk", "kind")
        )
    written = demo.touchpoints_written
    assert {caller for caller, _writer in written} == {"touchpoint_rows_write"}
    writers = {writer for _caller, writer in written}
    assert all(w.startswith("parcours.") and w.endswith(".bulk") for w in writers), writers
    assert not {"parcours.seed", "parcours.seed_records"} & writers
    ids = [pk for pks in written.values() for pk in pks]
    assert sorted(ids) == sorted(kinds)  # nothing inserted another way, nothing twice
    assert set(kinds.values()) == set(TouchpointKind.values)  # every kind, so every writer


@pytest.mark.django_db
def test_touchpoints_check_finds_nothing_in_the_demo(demo):
    out = StringIO()
    call_command("touchpoints_check", "--association", demo.association.slug, stdout=out)
    assert "No touchpoint" in out.getvalue()


@pytest.mark.django_db
def test_peer_contacts_come_from_a_referral_or_a_member_family(demo):
    with scopes_disabled():
        tps = dict(
            Touchpoint.objects.filter(association=demo.association, kind="peer_contact")
            .values_list("pk", "ref")
        )  # fmt: skip
        via_referral = dict(
            Referral.objects.filter(association=demo.association).values_list(
                "referred_touchpoint_id", "referrer_id"
            )
        )
        via_desk = dict(
            PeerContact.objects.filter(association=demo.association).values_list(
                "touchpoint_id", "peer_household_id"
            )
        )
    assert not set(via_referral) & set(via_desk)
    assert via_referral | via_desk == tps


@pytest.mark.django_db
def test_episodes_are_what_the_services_allow(demo):
    a = demo.association
    with scopes_disabled():
        # one open support case and one active sponsorship per household, follow-ups in the case
        for model, open_ in ((SupportCase, {"closed_on": None}), (Sponsorship, {"end": None})):
            opened = model.objects.filter(association=a, **open_)
            assert opened.count() == opened.values("household").distinct().count()
        for case in SupportCase.objects.filter(association=a).prefetch_related("followups"):
            days = [f.day for f in case.followups.all()]
            assert 1 <= len(days) <= 2
            assert all(case.opened_on <= d <= (case.closed_on or d) for d in days)
            assert (case.outcome != "") == (case.closed_on is not None)
            assert (case.next_review is None) == (case.closed_on is not None)
            assert case.opened_touchpoint.day == case.opened_on
            if case.closed_on:
                assert case.closed_touchpoint.day == case.closed_on
        for s in Sponsorship.objects.filter(association=a):
            assert (s.sponsor_user_id is None) != (s.sponsor_household_id is None)
            assert (s.closure_reason != "") == (s.end is not None)
        volunteers = set(
            Membership.objects.filter(association=a, role="volunteer").values_list(
                "user_id", flat=True
            )
        )
        sponsors = set(
            Sponsorship.objects.filter(association=a, sponsor_user__isnull=False).values_list(
                "sponsor_user_id", flat=True
            )
        )
        assert sponsors <= volunteers and len(volunteers) > 5
        # attendance sheets: present marks on sessions of the touchpoint's activity and day
        for att in Attendance.objects.filter(association=a).select_related("session", "touchpoint")[
            :500
        ]:
            assert att.status == "present"
            assert (att.touchpoint.day, att.touchpoint.activity_id) == (
                att.session.day,
                att.session.activity_id,
            )
        for s in Session.objects.filter(association=a, led_touchpoint__isnull=False).select_related(
            "led_touchpoint"
        ):
            assert s.facilitator_household_id == s.led_touchpoint.household_id
            assert s.attendances.filter(status="present").exists()


@pytest.mark.django_db
def test_sponsored_household_page_shows_its_sponsor(demo, client):
    with scopes_disabled():
        s = (
            Sponsorship.objects.filter(
                association=demo.association, end__isnull=True, sponsor_user__isnull=False
            )
            .select_related("sponsor_user")
            .first()
        )
        coordinator = Membership.objects.get(association=demo.association, role="coordinator")
    client.force_login(coordinator.user)
    body = client.get(f"/households/{s.household_id}/").content.decode()
    top = body[: body.index('id="journey-title"')]
    assert "Parrain ou marraine :" in top and s.sponsor_user.get_full_name() in top


@pytest.mark.django_db
def test_the_demo_opens_with_tasks(demo):
    with scopes_disabled():
        tasks = Task.objects.filter(association=demo.association, state="open")
        assert tasks.count() > 50
        # computed once for every household, of many kinds, some for peer families
        assert tasks.values("rule").distinct().count() >= 6
        assert tasks.filter(assignee_household__isnull=False).exists()
        assert TaskCheck.objects.filter(association=demo.association).count() == 300


def test_cli_knows_its_commands():
    parser = build_parser()
    assert parser.parse_args(["demo", "--no-serve", "--households", "20"]).households == 20
    assert parser.parse_args(["serve", "--bind", "0.0.0.0:9000"]).bind == "0.0.0.0:9000"
    with pytest.raises(SystemExit):
        parser.parse_args(["nonsense"])


@pytest.mark.django_db
def test_every_demo_household_has_a_realistic_lawful_basis(demo):
    from parcours.consent.models import ConsentRecord
    from parcours.households.models import Household

    with scopes_disabled():
        rows = list(ConsentRecord.objects.filter(association=demo.association).order_by("id"))
        state = {(r.household_id, r.purpose): r for r in rows if r.person_id is None}
        households = set(
            Household.objects.filter(association=demo.association).values_list("pk", flat=True)
        )
        assert {h for (h, p), r in state.items() if p == "follow_up" and r.action == "given"} == (
            households
        )
        bases = {r.basis for (h, p), r in state.items() if p == "follow_up"}
        assert bases == {"consent", "legitimate_interest"}
        sponsored = Sponsorship.objects.filter(association=demo.association)
        for s in sponsored:
            for h in filter(None, (s.household_id, s.sponsor_household_id)):
                assert state[(h, "sponsoring")].basis == "consent"
        assert any(r.action == "withdrawn" and r.purpose == "photos" for r in rows)
        assert sum(r.collected_by_name != "" for r in rows) > 0
        for r in rows:
            if r.action == "withdrawn" and r.purpose == "messages":
                assert not Communication.objects.filter(
                    household_id=r.household_id, day__gt=r.day
                ).exists()


@pytest.mark.django_db
def test_every_activity_has_sessions_in_the_coming_weeks(demo):
    from datetime import timedelta

    from parcours.activities.models import Activity
    from parcours.seed import WEEKS_AHEAD

    end = date(2026, 11, 1)  # the demo's "today"
    with scopes_disabled():
        activities = list(Activity.objects.filter(association=demo.association))
        assert len(activities) >= 10
        for activity in activities:
            ahead = Session.objects.filter(
                activity=activity, day__gt=end, day__lte=end + timedelta(weeks=WEEKS_AHEAD)
            )
            # weekly from the next day on, planned by a schedule
            assert ahead.count() == WEEKS_AHEAD, activity.name
            assert not ahead.filter(schedule__isnull=True).exists()
