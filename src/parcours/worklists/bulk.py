"""Acting on several tasks at once: mark done, snooze, or give them to one member.

All or nothing: each task goes through the same service as one task alone
(``task_done``, ``task_snooze``, ``task_assign``), in one transaction; the first refusal
undoes the others and is reported with the family it concerns.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.journey.definitions import definition_for
from parcours.worklists import services
from parcours.worklists.models import Task
from parcours.worklists.reasons import title

ACTIONS = ("done", "snooze", "assign")
# A page of tasks is the most one can select at once.
MAX_TASKS = 100


@transaction.atomic
def tasks_bulk(
    *, actor, tasks: list[Task], action: str, until: date | None = None, user=None
) -> int:
    """Apply one action to every task; returns how many were changed."""
    if action not in ACTIONS:
        raise ValidationError({"action": _("Choose what to do with the selected tasks.")})
    if not tasks:
        raise ValidationError({"task": _("Select at least one task.")})
    if len(tasks) > MAX_TASKS:
        raise ValidationError({"task": _("Select at most %(n)d tasks at once.") % {"n": MAX_TASKS}})
    for task in tasks:
        try:
            if action == "done":
                services.task_done(actor=actor, task=task)
            elif action == "snooze":
                services.task_snooze(actor=actor, task=task, until=until)
            else:
                services.task_assign(actor=actor, task=task, user=user)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ValidationError(
                {
                    field: _("%(family)s — %(task)s: %(reason)s")
                    % {
                        "family": task.household.name,
                        "task": title(task.rule, definition_for(task.association)),
                        "reason": messages[0],
                    }
                }
            ) from exc
    return len(tasks)
