"""Reads of support cases. Callers must hold Capability.VIEW_SENSITIVE (views and tags check)."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet

from parcours.support.models import SupportCase


def case_list(*, status: str = "open", search: str = "") -> QuerySet[SupportCase]:
    qs = (
        SupportCase.objects.filter(household__archived_at__isnull=True)
        .select_related("household", "opened_by")
        .annotate(followup_count=Count("followups"), last_followup=Max("followups__day"))
    )
    if status == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_on__isnull=False)
    search = search.strip()
    if search:
        qs = qs.filter(Q(household__name__icontains=search) | Q(reason__icontains=search))
    return (
        qs.order_by("next_review", "-opened_on", "-id")
        if status == "open"
        else qs.order_by("-opened_on", "-id")
    )


def case_detail(*, pk: int) -> SupportCase:
    return (
        SupportCase.objects.filter(household__archived_at__isnull=True)
        .select_related("household", "opened_by")
        .get(pk=pk)
    )


def case_followups(*, case: SupportCase):
    return case.followups.select_related("author").order_by("-day", "-id")


def household_support(*, household) -> dict:
    cases = list(SupportCase.objects.filter(household=household).order_by("-opened_on", "-id")[:5])
    return {"open_case": next((c for c in cases if c.is_open), None), "cases": cases}
