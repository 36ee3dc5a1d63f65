"""What each API operation may be used for, the way pages do it.

``endpoint(capability)`` is the API's ``require(capability)``: the token's member must hold the
capability (parcours.accounts.roles), else 403; the operation then runs inside the same
django-scopes scope and time zone as a page of that member's association. Operations build
their answer inside it (lists of dicts, never a lazy queryset), so nothing reads the database
outside the scope. What a member may learn within an operation is decided by
parcours.accounts.visibility, as for the pages.
"""

from __future__ import annotations

import zoneinfo
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django_scopes import scope
from ninja import Field, Schema

from parcours.accounts.roles import role_can

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
MAX_ID = 2**53  # ids and references beyond this are no row (and overflow some databases)


def endpoint(capability: str | None):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = request.membership
            if capability is not None and not role_can(membership.role, capability):
                raise PermissionDenied
            timezone.activate(zoneinfo.ZoneInfo(membership.association.time_zone))
            try:
                with scope(association=[membership.association_id]):
                    return view(request, *args, **kwargs)
            finally:
                timezone.deactivate()

        wrapped.required_capability = capability  # read by the access matrix
        return wrapped

    return decorator


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="rows per page")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="rows to skip")


def filtered(qs: QuerySet, **lookups) -> QuerySet:
    """``qs`` filtered by each lookup whose value the request gave (None or "": not given)."""
    return qs.filter(**{k: v for k, v in lookups.items() if v is not None and v != ""})


def page(qs: QuerySet, query: PageQuery, row) -> dict:
    """One page of ``qs``: ``{"count", "limit", "offset", "items"}``, each item ``row(obj)``."""
    items = [row(obj) for obj in qs[query.offset : query.offset + query.limit]]
    return {"count": qs.count(), "limit": query.limit, "offset": query.offset, "items": items}


def paged(schema: type[Schema]) -> type[Schema]:
    """The schema of a page of ``schema`` rows."""
    from pydantic import create_model

    return create_model(
        f"{schema.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[schema], ...),
    )
