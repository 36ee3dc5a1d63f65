"""View guards: a view names the capability it needs; anything else is refused."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from parcours.accounts.roles import role_can


def require(capability: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            m = getattr(request, "membership", None)
            if m is None or not role_can(m.role, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability  # read by the access-matrix test
        return wrapped

    return decorator


def member_required(view):
    """Any role of an association."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.required_capability = None
    return wrapped
