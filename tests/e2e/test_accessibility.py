"""Every page of the foundation, in French and English, on a desktop and a phone:
axe-core (WCAG 2.1 A and AA) finds no violation, and the phone never scrolls sideways.

The screenshots in docs/screenshots/ are written here, from the coordinator's pages.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    AXE_TAGS_STRICT,
    axe_violations,
    format_violations,
    horizontal_overflow,
    log_out,
    open_menu,
    screenshot,
)

pytestmark = pytest.mark.browser

# role -> pages it visits: (name, url builder, expected HTTP status)
PAGES = {
    None: [
        ("login", lambda a: "/login/", 200),
        ("password-reset", lambda a: "/password/reset/", 200),
    ],
    "admin": [
        ("home", lambda a: "/", 200),
        ("consent-policy", lambda a: "/consent/policy/", 200),
        ("members", lambda a: "/members/", 200),
        ("audit-log", lambda a: "/audit/", 200),
        ("security", lambda a: "/2fa/", 200),
        ("password-change", lambda a: "/password/change/", 200),
    ],
    "coordinator": [
        ("home", lambda a: "/", 200),
        ("household-list", lambda a: "/households/", 200),
        ("household", lambda a: f"/households/{a.household('Famille Benali').pk}/", 200),
        ("household-form", lambda a: "/households/new/", 200),
        ("household-edit", lambda a: f"/households/{a.household('Famille Benali').pk}/edit/", 200),
        (
            "person-form",
            lambda a: f"/households/{a.household('Famille Benali').pk}/persons/new/",
            200,
        ),
        (
            "touchpoint-form",
            lambda a: f"/households/{a.household('Famille Benali').pk}/touchpoints/new/",
            200,
        ),
        ("consent", lambda a: f"/consent/households/{a.household('Famille Benali').pk}/", 200),
        (
            "consent-withdraw",
            lambda a: f"/consent/households/{a.household('Famille Benali').pk}/withdraw/",
            200,
        ),
        ("privacy", lambda a: f"/privacy/households/{a.household('Famille Benali').pk}/", 200),
        (
            "privacy-erase",
            lambda a: f"/privacy/households/{a.household('Famille Benali').pk}/erase/",
            200,
        ),
        ("404", lambda a: f"/households/{a.household('other').pk}/", 404),
        ("bad-input", lambda a: "/households/?q=Mar%00tin", 400),
    ],
    "social_worker": [("home", lambda a: "/", 200)],
    "volunteer": [
        ("home", lambda a: "/", 200),
        ("household", lambda a: f"/households/{a.household('Famille Martin').pk}/", 200),
        (
            "touchpoint-form",
            lambda a: f"/households/{a.household('Famille Martin').pk}/touchpoints/new/",
            200,
        ),
        ("403", lambda a: "/households/new/", 403),
    ],
    "peer_family": [
        ("home", lambda a: "/", 200),
        ("own-household", lambda a: f"/households/{a.household('Famille Benali').pk}/", 200),
        ("other-household", lambda a: f"/households/{a.household('Famille Martin').pk}/", 403),
        ("403", lambda a: "/households/", 403),
    ],
    "board": [("home", lambda a: "/", 200)],
}

SCREENSHOTS = {
    # (role, page, lang) -> file name stem; the viewport is appended
    ("coordinator", "home", "fr"): "home",
    ("coordinator", "household", "fr"): "household",
    ("coordinator", "household", "en"): "household-en",
}


def check(page, label: str, problems: list[str], viewport: str) -> None:
    violations = axe_violations(page, AXE_TAGS_STRICT)
    if violations:
        problems.append(f"{label}: axe found\n{format_violations(violations)}")
    if viewport == "phone":
        overflow = horizontal_overflow(page)
        if overflow:
            problems.append(f"{label}: scrolls sideways on the phone: {overflow}")


# Roles with a single page share one test (and one browser context): fewer set-ups.
GROUPS = {
    "anonymous-admin-social_worker-board": [None, "admin", "social_worker", "board"],
    "coordinator": ["coordinator"],
    "volunteer": ["volunteer"],
    "peer_family": ["peer_family"],
}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("group", list(GROUPS))
def test_pages_pass_axe_and_fit_the_phone(
    fixed_today, page, association, login_as, viewport, lang, group, live_server
):
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    problems: list[str] = []
    for role in GROUPS[group]:
        if role:
            login_as(role)
        for name, url, status in PAGES[role]:
            response = page.goto(url(association))
            assert response.status == status, f"{role} {name} {url(association)}: {response.status}"
            assert page.locator("html").get_attribute("lang") == lang
            check(page, f"{role or 'anonymous'} {name} [{lang}, {viewport}]", problems, viewport)
            stem = SCREENSHOTS.get((role, name, lang))
            if stem:
                screenshot(page, f"{stem}-{viewport}")
        if role == "coordinator":
            # The same form once refused: error messages must be accessible too.
            page.goto("/households/new/")
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state()
            assert page.locator(".error").count() >= 2
            check(
                page,
                f"coordinator household-form with errors [{lang}, {viewport}]",
                problems,
                viewport,
            )
        if role:
            page.goto("/")
            if viewport == "phone":  # the folded menu, once opened, must pass too
                open_menu(page)
                check(page, f"{role} menu opened [{lang}, {viewport}]", problems, viewport)
            log_out(page)
    assert not problems, "\n\n".join(problems)
