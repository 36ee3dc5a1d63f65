"""Writes on associations and memberships."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.text import slugify

from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role


@transaction.atomic
def association_create(*, name: str, admin_username: str, admin_password: str) -> Association:
    """A new association with its first administrator."""
    User = get_user_model()
    association = Association(name=name, slug=slugify(name)[:50], journey=settings.PARCOURS_JOURNEY)
    association.full_clean()
    association.save()
    user = User(username=admin_username)
    validate_password(admin_password, user)
    user.set_password(admin_password)
    user.full_clean()
    user.save()
    Membership.objects.create(user=user, association=association, role=Role.ADMIN)
    return association


@transaction.atomic
def second_factor_reset(*, actor, membership: Membership) -> int:
    """A colleague lost the phone: remove their authenticator app and recovery codes, and end
    their sessions (the lost phone may hold one). They enrol again at their next sign-in.
    Returns the number of sessions ended."""
    from allauth.mfa.models import Authenticator

    from parcours.audit.models import AuditEvent
    from parcours.audit.services import audit_record

    user = membership.user
    removed = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    Authenticator.objects.filter(user=user).delete()
    ended = user_sessions_end(user)
    audit_record(actor=actor, action=AuditEvent.Action.MFA_RESET, obj=membership, fields=removed)
    return ended


def user_sessions_end(user) -> int:
    """End every open session of `user` (database sessions); returns how many were ended."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
