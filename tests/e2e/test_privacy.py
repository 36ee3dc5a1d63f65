"""Data-protection requests in the browser, in French: the subject export and the erasure."""

from __future__ import annotations

import io
import zipfile
from html import unescape

import pytest

from tests.e2e.conftest import axe_violations, format_violations, horizontal_overflow

pytestmark = pytest.mark.browser


def _accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert horizontal_overflow(page) is None


@pytest.mark.parametrize("viewport", ["phone"])
def test_subject_export_downloads_a_zip_with_a_readable_french_document(
    page, login_as, association
):
    login_as("coordinator")
    page.goto(f"/households/{association.household('Famille Benali').pk}/")
    page.get_by_role("link", name="Données personnelles : accès et effacement").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Données personnelles — Famille Benali"
    _accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger les données du foyer").click()
    download = info.value
    assert download.suggested_filename.startswith("parcours-donnees-foyer-")
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    document = archive.read("donnees.html").decode()
    html = unescape(document)
    for text in ("Famille Benali", "12 rue des Acacias", "Samira", "Recherche d'un logement",
                 "Rencontrée au marché des Tilleuls."):  # fmt: skip
        assert text in html
    for other in ("Famille Martin", "Famille Durand", "3 allée des Lilas"):
        assert other not in html
    # the document itself reads well on a phone and passes axe-core
    page.goto("about:blank")  # the document is read on its own, as the family opens it
    page.set_content(document)
    assert page.locator("h1").inner_text() == "Données personnelles détenues par Les Lucioles"
    _accessible(page)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_erasure_is_confirmed_twice_then_anonymises(page, login_as, association):
    household = association.household("Famille Martin")
    login_as("coordinator")
    page.goto(f"/privacy/households/{household.pk}/")
    page.get_by_role("link", name="Effacer tout le foyer").click()
    page.wait_for_load_state()
    assert "Étape 1 sur 2" in page.locator("main").inner_text()
    _accessible(page)
    page.get_by_role("button", name="Continuer").click()  # nothing filled in
    page.wait_for_load_state()
    errors = page.locator("main").inner_text()
    assert "Motif : indiquez pourquoi les données sont effacées." in errors
    assert "Confirmation : cochez la case pour continuer." in errors
    _accessible(page)
    page.get_by_label("Motif de l’effacement").fill("Demande écrite reçue le 2 juin")
    page.get_by_label("Je comprends que l’effacement est définitif.").check()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_load_state()
    main = page.locator("main")
    assert "Étape 2 sur 2" in main.inner_text()
    assert "Motif indiqué : Demande écrite reçue le 2 juin" in main.inner_text()
    _accessible(page)
    page.get_by_label("Pour confirmer, saisissez « Famille Martin »").fill("Famille Benali")
    page.get_by_role("button", name="Effacer définitivement").click()
    page.wait_for_load_state()
    assert "le nom saisi n’est pas « Famille Martin ». Rien n’a été effacé." in main.inner_text()
    _accessible(page)
    page.get_by_label("Pour confirmer, saisissez « Famille Martin »").fill("Famille Martin")
    page.get_by_role("button", name="Effacer définitivement").click()
    page.wait_for_load_state()
    text = main.inner_text()
    assert f"Foyer anonymisé {household.pk}" in text
    assert "Effacements effectués" in text and "Demande écrite reçue le 2 juin" in text
    assert "Les données ont été effacées." in page.locator("body").inner_text()
    _accessible(page)
    page.goto(f"/households/{household.pk}/")
    body = page.locator("main").inner_text()
    for gone in ("Famille Martin", "3 allée des Lilas", "06 98 76 54 32", "Julien", "Dettes"):
        assert gone not in body
    assert "Les Tilleuls" in body
