"""Reads of an association's settings: its lists, its logo, its calendar day."""

from __future__ import annotations

import zoneinfo
from contextlib import contextmanager
from datetime import date

from django.utils import timezone

from parcours.association_settings.models import (
    ActivityType,
    AssociationLogo,
    ContactChannel,
    ListEntry,
    Neighbourhood,
)


def pk_of(association) -> int:
    return association if isinstance(association, int) else association.pk


# --- time zone ------------------------------------------------------------------------------


def association_zone(association) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(association.time_zone)


@contextmanager
def association_time(association):
    """Count days in the association's zone (commands and daily jobs; requests get it from
    AssociationScopeMiddleware)."""
    with timezone.override(association_zone(association)):
        yield


def association_today(association) -> date:
    return timezone.localdate(timezone=association_zone(association))


# --- neighbourhoods -------------------------------------------------------------------------


def neighbourhoods(association):
    return Neighbourhood.objects.with_scopes_disabled().filter(association_id=pk_of(association))


def priority_neighbourhoods(association) -> frozenset[str]:
    """Names of the association's priority neighbourhoods (quartiers prioritaires), as
    households and outreach actions store them in their `neighbourhood` field."""
    return frozenset(
        neighbourhoods(association).filter(priority=True).values_list("name", flat=True)
    )


def neighbourhood_choices(association, current: str = "") -> list[tuple[str, str]]:
    """The association's neighbourhoods for a form; a record's current value stays offered
    even when it is not (or no longer) in the list."""
    names = list(neighbourhoods(association).values_list("name", flat=True))
    if current and current not in names:
        names.append(current)
    return [(n, n) for n in names]


# --- activity types and contact channels ----------------------------------------------------


def entries(model: type[ListEntry], association):
    return model.objects.with_scopes_disabled().filter(association_id=pk_of(association))


def activity_types(association):
    return entries(ActivityType, association)


def contact_channels(association):
    return entries(ContactChannel, association)


def _choices(model: type[ListEntry], association, current: str = "") -> list[tuple[str, str]]:
    """Active entries, plus a record's current value even if no longer offered."""
    out = []
    for entry in entries(model, association):
        if entry.active or entry.key == current:
            out.append((entry.key, entry.display))
    if current and current not in {k for k, _label in out}:
        out.append((current, str(model.BUILTIN.get(current, current))))
    return out


def activity_type_choices(association, current: str = "") -> list[tuple[str, str]]:
    return _choices(ActivityType, association, current)


def contact_channel_choices(association, current: str = "") -> list[tuple[str, str]]:
    return _choices(ContactChannel, association, current)


def labels(model: type[ListEntry], association) -> dict[str, str]:
    """key -> label of every entry, offered or not (to show stored records)."""
    return {e.key: e.display for e in entries(model, association)}


# --- logo -----------------------------------------------------------------------------------


def association_logo(association) -> AssociationLogo | None:
    return (
        AssociationLogo.objects.with_scopes_disabled()
        .filter(association_id=pk_of(association))
        .first()
    )


def _check(model: type[ListEntry], association, key: str, field: str, message: str) -> None:
    from django.core.exceptions import ValidationError

    offered = {e.key for e in entries(model, association) if e.active}
    if key not in offered:
        raise ValidationError({field: message})


def activity_type_check(association, key: str, field: str = "category") -> None:
    """A new or changed activity's category is one the association offers."""
    from django.utils.translation import gettext as _

    _check(
        ActivityType, association, key, field,
        _("Category: choose one of the association's activity types."),
    )  # fmt: skip


def contact_channel_check(association, key: str, field: str = "channel") -> None:
    """A new outreach action's channel is one the association offers."""
    from django.utils.translation import gettext as _

    _check(
        ContactChannel, association, key, field,
        _("Channel: choose one of the association's contact channels."),
    )  # fmt: skip
