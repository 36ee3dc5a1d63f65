"""Retention tiers with a frozen clock: the day before and the day after each tier, extension,
notes, audit log, and the daily command."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.compliance import services
from parcours.compliance.models import RetentionEvent, RetentionPolicy
from parcours.compliance.purge import retention_run
from parcours.compliance.selectors import add_months, household_tiers
from parcours.consent.basis import Basis
from parcours.households import services as hs
from parcours.households.models import Household
from parcours.worklists.models import Task
from parcours.worklists.regenerate import MANAGED_ELSEWHERE, tasks_regenerate
from parcours.worklists.selectors import tasks_for_member
from tests.basis import COVERED

LAST_CONTACT = date(2024, 3, 10)  # an information request: 24 months later is 10 March 2026
LEAVES = date(2026, 3, 10)
BASIS = Basis.consent(date(2024, 3, 1))


def _at(day: date):
    """Freeze the clock at 9:00 in Paris on that day."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 8, tzinfo=UTC))


def _run(day: date):
    with _at(day):
        return retention_run()


def _reload(h) -> Household:
    with scopes_disabled():
        return Household.objects.get(pk=h.pk)


@pytest.fixture
def family(world):
    """A household whose last contact from the family is a request on 10 March 2024; a
    communication sent by the association later does not count."""
    with _at(date(2024, 3, 1)), scopes_disabled():
        h = hs.household_create(
            actor=None,
            association=world.a,
            name="Famille Lefebvre",
            neighbourhood="Fives",
            lawful_basis=BASIS,
        )
    with _at(date(2025, 6, 1)), scopes_disabled():
        hs.touchpoint_record(actor=None, household=h, day=LAST_CONTACT, kind="info_request")
        hs.touchpoint_record(actor=None, household=h, day=date(2025, 6, 1), kind="communication")
    return h


def _retention_tasks(h, **kw):
    with scopes_disabled():
        return list(Task.objects.filter(household=h, rule=services.RETENTION_RULE, **kw))


def test_add_months_keeps_the_day_or_the_last_of_the_month():
    assert add_months(date(2024, 3, 10), 24) == date(2026, 3, 10)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 1), -12) == date(2025, 3, 1)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


def test_only_contacts_from_the_family_count(family):
    with _at(date(2025, 7, 1)), scopes_disabled():
        tiers = household_tiers(family)
    assert tiers.last_contact == LAST_CONTACT  # not the communication of 1 June 2025
    assert tiers.leaves_active_on == LEAVES


def test_coordinator_task_thirty_days_before(world, family):
    warn = LEAVES - timedelta(days=30)
    _run(warn - timedelta(days=1))
    assert _retention_tasks(family) == []
    report = _run(warn)
    assert report.warned == 1
    (task,) = _retention_tasks(family)
    assert task.assignee_kind == "coordinator"
    assert task.due == LEAVES - timedelta(days=1)
    assert task.reason["params"]["leaves_on"] == LEAVES.isoformat()
    with _at(warn + timedelta(days=1)), scopes_disabled():
        coordinator = Membership.objects.get(user=world.user(Role.COORDINATOR))
        assert task in list(tasks_for_member(coordinator))
        volunteer = Membership.objects.get(user=world.user(Role.VOLUNTEER))
        assert task not in list(tasks_for_member(volunteer))
    # Running again the same day adds nothing; the journey's regeneration leaves it alone.
    assert _run(warn).warned == 0
    with _at(warn + timedelta(days=1)), scopes_disabled():
        tasks_regenerate(_reload(family))
    assert _retention_tasks(family)[0].state == Task.State.OPEN
    assert services.RETENTION_RULE in MANAGED_ELSEWHERE


def test_archive_tier_day_before_and_after(world, family):
    _run(LEAVES - timedelta(days=1))
    assert _reload(family).archived_at is None
    _run(LEAVES)
    archived = _reload(family)
    assert archived.archived_at is not None
    assert archived.archived_reason == "retention"
    _run(LEAVES + timedelta(days=1))
    assert _reload(family).archived_at == archived.archived_at  # archived once
    # Its open tasks closed; the event and the audit row (field names only) are there.
    assert all(not t.is_open for t in _retention_tasks(family))
    with scopes_disabled():
        assert RetentionEvent.objects.filter(household=family, kind="archived").count() == 1
        assert AuditEvent.objects.filter(
            object_type="households.household", object_id=family.pk, fields=["archived_at"]
        ).exists()


def test_a_new_contact_from_the_family_moves_the_date_and_closes_the_task(world, family):
    _run(LEAVES - timedelta(days=10))
    assert len(_retention_tasks(family, state="open")) == 1
    with _at(LEAVES - timedelta(days=5)):
        hs.touchpoint_record(
            actor=None, household=family, day=LEAVES - timedelta(days=5), kind="info_request"
        )
    _run(LEAVES - timedelta(days=4))
    assert _retention_tasks(family, state="open") == []
    _run(LEAVES + timedelta(days=1))
    assert _reload(family).archived_at is None


def test_extended_household_stays_until_the_day_given(world, family):
    _run(LEAVES - timedelta(days=20))
    coordinator = world.user(Role.COORDINATOR)
    until = date(2026, 9, 30)
    with _at(LEAVES - timedelta(days=15)):
        services.retention_extend(
            actor=coordinator, household=family, until=until, reason="Dossier logement en cours"
        )
    (task,) = _retention_tasks(family)
    assert task.state == Task.State.DONE and task.state_by == coordinator
    _run(LEAVES + timedelta(days=1))
    assert _reload(family).archived_at is None
    _run(until)
    assert _reload(family).archived_at is None
    _run(until + timedelta(days=1))
    assert _reload(family).archived_at is not None
    with scopes_disabled():
        event = RetentionEvent.objects.get(household=family, kind="extended")
        assert event.reason == "Dossier logement en cours" and event.actor == coordinator
        assert AuditEvent.objects.filter(object_id=family.pk, fields=["retention"]).exists()


def test_extension_refuses_bad_input_and_writes_nothing(world, family):
    with _at(LEAVES - timedelta(days=15)):
        with pytest.raises(ValidationError) as exc:
            services.retention_extend(
                actor=None, household=family, until=LEAVES - timedelta(days=20), reason=" "
            )
        assert set(exc.value.message_dict) == {"until", "reason"}
        with pytest.raises(ValidationError) as exc:
            services.retention_extend(
                actor=None, household=family, until=date(2030, 1, 1), reason="Pourquoi pas"
            )
        assert "until" in exc.value.message_dict
    with scopes_disabled():
        assert not RetentionEvent.objects.filter(household=family).exists()


def test_notes_are_blanked_after_their_own_period(world, family):
    from parcours.frontdesk.services import intake_visit_record

    visit_day = date(2025, 3, 1)
    with _at(visit_day):
        visit = intake_visit_record(
            actor=None,
            association=world.a,
            day=visit_day,
            household=family,
            listening_notes="Parle de ses dettes",
            needs="Aide alimentaire",
            reception="Accueil chaleureux",
        )
    from parcours.frontdesk.models import IntakeVisit

    _run(date(2026, 2, 28))
    with scopes_disabled():
        assert IntakeVisit.objects.get(pk=visit.pk).listening_notes == "Parle de ses dettes"
    report = _run(date(2026, 3, 1))
    assert report.notes_blanked >= 1
    with scopes_disabled():
        kept = IntakeVisit.objects.get(pk=visit.pk)
        assert (kept.listening_notes, kept.needs) == ("", "")
        assert kept.reception == "Accueil chaleureux"  # not a listening note
        assert AuditEvent.objects.filter(
            object_type="frontdesk.intakevisit",
            object_id=visit.pk,
            fields=["listening_notes", "needs"],
        ).exists()


def test_audit_log_purged_after_its_period_except_erasures(world, family):
    with _at(date(2025, 3, 10)):
        with scopes_disabled():
            AuditEvent.objects.filter(association=world.a).delete()
        kept = AuditEvent.objects.create(
            association=world.a, action="erase", object_type="households.household", object_id=1
        )
        old = AuditEvent.objects.create(
            association=world.a, action="update", object_type="households.household", object_id=1
        )
    events = AuditEvent.objects.with_scopes_disabled()
    _run(date(2026, 3, 10))
    assert events.filter(pk=old.pk).exists()
    _run(date(2026, 3, 11))
    assert not events.filter(pk=old.pk).exists()
    assert events.filter(pk=kept.pk).exists()


def test_shorter_policy_applies(world, family):
    with scopes_disabled():
        RetentionPolicy.objects.create(association=world.a, active_months=12, notes_months=6)
    _run(date(2025, 3, 9))
    assert _reload(family).archived_at is None
    _run(date(2025, 3, 10))
    assert _reload(family).archived_at is not None
    # Another association's households keep their own (default) policy.
    assert _reload(world.household_b).archived_at is None


def test_daily_command_applies_the_tiers(world, family, capsys):
    with _at(LEAVES):
        call_command("daily", "--no-digests")
    out = capsys.readouterr().out
    assert "retention:" in out and "archived" in out
    assert _reload(family).archived_at is not None


def test_anonymised_at_the_end_of_the_archive(world, family):
    with _at(date(2024, 3, 1)), scopes_disabled():
        hs.person_add(
            actor=None,
            household=family,
            first_name="Zéphyrine",
            relation="parent",
            lawful_basis=COVERED,
        )
    with scopes_disabled():
        family.phone = "0677889900"
        family.save()
    _run(LEAVES)  # archived on 10 March 2026; 36 months of archive by default
    end = date(2029, 3, 10)
    _run(end - timedelta(days=1))
    kept = _reload(family)
    assert kept.name == "Famille Lefebvre" and kept.phone == "0677889900"
    report = _run(end)
    assert report.anonymised == 1
    gone = _reload(family)
    assert "Lefebvre" not in gone.name and gone.phone == ""
    assert gone.neighbourhood == "Fives" and gone.archived_at is not None
    with scopes_disabled():
        assert not gone.persons.filter(first_name="Zéphyrine").exists()
        assert RetentionEvent.objects.filter(household=family, kind="anonymised").count() == 1
        assert AuditEvent.objects.filter(action="erase", household_id=family.pk).exists()
    assert _run(end + timedelta(days=1)).anonymised == 0  # once
