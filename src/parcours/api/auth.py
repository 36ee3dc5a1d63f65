"""Bearer authentication with personal tokens, and the per-token rate limit.

A token acts as its person, in the token's association, with the role the person holds there
now (a changed role applies at once; a deactivated membership or account is refused). The
request then carries the same ``membership`` and ``association`` the pages get from
AssociationScopeMiddleware, and parcours.api.access activates the same django-scopes scope.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from ninja.security import HttpBearer

from parcours.accounts.models import Membership
from parcours.api.errors import RateLimited
from parcours.api.services import token_find

WINDOW = 60  # seconds


def rate_limit() -> int:
    """Requests a token may make per minute (PARCOURS_API_RATE_LIMIT, 120 by default)."""
    return int(getattr(settings, "PARCOURS_API_RATE_LIMIT", 120))


def _count(token_key: str) -> tuple[int, int]:
    """This minute's request count of the token (after this one), and seconds left in it."""
    now = int(time.time())
    key = f"parcours-api-rate:{token_key[:32]}:{now // WINDOW}"
    cache.add(key, 0, timeout=WINDOW * 2)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW * 2)
        n = 1
    return n, WINDOW - now % WINDOW


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = token_find(token)
        if found is None:
            return None
        membership = (
            Membership.objects.select_related("association", "household", "user")
            .filter(user_id=found.user_id, association_id=found.association_id, is_active=True)
            .first()
        )
        if membership is None:
            return None
        n, left = _count(found.digest)
        if n > rate_limit():
            raise RateLimited(left)
        request.user = membership.user
        request.membership = membership
        request.association = membership.association
        request.api_token = found
        return found
