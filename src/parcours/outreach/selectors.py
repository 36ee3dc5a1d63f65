"""Reads of the outreach app, inside the request's association scope."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet

from parcours.outreach.models import OutreachAction, OutreachContact


def action_list(*, channel: str = "") -> QuerySet[OutreachAction]:
    qs = OutreachAction.objects.annotate(contact_count=Count("contacts")).prefetch_related("team")
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-day", "-id")


def action_detail(*, pk: int) -> OutreachAction:
    return OutreachAction.objects.prefetch_related("team").get(pk=pk)


def action_contacts(*, action: OutreachAction) -> QuerySet[OutreachContact]:
    return (
        OutreachContact.objects.filter(action=action)
        .exclude(household__archived_at__isnull=False)
        .select_related("household")
    )


def team_candidates(*, association):
    return (
        get_user_model()
        .objects.filter(memberships__association=association, is_active=True)
        .order_by("username")
    )


def household_outreach(*, household) -> list[OutreachContact]:
    """The actions that reached this household, newest first (for the household page)."""
    return list(
        OutreachContact.objects.filter(household=household)
        .select_related("action")
        .order_by("-action__day", "-id")[:10]
    )
