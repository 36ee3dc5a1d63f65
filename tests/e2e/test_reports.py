"""Paper and reports in a browser: the board downloads the year's report (PDF and XLSX, then
made in the background and kept), a
volunteer prints a session's attendance sheet from a phone; axe-core on the report page."""

from __future__ import annotations

import subprocess
from datetime import time

import pytest

from tests.e2e.conftest import axe_violations, format_violations, new_context

pytestmark = pytest.mark.browser


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          check=True).stdout.decode()  # fmt: skip


@pytest.mark.parametrize("viewport", ["desktop"])
def test_the_board_downloads_the_years_report(page, login_as, association, tmp_path):
    page.set_default_timeout(120_000)  # a PDF on a loaded machine takes a while
    login_as("board")
    page.goto("/reports/?start=2026-01-01&end=2026-06-30")
    assert page.locator("h1").inner_text() == "Rapport d’activité"
    assert format_violations(axe_violations(page)) == ""
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="Télécharger le rapport (PDF)").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = _text(pdf)
    assert "Rapport d’activité" in text and "Les Lucioles" in text
    for name in ("Benali", "Martin", "Samira", "Nguyen"):
        assert name not in text
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="Télécharger les tableaux (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    # made in the background (the test settings' task backend runs it at once), then kept
    page.get_by_role("button", name="Préparer le rapport (PDF)").click()
    page.wait_for_url("**/jobs/**")
    assert page.locator("[data-job-state]").get_attribute("data-job-state") == "done"
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("link", name="Voir le résultat").click()
    kept = tmp_path / "kept.pdf"
    download.value.save_as(kept)
    assert "Rapport d’activité" in _text(kept) and "Sexe" in _text(kept)
    page.goto("/reports/?start=2026-01-01&end=2026-06-30")
    kept_table = page.get_by_role("table", name="Fichiers de rapport gardés pour le téléchargement")
    with page.expect_download(timeout=180_000) as download:
        kept_table.get_by_role("link", name="Rapport (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_a_volunteer_prints_a_sessions_sheet_on_a_phone(
    browser, live_server, association, fixed_today, tmp_path
):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from parcours.activities import services
    from parcours.activities.models import Activity

    with scopes_disabled():
        activity = Activity.objects.get(association=association.association,
                                        name="Café des parents")  # fmt: skip
        session = services.session_create(
            actor=association.users["coordinator"], activity=activity,
            day=timezone.localdate(), start_time=time(14, 0), end_time=time(16, 0),
        )  # fmt: skip
    context = new_context(browser, "phone", live_server.url)
    page = context.new_page()
    page.set_default_timeout(120_000)
    from tests.e2e.conftest import PASSWORD, USERNAMES

    page.goto("/login/")
    page.locator("#id_login").fill(USERNAMES["volunteer"])
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/activities/sessions/{session.pk}/")
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("link", name="Imprimer la feuille d’émargement (PDF)").click()
    pdf = tmp_path / "sheet.pdf"
    download.value.save_as(pdf)
    text = _text(pdf)
    assert "Feuille d’émargement" in text and "Café des parents" in text
    assert "Famille Benali" in text  # a regular of the last 90 days
    assert "Signature" in text
    context.close()
