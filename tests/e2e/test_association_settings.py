"""Association settings in the browser, in French, on a desktop and a phone: the administrator
marks a neighbourhood as a priority neighbourhood and switches to the customer vocabulary; the
household page then speaks of customers' stages. The help link opens the administrator's guide.
axe-core finds nothing, and the phone never scrolls sideways."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    AXE_TAGS_STRICT,
    axe_violations,
    format_violations,
    horizontal_overflow,
    open_menu,
)

pytestmark = pytest.mark.browser


def assert_page_ok(page) -> None:
    violations = axe_violations(page, AXE_TAGS_STRICT)
    assert not violations, format_violations(violations)
    assert horizontal_overflow(page) is None, horizontal_overflow(page)
    assert page.locator("html").get_attribute("lang") == "fr"


def _save(page, form) -> None:
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_admin_flags_a_priority_neighbourhood_and_switches_vocabulary(page, login_as, association):
    from parcours.association_settings.selectors import priority_neighbourhoods

    login_as("admin")
    open_menu(page)
    steer = page.locator("header details[data-moment=steer]")  # the Steering moment
    if not steer.evaluate("d => d.open"):
        steer.locator("summary").click()
    steer.get_by_role("link", name="Paramètres").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Paramètres de l'association", level=1).is_visible()
    assert_page_ok(page)

    # a neighbourhood added; one the households already had flagged as a priority neighbourhood
    section = page.locator("#neighbourhoods")
    section.locator("#id_neighbourhood-name").fill("Bois-Blancs")
    _save(page, section.locator("form"))
    assert "Bois-Blancs est ajouté." in page.locator("main").inner_text()
    page.locator("#neighbourhoods").get_by_role("link", name="Modifier Les Tilleuls").click()
    page.wait_for_load_state()
    assert_page_ok(page)
    page.get_by_label("Quartier prioritaire de la politique de la ville (QPV)").check()
    _save(page, page.locator("main form").first)
    row = page.locator("#neighbourhoods tr", has_text="Les Tilleuls")
    assert "Quartier prioritaire" in row.inner_text()
    assert priority_neighbourhoods(association.association) == {"Les Tilleuls"}

    # the customer vocabulary: the words change, on the household page too
    general = page.locator("#general form")
    general.get_by_label("Vocabulaire").select_option("customer")
    _save(page, general)
    assert "Les paramètres de l'association sont enregistrés." in page.locator("main").inner_text()
    assert_page_ok(page)
    page.goto(f"/households/{association.household('Famille Martin').pk}/")
    text = page.locator("main").inner_text()
    assert "Achat" in text and "Acquisition" not in text  # stage 4 in the customer's words
    assert_page_ok(page)

    # the help link opens the administrator's guide
    open_menu(page)
    page.locator("header nav").get_by_role("link", name="Aide").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Guide de l'administrateur", level=1).is_visible()
    assert_page_ok(page)
