"""Sign-in policy: two-factor authentication for the roles that read sensitive data, their
idle timeout, and sign-in events in the association's audit log.

Two-factor. django-allauth asks every account that has an authenticator app for a code after
its password (there is no other way to sign in). Administrators, coordinators and social
workers MUST have one: until they have enrolled, every page but the enrolment (and signing
out) sends them to it. The session remembers that its account is enrolled, so pages cost no
query; an administrator's reset of a colleague's two-factor ends that colleague's sessions.

Idle timeout. Those roles are signed out after PARCOURS_SENSITIVE_IDLE_TIMEOUT seconds without
a request (30 minutes); the others keep the 12-hour session of SESSION_COOKIE_AGE.

Audit. A sign-in and a sign-out are recorded for the member's association. A failed sign-in
(or a locked-out one) is recorded when the typed username is an account of an association: the
event names that account, never the password. A typed username that matches no account is NOT
stored anywhere: it belongs to no association, and what people type in the username box by
mistake is often their password or someone else's name. The rate limit still counts it (by IP
address and by the typed name, in the cache, for minutes only).
"""

from __future__ import annotations

import logging
import time

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import resolve
from django.utils.translation import gettext as _

from parcours.accounts.roles import Role
from parcours.accounts.selectors import membership_for_user
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_event

log = logging.getLogger("parcours.signin")

SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER})
SESSION_SECOND_FACTOR = "parcours_second_factor"  # this session's account is enrolled
SESSION_LAST_SEEN = "parcours_last_seen"  # epoch seconds of the last request (minute grain)
# What an account that must enrol may still open before it has.
OPEN_BEFORE_ENROLMENT = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "set_language",
    }
)


def second_factor_required(membership) -> bool:
    return membership is not None and membership.role in SECOND_FACTOR_ROLES


class SignInPolicyMiddleware:
    """After AssociationScopeMiddleware (it reads request.membership)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = getattr(request, "membership", None)
        if not second_factor_required(membership):
            return self.get_response(request)
        session = request.session
        now = int(time.time())
        last_seen = session.get(SESSION_LAST_SEEN)
        if last_seen is not None and now - last_seen > settings.PARCOURS_SENSITIVE_IDLE_TIMEOUT:
            logout(request)
            minutes = settings.PARCOURS_SENSITIVE_IDLE_TIMEOUT // 60
            messages.info(
                request,
                _("You were signed out after %(minutes)d minutes without activity.")
                % {"minutes": minutes},
            )
            return _htmx_aware(request, redirect_to_login(request.get_full_path()))
        if last_seen is None or now - last_seen >= 60:
            session[SESSION_LAST_SEEN] = now
        if not session.get(SESSION_SECOND_FACTOR):
            if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
                session[SESSION_SECOND_FACTOR] = True  # enrolled during this session
            elif _url_name(request) not in OPEN_BEFORE_ENROLMENT:
                return _to_enrolment(request)
        return self.get_response(request)


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Exception:  # noqa: BLE001 (404s and static files: not a page to let through)
        return None


def _htmx_aware(request, redirect_response):
    """An htmx request gets the whole page's redirect (HX-Redirect), not a fragment swap."""
    if not getattr(request, "htmx", False):
        return redirect_response
    response = HttpResponse(status=403)
    response["HX-Redirect"] = redirect_response["Location"]
    return response


def _to_enrolment(request):
    messages.warning(
        request,
        _(
            "Your role reads sensitive data: protect your account with an authenticator app "
            "before going on."
        ),
    )
    return _htmx_aware(request, redirect("mfa_activate_totp"))


def _audit_account(user, action: str, fields=()) -> bool:
    membership = membership_for_user(user) if user is not None else None
    if membership is None:
        return False
    audit_event(
        actor=user, association_id=membership.association_id, action=action,
        object_type="auth.user", fields=fields,
    )  # fmt: skip
    return True


@receiver(user_logged_in, dispatch_uid="parcours_signin_login")
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # allauth asked an enrolled account for its code before this login.
        request.session[SESSION_SECOND_FACTOR] = is_mfa_enabled(user, [Authenticator.Type.TOTP])
        request.session[SESSION_LAST_SEEN] = int(time.time())
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


@receiver(mfa_signals.authentication_failed, dispatch_uid="parcours_audit_second_factor_failed")
def audit_second_factor_failed(sender, request=None, user=None, **kwargs):
    """A wrong authenticator or recovery code after the right password."""
    if user is not None:
        _audit_account(user, AuditEvent.Action.LOGIN_FAILED, ["second_factor"])
