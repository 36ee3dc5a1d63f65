"""Activity types and contact channels are the association's own: forms and services use them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.activities import services as activities
from parcours.activities.models import Activity
from parcours.association_settings import selectors, services
from parcours.association_settings.models import ActivityType, ContactChannel
from parcours.outreach import services as outreach
from parcours.outreach.models import OutreachAction


def _entry(model, association, key):
    with scopes_disabled():
        return model.objects.get(association=association, key=key)


def test_new_associations_start_with_the_shipped_lists(world):
    assert [k for k, _l in selectors.activity_type_choices(world.a)] == [
        "listening", "sharing", "activity", "training", "participation",
    ]  # fmt: skip
    assert dict(selectors.contact_channel_choices(world.b))["militant"] == "Action militante"


def test_admin_adds_an_activity_type_offered_only_to_its_association(world, client):
    client.force_login(world.user(Role.ADMIN))
    response = client.post("/settings/activity-types/add/", {"activity_type-label": "Cuisine"})
    assert response.status_code == 302
    cooking = _entry(ActivityType, world.a, "cuisine")
    assert cooking.display == "Cuisine"
    client.force_login(world.user(Role.COORDINATOR))
    form = client.get("/activities/new/").content.decode()
    assert '<option value="cuisine">Cuisine</option>' in form
    response = client.post("/activities/new/", {"name": "Atelier", "category": "cuisine"})
    assert response.status_code == 302
    with scopes_disabled():
        activity = Activity.objects.get(association=world.a, name="Atelier")
    assert activity.category == "cuisine"
    assert "Cuisine" in client.get("/activities/").content.decode()
    # association B has no such type: its form does not offer it, its service refuses it
    client.force_login(world.user(Role.COORDINATOR, "b"))
    assert "cuisine" not in client.get("/activities/new/").content.decode()
    with pytest.raises(ValidationError, match="types d'activité de l'association"):
        activities.activity_create(actor=None, association=world.b, name="X", category="cuisine")


def test_renaming_and_withdrawing_an_activity_type(world, client):
    sharing = _entry(ActivityType, world.a, "sharing")
    client.force_login(world.user(Role.ADMIN))
    response = client.post(
        f"/settings/activity-types/{sharing.pk}/", {"activity_type-label": "Café partage"}
    )
    assert response.status_code == 302
    client.force_login(world.user(Role.COORDINATOR))
    # the world's activity has the 'sharing' category: it shows the new label
    assert "Café partage" in client.get("/activities/").content.decode()
    # no longer offered (the box unticked): new activities cannot take it, existing keep it
    client.force_login(world.user(Role.ADMIN))
    client.post(f"/settings/activity-types/{sharing.pk}/", {"activity_type-label": "Café partage"})
    assert not _entry(ActivityType, world.a, "sharing").active
    with pytest.raises(ValidationError):
        activities.activity_create(actor=None, association=world.a, name="Y", category="sharing")
    with scopes_disabled():
        existing = Activity.objects.filter(association=world.a, category="sharing").first()
    client.force_login(world.user(Role.COORDINATOR))
    edit = client.get(f"/activities/{existing.pk}/edit/").content.decode()
    assert '<option value="sharing" selected>Café partage</option>' in edit
    activities.activity_update(actor=None, activity=existing, name="Renamed", category="sharing")
    # back to the shipped name, translated again
    client.force_login(world.user(Role.ADMIN))
    client.post(
        f"/settings/activity-types/{sharing.pk}/",
        {"activity_type-label": "Partage", "activity_type-active": "on"},
    )
    entry = _entry(ActivityType, world.a, "sharing")
    assert (entry.label, entry.active) == ("", True)


def test_duplicate_and_empty_labels_are_refused(world, client):
    client.force_login(world.user(Role.ADMIN))
    for taken in ("Porte-à-porte", "door to door"):  # the shipped name, in either language
        response = client.post("/settings/contact-channels/add/", {"contact_channel-label": taken})
        assert response.status_code == 200
        assert "déjà dans la liste" in response.content.decode()
    response = client.post("/settings/contact-channels/add/", {"contact_channel-label": ""})
    assert response.status_code == 200 and "Libellé" in response.content.decode()


def test_outreach_actions_use_the_association_channels(world, client):
    services.list_entry_add(
        actor=None, model=ContactChannel, association=world.a, label="Marché du samedi"
    )
    services.neighbourhood_add(actor=None, association=world.a, name="Fives", priority=True)
    client.force_login(world.user(Role.VOLUNTEER))
    form = client.get("/outreach/new/").content.decode()
    assert ">Marché du samedi</option>" in form and ">Fives</option>" in form
    response = client.post(
        "/outreach/new/",
        {"day": date.today().isoformat(), "place": "Place du marché", "channel": "marche_du_samedi",
         "neighbourhood": "Fives"},
    )  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        action = OutreachAction.objects.get(association=world.a, place="Place du marché")
    assert (action.channel, action.neighbourhood) == ("marche_du_samedi", "Fives")
    assert "Marché du samedi" in client.get("/outreach/").content.decode()
    with pytest.raises(ValidationError, match="canaux de contact"):
        outreach.action_create(
            actor=None, association=world.b, day=date.today(), place="P", channel="marche_du_samedi"
        )


def test_every_list_change_is_audited(world):
    entry = services.list_entry_add(
        actor=world.user(Role.ADMIN), model=ActivityType, association=world.a, label="Sport"
    )
    services.list_entry_update(
        actor=world.user(Role.ADMIN), entry=entry, label="Sport collectif", active=False
    )
    from parcours.audit.models import AuditEvent

    with scopes_disabled():
        events = list(
            AuditEvent.objects.filter(object_type="association_settings.activitytype")
            .order_by("id")
            .values_list("action", "fields", "actor__username")
        )
    assert events == [
        ("create", ["label"], "admin-a"),
        ("update", ["active", "label"], "admin-a"),
    ]
