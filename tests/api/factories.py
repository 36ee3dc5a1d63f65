"""API tokens for the access matrix (URL_KWARGS): one per role and association, held by that
role's member, so each member may revoke their own token and nobody else's."""

from __future__ import annotations

from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.api.models import ApiToken
from parcours.api.services import token_create


def api_token(world, which, role=None) -> ApiToken:
    user = world.user(role or Role.VOLUNTEER, which)
    with scopes_disabled():
        existing = ApiToken.objects.filter(user=user).first()
        if existing:
            return existing
        membership = Membership.objects.select_related("user").get(user=user)
        return token_create(membership=membership, name="matrix", days=30)[0]


URL_KWARGS = {"token_pk": api_token}
