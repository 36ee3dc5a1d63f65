"""The association settings page: name, language, vocabulary, time zone, logo, lists; audited."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from parcours.accounts.models import Association
from parcours.accounts.roles import Role
from parcours.association_settings import selectors, services
from parcours.association_settings.models import ActivityType, ContactChannel, Neighbourhood
from parcours.audit.models import AuditEvent
from parcours.households.models import Household
from tests.association_settings.factories import png_bytes

PAGE = "/settings/"


def _events(association, object_type):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(association=association, object_type=object_type)
            .order_by("id")
            .values_list("action", "fields")
        )


def _admin(client, world, which="a"):
    client.force_login(world.user(Role.ADMIN, which))
    return client


def test_admin_changes_name_language_vocabulary_time_zone(world, client):
    _admin(client, world)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Paramètres de l'association" in page.content.decode()
    response = client.post(
        PAGE,
        {
            "name": "Familles Solidaires",
            "default_language": "en",
            "vocabulary": "customer",
            "time_zone": "America/Martinique",
        },
    )
    assert response.status_code == 302
    a = Association.objects.get(pk=world.a.pk)
    assert (a.name, a.default_language, a.vocabulary, a.time_zone) == (
        "Familles Solidaires", "en", "customer", "America/Martinique",
    )  # fmt: skip
    assert _events(a, "accounts.association") == [
        ("update", ["default_language", "name", "time_zone", "vocabulary"])
    ]
    # the other association is untouched
    assert Association.objects.get(pk=world.b.pk).vocabulary == "beneficiary"


def test_bad_values_are_refused_naming_the_field_in_french(world, client):
    _admin(client, world)
    response = client.post(
        PAGE, {"name": "", "default_language": "de", "vocabulary": "x", "time_zone": "Mars/Base"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Rien n'a été enregistré" in text or "Rien n’a été enregistré" in text
    for label in ("Nom de l'association", "Langue par défaut", "Vocabulaire", "Fuseau horaire"):
        assert label.replace("'", "&#x27;") in text or label in text
    assert Association.objects.get(pk=world.a.pk).name == "Association A"
    with pytest.raises(Exception, match="Mars/Base"):
        services.association_update(actor=None, association=world.a, time_zone="Mars/Base")


def test_members_without_the_language_choice_read_the_default_language(world, client):
    services.association_update(actor=None, association=world.a, default_language="en")
    client.force_login(world.user(Role.VOLUNTEER))
    assert 'lang="en"' in client.get("/households/").content.decode()
    client.cookies["django_language"] = "fr"  # the member chose French
    assert 'lang="fr"' in client.get("/households/").content.decode()
    client.cookies.pop("django_language")
    client.force_login(world.user(Role.VOLUNTEER, "b"))  # B keeps French
    assert 'lang="fr"' in client.get("/households/").content.decode()


# --- logo -----------------------------------------------------------------------------------


def _upload(data: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_logo_is_uploaded_shown_in_the_header_and_served_only_to_members(world, client):
    _admin(client, world)
    response = client.post("/settings/logo/", {"logo-logo": _upload(png_bytes((300, 100)))})
    assert response.status_code == 302
    url = f"/settings/logo/{world.a.pk}/"
    client.force_login(world.user(Role.VOLUNTEER))
    home = client.get("/").content.decode()
    assert f'src="{url}?v=' in home
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (300, 100)
    client.force_login(world.user(Role.VOLUNTEER, "b"))
    assert client.get(url).status_code == 404
    assert f'src="{url}' not in client.get("/").content.decode()
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    assert _events(world.a, "accounts.association") == [("update", ["logo"])]


def test_logo_is_re_encoded_without_its_metadata(world):
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, format="JPEG", comment=b"secret place")
    out.write(b"<script>trailing payload</script>")
    logo = services.logo_set(actor=None, association=world.a, upload=_upload(out.getvalue()))
    data = bytes(logo.image)
    assert data.startswith(b"\x89PNG") and b"secret" not in data and b"script" not in data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "n'est pas une image lisible"),
        (b"not an image at all", "n'est pas une image lisible"),
        ("gif", "PNG, JPEG ou WebP"),
        ("huge-side", "au plus 2000"),
        ("heavy", "au plus 512"),
    ],
)
def test_bad_logos_are_refused_with_the_reason(world, client, data, reason):
    if data == "gif":
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, format="GIF")
        data = out.getvalue()
    elif data == "huge-side":
        data = png_bytes((2500, 10))
    elif data == "heavy":
        data = b"\x89PNG" + b"\0" * (600 * 1024)
    _admin(client, world)
    response = client.post("/settings/logo/", {"logo-logo": _upload(data)})
    assert response.status_code == 200
    text = response.content.decode().replace("&#x27;", "'")
    assert "Logo : " in text and reason in text
    assert selectors.association_logo(world.a) is None


def test_logo_removed(world, client):
    services.logo_set(actor=None, association=world.a, upload=_upload(png_bytes()))
    _admin(client, world)
    assert client.post("/settings/logo/remove/").status_code == 302
    assert selectors.association_logo(world.a) is None
    assert client.get(f"/settings/logo/{world.a.pk}/").status_code == 404


# --- neighbourhoods -------------------------------------------------------------------------


def test_neighbourhoods_added_flagged_renamed_with_their_households(world, client):
    # the households' neighbourhoods are in the list from the start, unflagged
    assert list(selectors.neighbourhoods(world.a).values_list("name", "priority")) == [
        ("Les Tilleuls", False)
    ]
    _admin(client, world)
    response = client.post(
        "/settings/neighbourhoods/add/",
        {"neighbourhood-name": "Fives", "neighbourhood-priority": "on"},
    )
    assert response.status_code == 302
    assert selectors.priority_neighbourhoods(world.a) == {"Fives"}
    assert selectors.priority_neighbourhoods(world.b) == frozenset()
    # a duplicate is refused, naming the field
    again = client.post("/settings/neighbourhoods/add/", {"neighbourhood-name": "Les Tilleuls"})
    assert again.status_code == 200 and "déjà dans la liste" in again.content.decode()
    n = Neighbourhood.objects.with_scopes_disabled().get(association=world.a, name="Les Tilleuls")
    # flagged and renamed: the household placed in it follows
    response = client.post(
        f"/settings/neighbourhoods/{n.pk}/",
        {"neighbourhood-name": "Tilleuls-Nord", "neighbourhood-priority": "on"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Household.objects.get(pk=world.household_a.pk).neighbourhood == "Tilleuls-Nord"
    assert selectors.priority_neighbourhoods(world.a) == {"Fives", "Tilleuls-Nord"}
    from parcours.analytics.selectors import priority_neighbourhoods as read_by_the_reports

    assert read_by_the_reports(association=world.a) == {"Fives", "Tilleuls-Nord"}
    # the flag is lifted
    client.post(f"/settings/neighbourhoods/{n.pk}/", {"neighbourhood-name": "Tilleuls-Nord"})
    assert selectors.priority_neighbourhoods(world.a) == {"Fives"}
    # a neighbourhood with households cannot be removed; an empty one can
    client.post(f"/settings/neighbourhoods/{n.pk}/delete/")
    assert Neighbourhood.objects.with_scopes_disabled().filter(pk=n.pk).exists()
    empty = services.neighbourhood_add(actor=None, association=world.a, name="Typo")
    client.post(f"/settings/neighbourhoods/{empty.pk}/delete/")
    assert not Neighbourhood.objects.with_scopes_disabled().filter(pk=empty.pk).exists()
    assert [a for a, _f in _events(world.a, "association_settings.neighbourhood")] == [
        "create", "update", "update", "create", "delete",
    ]  # fmt: skip


def test_a_household_neighbourhood_missing_from_the_list_is_added_to_it(world):
    from parcours.households import services as households
    from tests.basis import BASIS

    with scopes_disabled():
        households.household_create(
            actor=None, association=world.a, name="Famille Roux", neighbourhood="Wazemmes",
            lawful_basis=BASIS,
        )  # fmt: skip
        households.household_update(
            actor=None, household=world.household_a, neighbourhood="Moulins"
        )
    names = set(selectors.neighbourhoods(world.a).values_list("name", flat=True))
    assert names == {"Les Tilleuls", "Wazemmes", "Moulins"}


def test_household_form_chooses_from_the_association_neighbourhoods(world, client):
    services.neighbourhood_add(actor=None, association=world.a, name="Fives", priority=True)
    client.force_login(world.user(Role.COORDINATOR))
    text = client.get("/households/new/").content.decode()
    assert '<select name="neighbourhood"' in text
    assert ">Fives</option>" in text and ">Les Tilleuls</option>" in text
    assert "Le Port" not in text
    edit = client.get(f"/households/{world.household_a.pk}/edit/").content.decode()
    assert '<option value="Les Tilleuls" selected>' in edit


def test_backfill_builds_the_lists_from_existing_values(world):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("parcours.association_settings.migrations.0002_backfill").backfill
    with scopes_disabled():
        for model in (Neighbourhood, ActivityType, ContactChannel):
            model.objects.all().delete()
        Household.objects.filter(pk=world.household_a.pk).update(neighbourhood=" Fives ")
        from parcours.activities.models import Activity

        Activity.objects.create(association=world.a, name="Cuisine", category="cuisine")
        backfill(apps, None)
        assert list(
            Neighbourhood.objects.filter(association=world.a).values_list("name", flat=True)
        ) == ["Fives"]
        keys = set(ActivityType.objects.filter(association=world.a).values_list("key", flat=True))
        assert keys == {"listening", "sharing", "activity", "training", "participation", "cuisine"}
        assert ContactChannel.objects.filter(association=world.b).count() == 5
