"""Reads of the journey for pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from parcours.accounts import visibility
from parcours.activities.models import Activity
from parcours.journey.bar import JourneyBar, journey_bar, plain_reasons
from parcours.journey.definitions import definition_for
from parcours.journey.models import HouseholdJourney, ManualPlacement, StageSpan, StatusSpan
from parcours.journey.reasons import current_language, render_placement, render_reasons


@dataclass
class SpanView:
    stage: str
    label: str
    start: object
    end: object
    predicted_end: object
    sentence: str
    reasons: list[str]
    evidence: list[dict]
    skipped: list[str]
    regression: bool


@dataclass
class JourneyView:
    stage: str | None
    label: str | None
    sentence: str | None
    predicted_end: object
    statuses: list[str]
    spans: list[SpanView] = field(default_factory=list)
    manual: ManualPlacement | None = None
    manual_label: str | None = None
    stages: list[tuple[str, str]] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    # the journey bar (ten steps, what would move the family next), built when a page shows
    # it: the timeline fragment does not
    bar_source: Callable[[], JourneyBar] | None = field(default=None, repr=False)

    @cached_property
    def bar(self) -> JourneyBar | None:
        return self.bar_source() if self.bar_source else None


def household_journey(*, household, membership) -> JourneyView:
    """The household's journey as this member may learn it: for a role that may not learn of
    support, the journey computed without the support evidence (accounts.visibility)."""
    definition = definition_for(household.association)
    lang = current_language()
    activity_ids = set()
    spans = list(
        visibility.journeys(membership, StageSpan.objects.filter(household=household)).order_by(
            "start"
        )
    )
    snapshot = visibility.journeys(
        membership, HouseholdJourney.objects.filter(household=household)
    ).first()
    for r in snapshot.reasons if snapshot else []:
        if r["params"].get("activity") is not None:
            activity_ids.add(r["params"]["activity"])
    for s in spans:
        for r in s.reasons:
            if r["params"].get("activity") is not None:
                activity_ids.add(r["params"]["activity"])
        for e in s.evidence:
            if e.get("activity") is not None:
                activity_ids.add(e["activity"])
    activities = dict(Activity.objects.filter(id__in=activity_ids).values_list("id", "name"))
    loaded: list[list[tuple]] = []

    def rows() -> list[tuple]:
        """The touchpoints the reader's journey is computed from, read once when needed."""
        if not loaded:
            loaded.append(visible_touchpoints(household=household, membership=membership))
        return loaded[0]

    ctx = {
        "definition": definition,
        "activities": activities,
        "touchpoints": lambda: [(day, kind) for day, kind, _a, _r in rows()],
    }
    views = [
        SpanView(
            stage=s.stage,
            label=definition.stage_label(s.stage, lang),
            start=s.start,
            end=s.end,
            predicted_end=s.predicted_end,
            sentence=render_placement(s.stage, s.reasons, **ctx),
            reasons=render_reasons(s.reasons, **ctx),
            evidence=[
                {**e, "activity_name": activities.get(e.get("activity"))} for e in s.evidence
            ],
            skipped=[definition.stage_label(k, lang) for k in s.skipped],
            regression=s.regression,
        )
        for s in spans
    ]
    current = views[-1] if views and views[-1].end is None else None
    statuses = [definition.status_label(k, lang) for k in (snapshot.statuses if snapshot else [])]
    manual = visibility.manual_placement(
        membership,
        ManualPlacement.objects.filter(household=household, withdrawn_at__isnull=True)
        .select_related("actor")
        .first(),
        definition,
    )

    def bar() -> JourneyBar:
        return journey_bar(
            household=household,
            membership=membership,
            definition=definition,
            spans=spans,
            as_of=timezone.localdate(),
            activities=activities,
            rows=rows,
        )

    plain_from = snapshot.reasons if snapshot and snapshot.reasons else None
    if plain_from is None and spans and spans[-1].end is None:
        plain_from = spans[-1].reasons
    return JourneyView(
        bar_source=bar,
        plain=plain_reasons(plain_from, **ctx) if current and plain_from else [],
        stage=current.stage if current else None,
        label=current.label if current else None,
        sentence=(
            render_placement(current.stage, snapshot.reasons, **ctx)
            if current and snapshot and snapshot.reasons
            else (current.sentence if current else None)
        ),
        predicted_end=current.predicted_end if current else None,
        statuses=statuses,
        spans=list(reversed(views)),
        manual=manual,
        manual_label=definition.stage_label(manual.stage, lang) if manual else None,
        stages=[(k, definition.stage_label(k, lang)) for k in definition.stage_keys],
    )


def visible_touchpoints(*, household, membership) -> list[tuple]:
    """(day, kind, activity, ref) of the household's touchpoints the member's journey is
    computed from: for the journey bar's next step, and which kind happened for the reasons of
    a rule over several kinds."""
    from parcours.households.models import Touchpoint

    rows = list(
        Touchpoint.objects.filter(household=household).values_list(
            "day", "kind", "activity_id", "ref"
        )
    )
    return rows if visibility.sees_support(membership) else visibility.public_evidence(rows)


def current_stages(*, household_ids, membership) -> dict[int, str]:
    qs = HouseholdJourney.objects.filter(household_id__in=household_ids)
    return dict(visibility.journeys(membership, qs).values_list("household_id", "stage"))


def status_spans(*, household, membership):
    qs = StatusSpan.objects.filter(household=household)
    return visibility.journeys(membership, qs).order_by("start")
