"""The one way services record a change to personal data."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from parcours.audit.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Write who did `action` on `obj`, naming the changed fields (never their values)."""
    return AuditEvent.objects.with_scopes_disabled().create(
        association_id=obj.association_id,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        fields=sorted(set(fields)),
    )


def changed_fields(instance: models.Model, data: dict) -> list[str]:
    """Names of the fields whose value in `data` differs from the instance's."""
    return [name for name, value in data.items() if getattr(instance, name) != value]
