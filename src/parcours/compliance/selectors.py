"""Reads of retention: each household's last contact from the family and its tier dates."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max
from django.utils import timezone

from parcours.compliance.models import WARNING_DAYS, RetentionEvent, RetentionPolicy
from parcours.households.models import Household, Touchpoint, TouchpointKind

K = TouchpointKind
# Touchpoints that show the family itself came, asked, met or acted: they keep the record in the
# active base, and the shipped journey's "active" and "dormant" statuses count the same ones
# (tests/journey/test_family_contact.py). What the association records on its own (messages
# sent, a sponsor assigned or ended, a support case closed, a group left or a role ended) does
# not: a family that no longer comes must not stay active because we keep writing about it.
# A visit to an absent family (absent_visit) is this family going to find another one: its own act.
FAMILY_CONTACT_KINDS: tuple[str, ...] = (
    K.OUTREACH_CONTACT,
    K.INFO_REQUEST,
    K.PEER_CONTACT,
    K.APPOINTMENT_BOOKED,
    K.INTAKE_VISIT,
    K.ATTENDANCE,
    K.GROUP_JOINED,
    K.SUPPORT_OPENED,
    K.REFERRAL_MADE,
    K.ABSENT_VISIT,
    K.ACTIVITY_LED,
    K.PROJECT_PROPOSED,
    K.ROLE_STARTED,
)
NOT_FAMILY_CONTACT_KINDS: tuple[str, ...] = tuple(
    k for k in K.values if k not in FAMILY_CONTACT_KINDS
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def policy_for(association) -> RetentionPolicy:
    """The association's policy (the defaults, unsaved, until the administrator sets one)."""
    policy = RetentionPolicy.objects.with_scopes_disabled().filter(association=association).first()
    return policy or RetentionPolicy(association=association)


@dataclass(frozen=True)
class Tiers:
    last_contact: date
    extended_until: date | None
    leaves_active_on: date  # the first day in the intermediate archive

    @property
    def warn_from(self) -> date:
        return self.leaves_active_on - timedelta(days=WARNING_DAYS)

    def anonymise_on(self, policy: RetentionPolicy, archived_on: date) -> date:
        return add_months(max(archived_on, self.leaves_active_on), policy.archive_months)


def last_family_contacts(household_ids: list[int]) -> dict[int, date]:
    """Each household's latest touchpoint coming from the family (absent when it has none)."""
    rows = (
        Touchpoint.objects.with_scopes_disabled()
        .filter(household_id__in=household_ids, kind__in=FAMILY_CONTACT_KINDS)
        .values("household_id")
        .annotate(last=Max("day"))
        .values_list("household_id", "last")
    )
    return dict(rows)


def extensions(household_ids: list[int]) -> dict[int, date]:
    rows = (
        RetentionEvent.objects.with_scopes_disabled()
        .filter(household_id__in=household_ids, kind=RetentionEvent.Kind.EXTENDED)
        .values("household_id")
        .annotate(until=Max("until"))
        .values_list("household_id", "until")
    )
    return dict(rows)


def tiers_of(households: list[Household], policy: RetentionPolicy) -> dict[int, Tiers]:
    """The tier dates of households (three queries whatever their number)."""
    ids = [h.pk for h in households]
    contacts = last_family_contacts(ids)
    extended = extensions(ids)
    out = {}
    for h in households:
        # A household with no contact yet counts from the day it was recorded.
        last = contacts.get(h.pk) or timezone.localdate(h.created_at)
        until = extended.get(h.pk)
        leaves = add_months(last, policy.active_months)
        if until is not None and until >= leaves:
            leaves = until + timedelta(days=1)
        out[h.pk] = Tiers(last_contact=last, extended_until=until, leaves_active_on=leaves)
    return out


def household_tiers(household: Household) -> Tiers:
    return tiers_of([household], policy_for(household.association))[household.pk]


def household_events(household: Household):
    return (
        RetentionEvent.objects.with_scopes_disabled()
        .filter(household=household)
        .select_related("actor")
        .order_by("-at", "-id")
    )


def archived_households(*, association):
    """The intermediate archive of an association, most recently archived first."""
    return (
        Household.objects.with_scopes_disabled()
        .filter(association=association, archived_at__isnull=False)
        .order_by("-archived_at", "id")
    )


# --- reading the archive -----------------------------------------------------------------------

ARCHIVE_SESSION_KEY = "archive_reads"
ARCHIVE_READ_MINUTES = 30


def archive_readable(request, household: Household) -> bool:
    """Whether this request may read this household: any household of the active base (the
    view checks its own capability), an archived one only for an administrator who gave a
    reason (archive_read_granted)."""
    from parcours.accounts.roles import Capability, role_can

    if household.archived_at is None:
        return True
    membership = getattr(request, "membership", None)
    return (
        membership is not None
        and role_can(membership.role, Capability.MANAGE_DATA_PROTECTION)
        and archive_read_granted(request, household.pk)
    )


def archive_read_granted(request, household_id: int) -> bool:
    """Whether this session gave a reason to read this archived household, less than
    ARCHIVE_READ_MINUTES ago (the reason is in a RetentionEvent)."""
    grants = request.session.get(ARCHIVE_SESSION_KEY, {})
    until = grants.get(str(household_id))
    return isinstance(until, float) and until > timezone.now().timestamp()
