"""Data protection in the browser, in French, on a desktop and a phone: the administrator sets
the retention periods, reads the register and downloads its PDF, finds an archived household
and opens it with a reason; the coordinator keeps a record active. axe-core finds nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    AXE_TAGS_STRICT,
    axe_violations,
    format_violations,
    horizontal_overflow,
    nav_click,
)

pytestmark = pytest.mark.browser


def assert_page_ok(page) -> None:
    violations = axe_violations(page, AXE_TAGS_STRICT)
    assert not violations, format_violations(violations)
    assert horizontal_overflow(page) is None, horizontal_overflow(page)
    assert page.locator("html").get_attribute("lang") == "fr"


def test_retention_settings_and_register(page, login_as, association):
    login_as("admin")
    nav_click(page, "Protection des données")
    assert page.get_by_role("heading", name="Durées de conservation", level=1).is_visible()
    assert "2023-095" in page.locator("main").inner_text()
    assert_page_ok(page)

    # Notes kept longer than the record: refused, field named, nothing saved.
    page.get_by_label("notes d'écoute et d'accompagnement, en mois avant leur effacement").fill(
        "30"
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Rien n’a été enregistré" in main or "Rien n'a été enregistré" in main
    assert "Les notes ne peuvent pas être conservées plus longtemps" in main
    assert_page_ok(page)
    page.get_by_label("notes d'écoute et d'accompagnement, en mois avant leur effacement").fill("6")
    page.get_by_label("base active, en mois après le dernier contact de la famille").fill("18")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "Les durées de conservation sont enregistrées." in page.locator("main").inner_text()

    # The register follows the settings, marks the sensitive data, and comes as a PDF.
    page.get_by_role("link", name="Registre des activités de traitement").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "18 mois après le dernier contact venant de la famille" in text
    assert "6 mois, puis effacées" in text
    assert "(sensible)" in text
    page.get_by_label("nom").fill("Hébergeur associatif")
    page.get_by_label("service").select_option("hosting")
    page.locator("main form button:has-text('Ajouter')").click()
    page.wait_for_load_state()
    assert "Hébergeur associatif" in page.locator("main").inner_text()
    assert_page_ok(page)
    with page.expect_download(timeout=60_000) as info:  # WeasyPrint on a busy machine
        page.get_by_role("button", name="Télécharger en PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    pdf_text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages
    )
    assert "Registre des activités de traitement" in pdf_text
    assert "Les Lucioles" in pdf_text and "Hébergeur associatif" in pdf_text


@pytest.mark.parametrize("viewport", ["phone"])
def test_archive_read_with_a_reason_and_extension(
    page, login_as, association, browser, live_server
):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from parcours.compliance.services import archive_write

    moreau = association.household("Famille Moreau")
    with scopes_disabled():
        archive_write(moreau, now=timezone.now())

    login_as("admin")
    page.goto("/data-protection/archive/")
    assert "Famille Moreau" not in page.locator("main").inner_text()
    assert_page_ok(page)
    page.get_by_label("Nom exact ou numéro de téléphone").fill("famille moreau")
    page.get_by_role("button", name="Chercher").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Famille Moreau").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Consulter un dossier archivé").is_visible()
    assert_page_ok(page)
    page.get_by_label("Pourquoi avez-vous besoin de consulter ce dossier archivé ?").fill(
        "Demande d'accès de Mme Moreau"
    )
    page.get_by_role("button", name="Ouvrir le dossier").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Famille Moreau", level=1).is_visible()
    assert "Archive intermédiaire" in page.locator("main").inner_text()

    # The coordinator keeps another family's record active, with a reason.
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    coordinator = context.new_page()
    login_as("coordinator", target=coordinator)
    benali = association.household("Famille Benali")
    coordinator.goto(f"/households/{benali.pk}/")
    coordinator.get_by_role("link", name="Durée de conservation de ce dossier").click()
    coordinator.wait_for_load_state()
    assert_page_ok(coordinator)
    until = timezone.localdate() + timedelta(days=365 * 2 + 30)
    coordinator.get_by_label("Garder le dossier actif jusqu'au").fill(until.isoformat())
    coordinator.get_by_label("Pourquoi le garder actif plus longtemps ?").fill("Dossier logement")
    coordinator.get_by_role("button", name="Garder actif").click()
    coordinator.wait_for_load_state()
    assert (
        "Date : un foyer peut être gardé actif au plus" in coordinator.locator("main").inner_text()
    )
    assert_page_ok(coordinator)
    coordinator.get_by_label("Garder le dossier actif jusqu'au").fill(
        (timezone.localdate() + timedelta(days=200)).isoformat()
    )
    coordinator.get_by_role("button", name="Garder actif").click()
    coordinator.wait_for_load_state()
    assert "Le dossier reste actif" in coordinator.locator("main").inner_text()
    assert "Dossier logement" in coordinator.locator("main").inner_text()
    context.close()
