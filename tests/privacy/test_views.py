"""The data-protection pages: subject export download and erasure with its two confirmations."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django_scopes import scopes_disabled

from parcours.audit.models import AuditEvent
from parcours.households.models import Household, Person
from parcours.privacy.models import Erasure
from tests.basis import COVERED

pytestmark = pytest.mark.django_db


def _zip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["donnees.html", "donnees.json"]
    return archive.read("donnees.html").decode(), json.loads(archive.read("donnees.json"))


def test_the_household_export_is_a_zip_with_a_french_document_and_json(world, login):
    client = login(world.user("social_worker"))
    response = client.get(f"/privacy/households/{world.household_a.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "Martin" not in response["Content-Disposition"]
    html, data = _zip(response)
    assert "Données personnelles détenues par Association A" in html
    assert "Famille Martin" in html and "0601020304" in html
    assert "Confidential listening note" in html  # the social worker may read touchpoint notes
    assert "<script" not in html and "http" not in html.split("</style>")[0]
    assert data["subject"] == {
        "type": "household",
        "household": world.household_a.pk,
        "person": None,
    }
    assert data["sections"]["households.household"]["rows"][0]["name"] == "Famille Martin"
    assert data["sections"]["households.touchpoint"]["rows"][0]["kind"] == "attendance"
    assert "Famille Durand" not in html
    with scopes_disabled():
        event = AuditEvent.objects.get(action="export", object_type="households.household")
    assert event.actor == world.user("social_worker")
    assert "households.touchpoint" in event.fields


def test_a_person_export_holds_that_person_only(world, login):
    from parcours.households import services

    with scopes_disabled():
        other = services.person_add(
            actor=None,
            household=world.household_a,
            first_name="Yanis",
            relation="child",
            lawful_basis=COVERED,
        )
    client = login(world.user("coordinator"))
    html, data = _zip(client.get(f"/privacy/persons/{world.person_a.pk}/export/"))
    names = [p["first_name"] for p in data["sections"]["households.person"]["rows"]]
    assert names == ["Amina"]
    assert "Yanis" not in html and other.pk
    assert data["subject"]["person"] == world.person_a.pk


def test_erasure_asks_twice_then_erases(world, login):
    client = login(world.user("coordinator"))
    url = f"/privacy/households/{world.household_a.pk}/erase/"
    page = client.get(url)
    assert "Étape 1 sur 2" in page.content.decode()
    # the household's name already says "Famille": never "le foyer Famille Martin"
    assert "Effacer tout le foyer : Famille Martin" in page.content.decode()
    # first step without reason nor box: refused, with the field named, nothing erased
    response = client.post(url, {})
    body = response.content.decode()
    assert "Motif : indiquez pourquoi" in body and "Confirmation : cochez la case" in body
    # first step complete: the second page asks for the name
    response = client.post(url, {"reason": "Demande écrite du 3 mars", "understood": "on"})
    body = response.content.decode()
    assert "Étape 2 sur 2" in body and "Pour confirmer, saisissez « Famille Martin »" in body
    # a wrong name: nothing erased
    data = {"reason": "Demande écrite du 3 mars", "understood": "True", "confirmation": "Martin"}
    response = client.post(url, data)
    assert "le nom saisi n’est pas « Famille Martin »" in response.content.decode()
    with scopes_disabled():
        assert Household.objects.get(pk=world.household_a.pk).name == "Famille Martin"
        assert not Erasure.objects.exists()
    response = client.post(url, {**data, "confirmation": " famille  martin "})
    assert response.status_code == 302
    assert response["Location"] == f"/privacy/households/{world.household_a.pk}/"
    with scopes_disabled():
        household = Household.objects.get(pk=world.household_a.pk)
        assert household.name == f"Foyer anonymisé {household.pk}" and household.phone == ""
        assert Erasure.objects.get().reason == "Demande écrite du 3 mars"
    page = client.get(response["Location"]).content.decode()
    assert "Effacements effectués" in page and "Demande écrite du 3 mars" in page
    assert "Ce foyer a été effacé" in page and "Effacer tout le foyer" not in page


def test_a_reason_naming_the_family_sends_back_to_the_first_step(world, login):
    client = login(world.user("admin"))
    url = f"/privacy/persons/{world.person_a.pk}/erase/"
    data = {"reason": "Amina l’a demandé", "understood": "True", "confirmation": "Amina"}
    body = client.post(url, data).content.decode()
    assert "Étape 1 sur 2" in body
    assert "il ne doit pas nommer la famille" in body
    with scopes_disabled():
        assert Person.objects.get(pk=world.person_a.pk).first_name == "Amina"


def test_the_social_worker_exports_but_cannot_erase(world, login):
    client = login(world.user("social_worker"))
    page = client.get(f"/privacy/households/{world.household_a.pk}/").content.decode()
    assert "Télécharger les données du foyer" in page
    assert "Effacer tout le foyer" not in page
    assert client.get(f"/privacy/households/{world.household_a.pk}/erase/").status_code == 403


def test_without_view_sensitive_support_and_notes_are_left_out(world):
    from datetime import date

    from parcours.privacy.export import subject_data
    from parcours.support import services as support

    with scopes_disabled():
        support.support_case_open(
            actor=None, household=world.household_a, opened_on=date(2026, 1, 10),
            reason="Secret support reason",
        )  # fmt: skip
        full = json.dumps(
            subject_data(household=world.household_a, person=None, sensitive=True), default=str
        )
        kept = json.dumps(
            subject_data(household=world.household_a, person=None, sensitive=False), default=str
        )
    for secret in ("Secret support reason", "Confidential listening note", "Logement"):
        assert secret in full and secret not in kept
    assert "support_opened" in full and "support_opened" not in kept


def test_a_group_message_shows_in_the_recipient_export(world):
    from datetime import date

    from parcours.community import services as community
    from parcours.privacy.export import subject_data

    with scopes_disabled():
        group = community.group_create(actor=None, association=world.a, name="Groupe du jeudi")
        community.group_join(
            actor=None, group=group, household=world.household_a, start=date(2026, 1, 2)
        )
        community.communication_record(
            actor=None, association=world.a, day=date(2026, 1, 8), kind="message", group=group,
            subject="Sortie au parc samedi",
        )  # fmt: skip
        data = subject_data(household=world.household_a, person=None, sensitive=True)
    rows = data["sections"]["community.communicationrecipient"]["readable"]
    assert any("Sortie au parc samedi" in " ".join(r["cells"]) for r in rows)


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "Demande\x00écrite", "understood": "on"},
        {"reason": "x" * 501, "understood": "on"},
        {"reason": "Demande", "understood": "True", "confirmation": "Famille\x00Martin"},
        {"reason": "Demande", "understood": "True", "confirmation": "y" * 5000},
    ],
    ids=["nul-reason", "long-reason", "nul-confirmation", "long-confirmation"],
)
def test_bad_input_is_refused_with_a_message_and_nothing_erased(world, login, data):
    client = login(world.user("coordinator"))
    response = client.post(f"/privacy/households/{world.household_a.pk}/erase/", data)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert 'role="alert"' in response.content.decode()
    with scopes_disabled():
        assert Household.objects.get(pk=world.household_a.pk).name == "Famille Martin"
        assert not Erasure.objects.exists()
