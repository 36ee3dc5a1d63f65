"""The calendar of sessions (week and month) and each member's calendar links (iCal)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.activities.models import Activity, Session
from parcours.agenda import ical, services
from parcours.agenda.models import CalendarFeed, token_hash
from parcours.core.inputs import day_param

SEE = Capability.RECORD_TOUCHPOINTS


def _sessions(first: date, last: date):
    return (
        Session.objects.filter(day__gte=first, day__lte=last)
        .select_related("activity")
        .order_by("day", "start_time", "id")
    )


@require(SEE)
def calendar(request):
    today = timezone.localdate()
    view = request.GET.get("view", "week")
    if view not in ("week", "month"):
        view = "week"
    day, error = day_param(request.GET, "day", label=_("Day"), default=today)
    if error:
        messages.error(request, error)
    if view == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
    else:
        month = day.replace(day=1)
        following = (month + timedelta(days=32)).replace(day=1)
        previous = (month - timedelta(days=1)).replace(day=1)
        first = month - timedelta(days=month.weekday())
        end = following - timedelta(days=1)
        last = end + timedelta(days=6 - end.weekday())
    by_day: dict[date, list] = defaultdict(list)
    for s in _sessions(first, last):
        by_day[s.day].append(s)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    cells = [{"day": d, "sessions": by_day.get(d, []), "today": d == today} for d in days]
    return render(
        request,
        "agenda/calendar.html",
        {
            "view": view,
            "day": day,
            "month": day.replace(day=1),
            "weeks": [cells[i : i + 7] for i in range(0, len(cells), 7)],
            "cells": cells,
            "first": first,
            "last": last,
            "previous": previous,
            "following": following,
            "today": today,
        },
    )


@require(SEE)
@require_http_methods(["GET", "POST"])
def feeds(request):
    """My calendar links: make one (shown once), see when each was last read, revoke."""
    m = request.membership
    new_url = None
    error = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        feed = CalendarFeed.objects.filter(user=m.user, pk=request.POST.get("feed") or 0).first()
        if feed is None:
            raise Http404
        services.feed_revoke(actor=request.user, feed=feed)
        messages.success(request, _("The calendar link is revoked: it no longer works."))
        return redirect("agenda:feeds")
    if request.method == "POST":
        choice = request.POST.get("activity", "")
        activity = None
        if choice:
            activity = Activity.objects.filter(pk=choice if choice.isdigit() else 0).first()
            if activity is None:
                error = _("Activity: choose one of the list.")
        if error is None:
            try:
                _feed, token = services.feed_create(
                    actor=request.user, membership=m, activity=activity
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                new_url = request.build_absolute_uri(reverse("agenda:feed", args=[token]))
    return render(
        request,
        "agenda/feeds.html",
        {
            "feeds": CalendarFeed.objects.filter(user=m.user).select_related("activity"),
            "activities": Activity.objects.order_by("name"),
            "new_url": new_url,
            "webcal_url": new_url.replace("https://", "webcal://").replace("http://", "webcal://")
            if new_url
            else None,
            "error": error,
        },
        status=400 if error else 200,
    )


def feed(request, token: str):
    """The iCalendar text of a feed, for a phone's calendar: no sign-in, the address is the
    secret. A revoked link, or one whose owner left the association, is 'not found'."""
    with scopes_disabled():
        found = (
            CalendarFeed.objects.filter(token_hash=token_hash(token))
            .select_related("association", "activity", "user")
            .first()
        )
        if found is None or not found.user.is_active:
            raise Http404
        if not Membership.objects.filter(user=found.user, association=found.association).exists():
            raise Http404
        zone_today = timezone.localdate()
        sessions = _sessions(
            zone_today - timedelta(days=ical.PAST_DAYS),
            zone_today + timedelta(days=ical.FUTURE_DAYS),
        ).filter(association=found.association)
        if found.activity_id:
            sessions = sessions.filter(activity_id=found.activity_id)
            name = f"{found.association.name} · {found.activity.name}"
        else:
            sessions = sessions.filter(facilitator_user=found.user)
            mine = _("My sessions")
            name = f"{found.association.name} · {mine}"
        text = ical.feed_text(found.association, sessions, name=name, host=request.get_host())
        now = timezone.now()
        if found.last_read_at is None or now - found.last_read_at > timedelta(hours=1):
            CalendarFeed.objects.filter(pk=found.pk).update(last_read_at=now)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="parcours.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
