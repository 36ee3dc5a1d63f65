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


def members_with_second_factor(*, association) -> list[Membership]:
    """The association's members, each with `has_totp` (an authenticator app enrolled)."""
    from allauth.mfa.models import Authenticator
    from django.db.models import Exists, OuterRef

    totp = Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
    return list(
        Membership.objects.filter(association=association)
        .select_related("user")
        .annotate(has_totp=Exists(totp))
        .order_by("role", "user__username")
    )
