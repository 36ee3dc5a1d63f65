"""The family list: households filtered, sorted and paged in SQL, as the member may learn them.

Everything a row shows or a filter reads goes through parcours.accounts.visibility: the stage
and statuses of the member's view of the journey (the public one for a role without access to
support), the touchpoints the member may learn of. The stage, the last contact and the stage
and contact filters are correlated subqueries read through the household's own index; the
filters on other tables (status, activity, group, sponsor) are semi-joins (`IN`), which the
database evaluates once, not once per household. So the database pages the list whatever the
number of households; what a page shows besides (statuses, sponsor) is read for its rows only.

**Last contact from the family.** Not every touchpoint is a contact *from* the family: a
message, newsletter or call of the association (``communication``) is the association writing;
a sponsor assigned or ended, a support case closed, a group left or a role ended are the
association's own records. The kinds that show the family itself came, asked, met or acted are
parcours.compliance's FAMILY_CONTACT_KINDS (the same definition keeps a record in the active
base and makes the shipped journey's "active" and "dormant" statuses): outreach contact,
information request, peer contact, appointment, welcome visit, attendance, group joined, support
opened (for roles that may learn of it), referral, visit to an absent family, activity led,
project proposed, role started.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from parcours.accounts import visibility
from parcours.community.models import GroupMembership, Sponsorship
from parcours.compliance.selectors import FAMILY_CONTACT_KINDS
from parcours.households.models import Household, Person, Touchpoint
from parcours.journey.models import HouseholdJourney, StatusSpan

ACTIVITY_KINDS = ("attendance", "activity_led")
# sort key -> the columns it orders by (a leading "-" reverses); name and id break ties.
SORTS = (
    "name",
    "-name",
    "stage",
    "-stage",
    "last_contact",
    "-last_contact",
    "neighbourhood",
    "-neighbourhood",
)
NO_SPONSOR = "none"


@dataclass(frozen=True)
class FamilyFilter:
    """What the list is narrowed to; empty values filter nothing (see familylist.forms)."""

    q: str = ""
    stage: str = ""
    status: str = ""
    neighbourhood: str = ""
    activity: int | None = None
    group: int | None = None
    sponsor: str = ""  # "u<user id>", "h<household id>" or NO_SPONSOR
    no_contact_since: date | None = None
    sort: str = "name"


def _journeys(membership):
    return visibility.journeys(
        membership, HouseholdJourney.objects.filter(household=OuterRef("pk"))
    )


def _family_contacts(membership):
    qs = Touchpoint.objects.filter(household=OuterRef("pk"), kind__in=FAMILY_CONTACT_KINDS)
    return visibility.touchpoints(membership, qs)


def _active_sponsorships():
    return Sponsorship.objects.filter(household=OuterRef("pk"), end__isnull=True)


def families(
    *, membership, stage_keys: Iterable[str], filters: FamilyFilter, today: date | None = None
) -> QuerySet[Household]:
    """The households the member may see, narrowed by `filters`, in the chosen order, each
    with `stage_key` and `last_contact` (from the family) annotated (and `stage_order` when
    sorted by stage)."""
    today = today or timezone.localdate()
    f = filters
    last = _family_contacts(membership).order_by("-day").values("day")[:1]
    qs = visibility.households(membership).annotate(
        stage_key=Subquery(_journeys(membership).values("stage")[:1]),
        last_contact=Subquery(last),
    )
    if f.sort.lstrip("-") == "stage":  # the stage's rank in the journey, read in one subquery
        rank = Case(
            *(When(stage=k, then=i) for i, k in enumerate(stage_keys)),
            default=None,
            output_field=IntegerField(),
        )
        ranked = _journeys(membership).annotate(rank=rank).values("rank")[:1]
        qs = qs.annotate(stage_order=Subquery(ranked, output_field=IntegerField()))
    if f.q.strip():
        word = f.q.strip()
        persons = Person.objects.filter(household=OuterRef("pk"), first_name__icontains=word)
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(neighbourhood__icontains=word)
            | Q(phone__icontains=word)
            | Exists(persons)
        )
    if f.stage:
        qs = qs.filter(Exists(_journeys(membership).filter(stage=f.stage)))
    if f.status:
        # A semi-join (`IN`), not a correlated EXISTS: SQLite would read the spans through their
        # (association, status, start) index once per household, 100,000 times.
        current = StatusSpan.objects.filter(status=f.status, start__lte=today).filter(
            Q(end__isnull=True) | Q(end__gt=today)
        )
        qs = qs.filter(pk__in=visibility.journeys(membership, current).values("household_id"))
    if f.neighbourhood:
        qs = qs.filter(neighbourhood=f.neighbourhood)
    if f.activity is not None:
        took_part = Touchpoint.objects.filter(kind__in=ACTIVITY_KINDS, activity_id=f.activity)
        qs = qs.filter(pk__in=visibility.touchpoints(membership, took_part).values("household_id"))
    if f.group is not None:
        members = GroupMembership.objects.filter(group_id=f.group, end__isnull=True)
        qs = qs.filter(pk__in=members.values("household_id"))
    if f.sponsor == NO_SPONSOR:
        qs = qs.filter(~Exists(_active_sponsorships()))
    elif f.sponsor:
        field = "sponsor_user_id" if f.sponsor[0] == "u" else "sponsor_household_id"
        sponsored = Sponsorship.objects.filter(end__isnull=True, **{field: int(f.sponsor[1:])})
        qs = qs.filter(pk__in=sponsored.values("household_id"))
    if f.no_contact_since is not None:
        recent = _family_contacts(membership).filter(day__gte=f.no_contact_since)
        qs = qs.filter(~Exists(recent))
    return qs.order_by(*_ordering(f.sort))


def _ordering(sort: str) -> list:
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    column = {"stage": "stage_order"}.get(key, key)
    if key == "name":
        return [F("name").desc() if descending else F("name").asc(), "-id" if descending else "id"]
    # Households without a stage or a contact go last in both directions, except "oldest
    # contact first", where never contacted is the oldest.
    if descending:
        expr = F(column).desc(nulls_last=True)
    elif key == "last_contact":
        expr = F(column).asc(nulls_first=True)
    else:
        expr = F(column).asc(nulls_last=True)
    return [expr, "name", "id"]


@dataclass
class RowExtras:
    statuses: list[str]
    sponsor: str


def row_extras(*, membership, household_ids: list[int]) -> dict[int, RowExtras]:
    """The statuses (member's view) and current sponsor of these households: two queries."""
    extras = {pk: RowExtras(statuses=[], sponsor="") for pk in household_ids}
    journeys = visibility.journeys(
        membership, HouseholdJourney.objects.filter(household_id__in=household_ids)
    )
    for pk, statuses in journeys.values_list("household_id", "statuses"):
        extras[pk].statuses = list(statuses or [])
    sponsorships = Sponsorship.objects.filter(household_id__in=household_ids, end__isnull=True)
    for s in sponsorships.select_related("sponsor_user", "sponsor_household"):
        extras[s.household_id].sponsor = s.sponsor_name
    return extras


def neighbourhoods(*, membership) -> list[str]:
    qs = visibility.households(membership).exclude(neighbourhood="")
    return list(qs.order_by("neighbourhood").values_list("neighbourhood", flat=True).distinct())


def sponsors(*, membership) -> list[tuple[str, str]]:
    """(value, name) of everyone sponsoring one of the member's households now (one query,
    one row per sponsor)."""
    qs = (
        Sponsorship.objects.filter(
            end__isnull=True, household__in=visibility.households(membership)
        )
        .values_list(
            "sponsor_user_id",
            "sponsor_user__first_name",
            "sponsor_user__last_name",
            "sponsor_user__username",
            "sponsor_household_id",
            "sponsor_household__name",
        )
        .distinct()
    )
    found = {}
    for user_id, first, last, username, household_id, household_name in qs:
        if user_id:
            found[f"u{user_id}"] = f"{first} {last}".strip() or username
        else:
            found[f"h{household_id}"] = household_name
    return sorted(found.items(), key=lambda item: (item[1].lower(), item[0]))
