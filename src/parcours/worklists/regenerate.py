"""Task regeneration: what the engine proposes for each household, stored as tasks.

Regeneration is idempotent. The engine proposes tasks (rule, cause) for a household as of a
day; a proposal without a task creates one, a task without a proposal that is still open
closes itself ("the situation changed"), a task that is done, dismissed or closed stays so.
(household, rule, cause) is unique in the database, so running it twice creates nothing.
One household (the touchpoint pipeline's consequence, tasks_after_touchpoints) or many (the
import, the demo seeder, the daily run, a recompute: tasks_regenerate_many, planned by the
batch engine from BATCH_FROM households on). Who a new task is for: worklists.assignment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts import visibility
from parcours.accounts.visibility import Audience
from parcours.core.fastinsert import insert_objects, upsert_objects
from parcours.engine import JourneyDefinition, Touchpoint, timeline
from parcours.engine.worklists import (
    TaskProposal,
    TaskSpec,
    next_task_change,
    propose_tasks,
    task_rules,
)
from parcours.households.models import Household
from parcours.households.models import Touchpoint as TouchpointRow
from parcours.journey.definitions import definition_for
from parcours.journey.models import HouseholdJourney
from parcours.worklists import batch_plans, reads
from parcours.worklists.assignment import PeerPool, new_task, set_audience
from parcours.worklists.batch_plans import Plan, Plans
from parcours.worklists.models import Task, TaskCheck
from parcours.worklists.new_tasks import store_new

# The task rule whose visit is recorded as an absent_visit touchpoint of the visitor.
VISIT_RULES = ("find_absent", "peer_visit")
# Task rules that propose something a family may refuse by withdrawing a consent purpose:
# no sponsor is proposed to a family that withdrew its consent to sponsoring. A family that
# withdrew follow-up gets no task at all: every rule proposes to contact or act for it.
CONSENT_RULES = {"assign_sponsor": "sponsoring"}
FOLLOW_UP = "follow_up"
# Task rules that propose what a household may already have, which the touchpoint log does
# not tell: no seat on the committee is proposed to a family that already sits on it.
ALREADY_HELD = ("committee_seat",)


_RULES: dict[int, tuple[JourneyDefinition, tuple[TaskSpec, ...]]] = {}


# Task rules that another app creates and closes itself (parcours.compliance: the coordinator's
# review before a household leaves the active base); regeneration leaves them alone.
MANAGED_ELSEWHERE = ("retention_review",)


def rules_for(definition: JourneyDefinition) -> tuple[TaskSpec, ...]:
    """The definition's task rules, validated once per loaded definition."""
    cached = _RULES.get(id(definition))
    if cached is None or cached[0] is not definition:
        cached = (definition, task_rules(definition))
        _RULES[id(definition)] = cached
    return cached[1]


@dataclass
class Result:
    created: int = 0
    closed: int = 0
    reopened: int = 0
    households: int = 0

    def __iadd__(self, other: Result) -> Result:
        self.created += other.created
        self.closed += other.closed
        self.reopened += other.reopened
        self.households += other.households
        return self


def _task_views(touchpoints: list[Touchpoint], definition, as_of: date):
    """(audience, touchpoints, timeline) of each view of the household (accounts.visibility):
    the full and the public one when it has support evidence, else the one for every role."""
    if not visibility.has_support_evidence(t.kind for t in touchpoints):
        return [(Audience.ALL, touchpoints, timeline(touchpoints, definition, as_of))]
    public = [t for t in touchpoints if t.kind not in visibility.SUPPORT_KINDS]
    return [
        (Audience.SENSITIVE, touchpoints, timeline(touchpoints, definition, as_of)),
        (Audience.PUBLIC, public, timeline(public, definition, as_of)),
    ]


def _consent_filter(wanted: dict, refused: set[str]) -> dict:
    """The proposals a household's withdrawn consent purposes leave."""
    if FOLLOW_UP in refused:
        return {}
    return {k: p for k, p in wanted.items() if CONSENT_RULES.get(k[0]) not in refused}


def _already_held(ids: list[int], as_of: date) -> dict[str, set[int]]:
    """Per rule of ALREADY_HELD: the households (among ``ids``) that already hold it."""
    from parcours.community.selectors import committee_households

    return {"committee_seat": committee_households(ids, as_of)}


class _Followups(Mapping):
    """The last follow-up day of each support case of the households ``ids`` (by case id),
    read with one query the first time a rule asks for one (most writes never do: an
    ``episode_idle`` rule asks only for an open episode)."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    @cached_property
    def _days(self) -> dict[int, date]:
        return _followups(self.ids)

    def __bool__(self) -> bool:  # asked before any lookup: answer without reading
        return True

    def __getitem__(self, key):
        return self._days[key]

    def __iter__(self):
        return iter(self._days)

    def __len__(self) -> int:
        return len(self._days)


def _plan(views, definition: JourneyDefinition, as_of: date, rules, followups) -> Plan:
    """One household's proposals, placement and next change per view, from its timelines
    (the per-household twin of batch_plans.plans)."""
    return Plan(
        [
            (audience, propose_tasks(tps, definition, as_of, rules=rules, tl=tl,
                                     followups=followups))
            for audience, tps, tl in views
        ],
        {audience: tl.current for audience, _tps, tl in views},
        [
            next_task_change(tps, definition, as_of, rules=rules, tl=tl, followups=followups)
            for _audience, tps, tl in views
        ],
    )  # fmt: skip


def _regenerate_chunk(
    households: list[Household],
    as_of: date,
    *,
    given: dict[int, tuple] | None = None,
    planned: Mapping[int, Plan] | None = None,
) -> Result:
    """Regenerate the tasks of a few households (one transaction, a few queries).

    ``given``: household id -> (views, journey valid_until) already read and computed (the
    touchpoint pipeline's shared timelines): neither the touchpoints nor the journey rows are
    read again for those households. ``planned``: household id -> its plan from the batch
    engine (batch_plans.plans): its touchpoints are not read here.
    """
    result = Result(households=len(households))
    ids = [h.pk for h in households]
    given = given or {}
    with scopes_disabled():
        rows: dict[int, list[Touchpoint]] = defaultdict(list)
        unread = [pk for pk in ids if pk not in given and (planned is None or pk not in planned)]
        for hid, d, k, a, r in (
            TouchpointRow.objects.filter(household_id__in=unread)
            .order_by("household_id", "day", "id")
            .values_list("household_id", "day", "kind", "activity_id", "ref")
            if unread
            else ()
        ):
            rows[hid].append(Touchpoint(day=d, kind=k, activity=a, ref=r))
        existing: dict[int, dict[tuple[str, str], Task]] = defaultdict(dict)
        for t in reads.tasks_of(ids):
            existing[t.household_id][(t.rule, t.cause)] = t
        followups = _Followups(ids)
        journey_until: dict[int, date] = {
            pk: until for pk, (_views, until) in given.items() if until is not None
        }
        unjourneyed = [pk for pk in ids if pk not in given]
        for hid, until in (
            HouseholdJourney.objects.filter(household_id__in=unjourneyed).values_list(
                "household_id", "valid_until"
            )
            if unjourneyed
            else ()
        ):  # a household with support has two journeys: the first to change
            if until is not None and (hid not in journey_until or until < journey_until[hid]):
                journey_until[hid] = until
        pools: dict[int, PeerPool] = {}
        withdrawn: dict[int, set[str]] | None = None
        held: dict[str, set[int]] | None = None
        create: list[Task] = []
        update: list[Task] = []
        checks: list[TaskCheck] = []
        now = timezone.now()
        for household in households:
            definition = definition_for(household.association)
            rules = rules_for(definition)
            plan = planned.get(household.pk) if planned is not None else None
            if plan is None:
                if household.pk in given:
                    views = given[household.pk][0]
                else:
                    views = _task_views(rows.get(household.pk, []), definition, as_of)
                plan = _plan(views, definition, as_of, rules, followups)
            wanted: dict[tuple[str, str], tuple[TaskProposal, str]] = {}
            for audience, proposals in plan.proposals:
                for p in proposals:
                    # proposed by both views: every role's task, told as the public view has it
                    seen = (p.rule, p.cause) in wanted
                    wanted[(p.rule, p.cause)] = (p, Audience.ALL if seen else audience)
            if wanted:
                if withdrawn is None:  # one query for the chunk, only once a task is proposed
                    withdrawn = reads.withdrawn(ids)
                wanted = _consent_filter(wanted, withdrawn.get(household.pk, set()))
                if any(rule in ALREADY_HELD for rule, _cause in wanted):
                    if held is None:  # one query per rule for the chunk, only when needed
                        held = _already_held(ids, as_of)
                    wanted = {
                        k: v for k, v in wanted.items() if household.pk not in held.get(k[0], ())
                    }
            mine = existing.get(household.pk, {})
            for key, (p, audience) in wanted.items():
                task = mine.get(key)
                if task is None:
                    if (
                        audience != Audience.SENSITIVE
                        and p.assignee.startswith("peer_family")
                        and household.association_id not in pools
                    ):
                        pools[household.association_id] = PeerPool(
                            household.association_id, definition
                        )
                    pool = pools.get(household.association_id)
                    create.append(new_task(household, p, pool, audience))
                    result.created += 1
                    continue
                changed = False
                if task.audience != audience:
                    set_audience(task, audience, p)
                    changed = True
                if (
                    task.state == Task.State.SNOOZED
                    and task.snoozed_until
                    and task.snoozed_until <= as_of
                ):
                    task.state, task.snoozed_until, task.state_at = Task.State.OPEN, None, now
                    result.reopened += 1
                    changed = True
                if changed:
                    update.append(task)
            current = plan.current
            for key, task in mine.items():
                if key not in wanted and task.is_open:
                    # the situation as the task's readers may learn it
                    view = Audience.SENSITIVE if task.audience == Audience.SENSITIVE else None
                    now_at = (
                        current.get(view) or current.get(Audience.PUBLIC) or current[Audience.ALL]
                    )
                    task.state = Task.State.CLOSED
                    task.state_at, task.state_by, task.snoozed_until = now, None, None
                    task.closed_because = {
                        "code": "cause_gone",
                        "params": {
                            "stage": now_at.stage,
                            "statuses": list(now_at.statuses),
                            "day": as_of.isoformat(),
                        },
                    }
                    update.append(task)
                    result.closed += 1
            days = [d for d in (*plan.next_days, journey_until.get(household.pk)) if d is not None]
            checks.append(
                TaskCheck(
                    association_id=household.association_id,
                    household_id=household.pk,
                    computed_on=as_of,
                    valid_until=min(days) if days else None,
                )
            )
        with transaction.atomic(savepoint=False):  # no savepoint inside tasks_regenerate
            insert_objects(create)
            Task.objects.bulk_update(
                update,
                [
                    "state",
                    "state_at",
                    "state_by",
                    "snoozed_until",
                    "closed_because",
                    "audience",
                    "stage",
                    "reason",
                    "assignee_user",
                    "assignee_household",
                ],  # fmt: skip
                batch_size=1000,
            )
            # every household of the chunk gets its check: insert, or update in place (one
            # statement; household is unique) instead of deleting and inserting again
            check_fields = {
                "unique_fields": ["household"],
                "update_fields": ["association", "computed_on", "valid_until"],
            }
            if len(checks) == 1:  # a touchpoint write: its SQL built once
                upsert_objects(checks, **check_fields)
            else:
                TaskCheck.objects.bulk_create(
                    checks, batch_size=1000, update_conflicts=True, **check_fields
                )
    return result


def _followups(ids: list[int]) -> dict[int, date]:
    """The last follow-up day of each support case of the households ``ids`` (by case id)."""
    return batch_plans.followups_between(min(ids), max(ids), ids) if ids else {}


@transaction.atomic(savepoint=False)
def tasks_regenerate(household: Household, *, as_of: date | None = None) -> Result:
    """Bring one household's tasks in line with its touchpoints as of a day (idempotent).

    Inside the caller's transaction (a touchpoint write) without savepoints: an error here
    fails the whole write.
    """
    return _regenerate_chunk([household], as_of or timezone.localdate())


@transaction.atomic(savepoint=False)
def tasks_after_touchpoints(change) -> None:
    """Touchpoint pipeline consequence (hooks.TASKS), inside the transaction of every
    touchpoint write: the household's tasks from the timelines the pipeline computed once and
    the day its journey stops being true (left by the journey's placement, not read back)."""
    household = change.household
    given = {household.pk: (change.views(), change.facts.get("journey.valid_until"))}
    if "journey.valid_until" not in change.facts:  # no journey consequence ran: read it
        given = {household.pk: (change.views(), _journey_until(household))}
    _regenerate_chunk([household], change.as_of, given=given)


def _journey_until(household: Household) -> date | None:
    days = HouseholdJourney.objects.filter(household=household, valid_until__isnull=False)
    return min(days.values_list("valid_until", flat=True), default=None)


# From how many households tasks_regenerate_many plans with the batch engine (the import's
# chunks of 500 do; one household or a handful keep their own timelines).
BATCH_FROM = 50


def tasks_regenerate_many(
    *,
    association=None,
    household_ids: list[int] | None = None,
    as_of: date | None = None,
    batch_size: int = 500,
    batch: bool = True,
    plan_size: int = 20_000,
    planner: Callable[[list[int]], Mapping[int, Plan]] | None = None,
) -> Result:
    """Regenerate the tasks of many households (all, one association's, or the given ids).

    ``batch``: the proposals of ``plan_size`` households at a time come from the batch
    engine's columns (batch_plans.py: one read of their touchpoints, no per-household
    timeline) when there are at least BATCH_FROM of them; False: each household's timelines
    (the per-household path). Same tasks. ``planner``: the plans of a block of households
    (sorted ids) from what the caller already computed (``parcours recompute`` hands its
    journeys: batch_plans.planner); nothing is read for them.
    """
    as_of = as_of or timezone.localdate()
    result = Result()
    with scopes_disabled():
        qs = Household.objects.active().order_by("id")  # the archive gets no task
        if association is not None:
            qs = qs.filter(association=association)
        if household_ids is not None:
            qs = qs.filter(id__in=household_ids)
        ids = list(qs.values_list("id", flat=True))
        for j in range(0, len(ids), plan_size if batch else len(ids) or 1):
            block = ids[j : j + plan_size] if batch else ids
            # a few households: their own timelines (as one touchpoint write does)
            planned = None
            if batch and planner is not None and block:
                planned = planner(block)
            elif batch and len(block) >= BATCH_FROM:
                planned = batch_plans.read_plans(block, as_of)
            done: set[int] = set()
            if isinstance(planned, Plans) and association is not None and block:
                # the households without tasks yet: straight from the columns (new_tasks.py)
                written = store_new(planned, block, association.pk, as_of)
                result += Result(created=written.created, households=len(written.households))
                done = set(written.households)
            for i in range(0, len(block), batch_size):
                rest = [h for h in block[i : i + batch_size] if h not in done]
                if not rest:
                    continue
                chunk = list(Household.objects.select_related("association").filter(id__in=rest))
                result += _regenerate_chunk(chunk, as_of, planned=planned)
    return result


def due_households(as_of: date, association=None) -> list[int]:
    """Households whose tasks may have changed by themselves by as_of (or never computed)."""
    with scopes_disabled():
        households = Household.objects.active()
        if association is not None:
            households = households.filter(association=association)
        return list(
            households.filter(
                Q(task_check__isnull=True)
                | Q(task_check__valid_until__lte=as_of)
                | Q(journeys__valid_until__lte=as_of)
                | Q(tasks__state=Task.State.SNOOZED, tasks__snoozed_until__lte=as_of)
            )
            .distinct()
            .order_by("id")
            .values_list("id", flat=True)
        )


# --- actions ------------------------------------------------------------------------------
