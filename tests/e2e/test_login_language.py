"""Signing in, and the French/English switch, as a person does it in the browser."""

from __future__ import annotations

import re

import polib
import pytest

from tests.e2e.conftest import (
    HOUSEHOLDS,
    PERSONS,
    REPO,
    TOUCHPOINTS,
    log_out,
    nav_click,
    set_language,
)

pytestmark = pytest.mark.browser

# What each role sees first after signing in (French): the page's main heading.
HOME_HEADINGS_FR = {
    "admin": "Accueil",
    "coordinator": "Accueil",
    "social_worker": "Accueil",
    "volunteer": "Accueil",
    "peer_family": "Bienvenue",
    "board": "L’association en un coup d’œil",
}


@pytest.mark.parametrize("viewport", ["phone"])
def test_wrong_password_is_refused_in_french(page, login_as):
    login_as("coordinator", password="pas-le-bon")
    assert page.url.endswith("/login/")
    alert = page.locator("main [role=alert]")
    assert "mot de passe" in alert.inner_text()
    assert page.locator("#id_login").input_value() == "claire.dubois"
    assert page.locator("h1").inner_text() == "Connexion"


@pytest.mark.parametrize("viewport", ["desktop"])
def test_right_password_lands_on_the_role_home(page, login_as, live_server):
    for role, heading in HOME_HEADINGS_FR.items():
        login_as(role)
        assert page.url == live_server.url + "/", role
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("main h1").inner_text() == heading, role
        log_out(page)
        assert page.url.endswith("/login/")


# Translations that are English words too: the product's name, and "type" (of a touchpoint).
SAME_IN_ENGLISH = {"parcours", "type"}


def french_ui_strings() -> set[str]:
    """The French translations of the interface (those differing from their English msgid)."""
    found = set()
    for po_path in (REPO / "src" / "parcours").glob("**/locale/fr/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete or not entry.msgstr or "%" in entry.msgstr:
                continue
            text = entry.msgstr.strip()
            if (
                text != entry.msgid.strip()
                and len(text) >= 4
                and text.lower() not in SAME_IN_ENGLISH
            ):
                found.add(text)
    return found


def data_strings() -> list[str]:
    """The association's own data (French names, places, notes), which no switch translates."""
    values: list[str] = []
    for row in HOUSEHOLDS:
        values += [row[0], row[1], row[2], row[6]]
    for persons in PERSONS.values():
        values += [f"{first} {last}" for first, last, *_ in persons]
    for touchpoints in TOUCHPOINTS.values():
        values += [t[2] for t in touchpoints if t[2]] + [t[3] for t in touchpoints if t[3]]
    return sorted({v for v in values if v}, key=len, reverse=True)


def interface_text(page) -> str:
    """Every text of the page, hidden ones included (closed <details>), one node a line; less
    the brand and what is marked as another language (the "Français" switch)."""
    return page.evaluate(
        """() => {
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const texts = [];
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const el = node.parentElement;
                if (el.closest('script, style, .brand')) continue;
                const lang = el.closest('[lang]');
                if (lang && !lang.lang.startsWith('en')) continue;
                if (node.textContent.trim()) texts.push(node.textContent.trim());
            }
            return texts.join('\\n');
        }"""
    )


def remaining_french(text: str, french: set[str]) -> list[str]:
    for value in data_strings():
        text = text.replace(value, " ")
    return sorted(s for s in french if re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", text))


@pytest.mark.parametrize("viewport", ["desktop"])
def test_english_is_one_click_away_and_sticks(page, login_as, association):
    login_as("coordinator")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("main h1").inner_text() == "Accueil"
    assert page.locator("header a[href='/households/']").text_content() == "Familles"

    set_language(page, "en")  # one click on "English" in the header
    assert page.locator("main h1").inner_text() == "Home"
    assert page.locator("header button[name=language][value=fr]").inner_text() == "Français"

    # The next page is in English too, to the last label.
    nav_click(page, "Households")
    assert page.locator("main h1").inner_text() == "Households"
    page.get_by_role("link", name="Famille Benali").click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text() == "Famille Benali"
    french = french_ui_strings()
    assert "Membres" in french  # the catalogue was read
    leftovers = remaining_french(interface_text(page), french)
    assert not leftovers, f"French labels on the English household page: {leftovers}"

    # Logging out and in again keeps the choice (Django's language cookie).
    assert page.locator("header form[action$='/logout/'] button").text_content() == "Log out"
    log_out(page)
    assert page.locator("main h1").inner_text() == "Sign in"
    login_as("coordinator")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main h1").inner_text() == "Home"

    # And back to French.
    set_language(page, "fr")
    assert page.locator("main h1").inner_text() == "Accueil"


def test_the_csp_header_is_sent_and_a_violation_is_caught(page, association):
    """The live server sends the CSP; an inline script is refused, and the shared fixture that
    fails a test on any violation does see it (then forgets it, so this test passes)."""
    from tests.e2e import conftest

    response = page.goto("/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = true"; document.body.append(s); }"""
    )
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.__ran === undefined")
    page.evaluate("0")
    assert any("script-src" in v for v in conftest.CSP_VIOLATIONS), conftest.CONSOLE
    conftest.CSP_VIOLATIONS.clear()
