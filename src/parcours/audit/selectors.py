"""Reads of the audit log (the request's association only: the manager is scoped)."""

from __future__ import annotations

from django.apps import apps

from parcours.audit.models import AuditEvent


def audit_events(*, actor=None, household: str = "", action: str = "", start=None, end=None):
    """Newest first, with the person and the household of each event."""
    qs = AuditEvent.objects.select_related("actor", "household").order_by("-at", "-id")
    if actor is not None:
        qs = qs.filter(actor=actor)
    if household:
        # the intermediate archive is found on its own page, by exact name (parcours.compliance)
        qs = qs.filter(household__name__icontains=household, household__archived_at__isnull=True)
    if action:
        qs = qs.filter(action=action)
    if start:  # the association's calendar days (TIME_ZONE)
        qs = qs.filter(at__date__gte=start)
    if end:
        qs = qs.filter(at__date__lte=end)
    return qs


def object_label(object_type: str) -> str:
    """The readable name of an audited object's type ("support case"), or its technical one."""
    if not object_type or "." not in object_type:
        return object_type
    app_label, _, model = object_type.partition(".")
    try:
        return str(apps.get_model(app_label, model)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
