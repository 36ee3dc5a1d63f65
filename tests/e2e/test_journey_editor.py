"""The journey editor in the browser, in French, on a phone and a desktop: a coordinator
changes a threshold and its window, reads the preview, saves; the recomputation runs in the
background worker while the progress bar shows it; then a household's stage and reason have
changed. axe-core finds nothing on any of these pages."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    axe_violations,
    format_violations,
    horizontal_overflow,
    open_menu,
    screenshot,
)

pytestmark = pytest.mark.browser

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
USAGE = "stages-5-condition-conditions-0"


def _check(page, viewport) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    if viewport == "phone":
        assert horizontal_overflow(page) is None, horizontal_overflow(page)


def _journey(page, household) -> tuple[str, str]:
    page.goto(f"/households/{household.pk}/")
    # the stage, and why: in plain words, and the rule's sentence (folded under a summary)
    return (
        page.locator(".current-stage .stage-badge").inner_text(),
        page.locator(".plain-reason").inner_text()
        + " | "
        + page.locator(".placement-reason").text_content().strip(),
    )


def test_coordinator_changes_a_threshold_and_the_household_moves(
    page, login_as, association, fixed_today, viewport, settings
):
    settings.TASKS = DATABASE_TASKS  # the real queue: the worker below runs the recomputation
    benali = association.household(
        "Famille Benali"
    )  # twice at the Café des parents, 04-02 and 04-16
    login_as("coordinator")
    stage, reason = _journey(page, benali)
    assert stage == "Découverte"

    open_menu(page)  # the menu's "Piloter" holds the page
    assert page.locator("header nav a[href='/journey/rules/']").text_content() == (
        "Règles du parcours"
    )
    page.goto("/journey/rules/")
    assert page.locator("h1").inner_text() == "Règles du parcours"
    _check(page, viewport)

    # "3 attendances at one activity within 60 days" becomes "2 within 90 days".
    count = page.locator(f"input[name={USAGE}-min_count]")
    window = page.locator(f"input[name={USAGE}-window_days]")
    assert (count.input_value(), window.input_value()) == ("3", "60")
    count.fill("2")
    window.fill("90")
    page.get_by_role("button", name="Prévisualiser la modification").click()
    page.wait_for_load_state()
    preview = page.locator("#preview")
    assert "1 foyer sur 6 changerait d'étape." in preview.inner_text()
    row = preview.locator("tbody tr")
    assert row.count() == 1
    assert row.inner_text().split("\t") == ["Famille Benali", "Découverte", "Utilisation"]
    _check(page, viewport)
    screenshot(page, f"journey-editor-preview-{viewport}")

    page.get_by_label("Pourquoi").fill("Deux présences suffisent à montrer l'habitude.")
    page.get_by_role("button", name="Enregistrer comme nouvelle version").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Version 2 des règles du parcours")
    job = page.locator(".background-job")
    assert job.locator("[data-job-state=queued]").count() == 1  # the worker has not run yet
    assert job.locator("progress").count() == 1
    assert "3 → 2" in page.locator("main").inner_text()
    _check(page, viewport)

    # The application stays usable meanwhile: another page opens while the work waits.
    other = page.context.new_page()
    other.goto("/households/")
    assert "Famille Benali" in other.locator("main").inner_text()
    other.close()

    from parcours.cli import main

    assert main(["worker", "--batch", "--interval", "0"]) == 0
    job.locator("[data-job-state=done]").wait_for()  # htmx polled the progress until done
    assert job.locator("progress").get_attribute("value") == "6"
    _check(page, viewport)
    screenshot(page, f"journey-editor-done-{viewport}")

    new_stage, new_reason = _journey(page, benali)
    assert new_stage == "Utilisation"
    assert new_reason != reason and "Café des parents" in new_reason, (reason, new_reason)
    _check(page, viewport)
