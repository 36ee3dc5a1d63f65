"""Who a task is for: the peer family picked by load and neighbourhood, the sponsor of the
household's active sponsorship, and what a task that changes view keeps of its assignee.
Regeneration (worklists.regenerate) calls these when it creates a task or changes its view."""

from __future__ import annotations

from django.db.models import Count
from django_scopes import scopes_disabled

from parcours.accounts import visibility
from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.accounts.visibility import Audience
from parcours.engine import JourneyDefinition
from parcours.engine.worklists import TaskProposal
from parcours.households.models import Household
from parcours.worklists.models import AssigneeKind, SponsorMatch, Task

# A peer family is a household at this stage or beyond whose peer-family user exists.
PEER_MIN_STAGE = "recommendation"


def peer_stages(definition: JourneyDefinition) -> tuple[str, ...]:
    keys = definition.stage_keys
    return keys[keys.index(PEER_MIN_STAGE) :] if PEER_MIN_STAGE in keys else ()


class PeerPool:
    """Peer families of one association (recommendation or beyond, with a user), by load."""

    def __init__(self, association_id: int, definition: JourneyDefinition) -> None:
        with scopes_disabled():
            members = Membership.objects.filter(
                association_id=association_id,
                role=Role.PEER_FAMILY,
                is_active=True,
                household__isnull=False,
                household__journeys__stage__in=peer_stages(definition),
                household__journeys__audience__in=visibility.FULL_VIEW,
            ).values_list("household_id", "household__neighbourhood")
            self.households = {h: n for h, n in members}
            loads = (
                Task.objects.filter(
                    assignee_household_id__in=list(self.households),
                    state__in=[Task.State.OPEN, Task.State.SNOOZED],
                )
                .values("assignee_household_id")
                .annotate(n=Count("id"))
            )
            self.load = {row["assignee_household_id"]: row["n"] for row in loads}

    def pick(self, household: Household, same_neighbourhood: bool) -> int | None:
        candidates = [
            h
            for h, n in self.households.items()
            if h != household.pk
            and (not same_neighbourhood or (n and n == household.neighbourhood))
        ]
        if not candidates:
            return None

        def key(h: int) -> tuple[int, int, int]:
            near = 0 if self.households[h] == household.neighbourhood else 1
            return (near, self.load.get(h, 0), h)

        best = min(candidates, key=key)
        self.load[best] = self.load.get(best, 0) + 1
        return best


def sponsor_of(household: Household, ref: int | None) -> tuple[int | None, int | None]:
    """(user id, household id) of the active sponsor: the sponsorship episode is a match."""
    if ref is None:
        return None, None
    from parcours.worklists import community

    with scopes_disabled():
        if community.available():
            return community.sponsor_of(ref, household.pk) or (None, None)
        m = SponsorMatch.objects.filter(sponsorship_ref=ref, household_id=household.pk).first()
    if m is None:
        return None, None
    return m.sponsor_user_id, m.sponsor_household_id


def set_audience(task: Task, audience: str, p: TaskProposal) -> None:
    """A task changes view: it is told as the view proposing it has it; a task that now tells
    of support leaves whoever may not learn of it (back to the coordinators' pool)."""
    task.audience, task.stage, task.reason = audience, p.stage or "", p.reason.as_dict()
    if audience != Audience.SENSITIVE:
        return
    task.assignee_household = None
    if task.assignee_user_id is not None:
        holder = Membership.objects.filter(
            user_id=task.assignee_user_id, association_id=task.association_id, is_active=True
        ).first()
        if holder is None or not visibility.may_be_assigned(holder, task):
            task.assignee_user = None


def new_task(household: Household, p: TaskProposal, pool: PeerPool | None, audience: str) -> Task:
    task = Task(
        association_id=household.association_id,
        household=household,
        rule=p.rule,
        cause=p.cause,
        assignee_kind=p.assignee,
        stage=p.stage or "",
        reason=p.reason.as_dict(),
        ref=p.ref,
        since=p.since,
        due=p.due,
        audience=audience,
    )
    if audience == Audience.SENSITIVE:  # for the coordinators to give to a sensitive role
        return task
    if p.assignee in (AssigneeKind.PEER_FAMILY, AssigneeKind.PEER_FAMILY_NEIGHBOURHOOD) and pool:
        task.assignee_household_id = pool.pick(
            household, p.assignee == AssigneeKind.PEER_FAMILY_NEIGHBOURHOOD
        )
    elif p.assignee == AssigneeKind.SPONSOR:
        user_id, household_id = sponsor_of(household, p.ref)
        task.assignee_user_id = user_id
        task.assignee_household_id = None if user_id else household_id
    return task
