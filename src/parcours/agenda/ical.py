"""The iCalendar (RFC 5545) text of a feed, with the `icalendar` library.

What a feed holds: each session's activity, start and end in the association's time zone,
place, and whether it is cancelled. Never a family's name or anything about a household.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

# Sessions from a month ago to half a year ahead: what a phone's calendar needs.
PAST_DAYS = 31
FUTURE_DAYS = 183
DEFAULT_LENGTH = timedelta(hours=2)


def zone_of(association) -> ZoneInfo:
    name = getattr(association, "time_zone", "") or settings.TIME_ZONE
    return ZoneInfo(name)


def feed_text(association, sessions, *, name: str, host: str) -> bytes:
    zone = zone_of(association)
    cal = Calendar()
    cal.add("prodid", "-//Parcours//calendar//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(zone))
    stamp = timezone.now()
    for s in sessions:
        start = datetime.combine(s.day, s.start_time, tzinfo=zone)
        end = (
            datetime.combine(s.day, s.end_time, tzinfo=zone)
            if s.end_time
            else start + DEFAULT_LENGTH
        )
        ev = Event()
        ev.add("uid", f"session-{s.pk}@{host}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("summary", s.activity.name)
        place = s.place or s.activity.place
        if place:
            ev.add("location", place)
        ev.add("status", "CANCELLED" if s.cancelled else "CONFIRMED")
        cal.add_component(ev)
    return cal.to_ical()
