from django import template

from parcours.accounts.roles import Capability, role_can
from parcours.worklists.reasons import SENSITIVE_CODES, decorate
from parcours.worklists.selectors import can_manage, household_tasks

register = template.Library()
SHOWN = 8


@register.inclusion_tag("worklists/_household_panel.html", takes_context=True)
def worklists_household_panel(context, household):
    """The household's tasks: open ones first, then the latest closed (reasons filtered)."""
    membership = context.get("membership")
    allowed = membership is not None and role_can(membership.role, Capability.VIEW_HOUSEHOLDS)
    tasks = []
    if allowed:
        sensitive = role_can(membership.role, Capability.VIEW_SENSITIVE)
        tasks = [
            t
            for t in household_tasks(household, membership)[:50]
            if sensitive or t.reason.get("code") not in SENSITIVE_CODES
        ]
        tasks.sort(key=lambda t: (not t.is_open, t.due))
        tasks = tasks[:SHOWN]
        decorate(tasks, membership)
    return {
        "allowed": allowed,
        "household": household,
        "tasks": tasks,
        "link": allowed and can_manage(membership),
    }
