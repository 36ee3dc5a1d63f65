"""The home page of each role, built on the journey: the ten stages at a glance, then today."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from parcours.accounts import visibility
from parcours.accounts.permissions import member_required
from parcours.accounts.roles import Capability, Role, role_can
from parcours.activities import selectors as activity_selectors
from parcours.analytics.privacy import HIDDEN
from parcours.federation.permissions import federation_home
from parcours.home.journey_map import journey_map
from parcours.worklists import selectors as task_selectors
from parcours.worklists.reasons import decorate

TODAY_TASKS = 5


def _today(membership, today) -> dict:
    """Today's tasks (due today or late, the first few) and today's sessions, by capability."""
    out: dict = {}
    role = membership.role
    if role_can(role, Capability.WORK_ON_TASKS):
        due = task_selectors.tasks_for_member(membership, today=today).filter(due__lte=today)
        out["tasks_due"] = due.count()
        tasks = list(due.order_by("-due", "id")[:TODAY_TASKS])
        decorate(tasks, membership)
        out["tasks"] = tasks
    if role_can(role, Capability.RECORD_TOUCHPOINTS):
        out["sessions"] = list(activity_selectors.sessions_on(day=today))
    return out


@federation_home  # a federation viewer has no association: their page is the federation's
@member_required
def home(request):
    m = request.membership
    today = timezone.localdate()
    context: dict = {"role": m.role, "today": today, "hidden": HIDDEN}
    if m.role == Role.PEER_FAMILY:
        context["household"] = m.household
        context |= _today(m, today)
        return render(request, "accounts/home_peer.html", context)
    context["map"] = journey_map(m, today=today)
    if m.role == Role.BOARD:
        return render(request, "home/board.html", context)
    context["household_count"] = visibility.households(m).count()
    context |= _today(m, today)
    return render(request, "home/staff.html", context)
