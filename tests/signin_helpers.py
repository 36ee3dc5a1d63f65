"""Signing in through the real forms in browser tests, second factor included.

The administrator, coordinator and social worker of the browser tests' associations are
enrolled with TOTP_SECRET (their roles require two-factor authentication); the codes come from
pyotp, as an authenticator app computes them.
"""

from __future__ import annotations

import time

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # tests only
SECOND_FACTOR_ROLES = ("admin", "coordinator", "social_worker")


def enrol(user, secret: str = TOTP_SECRET) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)


def pass_second_factor(page, secret: str = TOTP_SECRET) -> None:
    """On the code page after the password, type the current code. A code is accepted once:
    if it was just used (the same account signing in twice within 30 s), wait for the next."""
    import pyotp

    for _attempt in range(2):
        if not page.url.endswith("/2fa/authenticate/"):
            return
        page.locator("#id_code").fill(pyotp.TOTP(secret).now())
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        if not page.url.endswith("/2fa/authenticate/"):
            return
        time.sleep(30.5 - time.time() % 30)
    raise AssertionError("the authenticator code was refused twice")
