"""The household journey bar: the ten stages of one household, in plain words.

Built from the stored stage spans of the reader's view (accounts.visibility) and, for "what
would move the family next", from the engine (`parcours.engine.next_step`) on the touchpoints
the reader's view is computed from (without support evidence for a role that may not learn of
it, whose next stage then never is a support stage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parcours.accounts import visibility
from parcours.engine import Touchpoint, timeline
from parcours.engine.next_step import Gap, NextStep, next_step
from parcours.journey import reasons
from parcours.journey.reasons import current_language
from parcours.journey.words import TO_COME

# Steps of the bar: where the household stands on each stage.
CURRENT, PASSED, FELL_BACK, SKIPPED, AHEAD = "current", "passed", "fell_back", "skipped", "ahead"


@dataclass
class Step:
    key: str
    label: str
    order: int
    state: str
    first: date | None = None  # first day the household was at this stage
    left: date | None = None  # last day it left it (None while current)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


STATE_LABELS = {
    CURRENT: gettext_lazy("current stage"),
    PASSED: gettext_lazy("passed"),
    FELL_BACK: gettext_lazy("fell back from it"),
    SKIPPED: gettext_lazy("skipped"),
    AHEAD: gettext_lazy("not yet"),
}


@dataclass
class JourneyBar:
    steps: list[Step]
    current: Step | None
    fell_back_on: date | None = None  # the last step back, if the current span is one
    next_stage: str | None = None
    next_words: list[str] = field(default_factory=list)

    @property
    def next_either(self) -> str:
        return either(self.next_words)

    @property
    def position(self) -> int:
        return self.current.order if self.current else 0


def build_steps(definition, spans: list, hidden=frozenset()) -> tuple[list[Step], Step | None]:
    """The stages of the definition with their state, from stored spans sorted by start;
    the stages in `hidden` (that the reader may not learn of) left out."""
    lang = current_language()
    first: dict[str, date] = {}
    left: dict[str, date] = {}
    skipped: set[str] = set()
    for s in spans:
        first.setdefault(s.stage, s.start)
        if s.end is not None:
            left[s.stage] = s.end
        skipped.update(s.skipped)
    current_key = spans[-1].stage if spans and spans[-1].end is None else None
    current_index = definition.stage_index(current_key) if current_key else -1
    steps = []
    for i, key in enumerate(definition.stage_keys):
        if key in hidden:
            continue
        if key == current_key:
            state = CURRENT
        elif key in first:
            state = PASSED if i < current_index else FELL_BACK
        elif key in skipped:
            state = SKIPPED
        else:
            # below the current stage without a span of its own: reached the same day as a
            # higher one (a sticky stage holds once reached)
            state = PASSED if i < current_index else AHEAD
        steps.append(
            Step(
                key,
                definition.stage_label(key, lang),
                len(steps) + 1,
                state,
                first.get(key),
                left.get(key),
            )
        )
    current = next((s for s in steps if s.state == CURRENT), None)
    return steps, current


def plain_reasons(stored: list[dict], **ctx) -> list[str]:
    """Why the household is at its stage, as a coordinator says it: what happened, without the
    rule's thresholds ("3 attendances in 2 activities over the last 90 days")."""
    return reasons.render_reasons(stored, **{**ctx, "plain": True})


def _gap_words(gap: Gap, activities: dict[int, str]) -> str:
    thing = _(" or ").join(str(TO_COME.get(k, k)) for k in gap.kinds.split(",") if k)
    if gap.code == "same_activity":
        activity = activities.get(gap.activity) if gap.activity else None
        if activity:
            return ngettext(
                "%(n)s more attendance at %(activity)s",
                "%(n)s more attendances at %(activity)s",
                gap.more,
            ) % {"n": gap.more, "activity": activity}
        return ngettext(
            "%(n)s more attendance at a single activity",
            "%(n)s more attendances at a single activity",
            gap.more,
        ) % {"n": gap.more}
    if gap.code == "distinct":
        parts = []
        if gap.more:
            parts.append(
                ngettext("%(n)s more attendance", "%(n)s more attendances", gap.more)
                % {"n": gap.more}
            )
        if gap.more_distinct:
            parts.append(
                ngettext(
                    "attendances in %(n)s more activity",
                    "attendances in %(n)s more activities",
                    gap.more_distinct,
                )
                % {"n": gap.more_distinct}
            )
        return _(" and ").join(parts)
    if gap.code == "touchpoints" and gap.more > 1:
        return _("%(n)s more: %(thing)s") % {"n": gap.more, "thing": thing}
    return thing


def _alternatives(way: tuple[Gap, ...], activities: dict[int, str]) -> list[str]:
    """A way in words; a single touchpoint of one of several kinds is one alternative per kind
    ("an activity led by the family", "a project proposed by the family")."""
    if len(way) == 1 and way[0].code == "touchpoints" and way[0].more <= 1 and "," in way[0].kinds:
        return [str(TO_COME.get(k, k)) for k in way[0].kinds.split(",")]
    return [_(" and ").join(_gap_words(g, activities) for g in way)]


def next_words(step: NextStep, activities: dict[int, str]) -> list[str]:
    """'2 more attendances at Café des parents' — the two easiest ways, in words."""
    return [words for way in step.ways[:2] for words in _alternatives(way, activities)]


def either(alternatives: list[str]) -> str:
    """'a role in the association, an activity led by the family or a project proposed by the
    family': the alternatives as one would say them."""
    if len(alternatives) < 2:
        return "".join(alternatives)
    return _("%(some)s or %(last)s") % {
        "some": ", ".join(alternatives[:-1]),
        "last": alternatives[-1],
    }


def next_step_for(household, membership, definition, as_of: date, rows=None) -> NextStep | None:
    """The engine's next step on the touchpoints of the reader's view of the household;
    `rows`: a callable giving them (day, kind, activity, ref), read here when not given."""
    if rows is None:
        from parcours.journey.selectors import visible_touchpoints

        found = visible_touchpoints(household=household, membership=membership)
    else:
        found = rows()
    tl = timeline(
        [Touchpoint(day=d, kind=k, activity=a, ref=r) for d, k, a, r in found], definition, as_of
    )
    return next_step(tl, passing_over=hidden_stages(membership, definition))


def hidden_stages(membership, definition) -> frozenset[str]:
    """The stages a reader may not learn of: the support stages, for a role without support."""
    if visibility.sees_support(membership):
        return frozenset()
    return visibility.support_stages(definition)


def activity_names(step: NextStep | None) -> set[int]:
    if step is None:
        return set()
    return {g.activity for way in step.ways for g in way if g.activity is not None}


def journey_bar(
    *, household, membership, definition, spans, as_of, activities, rows=None
) -> JourneyBar:
    """`spans`: the stored StageSpan rows of the reader's view, sorted by start;
    `activities`: id -> name for the activities the words may name (filled here)."""
    from parcours.activities.models import Activity

    hidden = hidden_stages(membership, definition)
    steps, current = build_steps(definition, spans, hidden)
    step = next_step_for(household, membership, definition, as_of, rows)
    missing = activity_names(step) - set(activities)
    if missing:
        activities = {
            **activities,
            **dict(Activity.objects.filter(id__in=missing).values_list("id", "name")),
        }
    bar = JourneyBar(steps=steps, current=current)
    if spans and spans[-1].end is None and spans[-1].regression:
        bar.fell_back_on = spans[-1].start
    if step is not None:
        bar.next_stage = definition.stage_label(step.stage, current_language())
        bar.next_words = next_words(step, activities)
    return bar
