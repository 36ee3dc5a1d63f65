"""django-allauth, fitted to Parcours: no sign-up, a clear lockout message, audited lockouts,
and no way for a role that must have two-factor authentication to switch it off."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parcours.accounts.selectors import active_memberships


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed sign-ins for this account: it is locked for 15 minutes. "
            "Try again later, or ask for a new password."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        """Accounts are created by the association's administrator, never by sign-up."""
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Within 5 minutes of signing in, the two-factor pages (the enrolment that the sensitive
        roles are sent to, then its recovery codes) need no second password prompt; later,
        they ask for it again."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = context.request
        if not (required and app == "allauth.mfa" and request is not None):
            return required
        if not request.user.is_authenticated:
            return required
        records = get_authentication_records(request, request.user)
        timeout = account_settings.REAUTHENTICATION_TIMEOUT
        return not any(time.time() - r["at"] < timeout for r in records)

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from parcours.accounts.signin import audit_failed_login

            audit_failed_login(credentials.get("username"), fields=["locked"])
            raise


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Administrators, coordinators and social workers keep their authenticator app: when a
        phone is lost, an administrator resets it (Members page), which is audited. A person
        in several associations keeps it if any of their roles needs it."""
        from parcours.accounts.signin import second_factor_required

        if authenticator.type != Authenticator.Type.TOTP:
            return True
        memberships = active_memberships(authenticator.user)
        return not any(second_factor_required(m) for m in memberships)
