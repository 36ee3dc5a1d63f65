from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import views as auth_views
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from parcours.accounts.permissions import member_required
from parcours.accounts.roles import Role
from parcours.analytics.privacy import BOARD
from parcours.households.models import Household, Touchpoint


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@member_required
def home(request):
    role = request.membership.role
    today = timezone.localdate()
    context: dict = {"role": role, "today": today}
    if role in (Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.VOLUNTEER):
        since = today - timedelta(days=30)
        context["household_count"] = Household.objects.count()
        context["active_count"] = (
            Touchpoint.objects.filter(day__gte=since).values("household").distinct().count()
        )
        context["recent"] = Touchpoint.objects.select_related("household", "activity").order_by(
            "-day", "-id"
        )[:10]
        template = "accounts/home_staff.html"
    elif role == Role.BOARD:
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
