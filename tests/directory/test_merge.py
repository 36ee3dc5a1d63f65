"""Merging two records of one family: every row pointing at the duplicate moves, the journey
is recomputed, the merge is audited and on the timeline; refusals leave both untouched."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.accounts.roles import Role
from parcours.activities import services as activities
from parcours.audit.models import AuditEvent
from parcours.community import services as community
from parcours.directory.merge import household_links, household_merge
from parcours.directory.models import HouseholdMerge
from parcours.frontdesk import services as frontdesk
from parcours.households import services as hs
from parcours.households.models import Household, Person, Touchpoint
from parcours.households.ownership import orphan_touchpoints
from parcours.journey.models import HouseholdJourney
from parcours.journey.services import journey_refresh
from parcours.support import services as support
from tests.basis import BASIS, COVERED

TODAY = timezone.localdate


@pytest.fixture
def twins(world):
    """household_a and its duplicate, typed again with a history of its own."""
    coordinator = world.user(Role.COORDINATOR)
    day = TODAY() - timedelta(days=10)
    with scope(association=[world.a.pk]):
        dup = hs.household_create(
            actor=None, association=world.a, lawful_basis=BASIS, name="Famille MARTIN",
            neighbourhood="Les Tilleuls", address="3 rue des Lilas", allow_duplicate=True,
        )  # fmt: skip
        hs.person_add(actor=None, household=dup, first_name="Karim", relation="reference",
                      lawful_basis=COVERED)  # fmt: skip
        third = hs.household_create(actor=None, association=world.a, lawful_basis=BASIS,
                                    name="Famille Petit")  # fmt: skip
        support.support_case_open(actor=None, household=dup, opened_on=day, reason="Logement")
        group = community.group_create(actor=None, association=world.a, name="Mamans")
        community.group_join(actor=None, group=group, household=dup, start=day)
        community.role_start(actor=None, household=dup, kind="committee_member", start=day)
        community.sponsorship_start(actor=None, household=dup, start=day, sponsor_user=coordinator)
        community.referral_record(actor=None, referrer=dup, referred=third, day=day)
        community.absent_visit_record(actor=None, visitor=dup, visited=third, day=day,
                                      outcome="met")  # fmt: skip
        community.project_propose(actor=None, household=dup, day=day, title="Jardin")
        frontdesk.info_request_record(actor=None, association=world.a, day=day,
                                      channel="phone", household=dup)  # fmt: skip
        activity = world.touchpoint_a.activity
        session = activities.session_create(actor=coordinator, activity=activity, day=day,
                                            start_time=time(14, 0))  # fmt: skip
        # both records were marked present at the same session: one mark survives
        for household in (world.household_a, dup):
            activities.attendance_mark(actor=coordinator, session=session, household=household,
                                       status="present")  # fmt: skip
    world.dup, world.third, world.session = dup, third, session
    return world


def _pointing_at(pk: int) -> dict[str, int]:
    """Rows of every model with a foreign key to Household that point at `pk`."""
    found = {}
    with scopes_disabled():
        for field in household_links():
            count = field.model._base_manager.filter(**{field.name: pk}).count()
            if count:
                found[f"{field.model._meta.label_lower}.{field.name}"] = count
    return found


def test_every_row_moves_and_the_duplicate_is_gone(twins):
    kept, dup = twins.household_a, twins.dup
    before_kept, before_dup = _pointing_at(kept.pk), _pointing_at(dup.pk)
    with scopes_disabled():  # the fixture's hand-written attendance log has no sheet
        orphans_before = orphan_touchpoints(association=twins.a)
    assert {"support.supportcase.household", "community.groupmembership.household",
            "community.communityrole.household", "community.sponsorship.household",
            "community.referral.referrer", "community.absentvisit.visitor",
            "community.projectproposal.household", "frontdesk.inforequest.household",
            "activities.attendance.household", "consent.consentrecord.household",
            "households.person.household", "households.touchpoint.household",
            } <= set(before_dup)  # fmt: skip
    with scope(association=[twins.a.pk]):
        record = household_merge(actor=twins.user(Role.COORDINATOR), kept=kept, merged=dup)
    after_kept = _pointing_at(kept.pk)
    assert _pointing_at(dup.pk) == {}
    with scopes_disabled():
        assert not Household.objects.filter(pk=dup.pk).exists()
    derived = ("journey.", "directory.searchword", "audit.", "worklists.task")  # recomputed
    for key, count in before_dup.items():
        if key.startswith(derived):
            continue
        twins_dropped = 1 if key in ("activities.attendance.household",) else 0
        tp_dropped = 1 if key == "households.touchpoint.household" else 0
        assert after_kept[key] == before_kept.get(key, 0) + count - twins_dropped - tp_dropped, key
    assert record.moved["activities.attendance:twins"] == 1
    with scopes_disabled():
        assert orphan_touchpoints(association=twins.a) == orphans_before
        names = set(Person.objects.filter(household=kept).values_list("first_name", flat=True))
        assert names == {"Amina", "Karim"}
        # the reference person of the duplicate is still there, and one reference at most
        assert Person.objects.filter(household=kept, relation="reference").count() == 1
        # touchpoints naming the duplicate as the other household now name the kept one
        assert not Touchpoint.objects.filter(ref=dup.pk, kind__in=["peer_contact"]).exists()
        kept.refresh_from_db()
        assert kept.address == "3 rue des Lilas"  # a blank field filled from the duplicate


def test_journey_is_recomputed_from_both_histories(twins):
    kept, dup = twins.household_a, twins.dup
    with scopes_disabled():
        before = HouseholdJourney.objects.get(household=kept, audience="all").stage
    with scope(association=[twins.a.pk]):
        household_merge(actor=None, kept=kept, merged=dup)
    with scopes_disabled():
        stored = {j.audience: (j.stage, j.statuses) for j in HouseholdJourney.objects.filter(
            household=kept)}  # fmt: skip
        # a support case came with the duplicate: the full and the public journeys now
        assert set(stored) == {"sensitive", "public"}
        assert stored["sensitive"] != (before, [])
        fresh = journey_refresh(Household.objects.get(pk=kept.pk))
        again = {j.audience: (j.stage, j.statuses) for j in HouseholdJourney.objects.filter(
            household=kept)}  # fmt: skip
    assert again == stored and fresh.household_id == kept.pk


def test_merge_is_audited_and_on_the_kept_households_timeline(twins, client):
    kept, dup = twins.household_a, twins.dup
    coordinator = twins.user(Role.COORDINATOR)
    client.force_login(coordinator)
    url = f"/households/{kept.pk}/merge/"
    compare = client.post(url, {"duplicate": dup.pk}).content.decode()
    assert "Karim" in compare and "3 rue des Lilas" in compare  # both sides shown
    with scopes_disabled():
        assert Household.objects.filter(pk=dup.pk).exists()  # nothing before confirming
    response = client.post(url, {"duplicate": dup.pk, "confirm": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        events = AuditEvent.objects.filter(actor=coordinator, object_type="households.household")
        updates = events.filter(object_id=kept.pk, action="update")
        assert any("merged_from" in e.fields for e in updates)
        assert events.filter(object_id=dup.pk, action="delete", fields=["merged_into"]).exists()
        assert HouseholdMerge.objects.get(household=kept).merged_name == "Famille MARTIN"
    page = client.get(f"/households/{kept.pk}/").content.decode()
    assert "Doublon fusionné" in page and "Famille MARTIN" in page
    assert "Demande d’information" in page  # the duplicate's history
    assert "A participé à une activité" in page  # the kept household's own
    # an old link to the duplicate leads to the kept household
    assert client.get(f"/households/{dup.pk}/")["Location"] == f"/households/{kept.pk}/"


def test_two_open_support_cases_refuse_the_merge_and_nothing_moves(twins):
    kept, dup = twins.household_a, twins.dup
    with scope(association=[twins.a.pk]):
        support.support_case_open(actor=None, household=kept, opened_on=TODAY(), reason="Dettes")
    before = _pointing_at(dup.pk)
    with scope(association=[twins.a.pk]), pytest.raises(ValidationError, match="en cours"):
        household_merge(actor=None, kept=kept, merged=dup)
    assert _pointing_at(dup.pk) == before


def test_households_linked_to_each_other_are_two_families(twins):
    with scope(association=[twins.a.pk]), pytest.raises(ValidationError, match="liées"):
        household_merge(actor=None, kept=twins.dup, merged=twins.third)


def test_only_coordinators_and_administrators_merge(twins, client):
    for role, status in ((Role.SOCIAL_WORKER, 403), (Role.VOLUNTEER, 403), (Role.ADMIN, 200)):
        client.force_login(twins.user(role))
        assert client.get(f"/households/{twins.household_a.pk}/merge/").status_code == status


def test_another_associations_household_cannot_be_merged(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/merge/"
    page = client.post(url, {"duplicate": world.household_b.pk, "confirm": "on"})
    assert page.status_code == 200 and "Famille Durand" not in page.content.decode()
    with scopes_disabled():
        assert Household.objects.filter(pk=world.household_b.pk).exists()
