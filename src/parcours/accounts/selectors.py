from __future__ import annotations

from parcours.accounts.models import Membership


def active_memberships(user) -> list[Membership]:
    """The user's active memberships, oldest first (an inactive account has none)."""
    return list(
        Membership.objects.select_related("association", "household")
        .filter(user=user, user__is_active=True, is_active=True)
        .order_by("id")
    )


def chosen_membership(memberships: list[Membership], association_id) -> Membership | None:
    """The membership in `association_id` among `memberships` if there is one, else the first."""
    chosen = [m for m in memberships if m.association_id == association_id]
    return (chosen or memberships or [None])[0]


def membership_for_user(user, association_id: int | None = None) -> Membership | None:
    """The user's active membership in `association_id` if they have one, else their first."""
    return chosen_membership(active_memberships(user), association_id)


def members_with_second_factor(*, association) -> list[Membership]:
    """The association's members, each with `has_totp` (an authenticator app enrolled);
    active members first."""
    from allauth.mfa.models import Authenticator
    from django.db.models import Exists, OuterRef

    totp = Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
    return list(
        Membership.objects.filter(association=association)
        .select_related("user")
        .annotate(has_totp=Exists(totp))
        .order_by("-is_active", "role", "user__username")
    )
