"""The journey map: how many families are at each of the ten stages, and their recent moves.

For each stage of the association's journey: the households there now, the households that
arrived at it in the last 30 days, those that left it, and among those the ones that fell back to a
lower stage. Read through accounts.visibility (the reader's view of stored spans and
journeys: a volunteer counts the public journey). For the board the figures go through
analytics.privacy (counts under 5 hidden, the others rounded down) and never link to a list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from parcours.accounts import visibility
from parcours.accounts.roles import ROLE_CAPABILITIES
from parcours.analytics.privacy import BOARD, Audience, audience_for
from parcours.households.models import Household
from parcours.journey.bar import hidden_stages
from parcours.journey.definitions import definition_for
from parcours.journey.models import HouseholdJourney, StageSpan
from parcours.journey.reasons import current_language

# "This month": the moves of the last 30 days (a calendar month would be empty on its 1st).
MOVES_DAYS = 30
Figure = int | str  # a count, or analytics.privacy.HIDDEN for the board


@dataclass(frozen=True)
class StageCell:
    key: str
    order: int
    label: str
    count: Figure
    arrivals: Figure
    departures: Figure
    fell_back: Figure
    url: str | None  # the list of its families (staff only)


@dataclass(frozen=True)
class JourneyMap:
    cells: tuple[StageCell, ...]
    total: Figure
    since: date
    aggregate_only: bool  # the board's map: rounded, small counts hidden, no link


def _households(membership, board: bool):
    if board:
        # every household of the association, counted, never named
        return visibility.unarchived(membership, Household.objects.all())
    return visibility.households(membership)


def journey_map(membership, *, today: date) -> JourneyMap:
    audience: Audience = audience_for(ROLE_CAPABILITIES.get(membership.role, frozenset()))
    board = audience is BOARD
    definition = definition_for(membership.association)
    lang = current_language()
    since = today - timedelta(days=MOVES_DAYS - 1)
    households = _households(membership, board)
    journeys = visibility.journeys(
        membership, HouseholdJourney.objects.filter(household__in=households)
    )
    now = dict(
        journeys.exclude(stage="")
        .values_list("stage")
        .annotate(n=Count("household", distinct=True))
    )
    spans = visibility.journeys(membership, StageSpan.objects.filter(household__in=households))
    arrived = dict(
        spans.filter(start__gte=since, start__lte=today)
        .values_list("stage")
        .annotate(n=Count("household", distinct=True))
    )
    # a span that ended in those days, and whether the span after it is a step back
    step_back = spans.filter(
        household=OuterRef("household"), start=OuterRef("end"), regression=True
    )
    left = {
        row["stage"]: row
        for row in spans.filter(end__gte=since, end__lte=today)
        .annotate(back=Exists(step_back))
        .values("stage")
        .annotate(
            n=Count("household", distinct=True),
            back_n=Count("household", distinct=True, filter=Q(back=True)),
        )
    }
    list_url = reverse("households:list")
    cells = []
    hidden = hidden_stages(membership, definition)
    for order, key in enumerate((k for k in definition.stage_keys if k not in hidden), start=1):
        out = left.get(key, {})
        cells.append(
            StageCell(
                key=key,
                order=order,
                label=definition.stage_label(key, lang),
                count=audience.count(now.get(key, 0)),
                arrivals=audience.count(arrived.get(key, 0)),
                departures=audience.count(out.get("n", 0)),
                fell_back=audience.count(out.get("back_n", 0)),
                url=None if board else f"{list_url}?stage={key}",
            )
        )
    return JourneyMap(
        cells=tuple(cells),
        total=audience.count(sum(now.values())),
        since=since,
        aggregate_only=board,
    )
