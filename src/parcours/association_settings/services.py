"""Writes of an association's settings. Each is atomic and audited (field names, never values)."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from parcours.association_settings import selectors
from parcours.association_settings.models import (
    LOGO_MAX_BYTES,
    LOGO_MAX_SIDE,
    LOGO_TYPES,
    ActivityType,
    AssociationLogo,
    ContactChannel,
    ListEntry,
    Neighbourhood,
)
from parcours.association_settings.selectors import pk_of
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_event, audit_record, changed_fields

ASSOCIATION_FIELDS = ("name", "default_language", "vocabulary", "time_zone")


def _audit_association(actor, association, action: str, fields) -> None:
    audit_event(
        actor=actor, association_id=association.pk, action=action, obj=association, fields=fields
    )


@transaction.atomic
def association_update(*, actor, association, **values):
    """Name, default language, vocabulary, time zone. Words only: no stored span changes."""
    data = {k: values[k] for k in ASSOCIATION_FIELDS if k in values}
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    changed = changed_fields(association, data)
    for name, value in data.items():
        setattr(association, name, value)
    association.full_clean()
    if changed:
        association.save(update_fields=changed)
        _audit_association(actor, association, AuditEvent.Action.UPDATE, changed)
    return association


# --- logo -----------------------------------------------------------------------------------


def _logo_error(message: str) -> ValidationError:
    return ValidationError({"logo": _("Logo: %(reason)s") % {"reason": message}})


def _logo_png(data: bytes) -> tuple[bytes, int, int]:
    """Check an upload is a PNG, JPEG or WebP image of a sensible size; re-encode it as PNG
    (which drops any metadata, such as a photo's location, and anything hidden after it)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in LOGO_TYPES:
                raise _logo_error(_("send a PNG, JPEG or WebP image."))
            if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                raise _logo_error(
                    _("the image is %(w)d × %(h)d pixels; at most %(max)d on each side.")
                    % {"w": width, "h": height, "max": LOGO_MAX_SIDE}
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _logo_error(_("this file is not a readable image.")) from None
    return out.getvalue(), width, height


@transaction.atomic
def logo_set(*, actor, association, upload) -> AssociationLogo:
    if upload.size > LOGO_MAX_BYTES:
        raise _logo_error(
            _("the file is %(size)d KB; at most %(max)d KB.")
            % {"size": upload.size // 1024, "max": LOGO_MAX_BYTES // 1024}
        )
    png, width, height = _logo_png(upload.read(LOGO_MAX_BYTES + 1))
    logo, _created = AssociationLogo.objects.with_scopes_disabled().update_or_create(
        association=association,
        defaults={"image": png, "content_type": "image/png", "width": width, "height": height},
    )
    association.logo_updated_at = timezone.now()
    association.save(update_fields=["logo_updated_at"])
    _audit_association(actor, association, AuditEvent.Action.UPDATE, ["logo"])
    return logo


@transaction.atomic
def logo_remove(*, actor, association) -> None:
    AssociationLogo.objects.with_scopes_disabled().filter(association=association).delete()
    association.logo_updated_at = None
    association.save(update_fields=["logo_updated_at"])
    _audit_association(actor, association, AuditEvent.Action.DELETE, ["logo"])


# --- neighbourhoods -------------------------------------------------------------------------


def _save_unique(obj, field: str, message: str) -> None:
    obj.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError({field: message}) from None


def _duplicate_name(name: str) -> str:
    return _("Name: the neighbourhood %(name)s is already in the list.") % {"name": name}


@transaction.atomic
def neighbourhood_add(*, actor, association, name: str, priority: bool = False) -> Neighbourhood:
    name = (name or "").strip()
    n = Neighbourhood(association=association, name=name, priority=priority)
    _save_unique(n, "name", _duplicate_name(name))
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=n, fields=["name", "priority"])
    return n


@transaction.atomic
def neighbourhood_update(*, actor, neighbourhood: Neighbourhood, name: str, priority: bool):
    """Rename (households and outreach actions of the old name follow) or flag it."""
    from parcours.households.models import Household
    from parcours.outreach.models import OutreachAction

    name = (name or "").strip()
    old = neighbourhood.name
    changed = changed_fields(neighbourhood, {"name": name, "priority": priority})
    if not changed:
        return neighbourhood
    neighbourhood.name, neighbourhood.priority = name, priority
    _save_unique(neighbourhood, "name", _duplicate_name(name))
    if old != name:
        assoc = neighbourhood.association_id
        for model in (Household, OutreachAction):
            model.objects.with_scopes_disabled().filter(
                association_id=assoc, neighbourhood=old
            ).update(neighbourhood=name)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=neighbourhood, fields=changed)
    return neighbourhood


@transaction.atomic
def neighbourhood_delete(*, actor, neighbourhood: Neighbourhood) -> None:
    """Only a neighbourhood no household is placed in (a typo, a duplicate)."""
    from parcours.households.models import Household

    used = (
        Household.objects.with_scopes_disabled()
        .filter(association_id=neighbourhood.association_id, neighbourhood=neighbourhood.name)
        .count()
    )
    if used:
        raise ValidationError(
            {
                "name": _(
                    "Name: %(count)d households are in %(name)s; rename it instead, or move "
                    "them first."
                )
                % {"count": used, "name": neighbourhood.name}
            }
        )
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=neighbourhood, fields=["name"])
    neighbourhood.delete()


# --- activity types and contact channels ----------------------------------------------------


def _new_key(model: type[ListEntry], association, label: str) -> str:
    base = slugify(label).replace("-", "_")[:16] or "entry"
    taken = set(selectors.entries(model, association).values_list("key", flat=True))
    key, n = base, 2
    while key in taken or key in model.BUILTIN:
        key, n = f"{base}_{n}", n + 1
    return key


def _in_every_language(make) -> set[str]:
    from django.conf import settings
    from django.utils import translation

    out: set[str] = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out |= make()
    return out


def _shipped_names(entry: ListEntry) -> set[str]:
    return _in_every_language(lambda: {str(entry.BUILTIN.get(entry.key, "")).casefold()})


def _taken_labels(model: type[ListEntry], association, but: str = "") -> set[str]:
    """Labels already in the list, the shipped names in every language."""
    return _in_every_language(
        lambda: {v.casefold() for k, v in selectors.labels(model, association).items() if k != but}
    )


@transaction.atomic
def list_entry_add(*, actor, model: type[ListEntry], association, label: str) -> ListEntry:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Label: this field is required.")})
    if label.casefold() in _taken_labels(model, association):
        raise ValidationError(
            {"label": _("Label: %(label)s is already in the list.") % {"label": label}}
        )
    last = selectors.entries(model, association).order_by("-position").first()
    entry = model(
        association=association,
        key=_new_key(model, association, label),
        label=label,
        position=(last.position + 1) if last else 0,
    )
    entry.full_clean(validate_constraints=False)
    entry.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=entry, fields=["label"])
    return entry


@transaction.atomic
def list_entry_update(*, actor, entry: ListEntry, label: str, active: bool) -> ListEntry:
    """Rename (the records keep the key, so they show the new label) or stop offering it."""
    label = (label or "").strip()
    if entry.builtin and label.casefold() in _shipped_names(entry):
        label = ""  # the shipped name, kept translated
    if not label and not entry.builtin:
        raise ValidationError({"label": _("Label: this field is required.")})
    if label and label.casefold() in _taken_labels(type(entry), entry.association_id, entry.key):
        raise ValidationError(
            {"label": _("Label: %(label)s is already in the list.") % {"label": label}}
        )
    changed = changed_fields(entry, {"label": label, "active": active})
    if changed:
        entry.label, entry.active = label, active
        entry.full_clean(validate_constraints=False)
        entry.save(update_fields=changed)
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=entry, fields=changed)
    return entry


def defaults_ensure(association) -> None:
    """The shipped activity types and contact channels of a new association."""
    for model in (ActivityType, ContactChannel):
        existing = set(selectors.entries(model, association).values_list("key", flat=True))
        model.objects.with_scopes_disabled().bulk_create(
            [
                model(association=association, key=key, builtin=True, position=i)
                for i, key in enumerate(model.BUILTIN)
                if key not in existing
            ]
        )


def neighbourhoods_ensure(association, names) -> int:
    """Add to the association's list the neighbourhoods that households hold and it lacks (a
    household written by an import, a command, or while the list was still empty), so that
    every stored neighbourhood can be flagged. Derived from the household writes, which are
    audited themselves. Returns the number added."""
    names = {n for n in names if n and n.strip()}
    if not names:
        return 0
    have = set(
        selectors.neighbourhoods(association).filter(name__in=names).values_list("name", flat=True)
    )
    new = [Neighbourhood(association_id=pk_of(association), name=n) for n in sorted(names - have)]
    Neighbourhood.objects.with_scopes_disabled().bulk_create(new, ignore_conflicts=True)
    return len(new)
