"""Reads on households. Every query runs inside the request's association scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from parcours.accounts import visibility
from parcours.households.models import Household, Touchpoint, TouchpointKind


def household_list(*, membership, search: str = "") -> QuerySet[Household]:
    """The households this member may see; last_day from the touchpoints they may learn of."""
    last = visibility.touchpoints(membership, Touchpoint.objects.filter(household=OuterRef("pk")))
    last = last.order_by("-day").values("day")[:1]
    qs = visibility.households(membership).annotate(last_day=Subquery(last))
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(neighbourhood__icontains=search)
            | Q(phone__icontains=search)
            | Q(persons__first_name__icontains=search)
        ).distinct()
    return qs.order_by("name", "id")


def household_detail(*, pk: int, include_archived: bool = False) -> Household:
    """A household of the active base; an archived one only when the caller asks for it
    (an administrator who gave a reason: parcours.compliance)."""
    qs = Household.objects.all() if include_archived else Household.objects.active()
    return qs.prefetch_related("persons").get(pk=pk)


def household_touchpoints(*, household: Household, membership) -> QuerySet[Touchpoint]:
    qs = visibility.touchpoints(membership, Touchpoint.objects.filter(household=household))
    return qs.select_related("activity", "actor").order_by("-day", "-id")


# The household page's timeline: touchpoints grouped by the kind of work that records them,
# and the journey's stage changes, newest first.
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "front": (
        TouchpointKind.OUTREACH_CONTACT,
        TouchpointKind.INFO_REQUEST,
        TouchpointKind.PEER_CONTACT,
        TouchpointKind.APPOINTMENT_BOOKED,
        TouchpointKind.INTAKE_VISIT,
    ),
    "activities": (TouchpointKind.ATTENDANCE, TouchpointKind.ACTIVITY_LED),
    "community": (
        TouchpointKind.GROUP_JOINED,
        TouchpointKind.GROUP_LEFT,
        TouchpointKind.SPONSOR_ASSIGNED,
        TouchpointKind.SPONSOR_ENDED,
        TouchpointKind.REFERRAL_MADE,
        TouchpointKind.ABSENT_VISIT,
        TouchpointKind.PROJECT_PROPOSED,
        TouchpointKind.ROLE_STARTED,
        TouchpointKind.ROLE_ENDED,
    ),
    "support": visibility.SUPPORT_KINDS,
    "communications": (TouchpointKind.COMMUNICATION,),
}
STAGES_GROUP = "stages"
GROUP_LABELS = {
    "front": _("Outreach and front desk"),
    "activities": _("Activities"),
    "community": _("Community"),
    "support": _("Support"),
    "communications": _("Communications"),
    STAGES_GROUP: _("Stage changes"),
}


def timeline_groups(*, membership) -> list[tuple[str, str]]:
    """The filters the user may choose: support only for roles that see support cases."""
    sensitive = visibility.sees_support(membership)
    return [(key, label) for key, label in GROUP_LABELS.items() if sensitive or key != "support"]


@dataclass
class TimelineEntry:
    day: date
    touchpoint: Touchpoint | None = None
    span: Any = None  # a parcours.journey.selectors.SpanView: the household entered a stage
    merge: Any = None  # a parcours.directory HouseholdMerge: a duplicate was merged into it

    @property
    def is_stage_change(self) -> bool:
        return self.span is not None


def household_timeline(
    *, household: Household, membership, groups: set[str], spans: list, limit: int
) -> tuple[list[TimelineEntry], bool]:
    """The newest `limit` entries of the chosen groups, and whether older ones remain.

    `spans` are the journey's stage spans as the page shows them (already stripped of what the
    role may not see). A stage change is listed above the touchpoints of its day, as they made it.
    Two queries whatever the history: the touchpoints (bounded by `limit`) and the merges.
    """
    kinds = [k for key in groups if key in KIND_GROUPS for k in KIND_GROUPS[key]]
    touchpoints: list[Touchpoint] = []
    if kinds:
        qs = household_touchpoints(household=household, membership=membership)
        qs = qs.filter(kind__in=kinds)
        touchpoints = list(qs[: limit + 1])
    entries = [TimelineEntry(day=t.day, touchpoint=t) for t in touchpoints]
    if STAGES_GROUP in groups:
        entries += [TimelineEntry(day=s.start, span=s) for s in spans]
    if groups:  # a merge is part of every history it brought together
        from parcours.directory.selectors import household_merges

        entries += [TimelineEntry(day=m.day, merge=m) for m in household_merges(household)]
    # Stable sort: touchpoints keep their (-day, -id) order; stage changes go first in their day.
    entries.sort(key=lambda e: (e.day, e.is_stage_change), reverse=True)
    return entries[:limit], len(entries) > limit
