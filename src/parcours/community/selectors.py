"""Reads of the community app, inside the request's association scope."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts import visibility
from parcours.community.models import (
    AbsentVisit,
    Communication,
    CommunityRole,
    Group,
    GroupMembership,
    ProjectProposal,
    Referral,
    RoleKind,
    Sponsorship,
)
from parcours.households.models import Household


def group_list() -> QuerySet[Group]:
    return (
        Group.objects.select_related("facilitator")
        .annotate(member_count=Count("memberships", filter=Q(memberships__end__isnull=True)))
        .order_by("name", "id")
    )


def group_detail(*, pk: int) -> Group:
    return Group.objects.select_related("facilitator").get(pk=pk)


def group_memberships(*, group: Group) -> QuerySet[GroupMembership]:
    return (
        GroupMembership.objects.filter(group=group, household__archived_at__isnull=True)
        .select_related("household")
        .order_by("end", "household__name", "-start")
    )


def active_sponsorships(*, limit: int = 50) -> list[Sponsorship]:
    return list(
        Sponsorship.objects.filter(end__isnull=True, household__archived_at__isnull=True)
        .select_related("household", "sponsor_user", "sponsor_household")
        .order_by("-start", "-id")[:limit]
    )


def active_roles(*, limit: int = 50) -> list[CommunityRole]:
    return list(
        CommunityRole.objects.filter(end__isnull=True, household__archived_at__isnull=True)
        .select_related("household", "person")
        .order_by("kind", "household__name")[:limit]
    )


def recent_referrals(*, limit: int = 20) -> list[Referral]:
    return list(
        Referral.objects.filter(referrer__archived_at__isnull=True)
        .exclude(referred__archived_at__isnull=False)
        .select_related("referrer", "referred")
        .order_by("-day", "-id")[:limit]
    )


def recent_absent_visits(*, limit: int = 20, visitor: Household | None = None) -> list[AbsentVisit]:
    qs = AbsentVisit.objects.filter(visited__archived_at__isnull=True).select_related(
        "visitor", "visited"
    )
    if visitor is not None:
        qs = qs.filter(visitor=visitor)
    return list(qs.order_by("-day", "-id")[:limit])


def recent_projects(*, limit: int = 20) -> list[ProjectProposal]:
    return list(
        ProjectProposal.objects.filter(household__archived_at__isnull=True)
        .select_related("household")
        .order_by("-day", "-id")[:limit]
    )


def communication_list() -> QuerySet[Communication]:
    return (
        Communication.objects.select_related("household", "group", "sent_by")
        .annotate(recipient_count=Count("recipients"))
        .order_by("-day", "-id")
    )


def absent_households(*, membership, exclude: Household | None = None) -> QuerySet[Household]:
    """Households whose journey status is 'absent' today and whose visit this member may be
    asked for (a peer family: only those assigned to it; accounts.visibility)."""
    from parcours.journey.models import StatusSpan

    today = timezone.localdate()
    spans = StatusSpan.objects.filter(status="absent", start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gt=today)
    )
    spans = visibility.journeys(membership, spans)
    qs = (
        Household.objects.active()
        .filter(pk__in=spans.values("household_id"))
        .only("id", "name", "neighbourhood")
    )
    qs = visibility.absent_families(membership, qs)
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


def household_community(*, household: Household) -> dict:
    """What the household page shows: sponsor, sponsored, groups, roles, referrals, messages."""
    sponsorships = Sponsorship.objects.select_related(
        "household", "sponsor_user", "sponsor_household"
    )
    return {
        "sponsorship": sponsorships.filter(household=household, end__isnull=True).first(),
        "sponsoring": list(sponsorships.filter(sponsor_household=household, end__isnull=True)),
        "memberships": list(
            GroupMembership.objects.filter(household=household, end__isnull=True).select_related(
                "group"
            )
        ),
        "roles": list(
            CommunityRole.objects.filter(household=household, end__isnull=True).select_related(
                "person"
            )
        ),
        "brought": list(Referral.objects.filter(referrer=household).select_related("referred")),
        "brought_by": list(Referral.objects.filter(referred=household).select_related("referrer")),
        "communications": list(
            Communication.objects.filter(recipients__household=household)
            .select_related("group")
            .order_by("-day", "-id")[:5]
        ),
    }


def committee_households(ids: list[int], as_of: date) -> set[int]:
    """The households (among ``ids``) with a member on the committee on ``as_of``."""
    with scopes_disabled():
        return set(
            CommunityRole.objects.filter(
                household_id__in=ids, kind=RoleKind.COMMITTEE, start__lte=as_of
            )
            .filter(Q(end__isnull=True) | Q(end__gte=as_of))
            .values_list("household_id", flat=True)
        )
