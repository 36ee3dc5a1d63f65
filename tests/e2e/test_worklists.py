"""The absent-family loop in the browser: the coordinator sees the task for a family that
stopped coming and gives it to a peer family; the peer family's user, on a phone, records
the visit; both households' pages show it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.conftest import (
    axe_violations,
    format_violations,
    horizontal_overflow,
    nav_click,
    new_context,
    screenshot,
)
from tests.journal import log_touchpoint

pytestmark = pytest.mark.browser


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def go_to_my_tasks(page) -> None:
    """Through the main menu, as a user would (folded behind "Menu" on a phone)."""
    nav_click(page, "Mes tâches")


def _make_benali_a_peer_family(association):
    """Famille Benali brought a family ten days ago: recommendation, a peer family."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    with scopes_disabled():
        log_touchpoint(
            actor=association.users["coordinator"],
            household=association.household("Famille Benali"),
            day=timezone.localdate() - timedelta(days=10),
            kind="referral_made",
            ref=association.household("Famille Moreau").pk,
        )


@pytest.mark.parametrize("viewport", ["desktop"])
def test_absent_family_loop(fixed_today, page, login_as, association, browser, live_server):
    # On 1 June 2026 Famille Nguyen last came in February (absent) and was seen in April: not
    # yet dormant, whose tasks would wait in the list to re-contact instead.
    _make_benali_a_peer_family(association)
    nguyen = association.household("Famille Nguyen")  # last came in February: absent
    benali = association.household("Famille Benali")

    # 1. The coordinator sees the task on the board, under the family's stage.
    login_as("coordinator")
    go_to_my_tasks(page)
    page.get_by_role("link", name="Tableau de toutes les tâches ouvertes").first.click()
    page.wait_for_load_state()
    card = page.locator("article.task-card", has_text="Famille Nguyen").filter(
        has_text="Aller chercher la famille absente"
    )
    assert card.count() == 1
    assert "pas encore confiée" in card.inner_text()  # no peer family in Le Port
    assert_accessible(page)
    screenshot(page, "worklists-board")
    card.get_by_role("link", name="Aller chercher la famille absente").click()
    page.wait_for_load_state()

    # 2. ... and gives it to Famille Benali.
    page.get_by_label("Confier cette tâche à").select_option(label="Famille Benali — Les Tilleuls")
    page.get_by_role("button", name="Confier", exact=True).click()
    page.locator("main").get_by_text("Pour Famille Benali").wait_for()  # htmx, then reload

    # 3. The peer family's user, on a phone, sees it among their tasks.
    phone = new_context(browser, "phone", live_server.url)
    mobile = phone.new_page()
    login_as("peer_family", target=mobile)
    go_to_my_tasks(mobile)
    main = mobile.locator("main")
    assert "Aller chercher la famille absente" in main.inner_text()
    assert "Famille Nguyen" in main.inner_text()
    assert "Famille Martin" not in main.inner_text()  # others' tasks stay hidden
    assert horizontal_overflow(mobile) is None
    assert_accessible(mobile)
    screenshot(mobile, "worklists-my-tasks-phone")

    # 4. It records the visit from the task.
    mobile.get_by_role("button", name="Noter la visite").click()
    mobile.wait_for_load_state()
    task_text = mobile.locator("main").inner_text()
    assert "8 quai de la Loire" in task_text  # what they need to go there
    assert "Recherche d'un logement" not in task_text  # never the needs
    mobile.get_by_label("Comment cela s’est-il passé ?").select_option("met")
    mobile.get_by_label("Un message pour la coordination (facultatif)").fill(
        "Ils reviendront au café des parents."
    )
    assert horizontal_overflow(mobile) is None
    assert_accessible(mobile)
    screenshot(mobile, "worklists-visit-phone")
    mobile.get_by_role("button", name="Enregistrer la visite").click()
    mobile.locator("main").get_by_text("Rien à faire pour l’instant").wait_for()
    phone.close()

    # 5. Both households' pages show it: the visit on the visitor, the task done on the other.
    page.goto(f"/households/{benali.pk}/")
    benali_page = page.locator("main").inner_text()
    assert "Recommandation" in benali_page
    assert "absente" in benali_page.lower()  # the absent_visit touchpoint
    page.goto(f"/households/{nguyen.pk}/")
    panel = page.locator("section", has=page.locator("#tasks-panel-title"))
    assert "Aller chercher la famille absente" in panel.inner_text()
    assert "Fait" in panel.inner_text()
    assert "Ils reviendront au café des parents." in panel.inner_text()
    assert_accessible(page)
    screenshot(page, "worklists-household-after-visit")


def _card_names(cards) -> list[str]:
    """The family of each matching card: its title, without the neighbourhood after "·" (on a
    phone the neighbourhood wraps to a line of its own)."""
    return [c.locator("h2").inner_text().split("·")[0].strip() for c in cards.all()]


@pytest.mark.parametrize("viewport", ["phone"])
def test_sponsor_matching_explains_and_accepts(page, login_as, association):
    _make_benali_a_peer_family(association)  # a sponsor family, capacity 1
    nguyen = association.household("Famille Nguyen")
    login_as("coordinator")
    page.goto("/tasks/matching/")
    cards = page.locator("main article.task-card")
    # the three families waiting: Nguyen (discovery), Martin and Diallo (acquisition)
    assert _card_names(cards) == [
        "Famille Diallo",
        "Famille Martin",
        "Famille Nguyen",
    ]
    martin = cards.filter(has_text="Famille Martin")
    # Martin lives in Les Tilleuls like Benali, with children too: Benali is proposed, and why
    assert "Famille Benali" in martin.inner_text()
    assert "même quartier (Les Tilleuls)" in martin.inner_text()
    assert horizontal_overflow(page) is None
    assert_accessible(page)
    screenshot(page, "worklists-matching-phone")
    card = cards.filter(has_text="Famille Nguyen")
    card.get_by_label("Ou choisir un autre parrain").select_option(index=0)
    chosen = card.get_by_label("Ou choisir un autre parrain").evaluate(
        "s => s.options[s.selectedIndex].text"
    )
    card.get_by_role("button", name="Accepter").click()
    page.wait_for_load_state()
    assert "accompagne désormais Famille Nguyen" in page.locator("main").inner_text()
    assert "Famille Nguyen" not in _card_names(page.locator("main article.task-card"))
    page.goto(f"/households/{nguyen.pk}/")
    sponsor_name = chosen.split(" — ", 1)[0]  # "Famille Benali — <fit> · <room>"
    assert sponsor_name in page.locator("main").inner_text()
