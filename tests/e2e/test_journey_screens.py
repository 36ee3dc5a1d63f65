"""The journey on the screens, in the browser: each role's home with its journey map, and the
household journey bar (a skip and a step back), in French and English, on a phone and a
desktop, axe-core clean, nothing scrolling sideways on a phone."""

from __future__ import annotations

from datetime import date

import pytest

from tests.basis import BASIS
from tests.e2e.conftest import (
    AXE_TAGS_STRICT,
    axe_violations,
    format_violations,
    horizontal_overflow,
    log_out,
    nav_click,
    screenshot,
    set_language,
)
from tests.journal import log_touchpoint

pytestmark = pytest.mark.browser

NEIGHBOURS = ["Les Tilleuls", "La Source", "Le Port"]


def assert_page_ok(page) -> None:
    violations = axe_violations(page, AXE_TAGS_STRICT)
    assert not violations, format_violations(violations)
    # nothing scrolls sideways, the header's menu included, on a phone as on a desktop
    assert horizontal_overflow(page) is None, horizontal_overflow(page)


@pytest.fixture
def journeys(association):
    """Twenty-four more families along the stages, and Famille Lefèvre's path: she asked for
    information (skipping the first contact), came to a welcome visit (skipping the meeting),
    came three times to the parents' café (Habit), then stayed away: she fell back."""
    from django_scopes import scopes_disabled

    from parcours.activities.models import Activity
    from parcours.households import services

    coordinator = association.users["coordinator"]
    with scopes_disabled():
        acts = {a.name: a for a in Activity.objects.filter(association=association.association)}
        cafe, garden = acts["Café des parents"], acts["Sortie au jardin partagé"]
        lefevre = association.household("Famille Lefèvre")
        path = [
            (date(2026, 1, 2), "info_request", None),
            (date(2026, 1, 5), "intake_visit", None),
            *((date(2026, 1, d), "attendance", cafe) for d in (10, 17, 24)),
        ]
        for day, kind, activity in path:
            log_touchpoint(actor=coordinator, household=lefevre, day=day, kind=kind,
                           activity=activity)  # fmt: skip
        for i in range(24):
            h = services.household_create(
                actor=coordinator, association=association.association, lawful_basis=BASIS,
                name=f"Famille Exemple {i:02d}", neighbourhood=NEIGHBOURS[i % 3],
            )  # fmt: skip
            steps = [(date(2026, 5, 2 + i % 20), "outreach_contact", None)]
            if i % 6 > 0:
                steps.append((date(2026, 5, 3 + i % 20), "info_request", None))
            if i % 6 > 1:
                steps.append((date(2026, 5, 4 + i % 20), "intake_visit", None))
            if i % 6 > 2:
                steps += [(date(2026, 5, 5 + i % 20), "attendance", cafe)]
            if i % 6 > 3:
                steps += [(date(2026, 5, d), "attendance", cafe) for d in (26, 28)]
            if i % 6 > 4:
                steps += [(date(2026, 5, d), "attendance", garden) for d in (27, 29, 30)]
            for day, kind, activity in steps:
                log_touchpoint(actor=coordinator, household=h, day=day, kind=kind,
                               activity=activity)  # fmt: skip
    return association


HOME_CASES = [
    # role, number of stages shown (support stages are for the roles that may learn of support)
    ("coordinator", 10),
    ("volunteer", 9),
    ("board", 9),
]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_roles_home_shows_the_journey_map(
    fixed_today, page, journeys, login_as, viewport, lang
):
    for role, stages in HOME_CASES:
        login_as(role)
        set_language(page, lang)
        page.goto("/")
        cells = page.locator(".stage-map > li")
        assert cells.count() == stages, role
        assert ("Sensibilisation" if lang == "fr" else "Awareness") in cells.first.inner_text()
        if role == "board":
            # aggregate only: no link to a list, small counts hidden as "< 5", never a name
            assert page.locator(".stage-map a").count() == 0
            assert page.locator(".stage-map .hidden-count").count() > 0
            assert "Famille" not in page.locator("main").inner_text()
        else:
            link = cells.nth(1).locator("a")
            assert "?stage=research" in link.get_attribute("href")
            assert page.locator("#tasks-title").count() == 1
            assert page.locator("#sessions-title").count() == 1
        assert_page_ok(page)
        if role == "coordinator":
            screenshot(page, f"journey-map{'-en' if lang == 'en' else ''}-{viewport}")
            # the menu: the association's moments, each opening its pages
            nav_click(page, "Tableau de bord" if lang == "fr" else "Dashboard")
            assert "/analytics/" in page.url
        if role == "board":
            screenshot(page, f"home-board{'-en' if lang == 'en' else ''}-{viewport}")
        log_out(page)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_household_journey_bar_shows_a_skip_and_a_step_back(
    fixed_today, page, journeys, login_as, viewport, lang
):
    login_as("coordinator")
    set_language(page, lang)
    page.goto(f"/households/{journeys.household('Famille Lefèvre').pk}/")
    bar = page.locator(".journey-bar")
    steps = bar.locator(".journey-steps > li")
    assert steps.count() == 10
    states = [steps.nth(i).get_attribute("class").split()[-1] for i in range(10)]
    assert states == [
        "step-skipped",  # awareness: came through an information request
        "step-passed",  # research
        "step-skipped",  # selection: no meeting before the welcome visit
        "step-passed",  # acquisition
        "step-current",  # discovery: back here when the habit lapsed
        "step-fell_back",  # usage
        "step-ahead", "step-ahead", "step-ahead", "step-ahead",
    ]  # fmt: skip
    current = bar.locator("[aria-current=step]")
    assert current.count() == 1
    text = page.locator(".journey").inner_text()
    if lang == "fr":
        assert "Étape 5 sur 10 : Découverte" in text
        assert "Redescendue à Découverte le" in text
        assert "Pour passer à Utilisation :" in text and "encore 3 présences à" in text
    else:
        assert "Stage 5 of 10: Discovery" in text
        assert "Fell back to Discovery on" in text
        assert "To move on to Usage:" in text and "3 more attendances at" in text
    if viewport == "phone":
        # folded: numbered dots, the stage names read by screen readers only
        box = steps.nth(5).locator(".step-label").bounding_box()
        assert box is None or box["width"] <= 1
        assert page.locator(".journey-legend").is_visible()
    else:
        assert steps.nth(5).locator(".step-label").is_visible()
    assert_page_ok(page)
    screenshot(page, f"household-journey{'-en' if lang == 'en' else ''}-{viewport}")
