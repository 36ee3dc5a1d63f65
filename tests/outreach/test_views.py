from __future__ import annotations

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.households.models import Household, Touchpoint
from parcours.outreach import services
from parcours.outreach.models import OutreachAction, OutreachContact

TODAY = timezone.localdate


def _action(world, which="a"):
    with scopes_disabled():
        return services.action_create(
            actor=None, association=world.a if which == "a" else world.b, day=TODAY(),
            place="Marché", channel="door_to_door", neighbourhood="Les Tilleuls",
        )  # fmt: skip


def test_volunteer_records_an_action_then_a_new_household(world, login):
    client = login(world.user("volunteer"))
    r = client.post(
        "/outreach/new/",
        {"day": TODAY().isoformat(), "place": "Place du marché", "channel": "street_stand",
         "team": [world.user("volunteer").pk]},
    )  # fmt: skip
    assert r.status_code == 302
    with scopes_disabled():
        action = OutreachAction.objects.get()
    r = client.post(
        f"/outreach/{action.pk}/reached/",
        {"name": "Famille Diallo", "neighbourhood": "Les Tilleuls", "phone": "0700000000",
         "purposes": "follow_up", "consent_day": TODAY().isoformat()},
    )  # fmt: skip
    assert r.status_code == 302
    with scopes_disabled():
        contact = OutreachContact.objects.get()
        assert contact.household.name == "Famille Diallo"
        assert contact.touchpoint.kind == "outreach_contact"


def test_bad_action_form_names_the_fields_and_stores_nothing(world, login):
    client = login(world.user("volunteer"))
    future = (TODAY() + timezone.timedelta(days=3)).isoformat()
    r = client.post("/outreach/new/", {"day": future, "place": "", "channel": "nope"})
    assert r.status_code == 200
    form = r.context["form"]
    assert set(form.errors) >= {"place", "channel"}
    with scopes_disabled():
        assert not OutreachAction.objects.exists()
    r = client.post("/outreach/new/", {"day": future, "place": "X", "channel": "partner"})
    assert "day" in r.context["form"].errors
    assert "futur" in r.content.decode()  # French by default


def test_quick_add_duplicate_is_proposed_then_linked(world, login):
    action = _action(world)
    client = login(world.user("volunteer"))
    data = {"name": "famille martin", "neighbourhood": "Les Tilleuls",
            "purposes": "follow_up", "consent_day": TODAY().isoformat()}  # fmt: skip
    r = client.post(f"/outreach/{action.pk}/reached/", data)
    assert r.status_code == 200
    assert [m.household for m in r.context["matches"]] == [world.household_a]
    with scopes_disabled():
        assert Household.objects.filter(association=world.a).count() == 1
    # "It is this family": the existing household is linked, no twin created
    r = client.post(f"/outreach/{action.pk}/reached/", data | {"household": world.household_a.pk})
    assert r.status_code == 302
    with scopes_disabled():
        assert Household.objects.filter(association=world.a).count() == 1
        assert OutreachContact.objects.get().household == world.household_a


def test_quick_add_bad_input_names_fields(world, login):
    action = _action(world)
    client = login(world.user("volunteer"))
    r = client.post(f"/outreach/{action.pk}/reached/", {"name": "", "phone": "x"})
    assert set(r.context["form"].errors) >= {"name", "purposes", "consent_day"}
    with scopes_disabled():
        assert not OutreachContact.objects.exists()


def test_linking_another_associations_household_is_not_found(world, login):
    action = _action(world)
    client = login(world.user("volunteer"))
    r = client.post(f"/outreach/{action.pk}/reached/", {"household": world.household_b.pk})
    assert r.status_code == 404
    with scopes_disabled():
        assert not Touchpoint.objects.filter(kind="outreach_contact").exists()


def test_list_page_query_count(world, login, django_assert_max_num_queries):
    for _ in range(5):
        action = _action(world)
        with scope(association=[world.a.pk]):
            services.contact_record(actor=None, action=action, household=world.household_a)
            action.team.set([world.user("volunteer"), world.user("coordinator")])
    client = login(world.user("coordinator"))
    with django_assert_max_num_queries(10):
        r = client.get("/outreach/")
    assert r.status_code == 200 and len(r.context["page"].object_list) == 5


def test_household_page_shows_the_actions_that_reached_it(world, login):
    action = _action(world)
    with scope(association=[world.a.pk]):
        services.contact_record(actor=None, action=action, household=world.household_a)
    r = login(world.user("volunteer")).get(f"/households/{world.household_a.pk}/")
    assert f"/outreach/{action.pk}/".encode() in r.content
