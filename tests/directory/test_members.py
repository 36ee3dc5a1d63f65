"""Members: edited and removed, relations to one reference person, and the migration's mapping."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.households import services as hs
from parcours.households.models import Person
from tests.basis import BASIS, COVERED


def _add(household, first_name, relation, **kw):
    with scopes_disabled():
        return hs.person_add(actor=None, household=household, first_name=first_name,
                             relation=relation, lawful_basis=COVERED, **kw)  # fmt: skip


def test_one_reference_person_per_household(world):
    _add(world.household_a, "Karim", "reference")
    with scopes_disabled(), pytest.raises(ValidationError) as err:
        hs.person_add(actor=None, household=world.household_a, first_name="Lina",
                      relation="reference", lawful_basis=COVERED)  # fmt: skip
    assert "Karim" in str(err.value)
    with scopes_disabled():
        assert Person.objects.filter(first_name="Lina").count() == 0


def test_member_edited_through_the_page_and_audited(world, client):
    client.force_login(world.user(Role.SOCIAL_WORKER))
    amina = world.person_a
    url = f"/households/{world.household_a.pk}/persons/{amina.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"first_name": "Amina", "last_name": "Benali",
                                 "birth_year": "1988", "relation": "spouse"})  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        amina.refresh_from_db()
        event = AuditEvent.objects.filter(object_type="households.person", object_id=amina.pk,
                                          action="update").get()  # fmt: skip
    assert (amina.last_name, amina.birth_year, amina.relation) == ("Benali", 1988, "spouse")
    assert event.fields == ["birth_year", "last_name", "relation"]


def test_sex_is_optional_not_stated_by_default_and_editable(world, client):
    karim = _add(world.household_a, "Karim", "spouse")
    assert karim.sex == Person.Sex.NOT_STATED
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/persons/{karim.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'name="sex"' in page and "Non renseigné" in page
    response = client.post(url, {"first_name": "Karim", "relation": "spouse", "sex": "male"})
    assert response.status_code == 302
    with scopes_disabled():
        karim.refresh_from_db()
        event = AuditEvent.objects.filter(object_type="households.person", object_id=karim.pk,
                                          action="update").get()  # fmt: skip
    assert karim.sex == "male" and event.fields == ["sex"]
    page = client.post(url, {"first_name": "Karim", "relation": "spouse", "sex": "unsure"})
    assert page.status_code == 200
    with scopes_disabled():
        assert Person.objects.get(pk=karim.pk).sex == "male"


def test_edit_refuses_a_second_reference_person_naming_the_first(world, client):
    _add(world.household_a, "Karim", "reference")
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/persons/{world.person_a.pk}/edit/"
    page = client.post(url, {"first_name": "Amina", "relation": "reference"}).content.decode()
    assert "Karim" in page and "personne de référence" in page
    with scopes_disabled():
        assert Person.objects.get(pk=world.person_a.pk).relation == "parent"


def test_member_without_records_is_removed_and_the_household_keeps_its_history(world, client):
    child = _add(world.household_a, "Sami", "child")
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/persons/{child.pk}/remove/"
    assert "Sami" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert not Person.objects.filter(pk=child.pk).exists()
        assert world.household_a.touchpoints.count() == 1  # the attendance stays
        assert AuditEvent.objects.filter(object_id=child.pk, action="delete",
                                         object_type="households.person").exists()  # fmt: skip


def test_member_with_own_consent_is_not_removed_but_sent_to_erasure(world, client):
    with scopes_disabled():
        teen = hs.person_add(actor=None, household=world.household_a, first_name="Moussa",
                             relation="child", lawful_basis=BASIS)  # fmt: skip
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/persons/{teen.pk}/remove/"
    page = client.get(url).content.decode()
    assert "/privacy/" in page  # the erasure page, which anonymises
    response = client.post(url)
    assert response.status_code == 200
    with scopes_disabled():
        assert Person.objects.filter(pk=teen.pk).exists()
    with scopes_disabled(), pytest.raises(ValidationError, match="enregistrements de consentement"):
        hs.person_remove(actor=None, person=teen)


def test_another_associations_member_is_not_found(world, client):
    client.force_login(world.user(Role.COORDINATOR, "b"))
    url = f"/households/{world.household_a.pk}/persons/{world.person_a.pk}/edit/"
    assert client.get(url).status_code == 404


def test_a_member_is_edited_only_on_its_own_household_page(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    with scope(association=[world.a.pk]):
        other = hs.household_create(actor=None, association=world.a, lawful_basis=BASIS,
                                    name="Famille Autre")  # fmt: skip
    url = f"/households/{other.pk}/persons/{world.person_a.pk}/edit/"
    assert client.get(url).status_code == 404


MIGRATION = importlib.import_module(
    "parcours.households.migrations.0005_person_relations_reference"
)


@pytest.mark.parametrize(
    "before,after",
    [
        # contact parent, other parent, two children, grandparent
        (
            [
                ("parent", True),
                ("parent", False),
                ("child", False),
                ("child", False),
                ("grandparent", False),
            ],
            ["reference", "spouse", "child", "child", "parent"],
        ),
        # no contact: the eldest parent is the reference (birth years below)
        ([("child", False), ("parent", False)], ["child", "reference"]),
        # children alone: the first is the reference, the others are siblings
        ([("child", False), ("child", False), ("other", False)], ["reference", "sibling", "other"]),
    ],
)
def test_migration_places_members_relative_to_a_reference_person(world, before, after):
    from django.apps import apps

    with scopes_disabled():
        Person.objects.all().delete()
        rows = [
            Person.objects.create(
                association=world.a,
                household=world.household_a,
                first_name=f"P{i}",
                relation=rel,
                is_contact=contact,
                birth_year=1980 + i,
            )  # fmt: skip
            for i, (rel, contact) in enumerate(before)
        ]
        # the constraint is in place: put the old values back as they were before 0005
        MIGRATION.place_relative_to_reference(apps, None)
        assert [Person.objects.get(pk=p.pk).relation for p in rows] == after


def test_member_unticked_at_a_session_stays(world):
    """The sheet says who of the household did not come: removing that member would make the
    past counts say they came; the removal is refused (erasure keeps the row, anonymised)."""
    from parcours.activities.models import Attendance, Session

    child = _add(world.household_a, "Sami", "child")
    with scopes_disabled():
        session = Session.objects.create(association=world.a, day=world.touchpoint_a.day,
                                         activity=world.touchpoint_a.activity,
                                         start_time="14:00")  # fmt: skip
        row = Attendance.objects.create(association=world.a, session=session,
                                        household=world.household_a, status="present",
                                        intent_at=timezone.now())  # fmt: skip
        row.absent_persons.add(child)
        with pytest.raises(ValidationError):
            hs.person_remove(actor=None, person=child)
        assert row.absent_persons.filter(pk=child.pk).exists()
        assert hs.person_records(child) == [str(Attendance._meta.verbose_name_plural)]
