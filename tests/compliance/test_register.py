"""The register of processing activities: generated from the models and the settings, in
French, with the sensitive data marked, and as a PDF."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.compliance.models import Processor, RetentionPolicy
from parcours.compliance.register import register_for
from parcours.households.models import Household, Person


def _models_about_families():
    """Every model of Parcours that points at a household or a person (found independently)."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("parcours."):
            continue
        if model in (Household, Person) or any(
            f.is_relation and f.concrete and f.related_model in (Household, Person)
            for f in model._meta.get_fields()
        ):
            found.append(model)
    return found


def test_every_model_about_families_is_in_the_register(world):
    register = register_for(world.a)
    listed = {c.model for p in register.processings for c in p.categories}
    for model in _models_about_families():
        assert model._meta.label_lower in listed, model


def test_sensitive_data_are_marked(world):
    register = register_for(world.a)
    by_app = {p.app_label: p for p in register.processings}
    assert by_app["support"].sensitive
    fields = {
        (c.model, f.name): f.sensitive for p in register.processings for c in p.categories
        for f in c.fields
    }  # fmt: skip
    assert fields[("frontdesk.intakevisit", "listening_notes")]
    assert fields[("frontdesk.intakevisit", "needs")]
    assert fields[("households.household", "needs")]
    assert fields[("support.followup", "note")]
    assert not fields[("households.household", "neighbourhood")]
    assert not by_app["outreach"].purpose_missing


def test_recipients_follow_the_roles(world):
    register = register_for(world.a)
    by_role = {r.role: r for r in register.recipients}
    assert by_role[Role.SOCIAL_WORKER].sees_sensitive
    assert not by_role[Role.VOLUNTEER].sees_sensitive
    assert by_role[Role.BOARD].aggregates_only


@pytest.fixture
def admin(world, client):
    client.force_login(world.user(Role.ADMIN))
    return client


def test_register_page_follows_the_settings(world, admin):
    with scopes_disabled():
        RetentionPolicy.objects.create(association=world.a, active_months=18)
    page = admin.get(reverse("compliance:register"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Registre des activités de traitement" in text
    assert "18 mois après le dernier contact venant de la famille" in text
    assert "<mark>notes d’écoute individuelle (sensible)</mark>" in text
    assert "Association A" in text


def test_processors_are_added_and_removed(world, admin):
    url = reverse("compliance:register")
    bad = admin.post(url, {"name": "", "service": "hosting"})
    assert bad.status_code == 200
    assert "Rien n" in bad.content.decode()
    with scopes_disabled():
        assert not Processor.objects.exists()
    ok = admin.post(url, {"name": "Hébergeur Solidaire", "service": "hosting", "location": "Lille"})
    assert ok.status_code == 302
    assert "Hébergeur Solidaire" in admin.get(url).content.decode()
    with scopes_disabled():
        processor = Processor.objects.get()
    assert admin.get(reverse("compliance:processor_delete", args=[processor.pk])).status_code == 405
    assert (
        admin.post(reverse("compliance:processor_delete", args=[processor.pk])).status_code == 302
    )
    with scopes_disabled():
        assert not Processor.objects.exists()


def test_register_pdf_holds_the_french_text(world, admin):
    from pypdf import PdfReader

    with scopes_disabled():
        Processor.objects.create(association=world.a, name="Hébergeur Solidaire", service="hosting")
    response = admin.get(reverse("compliance:register_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for expected in (
        "Registre des activités de traitement",
        "Association A",
        "Hébergeur Solidaire",
        "Durées de conservation",
        "sensible",
    ):
        assert expected in text, expected
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "Registre des activités de traitement" in out
