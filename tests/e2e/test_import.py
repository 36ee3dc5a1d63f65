"""The import in a real browser, in French, on a desktop and a phone: a broken file shows its
errors by line and column with nothing written; the fixed file then imports and the households
appear with their stages. axe-core finds no violation on any step."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tests.e2e.conftest import axe_violations, format_violations, horizontal_overflow
from tests.imports import corpus

pytestmark = pytest.mark.browser


def _check(page, viewport, problems, name):
    if violations := axe_violations(page):
        problems.append(f"{name}: axe found\n{format_violations(violations)}")
    if viewport == "phone" and (overflow := horizontal_overflow(page)):
        problems.append(f"{name}: scrolls sideways on the phone: {overflow}")


def _upload(page, path):
    page.goto("/import/")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("#id_purposes_0").check()  # the families consented to follow-up
    page.get_by_role("button", name="Lire le fichier").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_load_state()


def test_broken_file_then_fixed_file(association, login_as, page, viewport, tmp_path):
    from parcours.households.models import Household

    with scopes_disabled():
        before = Household.objects.filter(association=association.association).count()
    login_as("coordinator")
    problems = []
    page.goto("/import/")
    _check(page, viewport, problems, "start")
    broken = corpus.variant_rows(cells={(1, "Date"): "31/02/2025", (3, "Connu par"): "Pigeon"})
    _upload(page, corpus.write_csv(tmp_path / "familles.csv", broken, encoding="cp1252"))
    assert page.get_by_text("2 erreurs : rien ne sera enregistré").is_visible()
    errors = page.locator("#errors tbody tr")
    assert errors.count() == 2
    assert errors.nth(0).locator("td").all_inner_texts()[:3] == ["3", "Date", "31/02/2025"]
    assert errors.nth(1).locator("td").all_inner_texts()[:3] == ["5", "Connu par", "Pigeon"]
    assert "canal inconnu" in errors.nth(1).inner_text()
    _check(page, viewport, problems, "errors")
    with scopes_disabled():
        assert Household.objects.filter(association=association.association).count() == before

    _upload(page, corpus.write_xlsx(tmp_path / "familles.xlsx", title=True, total=True))
    assert page.get_by_text("6 lignes lues, aucune erreur").is_visible()
    # Dubois has Martin's phone, Lefèvre Benali's: proposed, never created silently
    assert page.get_by_text("ressemblent à des familles déjà enregistrées").is_visible()
    _check(page, viewport, problems, "check")
    for family in ("Famille Lefèvre", "Famille Dubois"):
        group = page.get_by_role("group", name=family)
        group.get_by_label("Une autre famille : la créer quand même").check()
    page.get_by_role("button", name="Importer (tout ou rien)").click()
    page.wait_for_load_state()
    assert page.get_by_text("Foyers créés : 3").is_visible()
    rows = page.locator("#created tbody tr")
    assert rows.count() == 3
    for i in range(3):
        name, stage = rows.nth(i).locator("td").all_inner_texts()
        assert name.startswith("Famille ") and stage, (name, stage)
    _check(page, viewport, problems, "report")
    rows.filter(has_text="Œuvray").get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Famille Œuvray").is_visible()
    with scopes_disabled():
        assert Household.objects.filter(association=association.association).count() == before + 3
    assert not problems, "\n".join(problems)
