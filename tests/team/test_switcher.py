"""Several associations per person: the switcher keeps the chosen one in the session, and the
scope middleware uses it only among the person's active memberships (isolation holds)."""

from __future__ import annotations

import pytest
from django.test import Client

from parcours.accounts.middleware import SESSION_ASSOCIATION
from parcours.accounts.models import Association, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_in_two(world):
    """A's coordinator, also a volunteer of B."""
    person = world.user("coordinator")
    Membership.objects.create(user=person, association=world.b, role="volunteer")
    return person


def households(client) -> str:
    return client.get("/households/").content.decode()


def test_the_switcher_shows_only_with_several_associations(world, login, person_in_two):
    page = login(person_in_two).get("/").content.decode()
    assert 'id="association-switch"' in page
    assert "Association A" in page and "Association B" in page
    alone = login(world.user("volunteer")).get("/").content.decode()
    assert 'id="association-switch"' not in alone


def test_switching_changes_the_scope_and_the_role(world, login, person_in_two):
    client = login(person_in_two)
    assert "Famille Martin" in households(client) and "Famille Durand" not in households(client)
    response = client.post("/association/switch/", {"association": world.b.pk})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_ASSOCIATION] == world.b.pk
    text = households(client)
    assert "Famille Durand" in text and "Famille Martin" not in text
    # a volunteer in B: no sensitive pages there
    assert client.get("/support/").status_code == 403
    assert client.get(f"/households/{world.household_a.pk}/").status_code == 404


def test_an_association_one_does_not_belong_to_is_refused(world, login):
    client = login(world.user("coordinator"))
    other = Association.objects.create(name="Association C", slug="c")
    client.post("/association/switch/", {"association": other.pk})
    assert SESSION_ASSOCIATION not in client.session
    assert "Famille Martin" in households(client)
    client.post("/association/switch/", {"association": world.b.pk})
    assert "Famille Durand" not in households(client)


def test_a_session_value_outside_the_active_memberships_is_ignored(world, login, person_in_two):
    client = login(person_in_two)
    session = client.session
    session[SESSION_ASSOCIATION] = world.b.pk
    session.save()
    assert "Famille Durand" in households(client)
    Membership.objects.filter(user=person_in_two, association=world.b).update(is_active=False)
    text = households(client)  # B's membership ended: back to A, nothing of B
    assert "Famille Martin" in text and "Famille Durand" not in text
    session = client.session
    session[SESSION_ASSOCIATION] = 999_999  # forged or stale
    session.save()
    assert "Famille Martin" in households(client)


def test_a_person_without_active_membership_sees_nothing(world, login):
    person = world.user("coordinator")
    Membership.objects.filter(user=person).update(is_active=False)
    client = Client()
    client.force_login(person)
    assert client.get("/").status_code == 403
    assert client.get("/households/").status_code == 403
