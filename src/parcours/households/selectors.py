"""Reads on households. Every query runs inside the request's association scope."""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet

from parcours.households.models import Household, Touchpoint


def household_list(*, search: str = "") -> QuerySet[Household]:
    qs = Household.objects.all().annotate(last_day=Max("touchpoints__day"))
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(neighbourhood__icontains=search)
            | Q(phone__icontains=search)
            | Q(persons__first_name__icontains=search)
        ).distinct()
    return qs.order_by("name", "id")


def household_detail(*, pk: int) -> Household:
    return Household.objects.prefetch_related("persons").get(pk=pk)


# Touchpoint kinds whose very existence is sensitive (a support case is a breakdown).
SENSITIVE_KINDS = ("support_opened", "support_closed")


def household_touchpoints(*, household: Household, sensitive: bool) -> QuerySet[Touchpoint]:
    qs = Touchpoint.objects.filter(household=household)
    if not sensitive:
        qs = qs.exclude(kind__in=SENSITIVE_KINDS)
    return qs.select_related("activity", "actor").order_by("-day", "-id")
