from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts import services, visibility
from parcours.accounts.models import Membership
from parcours.accounts.permissions import member_required, require
from parcours.accounts.roles import Capability, Role
from parcours.analytics.privacy import BOARD
from parcours.households.models import Household


@member_required
def home(request):
    role = request.membership.role
    today = timezone.localdate()
    context: dict = {"role": role, "today": today}
    m = request.membership
    if role in (Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.VOLUNTEER):
        since = today - timedelta(days=30)
        households = visibility.households(m)
        # the touchpoints this member may learn of, of the households they may see
        seen = visibility.touchpoints(m).filter(household__in=households)
        context["household_count"] = households.count()
        context["active_count"] = seen.filter(day__gte=since).values("household").distinct().count()
        context["recent"] = seen.select_related("household", "activity").order_by("-day", "-id")[
            :10
        ]
        template = "accounts/home_staff.html"
    elif role == Role.BOARD:
        # counts only, never a name: every household of the association is counted
        rows = (
            Household.objects.values("neighbourhood")
            .annotate(n=Count("id"))
            .order_by("neighbourhood")
        )
        # Small counts hidden, the others rounded, as on the dashboard (analytics.privacy).
        context["total"] = BOARD.count(Household.objects.count())
        context["by_neighbourhood"] = [
            {"neighbourhood": r["neighbourhood"], "n": BOARD.count(r["n"])} for r in rows
        ]
        template = "accounts/home_board.html"
    else:  # peer family: their own household only
        context["household"] = request.membership.household
        template = "accounts/home_peer.html"
    return render(request, template, context)


@require(Capability.MANAGE_MEMBERS)
@require_POST
def second_factor_reset(request, member_pk: int):
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        pk=member_pk,
        association=request.membership.association,
    )
    services.second_factor_reset(actor=request.user, membership=membership)
    messages.success(
        request,
        _(
            "Two-factor authentication of %(name)s reset: their sessions are ended, and they "
            "set up an authenticator app again at their next sign-in."
        )
        % {"name": membership.user.get_username()},
    )
    return redirect("team:member", member_pk=membership.pk)
