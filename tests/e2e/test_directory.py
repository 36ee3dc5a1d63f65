"""Issue 11, households, in the browser (French, phone and desktop, axe-core clean): two
duplicates merged through the search-as-you-type picker, the merged timeline holding both
histories; a member edited, then removed."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import axe_violations, format_violations, horizontal_overflow

pytestmark = pytest.mark.browser


def _clean(page) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    assert horizontal_overflow(page) is None, horizontal_overflow(page)


@pytest.fixture
def duplicate(association):
    """Famille Benali typed a second time, with a member and a history of its own."""
    from django_scopes import scopes_disabled

    from parcours.households import services
    from tests.basis import BASIS, COVERED
    from tests.journal import log_touchpoint

    coordinator = association.users["coordinator"]
    with scopes_disabled():
        dup = services.household_create(
            actor=coordinator, association=association.association, name="famille BENALI",
            neighbourhood="Les Tilleuls", address="12 rue des Acacias, bât. B",
            lawful_basis=BASIS, allow_duplicate=True,
        )  # fmt: skip
        services.person_add(
            actor=coordinator, household=dup, first_name="Karim", last_name="Benali",
            relation="spouse", lawful_basis=COVERED,
        )  # fmt: skip
        log_touchpoint(actor=coordinator, household=dup, day=date(2026, 5, 12),
                       kind="info_request", note="Appel pour l'aide aux devoirs.")  # fmt: skip
    return dup


def test_duplicates_are_merged_and_the_timeline_holds_both_histories(
    page, login_as, association, duplicate
):
    login_as("coordinator")
    kept = association.household("Famille Benali")
    page.goto(f"/households/{kept.pk}/")
    page.get_by_role("link", name="Fusionner un doublon dans cette famille").click()
    page.wait_for_load_state()
    search = page.get_by_label("Le doublon, fusionné dans cette famille")
    search.fill("benali kar")  # the name and a member's first name
    option = page.locator(".picker-option", has_text="Karim")
    option.wait_for()
    assert page.locator(".picker-option").count() == 1  # the kept household is not proposed
    assert "12 rue des Acacias, bât. B" in option.inner_text()
    assert "1 famille trouvée" in page.locator(".picker-status").inner_text()
    search.press("ArrowDown")  # to the answers, by keyboard
    page.keyboard.press("Space")
    assert page.get_by_role("radio").first.is_checked()
    _clean(page)
    page.get_by_role("button", name="Comparer").click()
    page.wait_for_load_state()
    sides = page.locator("main article").all_inner_texts()
    assert len(sides) == 2 and "Karim" in sides[1] and "Samira" in sides[0]
    _clean(page)
    page.get_by_label("J’ai vérifié : les deux fiches sont la même famille. Les fusionner.").check()
    page.get_by_role("button", name="Fusionner").click()
    page.wait_for_url(f"**/households/{kept.pk}/")
    main = page.locator("main")
    timeline = main.locator("ol.timeline").inner_text()
    assert "Doublon fusionné" in timeline and "famille BENALI" in timeline
    assert "Demande d’information" in timeline  # the duplicate's history
    assert "Café des parents" in timeline  # the kept household's own
    members = main.locator("section[aria-labelledby=members-title]").inner_text()
    assert "Karim" in members and "Samira" in members
    _clean(page)
    page.goto(f"/households/{duplicate.pk}/")  # an old link follows the merge
    assert page.url.endswith(f"/households/{kept.pk}/")


def test_member_is_edited_then_removed(page, login_as, association):
    login_as("coordinator")
    household = association.household("Famille Benali")
    page.goto(f"/households/{household.pk}/")
    page.get_by_role("link", name="Modifier Yanis").click()
    page.wait_for_load_state()
    _clean(page)
    page.get_by_label("Lien avec la personne de référence").select_option("sibling")
    page.get_by_label("Année de naissance").fill("2013")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/households/{household.pk}/")
    members = page.locator("section[aria-labelledby=members-title]").inner_text()
    assert "Yanis Benali — Frère ou sœur, né·e en 2013" in members
    page.get_by_role("link", name="Modifier Inès").click()
    page.get_by_role("link", name="Retirer ce membre de la famille").click()
    page.wait_for_load_state()
    _clean(page)
    page.get_by_role("button", name="Retirer le membre").click()
    page.wait_for_url(f"**/households/{household.pk}/")
    members = page.locator("section[aria-labelledby=members-title]").inner_text()
    assert "Inès" not in members and "Yanis" in members
    assert "Inès Benali a été retiré·e de la famille." in page.locator("main").inner_text()
    _clean(page)
