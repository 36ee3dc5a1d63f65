"""Archiving a household by hand, and restoring it: out of lists and pickers, back again;
the duplicate check still finds an archived family."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.compliance.models import RetentionEvent
from parcours.households import services as hs
from parcours.households.duplicates import DuplicateHousehold
from parcours.households.models import Household
from tests.basis import BASIS
from tests.households.test_fixes import form_values


def _archive(client, world, reason="Déménagé à Lyon"):
    url = f"/households/{world.household_a.pk}/archive/"
    assert client.get(url).status_code == 200
    return client.post(url, {"reason": reason})


def test_archived_household_leaves_lists_and_pickers_and_comes_back(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    pk = world.household_a.pk
    assert _archive(client, world).status_code == 302
    with scopes_disabled():
        h = Household.objects.get(pk=pk)
        assert h.archived_at is not None and h.archived_reason == "by_hand"
        event = RetentionEvent.objects.get(household=h, kind="archived")
        assert event.reason == "Déménagé à Lyon" and event.actor == world.user(Role.COORDINATOR)
    archived = client.get("/households/archived/").content.decode()  # (after the redirect)
    table = archived.split("<table>")[1]
    assert f"#{pk}" in table and "Famille Martin" not in table  # no names listed
    assert "Famille Martin" not in client.get("/households/?q=Martin").content.decode()
    picker = "/households/picker/?field=h&box=id_h&h_search=martin"
    assert "Martin" not in client.get(picker).content.decode()
    assert client.get(f"/households/{pk}/").status_code == 404
    assert client.post(f"/households/{pk}/restore/").status_code == 302
    with scopes_disabled():
        assert Household.objects.get(pk=pk).archived_at is None
        actions = AuditEvent.objects.filter(object_type="households.household", object_id=pk,
                                            fields=["archived_at"]).count()  # fmt: skip
    assert actions == 2  # archived, then restored
    assert client.get(f"/households/{pk}/").status_code == 200
    assert "Martin" in client.get(picker).content.decode()


def test_social_worker_and_volunteer_cannot_archive(world, client):
    for role in (Role.SOCIAL_WORKER, Role.VOLUNTEER):
        client.force_login(world.user(role))
        url = f"/households/{world.household_a.pk}/archive/"
        assert client.post(url, {"reason": ""}).status_code == 403
    with scopes_disabled():
        assert Household.objects.get(pk=world.household_a.pk).archived_at is None


def test_retention_archive_is_restored_by_administrators_only(world, client):
    from django.utils import timezone

    from parcours.compliance.services import archive_write

    with scopes_disabled():
        archive_write(world.household_a, now=timezone.now())
    url = f"/households/{world.household_a.pk}/restore/"
    client.force_login(world.user(Role.COORDINATOR))
    assert client.post(url).status_code == 404
    client.force_login(world.user(Role.ADMIN))
    assert client.post(url).status_code == 302


def test_duplicate_check_finds_an_archived_family(world):
    from parcours.directory.services import household_archive

    with scope(association=[world.a.pk]):
        household_archive(actor=None, household=world.household_a)
        with pytest.raises(DuplicateHousehold) as dup:
            hs.household_create(actor=None, association=world.a, lawful_basis=BASIS,
                                name="famille martin", neighbourhood="Les Tilleuls")  # fmt: skip
    assert [m.household.pk for m in dup.value.matches] == [world.household_a.pk]
    assert dup.value.matches[0].archived


def test_archived_duplicate_is_shown_without_its_details(world, client):
    from parcours.directory.services import household_archive

    with scope(association=[world.a.pk]):
        household_archive(actor=None, household=world.household_a)
    client.force_login(world.user(Role.COORDINATOR))
    values = form_values(client.get("/households/new/").content.decode())
    values.update(name=["Famille Martin"], neighbourhood=["Les Tilleuls"], purposes=["follow_up"])
    page = client.post("/households/new/", values)
    html = page.content.decode()
    assert f"n° {world.household_a.pk}" in html
    assert "0601020304" not in html  # the archived family's phone stays in the archive
