"""The family list: its columns, filters, sort and paging kept in the URL, as each role may
learn them (parcours.familylist)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.households import services
from tests.basis import BASIS
from tests.familylist.families import build_families

URL = reverse("households:list")


@pytest.fixture
def fam(world):
    return build_families(world)


def names(response) -> list[str]:
    return [row.household.name for row in response.context["rows"]]


def row(response, name):
    return next(r for r in response.context["rows"] if r.household.name == name)


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_columns_stage_status_sponsor_and_last_contact_from_the_family(client, world, fam):
    r = get(client, world.user("coordinator"))
    assert r.status_code == 200
    assert names(r) == ["=Famille Gamma", "Famille Alpha", "Famille Beta", "Famille Martin"]
    alpha = row(r, "Famille Alpha")
    assert alpha.sponsor == "Valérie Bénévole"
    assert alpha.stage  # placed by its attendance
    assert alpha.last_contact == timezone.localdate() - timedelta(days=4)  # joined a group
    assert "Accompagnée" in row(r, "=Famille Gamma").statuses
    html = r.content.decode()
    for header in ("Étape", "Statut", "Parrain ou marraine", "Dernier contact de la famille"):
        assert header in html


def test_a_newsletter_is_no_contact_from_the_family(client, world, fam):
    r = get(client, world.user("coordinator"))
    assert row(r, "Famille Beta").last_contact is None
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    r = get(client, world.user("coordinator"), no_contact_since=since)
    assert names(r) == ["Famille Beta", "Famille Martin"]  # Gamma's support case is a contact


def test_a_volunteer_sees_the_public_view_and_cannot_filter_on_support(client, world, fam):
    volunteer = world.user("volunteer")
    r = get(client, volunteer)
    gamma = row(r, "=Famille Gamma")
    assert "Accompagnée" not in gamma.statuses
    assert gamma.last_contact == timezone.localdate() - timedelta(days=390)  # not the case
    assert b"in_support" not in r.content and "Accompagnée" not in r.content.decode()
    r = get(client, volunteer, status="in_support")
    assert r.status_code == 200
    assert "Statut : choisissez l’une des valeurs proposées." in r.content.decode()
    assert len(names(r)) == 4  # not filtered, and nothing told
    r = get(client, volunteer, status="in_support", neighbourhood="Gare")
    assert names(r) == ["Famille Beta"]  # the valid filters still apply
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert "=Famille Gamma" in names(get(client, volunteer, no_contact_since=since))


def test_filters_combine(client, world, fam):
    coordinator = world.user("coordinator")
    assert names(get(client, coordinator, neighbourhood="Centre")) == [
        "=Famille Gamma",
        "Famille Alpha",
    ]
    assert names(get(client, coordinator, neighbourhood="Centre", activity=fam.cafe.pk)) == [
        "Famille Alpha"
    ]
    assert names(get(client, coordinator, activity=fam.cafe.pk)) == [
        "Famille Alpha",
        "Famille Martin",
    ]
    assert names(get(client, coordinator, group=fam.group.pk)) == ["Famille Alpha"]
    assert names(get(client, coordinator, sponsor=f"u{fam.sponsor.pk}")) == ["Famille Alpha"]
    assert "Famille Alpha" not in names(get(client, coordinator, sponsor="none"))
    assert names(get(client, coordinator, status="in_support")) == ["=Famille Gamma"]
    assert names(get(client, coordinator, status="in_support", neighbourhood="Gare")) == []
    assert names(get(client, coordinator, q="alpha")) == ["Famille Alpha"]
    assert names(get(client, coordinator, q="Amina")) == ["Famille Martin"]  # a member


def test_stage_filter_reads_the_journey_definition_keys(client, world, fam):
    coordinator = world.user("coordinator")
    r = get(client, coordinator)
    by_stage = {}
    for household in r.context["page"].object_list:
        by_stage.setdefault(household.stage_key, []).append(household.name)
    for key, expected in by_stage.items():
        if key:
            assert names(get(client, coordinator, stage=key)) == expected
    assert "Famille Beta" not in [n for k, v in by_stage.items() if k for n in v]


def test_sort(client, world, fam):
    coordinator = world.user("coordinator")
    assert names(get(client, coordinator, sort="-name"))[0] == "Famille Martin"
    newest = names(get(client, coordinator, sort="-last_contact"))
    assert newest[:2] == ["Famille Alpha", "=Famille Gamma"] and newest[-1] == "Famille Beta"
    oldest = names(get(client, coordinator, sort="last_contact"))
    assert oldest[0] == "Famille Beta"  # never contacted is the oldest
    staged = get(client, coordinator, sort="stage")
    orders = [
        h.stage_order for h in staged.context["page"].object_list if h.stage_order is not None
    ]
    assert orders == sorted(orders)


def test_bad_parameters_are_named_never_a_server_error(client, world, fam):
    coordinator = world.user("coordinator")
    for params, message in (
        ({"stage": "nowhere"}, "Étape : choisissez l’une des valeurs proposées."),
        ({"sort": "password"}, "Trier par : choisissez l’une des valeurs proposées."),
        ({"activity": "99999999999999999999999"}, "Activité : choisissez"),
        ({"group": "abc"}, "Groupe de familles : choisissez"),
        ({"no_contact_since": "2026-13-45"}, "Pas de contact de la famille depuis : saisissez"),
        ({"no_contact_since": "1066-10-14"}, "Pas de contact de la famille depuis : saisissez"),
        ({"sponsor": "u0"}, "Parrain ou marraine : choisissez"),
        ({"page": "-3"}, ""),
        ({"page": "99999999999999999999"}, ""),
    ):
        r = get(client, coordinator, **params)
        assert r.status_code == 200, params
        assert message in r.content.decode(), params


def test_an_activity_of_another_association_is_not_a_choice(client, world, fam):
    from parcours.activities.models import Activity

    with scopes_disabled():
        other = Activity.objects.create(association=world.b, name="Autre", category="activity")
    r = get(client, world.user("coordinator"), activity=other.pk)
    assert "Activité : choisissez l’une des valeurs proposées." in r.content.decode()


def test_url_round_trip(client, world, fam):
    coordinator = world.user("coordinator")
    client.force_login(coordinator)
    day = timezone.localdate() + timedelta(days=1)
    short = f"neighbourhood=Centre&no_contact_since={day.isoformat()}&sort=-name"
    # A form sent without JavaScript carries its empty fields: the browser goes to the short URL.
    r = client.get(
        URL,
        {
            "q": "",
            "stage": "",
            "neighbourhood": "Centre",
            "sort": "-name",
            "no_contact_since": day.strftime("%d/%m/%Y"),
            "page": "1",
        },
    )
    assert r.status_code == 302
    assert r["Location"] == f"{URL}?{short}"
    r = client.get(r["Location"])
    assert r.context["form"]["neighbourhood"].value() == "Centre"
    assert r.context["form"]["sort"].value() == "-name"
    assert r.context["query"] == short
    assert names(r) == ["Famille Alpha", "=Famille Gamma"]
    html = r.content.decode()
    assert f'href="/exports/households/?{short.replace("&", "&amp;")}&amp;format=csv"' in html
    # htmx gets the fragment and the short URL to show.
    r = client.get(
        URL,
        {"q": "", "neighbourhood": "Centre"},
        headers={"HX-Request": "true", "HX-Target": "household-results"},
    )
    assert r.status_code == 200
    assert r["HX-Push-Url"] == f"{URL}?neighbourhood=Centre"
    assert b"<html" not in r.content


@pytest.fixture
def many(world, fam):
    with scopes_disabled():
        for i in range(60):
            services.household_create(
                lawful_basis=BASIS,
                actor=None,
                association=world.a,
                name=f"Famille N{i:03d}",
                neighbourhood="Nord",
            )


def test_paging_keeps_the_filters(client, world, many):
    coordinator = world.user("coordinator")
    r = get(client, coordinator, neighbourhood="Nord", sort="-name", page=2)
    assert r.context["page"].paginator.count == 60
    assert names(r)[0] == "Famille N034" and len(names(r)) == 25
    assert "?neighbourhood=Nord&amp;sort=-name&amp;page=3" in r.content.decode()
    last = get(client, coordinator, neighbourhood="Nord", sort="-name", page=3)
    assert names(last)[-1] == "Famille N000" and len(names(last)) == 10


@pytest.mark.parametrize("role", ["coordinator", "volunteer"])
def test_query_count_does_not_grow_with_the_households(
    client, world, many, role, django_assert_max_num_queries
):
    user = world.user(role)
    client.force_login(user)
    client.get(URL)  # session and caches warm
    with django_assert_max_num_queries(16):
        r = client.get(URL, {"sort": "last_contact", "no_contact_since": "2026-01-01"})
    assert len(names(r)) == 25
