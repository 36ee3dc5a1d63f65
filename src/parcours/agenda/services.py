"""Writes of the calendar: make and revoke feeds."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.agenda.models import CalendarFeed, token_hash
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record

MAX_FEEDS = 20


@transaction.atomic
def feed_create(*, actor, membership, activity=None) -> tuple[CalendarFeed, str]:
    """A new feed and its secret (returned once: only its hash is kept)."""
    if activity is not None and activity.association_id != membership.association_id:
        raise ValidationError({"activity": _("Activity: choose one of the association's.")})
    if CalendarFeed.objects.filter(user=membership.user).count() >= MAX_FEEDS:
        raise ValidationError(
            {"activity": _("You have %(n)d calendar links: revoke one first.") % {"n": MAX_FEEDS}}
        )
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        association_id=membership.association_id,
        user=membership.user,
        activity=activity,
        token_hash=token_hash(token),
    )
    feed.full_clean()
    feed.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=feed, fields=["activity"])
    return feed, token


@transaction.atomic
def feed_revoke(*, actor, feed: CalendarFeed) -> None:
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=feed, fields=["activity"])
    feed.delete()
