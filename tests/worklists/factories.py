"""Tasks for the access matrix (URL_KWARGS): one per association and role, given to that
role's user, so every member may open the task page of their own task."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled


def task(world, which, role=None):
    from parcours.worklists.models import Task

    household = world.household_a if which == "a" else world.household_b
    user = world.user(role, which) if role else None
    today = timezone.localdate()
    with scopes_disabled():
        return Task.objects.get_or_create(
            household=household,
            rule="find_absent",
            cause=f"matrix:{role}",
            defaults={
                "association_id": household.association_id,
                "assignee_kind": "peer_family_neighbourhood",
                "reason": {
                    "code": "status_for",
                    "params": {
                        "status": "absent",
                        "since": today.isoformat(),
                        "days": 3,
                        "needed": 0,
                    },
                },  # noqa: E501
                "since": today - timedelta(days=3),
                "due": today + timedelta(days=7),
                "assignee_user": user,
            },
        )[0]


URL_KWARGS = {"task_pk": task}
