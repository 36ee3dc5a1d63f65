"""The federation's page in the browser: a federation viewer signs in and compares the member
associations, in French, on a desktop and on a phone; no family's name anywhere."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import PASSWORD, axe_violations, format_violations, screenshot

pytestmark = pytest.mark.browser

NAMES = ("Benali", "Martin", "Nguyen", "Diallo", "Durand", "qzname", "Acacias")


@pytest.fixture
def network(association):
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association
    from parcours.federation import services
    from parcours.journey.definitions import definition_for
    from tests.federation.spans import plant_journeys

    with scopes_disabled():
        lucioles = association.association
        relais = Association.objects.get(slug="relais")
        keys = tuple(definition_for(lucioles).stage_keys)
        plant_journeys(lucioles, 120, seed=1, end=date.today(), stage_keys=keys)
        plant_journeys(relais, 40, seed=2, end=date.today(), stage_keys=keys)
        federation = services.federation_create(name="Réseau du Nord")
        services.associations_add(federation=federation, slugs=["lucioles", "relais"])
        services.viewer_add(federation=federation, username="reseau.nord", password=PASSWORD)
    return federation


def test_a_federation_viewer_compares_the_member_associations(page, network, viewport):
    page.goto("/login/")
    page.locator("#id_login").fill("reseau.nord")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/federation/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Réseau du Nord"
    for title in ("Foyers à chaque étape", "Entrées et progression", "Temps passé à chaque étape"):
        assert page.get_by_role("heading", name=title).is_visible()
    stages = page.locator("#stages table")
    rows = stages.locator("tbody tr")
    assert rows.count() == 3  # two associations and the federation's total
    assert rows.nth(0).locator("th").inner_text() == "Le Relais du Port"
    assert rows.nth(1).locator("th").inner_text() == "Les Lucioles"
    assert rows.nth(2).locator("th").inner_text() == "Réseau du Nord"
    cells = stages.locator("tbody td").all_inner_texts()
    assert "< 5" in cells  # small counts hidden
    shown = [int(c) for c in cells if c.isdigit()]
    assert shown and all(n % 5 == 0 and n >= 5 for n in shown)  # the others banded
    text = page.locator("body").inner_text()
    assert not [n for n in NAMES if n in text]
    # another period: the form keeps it in the address
    page.locator("select[name=months]").select_option("24")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**months=24**")
    assert page.locator("select[name=months]").input_value() == "24"
    # a phone: the page itself never scrolls sideways, the tables scroll in their own box
    if viewport == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], width
        box = page.locator("#progression .table-scroll").bounding_box()
        assert box["width"] <= page.viewport_size["width"]
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    screenshot(page, f"federation-{viewport}")
    # the CSV link downloads the same banded figures, no name
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger les chiffres (CSV)").click()
    csv = info.value.path().read_text(encoding="utf-8")
    assert "Les Lucioles" in csv and "< 5" in csv
    assert not [n for n in NAMES if n in csv]
    # and no association page opens for a viewer
    response = page.goto("/households/")
    assert response.status == 403
