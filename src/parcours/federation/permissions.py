"""The federation role's guard: its pages for its viewers only, nothing else for them.

A viewer holds no association membership (services.viewer_add refuses one), so every
association page refuses them (``require`` / ``member_required`` find no membership) and the
middleware's scope is empty. Conversely a person signed in with an association membership is
refused the federation's pages, even if an account somehow carries both.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

FEDERATION_ROLE = "federation_viewer"  # the access matrix's name for the rule


def viewer_federations(user) -> list:
    from parcours.federation.models import Federation

    if not user.is_authenticated or not user.is_active:
        return []
    return list(
        Federation.objects.filter(viewers__user=user, viewers__is_active=True).order_by("name")
    )


def federation_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "memberships", None) or getattr(request, "membership", None):
            raise PermissionDenied
        federations = viewer_federations(request.user)
        if not federations:
            raise PermissionDenied
        request.federations = federations
        return view(request, *args, **kwargs)

    wrapped.required_capability = FEDERATION_ROLE
    return wrapped


def federation_home(view):
    """The home page sends a federation viewer (no membership) to the federation's page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and getattr(request, "membership", None) is None
            and viewer_federations(request.user)
        ):
            from django.shortcuts import redirect

            return redirect("federation:dashboard")
        return view(request, *args, **kwargs)

    return wrapped
