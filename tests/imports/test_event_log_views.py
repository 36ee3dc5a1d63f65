"""The event-log import in the browser, in French: a broken log lists its errors by line and
field with nothing written; the fixed log then imports, the customers with their stages."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.households.models import Household
from parcours.journey.models import HouseholdJourney
from tests.imports.test_event_log import CASES, CSV, EVENTS, IGNORED, MAPPING, XES


@pytest.fixture
def coordinator(association, client):
    user = get_user_model().objects.create_user("coord-port", password="x")
    Membership.objects.create(user=user, association=association, role="coordinator")
    client.force_login(user)
    return user


def _post(client, log_bytes: bytes, name: str, **extra):
    return client.post(
        reverse("imports:event_log"),
        {
            "log": SimpleUploadedFile(name, log_bytes),
            "mapping": SimpleUploadedFile("m.toml", MAPPING.read_bytes()),
            "basis": "consent",
            "purposes": ["follow_up"],
            "consent_day": "2026-01-05",
            **extra,
        },
    )


def test_a_family_association_is_told_to_use_the_customer_vocabulary(
    association, client, coordinator
):
    page = client.get(reverse("imports:event_log")).content.decode()
    assert "vocabulaire client" in page and "multipart/form-data" not in page


def test_broken_log_lists_its_errors_then_the_fixed_log_imports(association, client, coordinator):
    association.vocabulary = "customer"
    association.save()
    broken = CSV.read_text("utf-8").replace("Démo planifiée", "Démo annulée", 1)
    r = _post(client, broken.encode(), "log.csv")
    assert r.status_code == 400
    page = r.content.decode()
    assert "1 erreur" in page and "Démo annulée" in page
    assert "cette activité n’est pas dans le fichier de correspondance" in page
    with scopes_disabled():
        assert not Household.objects.filter(association=association).exists()
    checked = _post(client, XES.read_bytes(), "log.xes", check_only="on")
    assert checked.status_code == 200
    assert f"{EVENTS} événements, {CASES} cas, {IGNORED} ignorés" in checked.content.decode()
    with scopes_disabled():
        assert not Household.objects.filter(association=association).exists()
    done = _post(client, XES.read_bytes(), "log.xes")
    assert done.status_code == 200
    assert f"{CASES} clients importés" in done.content.decode()
    with scopes_disabled():
        assert Household.objects.filter(association=association).count() == CASES
        assert HouseholdJourney.objects.filter(association=association).exclude(stage="").count()
    again = _post(client, XES.read_bytes(), "log.xes")
    assert again.status_code == 400 and "déjà enregistrés" in again.content.decode()
