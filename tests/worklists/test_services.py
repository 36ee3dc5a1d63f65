"""Task regeneration (idempotent, in touchpoint writes, daily), actions, the absent-family loop,
visibility, digests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.households import services as hs
from parcours.worklists import regenerate, services
from parcours.worklists.models import DigestPreference, Task, TaskCheck
from parcours.worklists.selectors import tasks_for_member
from tests.basis import BASIS
from tests.journal import log_touchpoint

TODAY = date(2026, 3, 2)


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


def _household(world, name, neighbourhood="Les Tilleuls", **kw):
    return hs.household_create(
        lawful_basis=BASIS,
        actor=None,
        association=world.a,
        name=name,
        neighbourhood=neighbourhood,
        **kw,
    )


def _tp(h, days_ago, kind, **kw):
    return log_touchpoint(
        actor=None, household=h, day=TODAY - timedelta(days=days_ago), kind=kind, **kw
    )


def _tasks(h, **kw):
    with scopes_disabled():
        return list(Task.objects.filter(household=h, **kw).order_by("id"))


def _activity(world):
    from parcours.activities.models import Activity

    with scopes_disabled():
        return Activity.objects.get_or_create(
            association=world.a, name="Atelier cuisine", defaults={"category": "activity"}
        )[0]


def _peer_family(world, name="Famille Benali", neighbourhood="Les Tilleuls"):
    """A household at recommendation (a recent referral) with a peer-family user."""
    from django.contrib.auth import get_user_model

    h = _household(world, name, neighbourhood)
    _tp(h, 100, "attendance", activity=_activity(world))
    _tp(h, 10, "referral_made", ref=1)
    user = get_user_model().objects.create_user(f"peer-{h.pk}", email=f"p{h.pk}@example.org")
    Membership.objects.create(user=user, association=world.a, role=Role.PEER_FAMILY, household=h)
    return h, user


@pytest.mark.django_db
def test_a_touchpoint_write_regenerates_the_households_tasks(world, today):
    h = _household(world, "Famille Ngo")
    _tp(h, 0, "outreach_contact")
    assert _tasks(h) == []
    # 30 days later: re-contact task (the daily run picks it up as its threshold has come)
    with time_machine.travel(TODAY + timedelta(days=30), tick=False):
        services.daily_run(digests=False)
        (task,) = _tasks(h)
        assert task.rule == "recontact" and task.assignee_kind == "outreach_team"
        assert task.due == TODAY + timedelta(days=30 + 14)
        # an info request moves them to research: the task closes by itself, with why
        log_touchpoint(actor=None, household=h, day=TODAY + timedelta(days=30), kind="info_request")
        task.refresh_from_db()
        assert task.state == Task.State.CLOSED
        assert task.closed_because["code"] == "cause_gone"
        assert task.closed_because["params"]["stage"] == "research"


@pytest.mark.django_db
def test_regeneration_twice_creates_nothing_new(world, today):
    h = _household(world, "Famille Ngo")
    _tp(h, 60, "attendance", activity=_activity(world))  # discovery, no sponsor, absent
    first = services.tasks_regenerate_many(association=world.a)
    count = len(_tasks(h))
    assert {t.rule for t in _tasks(h)} == {"assign_sponsor", "find_absent"}
    second = services.tasks_regenerate_many(association=world.a)
    assert second.created == 0 and second.closed == 0 and second.reopened == 0
    assert len(_tasks(h)) == count
    assert first.households == second.households


@pytest.mark.django_db
def test_done_stays_done_and_dismissed_needs_a_reason(world, today):
    h = _household(world, "Famille Ngo")
    _tp(h, 2, "attendance", activity=_activity(world))
    (task,) = _tasks(h, rule="assign_sponsor")
    coordinator = world.user(Role.COORDINATOR)
    services.task_done(actor=coordinator, task=task, note="Parrain trouvé hors Parcours")
    regenerate.tasks_regenerate(h)
    (again,) = _tasks(h, rule="assign_sponsor")
    assert again.pk == task.pk and again.state == Task.State.DONE
    assert again.state_by == coordinator and again.state_at is not None
    with pytest.raises(ValidationError) as err:
        services.task_done(actor=coordinator, task=again)
    assert "state" in err.value.message_dict
    (absent,) = _tasks(h, rule="find_absent") or [None]
    assert absent is None  # attended 2 days ago: not absent


@pytest.mark.django_db
def test_dismiss_and_snooze_validate_their_field(world, today):
    h = _household(world, "Famille Ngo")
    _tp(h, 2, "attendance", activity=_activity(world))
    (task,) = _tasks(h, rule="assign_sponsor")
    actor = world.user(Role.COORDINATOR)
    with pytest.raises(ValidationError) as err:
        services.task_dismiss(actor=actor, task=task, reason="  ")
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.task_snooze(actor=actor, task=task, until=TODAY)
    assert "until" in err.value.message_dict
    task.refresh_from_db()
    assert task.state == Task.State.OPEN  # nothing partial written
    services.task_snooze(actor=actor, task=task, until=TODAY + timedelta(days=3))
    member = Membership.objects.get(user=actor)
    assert task not in list(tasks_for_member(member))
    with time_machine.travel(TODAY + timedelta(days=3), tick=False):
        report = services.daily_run(digests=False)
        assert report.tasks.reopened == 1
        task.refresh_from_db()
        assert task.state == Task.State.OPEN
        assert task in list(tasks_for_member(member))


@pytest.mark.django_db
def test_absent_family_loop(world, today):
    peer, peer_user = _peer_family(world)
    _peer_family(world, "Famille Loin", neighbourhood="Le Port")
    absent = _household(world, "Famille Absente")
    _tp(absent, 50, "attendance", activity=_activity(world))  # absent since day 45
    (task,) = _tasks(absent, rule="find_absent")
    # the peer family of the same neighbourhood gets it, through its household
    assert task.assignee_household_id == peer.pk and task.assignee_user is None
    member = Membership.objects.get(user=peer_user)
    assert [t.pk for t in tasks_for_member(member)] == [task.pk]
    # a volunteer does not see it
    volunteer = Membership.objects.get(user=world.user(Role.VOLUNTEER))
    assert list(tasks_for_member(volunteer)) == []
    services.task_record_visit(
        actor=peer_user, task=task, visitor=peer, day=TODAY, outcome="met", note="Tout va bien"
    )
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.state_by == peer_user
    with scopes_disabled():
        visit = peer.touchpoints.get(kind="absent_visit")
        assert visit.ref == absent.pk and visit.day == TODAY
        assert not absent.touchpoints.filter(kind="absent_visit").exists()


@pytest.mark.django_db
def test_visit_rejects_a_future_day_and_the_family_itself(world, today):
    peer, peer_user = _peer_family(world)
    absent = _household(world, "Famille Absente")
    _tp(absent, 50, "attendance", activity=_activity(world))
    (task,) = _tasks(absent, rule="find_absent")
    with pytest.raises(ValidationError) as err:
        services.task_record_visit(
            actor=peer_user, task=task, visitor=peer, day=TODAY + timedelta(days=1), outcome="met"
        )
    assert "day" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.task_record_visit(
            actor=peer_user, task=task, visitor=absent, day=TODAY, outcome="met"
        )
    assert "visitor" in err.value.message_dict
    with scopes_disabled():
        assert not peer.touchpoints.filter(kind="absent_visit").exists()


@pytest.mark.django_db
def test_assign_to_a_peer_family_or_a_member(world, today):
    peer, _user = _peer_family(world, neighbourhood="Le Port")  # not the same neighbourhood
    h = _household(world, "Famille Ngo")
    _tp(h, 0, "outreach_contact")
    _tp(h, 0, "peer_contact")
    with time_machine.travel(TODAY + timedelta(days=21), tick=False):
        services.daily_run(digests=False)
    (task,) = _tasks(h, rule="peer_visit")
    assert task.assignee_household_id == peer.pk  # any neighbourhood for this rule
    coordinator = world.user(Role.COORDINATOR)
    services.task_assign(actor=coordinator, task=task, user=world.user(Role.VOLUNTEER))
    task.refresh_from_db()
    assert task.assignee_user == world.user(Role.VOLUNTEER) and task.assignee_household is None
    with pytest.raises(ValidationError):
        services.task_assign(actor=coordinator, task=task, user=world.user(Role.VOLUNTEER, "b"))
    with pytest.raises(ValidationError):
        services.task_assign(actor=coordinator, task=task, household=h)


@pytest.mark.django_db
def test_daily_command_and_task_checks(world, today):
    h = _household(world, "Famille Ngo")
    _tp(h, 0, "outreach_contact")
    with scopes_disabled():
        assert TaskCheck.objects.get(household=h).valid_until == TODAY + timedelta(days=30)
    call_command("daily", "--no-digests")
    assert _tasks(h) == []
    with time_machine.travel(TODAY + timedelta(days=30), tick=False):
        assert h.pk in regenerate.due_households(TODAY + timedelta(days=30))
        call_command("daily", "--no-digests")
        assert [t.rule for t in _tasks(h)] == ["recontact"]
        assert h.pk not in regenerate.due_households(TODAY + timedelta(days=30))


@pytest.mark.django_db
def test_digest_for_users_who_asked(world, today, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    peer, peer_user = _peer_family(world)
    absent = _household(world, "Famille Absente")
    _tp(absent, 50, "attendance", activity=_activity(world))
    member = Membership.objects.get(user=peer_user)
    assert services.digests_send() == 0  # nobody asked
    services.digest_preference_set(
        actor=peer_user, membership=member, daily_digest=True, language="fr"
    )
    assert services.digests_send() == 1
    (message,) = mail.outbox
    assert message.to == [peer_user.email]
    assert "Famille Absente" in message.body and "Aller chercher" in message.body
    assert services.digests_send() == 0  # once a day
    with scopes_disabled():
        assert DigestPreference.objects.get(user=peer_user).last_sent == TODAY


@pytest.mark.django_db
def test_support_followup_goes_to_social_workers_without_details_for_others(world, today):
    from parcours.worklists.reasons import decorate

    h = _household(world, "Famille Ngo")
    _tp(h, 20, "attendance", activity=_activity(world))
    _tp(h, 16, "support_opened", ref=77)
    (task,) = _tasks(h, rule="support_followup")
    sw = Membership.objects.get(user=world.user(Role.SOCIAL_WORKER))
    assert task in list(tasks_for_member(sw))
    decorate([task], sw)
    assert task.reason_text
    assert task.audience == "sensitive"  # only the full journey proposes it
    # a task that tells of support is never given to a role that may not learn of it
    for role in (Role.VOLUNTEER, Role.BOARD, Role.PEER_FAMILY):
        with pytest.raises(ValidationError) as e:
            services.task_assign(
                actor=world.user(Role.COORDINATOR), task=task, user=world.user(role)
            )
        assert "assignee" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.task_assign(
            actor=world.user(Role.COORDINATOR), task=task, household=world.household_a
        )
    task.refresh_from_db()
    assert task.assignee_user is None and task.assignee_household is None
    volunteer = Membership.objects.get(user=world.user(Role.VOLUNTEER))
    assert not tasks_for_member(volunteer).exists()


@pytest.mark.django_db
def test_no_committee_seat_task_for_a_family_already_on_the_committee(world, today):
    from parcours.community import services as community

    leader = _household(world, "Famille Ngo")
    member = _household(world, "Famille Roche")
    for h in (leader, member):
        _tp(h, 40, "attendance", activity=_activity(world))
    community.role_start(
        actor=None, household=leader, kind="activity_leader", start=TODAY - timedelta(days=5)
    )
    role = community.role_start(
        actor=None, household=member, kind="committee_member", start=TODAY - timedelta(days=5)
    )
    # both reached engagement through a role; only the one not on the committee gets the task
    assert [t.rule for t in _tasks(leader, rule="committee_seat")] == ["committee_seat"]
    assert _tasks(member, rule="committee_seat") == []
    # the activity leader joins the committee: the open proposal closes by itself
    community.role_start(actor=None, household=leader, kind="committee_member", start=TODAY)
    (task,) = _tasks(leader, rule="committee_seat")
    assert task.state == Task.State.CLOSED and task.closed_because["code"] == "cause_gone"
    assert role.household_id == member.pk


@pytest.mark.django_db
def test_a_newsletter_is_no_support_follow_up(world, today):
    """The fortnightly newsletter neither resets the follow-up clock nor makes a family active."""
    h = _household(world, "Famille Ngo")
    _tp(h, 30, "attendance", activity=_activity(world))
    _tp(h, 14, "support_opened", ref=77)
    _tp(h, 7, "communication")
    _tp(h, 0, "communication")
    (task,) = _tasks(h, rule="support_followup")  # at its threshold: 14 days, newsletters or not
    assert task.since == TODAY and task.reason["params"]["last_followup"] == str(
        TODAY - timedelta(days=14)
    )
