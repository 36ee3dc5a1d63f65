"""The journey as an event log, for process-mining tools (ProM, PM4Py, Celonis, Disco).

Read in chunks of households, so memory stays bounded whatever the size of the association:

- a **case** is a household, named by its number only (``household-12``): an event log leaves
  the association for tools and consultants, so it carries no name, address, phone, note or
  actor, for any role. The board gets no event log at all (its exports are aggregate counts).
- an **event** is a touchpoint the exporting member may learn of (parcours.accounts.visibility:
  no support touchpoint for a role without Capability.VIEW_SENSITIVE), dated to its day;
  its activity is the touchpoint kind in the reader's language, its ``parcours:kind`` the
  kind's key, and ``parcours:stage`` the household's stage on that day (the stage spans of the
  member's view).
- households without a touchpoint the member may learn of are not in the log (a case without
  an event is no case to a process-mining tool).

Writers: parcours.exports.xes (IEEE 1849 XES) and parcours.exports.ocel (OCEL 2.0 JSON).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from parcours.accounts import visibility
from parcours.activities.models import Activity, Attendance, Session
from parcours.households.models import Household, Touchpoint, TouchpointKind
from parcours.journey.models import StageSpan
from parcours.journey.reasons import current_language

CHUNK = 2000


def case_id(household_id: int) -> str:
    return f"household-{household_id}"


def timestamp(day: date) -> str:
    """A touchpoint is dated to its day: midnight UTC, as XES and OCEL want a time."""
    return f"{day.isoformat()}T00:00:00.000+00:00"


@dataclass(frozen=True)
class Event:
    id: int
    day: date
    kind: str
    activity_id: int | None
    stage: str  # the stage label on that day, "" before the first span
    session_id: int | None = None


@dataclass(frozen=True)
class Case:
    household_id: int
    events: list[Event]


class JourneyLog:
    """The touchpoints of some households as cases, as one member may learn of them."""

    def __init__(self, *, membership, definition, households: QuerySet[Household]):
        self.membership = membership
        self.definition = definition
        self.households = visibility.households(membership, households)
        self.language = current_language()
        self.kinds = {k: str(label) for k, label in TouchpointKind.choices}

    def activity_name(self, kind: str) -> str:
        return self.kinds.get(kind, kind)

    def stage_label(self, key: str) -> str:
        return self.definition.stage_label(key, self.language) if key else ""

    def household_chunks(self) -> Iterator[list[int]]:
        ids = self.households.order_by().values_list("pk", flat=True).order_by("pk")
        chunk: list[int] = []
        for pk in ids.iterator(chunk_size=CHUNK):
            chunk.append(pk)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def spans(self, household_ids: list[int]) -> dict[int, tuple[list[date], list[str]]]:
        """Each household's stage spans of the member's view: starts and stage keys."""
        out: dict[int, tuple[list[date], list[str]]] = defaultdict(lambda: ([], []))
        qs = visibility.journeys(
            self.membership, StageSpan.objects.filter(household_id__in=household_ids)
        ).order_by("household_id", "start")
        for hid, start, stage in qs.values_list("household_id", "start", "stage"):
            out[hid][0].append(start)
            out[hid][1].append(stage)
        return out

    def touchpoints(self, household_ids: list[int]) -> QuerySet[Touchpoint]:
        return visibility.touchpoints(
            self.membership, Touchpoint.objects.filter(household_id__in=household_ids)
        )

    def sessions(self, touchpoint_ids: list[int]) -> dict[int, int]:
        """The session of each attendance or led-activity touchpoint among these."""
        found = dict(
            Attendance.objects.filter(touchpoint_id__in=touchpoint_ids).values_list(
                "touchpoint_id", "session_id"
            )
        )
        found.update(
            Session.objects.filter(led_touchpoint_id__in=touchpoint_ids).values_list(
                "led_touchpoint_id", "pk"
            )
        )
        return found

    def cases(self) -> Iterator[Case]:
        """Every household with at least one touchpoint, its events in order of day."""
        labels: dict[str, str] = {}
        for chunk in self.household_chunks():
            spans = self.spans(chunk)
            rows = list(
                self.touchpoints(chunk)
                .order_by("household_id", "day", "id")
                .values_list("id", "household_id", "day", "kind", "activity_id")
            )
            sessions = self.sessions([r[0] for r in rows])
            current: int | None = None
            events: list[Event] = []
            for tp_id, hid, day, kind, activity_id in rows:
                if hid != current:
                    if events:
                        yield Case(current, events)
                    current, events = hid, []
                starts, stages = spans.get(hid, ((), ()))
                i = bisect_right(starts, day) - 1
                key = stages[i] if i >= 0 else ""
                if key not in labels:
                    labels[key] = self.stage_label(key)
                events.append(
                    Event(tp_id, day, kind, activity_id, labels[key], sessions.get(tp_id))
                )
            if events:
                yield Case(current, events)

    def activities(self) -> QuerySet[Activity]:
        return Activity.objects.order_by("pk")

    def activity_names(self) -> dict[int, str]:
        return dict(self.activities().values_list("pk", "name"))
