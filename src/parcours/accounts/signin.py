"""Sign-in events written to the association's audit log.

- A sign-in and a sign-out are recorded for the member's association.
- A failed sign-in is recorded when the typed username is an account of an association: the
  event names that account (never the password). A typed username that matches no account is
  NOT stored anywhere: it belongs to no association, and what people type in the username box
  by mistake is often their password or someone else's name. The rate limit still counts it
  (by IP address and by the typed name, in the cache, for minutes only).
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from parcours.accounts.selectors import membership_for_user
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_event

log = logging.getLogger("parcours.signin")


def _audit_account(user, action: str, fields=()) -> bool:
    membership = membership_for_user(user) if user is not None else None
    if membership is None:
        return False
    audit_event(
        actor=user, association_id=membership.association_id, action=action,
        object_type="auth.user", fields=fields,
    )  # fmt: skip
    return True


@receiver(user_logged_in, dispatch_uid="parcours_audit_login")
def audit_login(sender, request, user, **kwargs):
    _audit_account(user, AuditEvent.Action.LOGIN)


@receiver(user_logged_out, dispatch_uid="parcours_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        _audit_account(user, AuditEvent.Action.LOGOUT)


def account_named(username: str | None):
    """The account a typed username names, if any (exact match, as the backend does)."""
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


def audit_failed_login(username: str | None, fields=()) -> None:
    if not _audit_account(account_named(username), AuditEvent.Action.LOGIN_FAILED, fields):
        log.warning("Failed sign-in for an unknown account (the typed name is not kept).")


@receiver(user_login_failed, dispatch_uid="parcours_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    audit_failed_login(credentials.get("username"))
