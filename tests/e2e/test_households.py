"""The household list and page in the browser: live search with htmx, members, touchpoints,
and what a volunteer must not see."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def result_names(page) -> list[str]:
    return page.locator("#household-results tbody tr td:first-child").all_inner_texts()


@pytest.mark.parametrize("viewport", ["phone"])
def test_search_updates_results_and_url_without_reloading(page, login_as):
    login_as("coordinator")
    page.goto("/households/")
    assert result_names(page) == [
        "Famille Benali", "Famille Diallo", "Famille Lefèvre", "Famille Martin",
        "Famille Moreau", "Famille Nguyen",
    ]  # fmt: skip
    assert "Famille Durand" not in page.locator("main").inner_text()  # another association
    page.evaluate("() => { window.__sameDocument = true; }")

    page.locator("#id_q").fill("tilleuls")
    page.wait_for_url("**/households/?q=tilleuls")
    page.wait_for_function(
        "() => document.querySelectorAll('#household-results tbody tr').length === 2"
    )
    assert result_names(page) == ["Famille Benali", "Famille Martin"]

    page.locator("#id_q").fill("Aminata")  # a member's first name
    page.wait_for_url("**/households/?q=Aminata")
    page.wait_for_function(
        "() => document.querySelectorAll('#household-results tbody tr').length === 1"
    )
    assert result_names(page) == ["Famille Diallo"]

    page.locator("#id_q").fill("Durand")
    page.wait_for_url("**/households/?q=Durand")
    page.locator("#household-results").get_by_text("Aucune famille").wait_for()
    # htmx swapped the results in place: still the same document, the search box kept focus.
    assert page.evaluate("() => window.__sameDocument === true")
    assert page.evaluate("() => document.activeElement.id") == "id_q"

    # The URL can be shared or reloaded: the server renders the same search.
    page.reload()
    assert page.locator("#id_q").input_value() == "Durand"
    assert page.locator("#household-results").get_by_text("Aucune famille").count() == 1


@pytest.mark.parametrize("viewport", ["desktop"])
def test_household_page_shows_members_and_touchpoints(page, login_as, association):
    login_as("coordinator")
    page.goto("/households/")
    page.get_by_role("link", name="Famille Benali").click()
    page.wait_for_load_state()
    main = page.locator("main")
    assert main.locator("h1").inner_text() == "Famille Benali"
    members = main.locator("section[aria-labelledby=members-title] li").all_inner_texts()
    assert [m.split(" — ")[0] for m in members] == ["Samira Benali", "Yanis Benali", "Inès Benali"]
    assert "personne de contact" in members[0]
    timeline = main.locator("ol.timeline > li:not(.stage-change)").all_inner_texts()
    assert len(timeline) == 6
    assert timeline[0].startswith("20 mai 2026")
    assert "Café des parents" in timeline[3]
    # Sensitive data, for a role that must see it.
    text = main.inner_text()
    assert "Recherche d'un logement plus grand" in text
    assert "Rencontrée au marché des Tilleuls." in text


@pytest.mark.parametrize("viewport", ["phone"])
def test_volunteer_sees_no_needs_nor_notes(page, login_as, association):
    login_as("volunteer")
    page.goto(f"/households/{association.household('Famille Benali').pk}/")
    main = page.locator("main")
    assert main.locator("h1").inner_text() == "Famille Benali"
    text = main.inner_text()
    assert "Samira Benali" in text
    assert len(main.locator("ol.timeline > li:not(.stage-change)").all()) == 6
    assert "Besoins" not in text
    assert "Recherche d'un logement plus grand" not in text
    for note in ("Rencontrée au marché", "Écoute : fatigue", "Appel pour la fête"):
        assert note not in page.content()
    # Nor the edit links of those who may change the household.
    assert main.get_by_role("link", name="Modifier").count() == 0
    assert main.get_by_role("button", name="Enregistrer un point de contact").count() == 1
