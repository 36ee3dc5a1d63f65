"""Reads of the worklists: whose tasks, the coordinator's board, candidates to assign."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from parcours.accounts import visibility
from parcours.accounts.models import Membership
from parcours.accounts.roles import Capability, Role, role_can
from parcours.worklists.models import AssigneeKind, Task

K = AssigneeKind
# Unassigned tasks a staff role sees in "My tasks" (volunteers and peer families see only
# the tasks given to them).
# The board sees no task (never a name): the tasks a journey still gives the board (a seat on
# the committee to propose) go to the coordinators.
POOL: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (K.COORDINATOR, K.SPONSOR, K.BOARD),
    Role.COORDINATOR: (K.COORDINATOR, K.SPONSOR, K.BOARD),
    Role.SOCIAL_WORKER: (K.SOCIAL_WORKER,),
}


def can_manage(membership) -> bool:
    return membership is not None and role_can(membership.role, Capability.MANAGE_TASKS)


def _mine(membership) -> Q:
    q = Q(assignee_user_id=membership.user_id)
    if membership.household_id and membership.role == Role.PEER_FAMILY:
        q |= Q(assignee_household_id=membership.household_id)
    pool = POOL.get(membership.role)
    if pool:
        q |= Q(assignee_user__isnull=True, assignee_household__isnull=True, assignee_kind__in=pool)
    return q


# Tasks of households in the intermediate archive are hidden from everyone (parcours.compliance).
ACTIVE = Q(household__archived_at__isnull=True)


# A family with no contact from it for the journey's "dormant" window (a setting of the
# journey definition, 180 days by default) leaves the active task lists for the list of
# families to re-contact.
DORMANT = "dormant"
PAGE_SIZE = 25


def dormant_households(membership, today: date) -> QuerySet:
    """Ids of the households that are dormant as the member may learn it (visibility)."""
    from parcours.journey.models import StatusSpan

    return StatusSpan.objects.filter(
        association_id=membership.association_id,
        status=DORMANT,
        end__isnull=True,
        start__lte=today,
        audience__in=visibility.audiences(membership),
    ).values("household_id")


# The coordinator's review before a family leaves for the archive is about a family without
# contact: it stays on the lists when the family is dormant.
KEPT_WHEN_DORMANT = ("retention_review",)


def _dormant_q(membership, today: date) -> Q:
    return Q(household_id__in=dormant_households(membership, today)) & ~Q(
        rule__in=KEPT_WHEN_DORMANT
    )


def by_priority(qs: QuerySet, today: date) -> QuerySet:
    """Most urgent first: due today, then overdue this week (latest first), then due later
    (soonest first), then overdue for longer (latest first)."""
    week = today - timedelta(days=7)
    qs = qs.annotate(
        priority=Case(
            When(due=today, then=Value(0)),
            When(due__gte=week, due__lt=today, then=Value(1)),
            When(due__gt=today, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    )
    later = Case(When(due__gt=today, then=F("due")), default=Value(None))
    return qs.order_by("priority", later.asc(nulls_last=True), F("due").desc(), "id")


def _open(today: date) -> Q:
    return Q(state=Task.State.OPEN) | Q(state=Task.State.SNOOZED, snoozed_until__lte=today)


def _related(qs: QuerySet) -> QuerySet:
    return qs.select_related("household", "assignee_user", "assignee_household")


def _of(membership) -> QuerySet:
    """The association's tasks this member may learn of (accounts.visibility)."""
    qs = Task.objects.filter(association_id=membership.association_id)
    return visibility.tasks(membership, qs)


def tasks_for_member(membership, *, today: date | None = None) -> QuerySet:
    """The open tasks of one member ("My tasks"), most urgent first, without the dormant
    families (see :data:`DORMANT`)."""
    today = today or timezone.localdate()
    qs = (
        _of(membership)
        .filter(_mine(membership), ACTIVE)
        .filter(_open(today))
        .exclude(_dormant_q(membership, today))
    )
    return _related(by_priority(qs, today))


def overdue_count(qs: QuerySet, today: date) -> int:
    return qs.filter(due__lt=today).count()


def tasks_recently_closed(membership, *, limit: int = 10) -> QuerySet:
    return _related(
        _of(membership)
        .filter(_mine(membership), ACTIVE)
        .exclude(state__in=[Task.State.OPEN, Task.State.SNOOZED])
        .order_by("-state_at", "-id")[:limit]
    )


def tasks_selectable(membership, pks: list[int]) -> QuerySet:
    """The tasks among ``pks`` this member may act on (their own, or any for a manager)."""
    qs = _related(_of(membership).filter(ACTIVE, pk__in=pks))
    if not can_manage(membership):
        qs = qs.filter(_mine(membership))
    return qs


def bulk_assignees(membership) -> list:
    """Members a manager may give several tasks to at once (each task's service still checks
    that the person's role may see it)."""
    if not can_manage(membership):
        return []
    return list(
        Membership.objects.filter(association_id=membership.association_id, is_active=True)
        .exclude(role__in=[Role.PEER_FAMILY, Role.BOARD])
        .select_related("user")
        .order_by("role", "user__username")
    )


def tasks_readable(membership) -> QuerySet:
    """Every task this member may see, open or closed: any of the association's for a manager,
    their own otherwise (the task page, the API)."""
    qs = _related(_of(membership).filter(ACTIVE))
    if not can_manage(membership):
        qs = qs.filter(_mine(membership))
    return qs


def task_visible(pk: int, membership) -> Task:
    """A task this member may see (raises Task.DoesNotExist otherwise: a 404)."""
    return tasks_readable(membership).get(pk=pk)


def board_tasks(
    *, membership, today: date | None = None, stage: str = "", neighbourhood: str = ""
) -> QuerySet:
    today = today or timezone.localdate()
    qs = _of(membership).filter(_open(today), ACTIVE).exclude(_dormant_q(membership, today))
    if stage:
        qs = qs.filter(stage=stage)
    if neighbourhood:
        qs = qs.filter(household__neighbourhood=neighbourhood)
    return _related(by_priority(qs, today))


def households_to_recontact(membership, *, today: date | None = None) -> QuerySet:
    """The dormant families the member may open, the most recently lost first, with the day
    of the last contact from the family (FAMILY_CONTACT_KINDS: what the association records on
    its own, such as a message it sends, is none) and their open tasks."""
    from parcours.compliance.selectors import FAMILY_CONTACT_KINDS
    from parcours.households.models import Touchpoint

    today = today or timezone.localdate()
    last = visibility.touchpoints(
        membership,
        Touchpoint.objects.filter(household_id=OuterRef("pk"), kind__in=FAMILY_CONTACT_KINDS),
    )
    open_tasks = _of(membership).filter(household_id=OuterRef("pk")).filter(_open(today))
    return (
        visibility.households(membership)
        .filter(pk__in=dormant_households(membership, today))
        .annotate(
            last_contact=Subquery(last.order_by("-day").values("day")[:1]),
            open_tasks=Subquery(
                open_tasks.order_by()
                .values("household_id")
                .annotate(n=Count("id"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
        )
        .order_by(F("last_contact").desc(nulls_last=True), "name", "id")
    )


def household_tasks(household, membership) -> QuerySet:
    qs = _of(membership).filter(household=household)
    return _related(qs.order_by("-state_at", "due", "id"))


def assignable(association, task: Task) -> tuple[list, list]:
    """(memberships, peer families) a task can be given to."""
    from parcours.journey.definitions import definition_for
    from parcours.worklists.assignment import peer_stages

    members = [
        m
        for m in Membership.objects.filter(association=association, is_active=True)
        .exclude(role=Role.PEER_FAMILY)
        .select_related("user")
        .order_by("role", "user__username")
        if visibility.may_be_assigned(m, task)
    ]
    if not visibility.family_may_be_assigned(task):
        return members, []
    peers = list(
        Membership.objects.filter(
            association=association,
            role=Role.PEER_FAMILY,
            is_active=True,
            household__isnull=False,
            household__journeys__stage__in=peer_stages(definition_for(association)),
            household__journeys__audience__in=visibility.FULL_VIEW,
        )
        .exclude(household_id=task.household_id)
        .select_related("household")
        .order_by("household__neighbourhood", "household__name")
    )
    seen: set[int] = set()
    families = []
    for m in peers:
        if m.household_id not in seen:
            seen.add(m.household_id)
            families.append(m.household)
    return members, families
