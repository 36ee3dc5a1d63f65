"""The one way code records an audit event: changes, sign-ins, reads of sensitive pages, exports."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from parcours.audit.models import AuditEvent


def _household_id(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label_lower == "households.household":
        return obj.pk
    return getattr(obj, "household_id", None)


def audit_event(
    *,
    actor,
    association_id: int,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    household_id: int | None = None,
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Write who did `action`, on `obj` if any, naming fields or parts (never their values)."""
    return AuditEvent.objects.with_scopes_disabled().create(
        **_event_fields(actor, association_id, action, obj, object_type, household_id, fields)
    )


def _event_fields(actor, association_id, action, obj, object_type, household_id, fields) -> dict:
    return dict(
        association_id=association_id,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=obj.pk if obj is not None else None,
        household_id=household_id if household_id is not None else _household_id(obj),
        fields=sorted(set(fields)),
    )


def audit_later(
    events: list[AuditEvent], *, actor, action: str, obj: models.Model, fields: Iterable[str] = ()
) -> None:
    """audit_record, kept in ``events`` (unsaved) for ``audit_save``: a service that records
    several events writes them in one statement."""
    events.append(
        AuditEvent(**_event_fields(actor, obj.association_id, action, obj, "", None, fields))
    )


def audit_save(events: list[AuditEvent]) -> None:
    """Write the events audit_later kept, in one statement; ``events`` is emptied."""
    if events:
        from parcours.core.fastinsert import insert_objects

        insert_objects(events)  # bulk_create's one INSERT, without compiling it each time
        events.clear()


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Write who did `action` on `obj`, naming the changed fields (never their values)."""
    return audit_event(
        actor=actor, association_id=obj.association_id, action=action, obj=obj, fields=fields
    )


def audit_many(*, actor, association_id: int, objs: Iterable[models.Model], fields) -> None:
    """audit_record(action=CREATE) for many new rows of one association, in one statement
    (the bulk path: imports)."""
    from django.utils import timezone

    from parcours.core.fastinsert import insert_rows

    user_id = getattr(actor, "pk", None)
    names, now = sorted(set(fields)), timezone.now()
    insert_rows(
        AuditEvent,
        ["association_id", "actor_id", "action", "object_type", "object_id", "household_id",
         "fields", "at"],
        [
            (association_id, user_id, AuditEvent.Action.CREATE, o._meta.label_lower, o.pk,
             _household_id(o), names, now)
            for o in objs
        ],
    )  # fmt: skip


def audit_read(request, *, obj: models.Model | None = None, object_type: str = "", fields=()):
    """A signed-in member read a page of sensitive data (listening notes, support cases)."""
    association_id = request.membership.association_id
    return audit_event(
        actor=request.user, association_id=association_id, action=AuditEvent.Action.VIEW,
        obj=obj, object_type=object_type, fields=fields,
    )  # fmt: skip


def audit_export(request, *, object_type: str, fields=()):
    """A signed-in member downloaded an export (the part exported is named in `fields`)."""
    return audit_event(
        actor=request.user, association_id=request.membership.association_id,
        action=AuditEvent.Action.EXPORT, object_type=object_type, fields=fields,
    )  # fmt: skip


def changed_fields(instance: models.Model, data: dict) -> list[str]:
    """Names of the fields whose value in `data` differs from the instance's."""
    return [name for name, value in data.items() if getattr(instance, name) != value]
