from __future__ import annotations

from parcours.accounts.models import Membership


def membership_for_user(user) -> Membership | None:
    """The user's membership (one association per user in this version)."""
    return (
        Membership.objects.select_related("association", "household")
        .filter(user=user, user__is_active=True)
        .order_by("id")
        .first()
    )
