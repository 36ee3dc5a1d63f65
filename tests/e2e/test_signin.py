"""Two-factor sign-in in the browser: a coordinator enrols an authenticator app (codes from
pyotp, as the app computes them), keeps the recovery codes, then signs in with a code."""

from __future__ import annotations

import pyotp
import pytest
from django.core.cache import cache

from tests.e2e.conftest import (
    AXE_TAGS_STRICT,
    PASSWORD,
    axe_violations,
    format_violations,
    horizontal_overflow,
    log_out,
)

pytestmark = pytest.mark.browser


def assert_clean(page, label):
    violations = axe_violations(page, AXE_TAGS_STRICT)
    assert not violations, f"{label}:\n{format_violations(violations)}"
    assert horizontal_overflow(page) is None, label


def sign_in(page, username, password=PASSWORD):
    page.goto("/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def new_coordinator(association):
    from django.contrib.auth import get_user_model

    from parcours.accounts.models import Membership

    user = get_user_model().objects.create_user("nadia.roux", password=PASSWORD)
    Membership.objects.create(user=user, association=association.association, role="coordinator")
    return user


def test_a_coordinator_enrols_then_signs_in_with_a_code(page, new_coordinator, live_server):
    cache.clear()
    sign_in(page, "nadia.roux")
    # Nothing but the enrolment until the app is set up.
    assert page.url == live_server.url + "/2fa/totp/activate/"
    assert "application d’authentification" in " ".join(
        page.locator("main [role=status]").all_inner_texts()
    )
    page.goto("/households/")
    assert page.url == live_server.url + "/2fa/totp/activate/"
    assert_clean(page, "activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/2fa/recovery-codes/"
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    assert_clean(page, "recovery codes")
    page.goto("/households/")
    assert page.locator("main h1").inner_text() == "Familles"
    log_out(page)

    cache.clear()  # the code just used is refused for 30 s: let the next sign-in reuse it
    sign_in(page, "nadia.roux")
    assert page.url == live_server.url + "/2fa/authenticate/"
    assert_clean(page, "code page")
    page.locator("#id_code").fill("000000")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/2fa/authenticate/"
    assert page.locator("main .error").count() >= 1
    assert_clean(page, "code page with an error")
    page.locator("#id_code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/"
    log_out(page)

    sign_in(page, "nadia.roux")  # a recovery code, when the phone is not at hand
    page.locator("#id_code").fill(codes[0])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/"


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_lockout_says_why_in_french(page, association):
    cache.clear()
    for _ in range(6):
        sign_in(page, "lucas.petit", "pas-le-bon")
    alert = page.locator("main [role=alert]").inner_text()
    assert "verrouillé pour 15 minutes" in alert
    assert_clean(page, "locked out")
    cache.clear()
