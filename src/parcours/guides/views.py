"""Help: the guide of the reader's role, and the list of the other roles' guides."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from parcours.accounts.permissions import member_required
from parcours.accounts.roles import Role
from parcours.guides.content import guide_html


@member_required
def guide(request):
    """?role=<role> opens another role's guide (guides are no secret); by default, one's own."""
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = request.membership.role
    context = {
        "role": role,
        "role_label": Role(role).label,
        "own_role": request.membership.role,
        "guide": mark_safe(guide_html(role, get_language() or "fr")),  # noqa: S308 shipped file
        "roles": Role.choices,
    }
    return render(request, "guides/guide.html", context)
