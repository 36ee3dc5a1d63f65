"""Roles a user can hold in an association, and what each may do.

Permissions are named capabilities; each view and service asks for one. A role grants a fixed
set of capabilities; nothing is granted by default (fail closed).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    VOLUNTEER = "volunteer", _("Volunteer")
    PEER_FAMILY = "peer_family", _("Peer family")
    BOARD = "board", _("Board member")


class Capability(models.TextChoices):
    VIEW_HOUSEHOLDS = "view_households", _("See the list of households and their pages")
    EDIT_HOUSEHOLDS = "edit_households", _("Create and edit households")
    MERGE_HOUSEHOLDS = "merge_households", _("Merge duplicate households, archive and restore")
    VIEW_SENSITIVE = "view_sensitive", _("See needs, listening notes and support details")
    RECORD_TOUCHPOINTS = "record_touchpoints", _("Record touchpoints")
    VIEW_AGGREGATES = "view_aggregates", _("See aggregate figures")
    MANAGE_MEMBERS = "manage_members", _("Manage the association's users")
    MANAGE_ACTIVITIES = "manage_activities", _("Manage activities, schedules and sessions")
    RECORD_PEER_VISITS = "record_peer_visits", _("Record visits to absent families")
    MANAGE_TASKS = "manage_tasks", _("Assign the association's tasks and review sponsor matching")
    READ_AUDIT_LOG = "read_audit_log", _("Read the audit log: sign-ins, reads, exports, changes")
    EXPORT_SUBJECT = "export_subject", _("Produce everything held about a family (access request)")
    ERASE_SUBJECT = "erase_subject", _("Erase a family or one of its members (erasure request)")
    MANAGE_DATA_PROTECTION = (
        "manage_data_protection",
        _("Set retention periods, read the archive and the register of processing activities"),
    )
    WORK_ON_TASKS = "work_on_tasks", _("Be given tasks about households")
    IMPORT_HOUSEHOLDS = (
        "import_households",
        _("Import households, persons and their history from a spreadsheet"),
    )
    EDIT_JOURNEY = "edit_journey", _("Change the journey's thresholds and windows")
    RESTORE_JOURNEY = "restore_journey", _("Restore an earlier version of the journey's rules")
    MANAGE_SETTINGS = (
        "manage_settings",
        _("Change the association's settings: name, logo, language, words, time zone, lists"),
    )


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(C.values),
    Role.COORDINATOR: frozenset(
        {
            C.VIEW_HOUSEHOLDS,
            C.EDIT_HOUSEHOLDS,
            C.VIEW_SENSITIVE,
            C.RECORD_TOUCHPOINTS,
            C.RECORD_PEER_VISITS,
            C.VIEW_AGGREGATES,
            C.MANAGE_ACTIVITIES,
            C.MANAGE_TASKS,
            C.EXPORT_SUBJECT,
            C.ERASE_SUBJECT,
            C.WORK_ON_TASKS,
            C.IMPORT_HOUSEHOLDS,
            C.EDIT_JOURNEY,
            C.MERGE_HOUSEHOLDS,
        }
    ),
    Role.SOCIAL_WORKER: frozenset(
        {
            C.VIEW_HOUSEHOLDS,
            C.EDIT_HOUSEHOLDS,
            C.VIEW_SENSITIVE,
            C.RECORD_TOUCHPOINTS,
            C.RECORD_PEER_VISITS,
            C.VIEW_AGGREGATES,
            C.EXPORT_SUBJECT,
            C.WORK_ON_TASKS,
        }
    ),
    Role.VOLUNTEER: frozenset(
        {C.VIEW_HOUSEHOLDS, C.RECORD_TOUCHPOINTS, C.RECORD_PEER_VISITS, C.WORK_ON_TASKS}
    ),
    # A peer family records its own visits to absent families and sees its tasks, nothing else.
    Role.PEER_FAMILY: frozenset({C.RECORD_PEER_VISITS, C.WORK_ON_TASKS}),
    # The board sees aggregate figures only: never a name, so no task about a household.
    Role.BOARD: frozenset({C.VIEW_AGGREGATES}),
}


def role_can(role: str | None, capability: str) -> bool:
    return role is not None and capability in ROLE_CAPABILITIES.get(role, frozenset())
