"""Consent in the browser, in French: captured on the main « Nouvelle famille » form (refused
without it), then withdrawn from the household page with its consequences shown."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_violations, format_violations, horizontal_overflow

pytestmark = pytest.mark.browser


def _no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}: axe found\n{format_violations(violations)}"


@pytest.mark.parametrize("viewport", ["phone"])
def test_new_household_requires_consent_then_records_it(page, login_as):
    login_as("coordinator")
    page.goto("/households/new/")
    assert page.locator("html").get_attribute("lang") == "fr"
    main = page.locator("main")
    main.locator("#id_name").fill("Famille Camara")
    main.locator("#id_neighbourhood").select_option("La Source")
    main.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    # No box ticked in advance: without the family's consent nothing is saved.
    assert main.locator("p.error[role=alert]").first.is_visible()
    assert main.get_by_text(
        "Finalités : le consentement doit au moins couvrir le suivi par l'association."
    ).is_visible()
    _no_violations(page, "refused form")
    assert horizontal_overflow(page) is None
    main.get_by_label("Suivi par l'association").check()
    main.get_by_label("Messages").check()
    main.get_by_label("Recueilli par quelqu'un d'autre (facultatif)").fill("CCAS de Lille")
    main.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/households/*/")
    assert main.locator("h1").inner_text() == "Famille Camara"
    panel = main.locator("section.consent-panel")
    states = panel.locator("li").all_inner_texts()
    assert states[0].startswith("Suivi par l'association : oui")
    assert states[2].startswith("Messages : oui")
    assert states[3] == "Photos : pas demandé"
    _no_violations(page, "household page")
    assert horizontal_overflow(page) is None


@pytest.mark.parametrize("viewport", ["desktop"])
def test_withdrawal_from_the_household_page(page, login_as, association):
    login_as("coordinator")
    page.goto(f"/households/{association.household('Famille Benali').pk}/")
    main = page.locator("main")
    main.get_by_role("link", name="Retirer le consentement").click()
    page.wait_for_load_state()
    assert main.locator("h1").inner_text() == "Retirer le consentement"
    _no_violations(page, "withdrawal form")
    main.get_by_label("Photos").check()
    main.get_by_role("button", name="Retirer", exact=True).click()
    page.wait_for_url("**/households/*/")
    assert page.get_by_text("Retrait enregistré ; ses conséquences sont appliquées.").is_visible()
    assert main.get_by_text("Pas de photos : cette famille a retiré son consentement.").is_visible()
    _no_violations(page, "household page after withdrawal")
    main.get_by_role("link", name="Consentement : historique et nouveau consentement").click()
    page.wait_for_load_state()
    rows = main.locator("table tbody tr").all_inner_texts()
    assert "retiré" in rows[0] and "Photos" in rows[0]
    _no_violations(page, "consent history")


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_newcomer_who_is_already_known_is_proposed_then_marked_present(
    page, login_as, association
):
    from datetime import time

    from django.utils import timezone
    from django_scopes import scopes_disabled

    from parcours.activities import services

    with scopes_disabled():
        activity = services.activity_create(
            actor=None, association=association.association, name="Atelier cuisine",
            category="sharing", place="Centre social",
        )  # fmt: skip
        session = services.session_create(
            actor=None, activity=activity, day=timezone.localdate(), start_time=time(14, 0)
        )
    benali = association.household("Famille Benali")
    login_as("volunteer")
    page.goto(f"/activities/sessions/{session.pk}/")
    details = page.locator("#newcomer-details")
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    page.locator("#id_name").fill("famille benali")
    page.locator("#id_neighbourhood").select_option("Les Tilleuls")
    page.get_by_label("Suivi par l'association").check()
    page.locator("#newcomer-form button[type=submit]").last.click()
    page.get_by_text("Cette famille est peut-être déjà connue").wait_for()
    _no_violations(page, "sheet with a likely duplicate")
    page.get_by_role("button", name="C’est cette famille").click()
    row = page.locator(f"#row-{benali.pk}")
    row.wait_for()
    page.wait_for_function(
        f"() => document.querySelector('#row-{benali.pk}').dataset.status === 'present'"
    )
    with scopes_disabled():
        from parcours.households.models import Household

        assert Household.objects.filter(association=association.association).count() == 6
