"""Reads of the front desk. Sensitive intake fields are deferred unless the reader may see them."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from parcours.frontdesk.models import Appointment, InfoRequest, IntakeVisit, PeerContact


def upcoming_appointments(*, since: date | None = None, limit: int = 20) -> list[Appointment]:
    since = since or timezone.localdate()
    start = timezone.make_aware(timezone.datetime.combine(since, timezone.datetime.min.time()))
    return list(
        Appointment.objects.filter(starts_at__gte=start, household__archived_at__isnull=True)
        .select_related("household", "with_user")
        .order_by("starts_at", "id")[:limit]
    )


def recent_info_requests(*, limit: int = 20) -> list[InfoRequest]:
    return list(
        InfoRequest.objects.filter(household__archived_at__isnull=True)
        .select_related("household", "peer_household")
        .order_by("-day", "-id")[:limit]
    )


def recent_peer_contacts(*, limit: int = 20) -> list[PeerContact]:
    return list(
        PeerContact.objects.filter(household__archived_at__isnull=True)
        .select_related("household", "peer_household")
        .order_by("-day", "-id")[:limit]
    )


def intake_visits(*, sensitive: bool) -> QuerySet[IntakeVisit]:
    qs = (
        IntakeVisit.objects.filter(household__archived_at__isnull=True)
        .select_related("household", "received_by")
        .order_by("-day", "-id")
    )
    return qs if sensitive else qs.defer(*IntakeVisit.SENSITIVE_FIELDS)


def intake_visit_detail(*, pk: int, sensitive: bool) -> IntakeVisit:
    return intake_visits(sensitive=sensitive).get(pk=pk)


def staff_users(*, association):
    return (
        get_user_model()
        .objects.filter(memberships__association=association, is_active=True)
        .exclude(memberships__role__in=["peer_family", "board"])
        .order_by("username")
    )


def household_frontdesk(*, household, sensitive: bool) -> dict:
    """What the household page shows of the front desk."""
    return {
        "visits": list(intake_visits(sensitive=sensitive).filter(household=household)[:3]),
        "appointments": list(
            Appointment.objects.filter(household=household)
            .select_related("with_user")
            .order_by("-starts_at")[:3]
        ),
        "requests": list(InfoRequest.objects.filter(household=household).order_by("-day")[:3]),
    }
