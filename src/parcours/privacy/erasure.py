"""The mechanics of anonymisation: clear the free text of rows, filter JSON, sweep names.

The public entry points are ``household_erase`` and ``person_erase`` in
:mod:`parcours.privacy.services`; this module only rewrites rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.apps import apps
from django.db import models
from django.db.models import Q

from parcours.privacy import registry

ERASED_TEXT = "—"  # what a required text field holds once erased
SWEPT = "[…]"  # what replaces an identifier found in another row's text
# A string kept in a JSON field: a machine code, a list of codes, a wildcard or an ISO date.
_CODE = re.compile(r"^(\*|[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*|\d{4}-\d{2}-\d{2})$")
MIN_IDENTIFIER = 4  # shorter strings are not swept through other rows (too many false hits)


def scrub_json(value, banned: frozenset[str]):
    """Keep the structure, numbers and machine codes; drop every other string."""
    if isinstance(value, dict):
        return {
            k: scrub_json(v, banned)
            for k, v in value.items()
            if isinstance(k, str) and _CODE.match(k) and k.casefold() not in banned
        }
    if isinstance(value, list):
        return [scrub_json(v, banned) for v in value]
    if isinstance(value, str):
        return value if _CODE.match(value) and value.casefold() not in banned else ""
    return value


def _erased_value(field, current, banned: frozenset[str]):
    if isinstance(field, models.JSONField):
        if (field.model._meta.label_lower, field.name) in registry.CLEARED_JSON:
            return type(current)() if isinstance(current, list | dict) else None
        return scrub_json(current, banned)
    if current in ("", None):
        return current
    return "" if field.blank or field.null else ERASED_TEXT


def _birth_dates(model) -> list:
    """Date fields of a birth: cut to the first of January of their year."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField)
        and not isinstance(f, models.DateTimeField)
        and "birth" in f.name
    ]


def clear_rows(queryset, banned: frozenset[str], overrides=None) -> list[int]:
    """Erase the free text of every row of ``queryset``; returns the ids of the rows."""
    model = queryset.model
    texts = registry.free_text_fields(model)
    births = _birth_dates(model)
    ids: list[int] = []
    changed_rows = []
    for row in queryset.order_by("pk"):
        ids.append(row.pk)
        changed = False
        for field in texts:
            current = getattr(row, field.attname)
            new = _erased_value(field, current, banned)
            if overrides and field.name in overrides:
                new = overrides[field.name](row)
            if new != current:
                setattr(row, field.attname, new)
                changed = True
        for field in births:
            current = getattr(row, field.attname)
            if isinstance(current, date) and (current.month, current.day) != (1, 1):
                setattr(row, field.attname, date(current.year, 1, 1))
                changed = True
        if changed:
            changed_rows.append(row)
    names = [f.name for f in texts] + [f.name for f in births]
    if changed_rows and names:
        model._default_manager.bulk_update(changed_rows, names, batch_size=500)
    return ids


def clear_audit(erased: dict[str, list[int]], banned: frozenset[str]) -> None:
    """Audit rows about an erased row keep what happened, never a value."""
    from parcours.audit.models import AuditEvent

    for label, ids in erased.items():
        for start in range(0, len(ids), 500):
            qs = AuditEvent.objects.with_scopes_disabled().filter(
                object_type=label, object_id__in=ids[start : start + 500]
            )
            clear_rows(qs, banned)


def identifiers(values: Iterable[str]) -> list[str]:
    """The strings worth looking for elsewhere: long enough, longest first, digits of phones."""
    found: set[str] = set()
    for value in values:
        value = (value or "").strip()
        if len(value) >= MIN_IDENTIFIER:
            found.add(value)
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 6 and digits != value:
            found.add(digits)
    return sorted(found, key=len, reverse=True)


def banned_tokens(values: Iterable[str]) -> frozenset[str]:
    """Words of the subject's identifiers, casefolded: never kept as a JSON code."""
    return frozenset(w.casefold() for v in values for w in re.split(r"\W+", v or "") if w)


def _household_rows(model, household_id: int) -> Q | None:
    """Rows of ``model`` that belong to the household (None: the model holds none)."""
    if model._meta.label_lower == registry.HOUSEHOLD:
        return Q(pk=household_id)
    match = None
    for link in registry.all_links():
        if link.model is model and not link.reference_only:
            path = link.path if link.target == registry.HOUSEHOLD else f"{link.path}__household"
            q = Q(**{path: household_id})
            match = q if match is None else match | q
    return match


def sweep(*, association_id: int, needles: list[str], household_id: int | None = None) -> int:
    """Replace each identifier found in the association's free text; returns rows changed.

    With ``household_id``, only that household's own rows are searched. Identity fields
    (another household's own name, address, phone) are never rewritten.
    """
    if not needles:
        return 0
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in needles), re.IGNORECASE)
    changed = 0
    for model in apps.get_models():
        if not any(f.name == "association" for f in model._meta.concrete_fields):
            continue
        skip = registry.IDENTITY_FIELDS.get(model._meta.label_lower, frozenset())
        fields = [
            f
            for f in registry.free_text_fields(model)
            if not isinstance(f, models.JSONField) and f.name not in skip
        ]
        if not fields:
            continue
        match = Q()
        for f in fields:
            for n in needles:
                match |= Q(**{f"{f.name}__icontains": n})
        qs = model._default_manager.filter(match, association_id=association_id)
        if household_id is not None:
            own = _household_rows(model, household_id)
            if own is None:
                continue
            qs = qs.filter(own)
        rows = []
        for row in qs:
            dirty = False
            for f in fields:
                text = getattr(row, f.attname) or ""
                new = pattern.sub(SWEPT, text)
                if new != text:
                    setattr(row, f.attname, new)
                    dirty = True
            if dirty:
                rows.append(row)
        if rows:
            model._default_manager.bulk_update(rows, [f.name for f in fields], batch_size=500)
            changed += len(rows)
    return changed
