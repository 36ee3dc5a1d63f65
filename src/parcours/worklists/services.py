"""Writes of the worklists: task actions (done, snooze, dismiss, assign, a visit recorded),
the daily run and digests. Task regeneration is in parcours.worklists.regenerate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from parcours.accounts import visibility
from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.households.models import Household
from parcours.worklists.models import (
    DigestPreference,
    Task,
)
from parcours.worklists.regenerate import (
    VISIT_RULES,
    Result,
    due_households,
    tasks_regenerate_many,
)


def _set_state(task: Task, *, actor, state: str, reason: str = "", until=None) -> Task:
    if not task.is_open:
        raise ValidationError({"state": _("This task is already closed.")})
    task.state = state
    task.state_reason = reason
    task.state_by = actor if getattr(actor, "pk", None) else None
    task.state_at = timezone.now()
    task.snoozed_until = until
    task.full_clean()
    task.save(update_fields=["state", "state_reason", "state_by", "state_at", "snoozed_until"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=task,
        fields=["state"] + (["state_reason"] if reason else []),
    )
    return task


@transaction.atomic
def task_done(*, actor, task: Task, note: str = "") -> Task:
    return _set_state(task, actor=actor, state=Task.State.DONE, reason=note.strip())


@transaction.atomic
def task_snooze(*, actor, task: Task, until: date | None, today: date | None = None) -> Task:
    today = today or timezone.localdate()
    if until is None:
        raise ValidationError({"until": _("Choose the day the task comes back.")})
    if until <= today:
        raise ValidationError({"until": _("The day the task comes back must be after today.")})
    return _set_state(task, actor=actor, state=Task.State.SNOOZED, until=until)


@transaction.atomic
def task_dismiss(*, actor, task: Task, reason: str) -> Task:
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Write why this task is not needed.")})
    return _set_state(task, actor=actor, state=Task.State.DISMISSED, reason=reason.strip())


@transaction.atomic
def tasks_release(*, actor, membership: Membership) -> int:
    """A member leaves the association (deactivated): their open tasks go back to their rule's
    people, unassigned, so none waits on someone who will never open it. Returns how many."""
    with scopes_disabled():
        tasks = list(
            Task.objects.select_for_update().filter(
                association_id=membership.association_id,
                assignee_user_id=membership.user_id,
                state=Task.State.OPEN,
            )
        )
        for task in tasks:
            task.assignee_user = None
            task.save(update_fields=["assignee_user"])
            audit_record(
                actor=actor, action=AuditEvent.Action.UPDATE, obj=task, fields=["assignee_user"]
            )
    return len(tasks)


@transaction.atomic
def task_assign(*, actor, task: Task, user=None, household: Household | None = None) -> Task:
    """Give a task to a member of the association, or to a peer family (through its users)."""
    if (user is None) == (household is None):
        raise ValidationError({"assignee": _("Choose one person or one peer family.")})
    if not task.is_open:
        raise ValidationError({"assignee": _("This task is already closed.")})
    with scopes_disabled():
        holder = (
            Membership.objects.filter(
                user=user, association_id=task.association_id, is_active=True
            ).first()
            if user is not None
            else None
        )
        if user is not None and holder is None:
            raise ValidationError(
                {"assignee": _("This person is not a member of the association.")}
            )
        if holder is not None and (
            holder.role == Role.PEER_FAMILY or not visibility.may_be_assigned(holder, task)
        ):
            raise ValidationError(
                {"assignee": _("This person's role may not see this task: choose another.")}
            )
        if household is not None and not visibility.family_may_be_assigned(task):
            raise ValidationError(
                {"assignee": _("A peer family cannot be given this task: choose a person.")}
            )
        if household is not None:
            if household.association_id != task.association_id:
                raise ValidationError({"assignee": _("Unknown family.")})
            if household.pk == task.household_id:
                raise ValidationError({"assignee": _("A family cannot be assigned its own task.")})
            if not Membership.objects.filter(
                household=household, role=Role.PEER_FAMILY, association_id=task.association_id
            ).exists():
                raise ValidationError(
                    {"assignee": _("This family has no peer-family account to see the task.")}
                )
    task.assignee_user = user
    task.assignee_household = household
    task.full_clean()
    task.save(update_fields=["assignee_user", "assignee_household"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=task,
        fields=["assignee_user", "assignee_household"],
    )
    return task


@transaction.atomic
def task_record_visit(
    *, actor, task: Task, visitor: Household, day: date, outcome: str, note: str = ""
) -> Task:
    """A peer family went to find the household: an absent_visit touchpoint on the VISITOR.

    Through the community app's visit record, the only writer of absent_visit touchpoints
    (households.ownership). The visit counts toward the visitor's recommendation stage; the
    task is done.
    """
    from parcours.worklists import community

    if task.rule not in VISIT_RULES:
        raise ValidationError({"task": _("This task is not a visit.")})
    if not task.is_open:
        raise ValidationError({"task": _("This task is already closed.")})
    if visitor is None:
        raise ValidationError({"visitor": _("Assign a peer family to the task first.")})
    if visitor.pk == task.household_id or visitor.association_id != task.association_id:
        raise ValidationError({"visitor": _("The visit must be made by another family.")})
    if outcome not in community.VISIT_OUTCOMES:
        raise ValidationError({"outcome": _("Choose what happened.")})
    if day > timezone.localdate():
        raise ValidationError({"day": _("Day of the visit: it cannot be in the future.")})
    if day < task.since:
        raise ValidationError(
            {"day": _("Day of the visit: it must be on or after the day of the task.")}
        )
    household = task.household
    community.record_absent_visit(
        actor=actor, visitor=visitor, visited=household, day=day, outcome=outcome
    )
    task.refresh_from_db()
    if not task.is_open:
        return task
    return _set_state(task, actor=actor, state=Task.State.DONE, reason=note.strip())


# --- preferences and digests ----------------------------------------------------------------


@transaction.atomic
def digest_preference_set(*, actor, membership, daily_digest: bool, language: str):
    pref, _created = DigestPreference.objects.update_or_create(
        user=membership.user,
        association=membership.association,
        defaults={"daily_digest": daily_digest, "language": language},
    )
    return pref


def digests_send(*, as_of: date | None = None) -> int:
    """Email each user who asked for it the list of their open tasks (once a day: the day of
    the association, in its own time zone, unless ``as_of`` is given)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from parcours.association_settings.selectors import association_today
    from parcours.worklists.selectors import tasks_for_member

    given = as_of
    sent = 0
    with scopes_disabled():
        prefs = DigestPreference.objects.filter(daily_digest=True)
        for pref in prefs.select_related("user", "association").order_by("pk"):
            as_of = given or association_today(pref.association)
            if pref.last_sent is not None and pref.last_sent >= as_of:
                continue
            membership = (
                Membership.objects.filter(
                    user=pref.user, association=pref.association, is_active=True
                )
                .select_related("association", "user")
                .first()
            )
            if membership is None or not pref.user.email or not pref.user.is_active:
                continue
            tasks = list(tasks_for_member(membership, today=as_of))
            if tasks:
                with translation.override(pref.language):
                    from parcours.worklists.reasons import decorate

                    decorate(tasks, membership)
                    body = render_to_string(
                        "worklists/digest.txt",
                        {"tasks": tasks, "today": as_of, "membership": membership},
                    )
                    subject = _("Parcours: %(count)s tasks for you") % {"count": len(tasks)}
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [pref.user.email])
                sent += 1
            pref.last_sent = as_of
            pref.save(update_fields=["last_sent"])
    return sent


@dataclass
class DailyReport:
    journeys: int
    tasks: Result
    digests: int


def daily_run(*, as_of: date | None = None, digests: bool = True) -> DailyReport:
    """What `parcours daily` does: journeys whose day has come, their tasks, the digests."""
    from parcours.association_settings.selectors import association_today
    from parcours.journey.recompute import journey_recompute

    journeys, tasks = 0, Result()
    with scopes_disabled():
        associations = list(Association.objects.order_by("id"))
    for association in associations:
        # each association's day, in its own time zone (association settings)
        day = as_of or association_today(association)
        # before the journeys move their valid_until forward
        ids = due_households(day, association=association)
        journeys += journey_recompute(association=association, only_due=True, as_of=day)
        tasks += tasks_regenerate_many(household_ids=ids, as_of=day)
    return DailyReport(journeys, tasks, digests_send(as_of=as_of) if digests else 0)
