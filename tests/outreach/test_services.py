from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from parcours.audit.models import AuditEvent
from parcours.consent.selectors import has_follow_up_basis
from parcours.households.models import Household, Touchpoint
from parcours.outreach import services
from parcours.outreach.models import OutreachContact
from parcours.outreach.shared import DuplicateHousehold
from tests.basis import BASIS

TODAY = timezone.localdate


@pytest.fixture
def ctx(world):
    with scope(association=[world.a.pk]):
        yield world


def _action(world, **kw):
    data = {"day": TODAY(), "place": "Marché", "channel": "door_to_door"} | kw
    return services.action_create(actor=world.user("volunteer"), association=world.a, **data)


def test_action_create_records_team_and_audits(ctx):
    team = [ctx.user("volunteer"), ctx.user("coordinator")]
    action = _action(ctx, team=team, neighbourhood="Les Tilleuls")
    assert set(action.team.all()) == set(team)
    assert AuditEvent.objects.filter(object_type="outreach.outreachaction").count() == 1


def test_action_in_the_future_is_refused_naming_the_field(ctx):
    with pytest.raises(ValidationError) as exc:
        _action(ctx, day=TODAY() + timedelta(days=1))
    assert "day" in exc.value.error_dict


def test_team_member_of_another_association_is_refused(ctx):
    with pytest.raises(ValidationError) as exc:
        _action(ctx, team=[ctx.user("volunteer", "b")])
    assert "team" in exc.value.error_dict


def test_linking_a_household_writes_one_outreach_contact_touchpoint(ctx):
    action = _action(ctx)
    contact = services.contact_record(
        actor=ctx.user("volunteer"), action=action, household=ctx.household_a
    )
    tp = contact.touchpoint
    assert (tp.kind, tp.ref, tp.day, tp.household) == (
        "outreach_contact", action.pk, action.day, ctx.household_a,
    )  # fmt: skip
    # a retried save does not duplicate anything
    again = services.contact_record(actor=None, action=action, household=ctx.household_a)
    assert again.pk == contact.pk
    assert Touchpoint.objects.filter(kind="outreach_contact").count() == 1


def test_quick_add_creates_household_with_consent_and_touchpoint(ctx):
    action = _action(ctx, channel="militant", neighbourhood="La Gare")
    contact = services.contact_quick_add(
        actor=ctx.user("volunteer"), action=action, name="Famille Nguyen", phone="07 00 00 00 01",
        lawful_basis=BASIS,
    )  # fmt: skip
    h = contact.household
    assert (h.neighbourhood, h.heard_from) == ("La Gare", "militant")
    assert has_follow_up_basis(h)
    assert contact.new_household
    assert contact.touchpoint.kind == "outreach_contact"


def test_quick_add_without_consent_stores_nothing(ctx):
    action = _action(ctx)
    before = Household.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.contact_quick_add(actor=None, action=action, name="Famille Roux")
    assert "basis" in exc.value.error_dict
    assert Household.objects.count() == before
    assert not OutreachContact.objects.exists()


@pytest.mark.parametrize(
    "name,neighbourhood,phone",
    [
        ("Famille Martin", "Les Tilleuls", ""),
        ("MARTIN", "les  tilleuls", ""),
        ("Someone else", "Ailleurs", "+33 6 01 02 03 04"),
        ("Other", "Ailleurs", "0033 6 01 02 03 04"),
    ],
)
def test_quick_add_proposes_the_existing_household(ctx, name, neighbourhood, phone):
    action = _action(ctx)
    before = Household.objects.count()
    with pytest.raises(DuplicateHousehold) as exc:
        services.contact_quick_add(
            actor=None, action=action, name=name, neighbourhood=neighbourhood, phone=phone,
            lawful_basis=BASIS,
        )  # fmt: skip
    assert exc.value.matches[0].household == ctx.household_a
    assert Household.objects.count() == before
    assert not Touchpoint.objects.filter(kind="outreach_contact").exists()


def test_quick_add_can_create_a_homonym_when_told(ctx):
    action = _action(ctx)
    contact = services.contact_quick_add(
        actor=None, action=action, name="Famille Martin", neighbourhood="Les Tilleuls",
        lawful_basis=BASIS, allow_duplicate=True,
    )  # fmt: skip
    assert contact.household != ctx.household_a
