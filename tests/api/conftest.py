from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership


def token_for(user, association=None) -> str:
    """A personal token of `user` in `association` (their first membership by default)."""
    from parcours.api.services import token_create

    with scopes_disabled():
        qs = Membership.objects.select_related("user", "association").filter(user=user)
        if association is not None:
            qs = qs.filter(association=association)
        _token, secret = token_create(membership=qs.first(), name="tests", days=30)
    return secret


@pytest.fixture
def bearer():
    def _bearer(user, association=None) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, association)}"}

    return _bearer
