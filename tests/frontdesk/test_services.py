from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from parcours.audit.models import AuditEvent
from parcours.consent.selectors import has_follow_up_basis
from parcours.frontdesk import services
from parcours.frontdesk.models import Appointment, InfoRequest, IntakeVisit, PeerContact
from parcours.households import services as hs
from parcours.households.models import Household, Touchpoint
from parcours.outreach.shared import DuplicateHousehold
from tests.basis import BASIS

TODAY = timezone.localdate
NEW = {"name": "Famille Okafor", "neighbourhood": "Nord", "phone": "0755555555",
       "lawful_basis": BASIS}  # fmt: skip


@pytest.fixture
def ctx(world):
    with scope(association=[world.a.pk]):
        world.peer = hs.household_create(
            lawful_basis=BASIS, actor=None, association=world.a, name="Famille Peer"
        )
        yield world


def test_info_request_for_a_new_household_writes_info_request(ctx):
    r = services.info_request_record(
        actor=ctx.user("volunteer"), association=ctx.a, day=TODAY(), channel="phone",
        new_household=NEW, subject="Aide aux devoirs",
    )  # fmt: skip
    assert r.household.name == "Famille Okafor" and has_follow_up_basis(r.household)
    assert (r.touchpoint.kind, r.touchpoint.household) == ("info_request", r.household)


def test_info_request_through_a_peer_needs_the_peer(ctx):
    with pytest.raises(ValidationError) as exc:
        services.info_request_record(
            actor=None, association=ctx.a, day=TODAY(), channel="peer", household=ctx.household_a
        )
    assert "peer_household" in exc.value.error_dict
    assert not Touchpoint.objects.filter(kind="info_request").exists()


def test_quick_add_duplicate_writes_nothing(ctx):
    with pytest.raises(DuplicateHousehold):
        services.info_request_record(
            actor=None, association=ctx.a, day=TODAY(), channel="web",
            new_household=NEW | {"name": "MARTIN", "neighbourhood": "Les tilleuls"},
        )  # fmt: skip
    assert not InfoRequest.objects.exists()
    assert Household.objects.count() == 2


def test_peer_contact_writes_peer_contact_with_the_peer_as_ref(ctx):
    r = services.peer_contact_record(
        actor=None, association=ctx.a, day=TODAY(), household=ctx.household_a,
        peer_household=ctx.peer,
    )  # fmt: skip
    assert (r.touchpoint.kind, r.touchpoint.ref) == ("peer_contact", ctx.peer.pk)


def test_peer_contact_with_itself_is_refused(ctx):
    with pytest.raises(ValidationError) as exc:
        services.peer_contact_record(
            actor=None, association=ctx.a, day=TODAY(), household=ctx.household_a,
            peer_household=ctx.household_a,
        )  # fmt: skip
    assert "peer_household" in exc.value.error_dict
    assert not PeerContact.objects.exists()


def test_appointment_booked_on_booking_day(ctx):
    when = timezone.make_aware(datetime.combine(TODAY() + timedelta(days=3), datetime.min.time()))
    a = services.appointment_book(
        actor=ctx.user("volunteer"), association=ctx.a, household=ctx.household_a, starts_at=when
    )
    assert (a.touchpoint.kind, a.touchpoint.day, a.booked_on) == (
        "appointment_booked", TODAY(), TODAY(),
    )  # fmt: skip


def test_appointment_before_its_booking_is_refused(ctx):
    when = timezone.make_aware(datetime.combine(TODAY() - timedelta(days=3), datetime.min.time()))
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(
            actor=None, association=ctx.a, household=ctx.household_a, starts_at=when
        )
    assert "starts_at" in exc.value.error_dict
    assert (
        not Appointment.objects.exists()
        and not Touchpoint.objects.filter(kind="appointment_booked").exists()
    )


def test_intake_visit_writes_intake_and_audits_field_names_only(ctx):
    v = services.intake_visit_record(
        actor=ctx.user("social_worker"), association=ctx.a, household=ctx.household_a,
        day=TODAY(), listening_notes="Très isolée", needs="Logement", explanations=["missions"],
    )  # fmt: skip
    assert v.touchpoint.kind == "intake_visit" and v.touchpoint.note == ""
    event = AuditEvent.objects.get(object_type="frontdesk.intakevisit")
    assert "listening_notes" in event.fields
    assert "Très isolée" not in str(event.fields)


def test_intake_in_the_future_is_refused(ctx):
    with pytest.raises(ValidationError) as exc:
        services.intake_visit_record(
            actor=None, association=ctx.a, household=ctx.household_a,
            day=TODAY() + timedelta(days=1),
        )  # fmt: skip
    assert "day" in exc.value.error_dict
    assert not IntakeVisit.objects.exists()
