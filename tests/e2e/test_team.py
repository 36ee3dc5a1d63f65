"""The team in the browser, in French, on a desktop and a phone: an administrator invites a
coordinator, who accepts, chooses a password, enrols an authenticator app and signs in; the
administrator deactivates a volunteer, who can no longer sign in. axe-core finds nothing."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core import mail
from django.core.cache import cache

from tests.e2e.conftest import (
    AXE_TAGS_STRICT,
    PASSWORD,
    USERNAMES,
    axe_violations,
    format_violations,
    horizontal_overflow,
    log_out,
    new_context,
    screenshot,
)

pytestmark = pytest.mark.browser
NEW_PASSWORD = "une-phrase-de-passe-2026"


def assert_clean(page, label, viewport):
    violations = axe_violations(page, AXE_TAGS_STRICT)
    assert not violations, f"{label}:\n{format_violations(violations)}"
    if viewport == "phone":
        assert horizontal_overflow(page) is None, label


def sign_in(page, username, password):
    page.goto("/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_an_administrator_invites_a_coordinator_who_joins(
    page, browser, association, login_as, viewport, live_server
):
    mail.outbox = []
    login_as("admin")
    page.goto("/members/")
    assert page.locator("main h1").inner_text() == "Équipe"
    assert_clean(page, "team page", viewport)
    page.get_by_role("button", name="Inviter une personne").click()
    page.wait_for_load_state()
    page.locator("main form button[type=submit]").click()  # empty: refused, fields named
    page.wait_for_load_state()
    assert page.locator("main .error").count() >= 2
    assert_clean(page, "invitation form with errors", viewport)
    page.locator("#id_email").fill("nadia.roux@example.org")
    page.locator("#id_role").select_option("coordinator")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "Invitation envoyée à nadia.roux@example.org" in page.locator("main").inner_text()
    assert "nadia.roux@example.org" in page.locator("#invitations-title + ul").inner_text()
    screenshot(page, f"team-{viewport}")

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    invited = new_context(browser, viewport, live_server.url).new_page()
    invited.goto(link)
    assert invited.locator("main h1").inner_text() == "Rejoindre l’équipe"
    assert_clean(invited, "acceptance page", viewport)
    invited.locator("#id_username").fill("nadia.roux")
    invited.locator("#id_password1").fill(NEW_PASSWORD)
    invited.locator("#id_password2").fill(NEW_PASSWORD)
    invited.locator("main form button[type=submit]").click()
    invited.wait_for_load_state()
    assert invited.url == live_server.url + "/login/"
    assert "Votre compte est prêt" in invited.locator("main").inner_text()

    cache.clear()
    sign_in(invited, "nadia.roux", NEW_PASSWORD)
    assert invited.url == live_server.url + "/2fa/totp/activate/"  # a coordinator enrols first
    secret = invited.locator("#authenticator_secret").input_value()
    invited.locator("#id_code").fill(pyotp.TOTP(secret).now())
    invited.locator("main form button[type=submit]").click()
    invited.wait_for_load_state()
    assert invited.url == live_server.url + "/2fa/recovery-codes/"
    invited.goto("/households/")
    assert invited.locator("main h1").inner_text() == "Familles"
    assert "(Coordinateur" in invited.locator("footer").inner_text()

    invited.goto(link)  # the link works once
    assert "déjà été utilisée" in invited.locator("main").inner_text()
    assert_clean(invited, "used invitation", viewport)
    invited.context.close()


def test_the_administrator_deactivates_a_volunteer_who_can_no_longer_sign_in(
    page, browser, association, login_as, viewport, live_server
):
    volunteer = new_context(browser, viewport, live_server.url).new_page()
    cache.clear()
    sign_in(volunteer, USERNAMES["volunteer"], PASSWORD)
    assert volunteer.url == live_server.url + "/"

    login_as("admin")
    page.goto("/members/")
    page.get_by_role("link", name=USERNAMES["volunteer"]).click()
    page.wait_for_load_state()
    assert_clean(page, "member page", viewport)
    page.get_by_role("button", name="Désactiver").click()
    page.wait_for_load_state()
    assert "est désactivé·e" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Réactiver").count() == 1
    assert_clean(page, "deactivated member", viewport)

    volunteer.goto("/households/")  # the open session has ended
    assert volunteer.url.startswith(live_server.url + "/login/")
    cache.clear()
    sign_in(volunteer, USERNAMES["volunteer"], PASSWORD)
    assert volunteer.url == live_server.url + "/inactive/"  # allauth's page, in French
    assert "inactif" in volunteer.locator("main").inner_text()
    assert_clean(volunteer, "inactive account", viewport)
    volunteer.goto("/households/")
    assert volunteer.url.startswith(live_server.url + "/login/")
    log_out(page)
    volunteer.context.close()


def test_a_person_of_two_associations_switches_between_them(page, association, login_as, viewport):
    from parcours.accounts.models import Membership

    other = association.households["other"].association
    Membership.objects.create(user=association.users["coordinator"], association=other,
                              role="volunteer")  # fmt: skip
    login_as("coordinator")
    page.goto("/households/")
    assert "Famille Benali" in page.locator("main").inner_text()
    assert_clean(page, "header with the switcher", viewport)
    page.locator("#association-switch").select_option(label="Le Relais du Port")
    page.get_by_role("button", name="Changer").click()
    page.wait_for_load_state()
    assert "Vous travaillez maintenant dans Le Relais du Port" in page.locator("main").inner_text()
    page.goto("/households/")
    text = page.locator("main").inner_text()
    assert "Famille Durand" in text and "Famille Benali" not in text
    assert "(Bénévole)" in page.locator("footer").inner_text()
