"""Personal API tokens: create (shown once), revoke, and find the one a request presents."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.api.models import ApiToken
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record

PREFIX = "pc_"  # tells a Parcours token from other secrets (secret scanners, logs)
LIFETIMES = (30, 90, 365)  # days a new token may be valid
MAX_ACTIVE = 10  # live tokens per person and association


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, membership, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for the member, valid `days` days; returns it with the secret, which is
    never stored (only its sha256) and must be shown to the person now."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name: give the token a name, e.g. the tool using it.")})
    if days not in LIFETIMES:
        raise ValidationError({"days": _("Valid for: choose 30, 90 or 365 days.")})
    live = ApiToken.objects.filter(
        user_id=membership.user_id,
        association_id=membership.association_id,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if live.count() >= MAX_ACTIVE:
        raise ValidationError(
            _("You already have %(n)s valid tokens: revoke one first. Nothing was created.")
            % {"n": MAX_ACTIVE}
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=membership.user_id,
        association_id=membership.association_id,
        name=name,
        prefix=secret[:10],
        digest=digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=membership.user, action=AuditEvent.Action.CREATE, obj=token, fields=["api_token"]
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> None:
    """Revoke at once: the next request with it gets 401. Idempotent."""
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=token, fields=["revoked_at"])


def token_find(secret: str) -> ApiToken | None:
    """The usable token whose secret this is (revoked or expired: None)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        # minute grain is enough for "last used", and spares a write per request
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
