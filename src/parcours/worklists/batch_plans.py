"""What the stored regeneration needs of many households, from the batch engine's columns.

For each household, the same :class:`Plan` the per-household path makes from its timelines
(regenerate._plan): per view of the household (accounts.visibility: one view for every role,
or the full and the public one when it has support evidence) the task proposals, the
placement on the day (stage and statuses, for a closed task's "the situation changed") and
the next day a rule's threshold is reached by itself. Computed with
``batch_journeys.recompute_journeys`` and ``batch_tasks.batch_tasks`` on all the households
at once (one log read, no per-household timeline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db.models import Max

from parcours.accounts.models import Association
from parcours.accounts.visibility import SUPPORT_KINDS, Audience
from parcours.engine import JourneyDefinition
from parcours.engine.batch_journeys import Journeys, recompute_journeys
from parcours.engine.batch_slices import columns_range, journeys_range
from parcours.engine.batch_tasks import TaskColumns, batch_tasks
from parcours.engine.columns import KIND_CODE, TouchpointColumns, day_number
from parcours.engine.worklists import TaskProposal
from parcours.households.models import Household
from parcours.households.models import Touchpoint as TouchpointRow
from parcours.journey.definitions import definition_for


@dataclass(frozen=True)
class Now:
    """Where a household stands on the day (the part of ``Placement`` tasks read)."""

    stage: str | None
    statuses: tuple[str, ...] = ()


@dataclass
class Plan:
    """Per view (audience): the proposals, the placement on the day, the next change day."""

    proposals: list[tuple[str, tuple[TaskProposal, ...]]] = field(default_factory=list)
    current: dict[str, Now] = field(default_factory=dict)
    next_days: list[date | None] = field(default_factory=list)


def columns_of(rows: list[tuple[int, date, str, int | None, int | None]]) -> TouchpointColumns:
    """Touchpoint rows (household, day, kind, activity, ref), ordered by household, day, id."""
    n = len(rows)
    hh = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    day = np.fromiter((day_number(r[1]) for r in rows), dtype=np.int32, count=n)
    kind = np.fromiter((KIND_CODE[r[2]] for r in rows), dtype=np.int8, count=n)
    act = np.fromiter((-1 if r[3] is None else r[3] for r in rows), dtype=np.int64, count=n)
    ref = np.fromiter((-1 if r[4] is None else r[4] for r in rows), dtype=np.int64, count=n)
    return TouchpointColumns(hh, day, kind, act, ref)


def _take(cols: TouchpointColumns, keep: np.ndarray) -> TouchpointColumns:
    return TouchpointColumns(
        cols.household[keep], cols.day[keep], cols.kind[keep], cols.activity[keep], cols.ref[keep]
    )


def only(cols: TouchpointColumns, households: list[int]) -> TouchpointColumns:
    """The rows of these households (all of them when they are every household)."""
    keep = np.isin(cols.household, np.asarray(households, dtype=np.int64))
    return cols if bool(keep.all()) else _take(cols, keep)


def _view(
    cols: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    followups: Mapping[int, date] | None,
    journeys: Journeys | None = None,
) -> tuple[TaskColumns, Journeys]:
    """The task columns and journeys of one view; ``journeys``: already computed on ``cols``
    (as of as_of, the default horizon), used when no touchpoint comes after as_of."""
    limit = day_number(as_of)
    cut = _take(cols, cols.day <= limit) if len(cols) and int(cols.day.max()) > limit else cols
    if journeys is None or cut is not cols or journeys.as_of != as_of:
        journeys = recompute_journeys(cut, definition, as_of)
    tasks = batch_tasks(cut, definition, as_of, journeys=journeys, followups=followups)
    return tasks, journeys


class Plans(Mapping[int, Plan]):
    """The plans of households ``ids``, each made when asked (no Python object per household
    until then): the full view's and the public view's task columns and journeys."""

    def __init__(
        self,
        ids: list[int],
        definition: JourneyDefinition,
        full: tuple[TaskColumns, Journeys],
        public: tuple[TaskColumns, Journeys],
        with_support: np.ndarray,
    ) -> None:
        self.ids = ids
        self._wanted = set(ids)
        self.full, self.public = full, public
        self.with_support = with_support  # sorted ids
        self.definition = definition
        self.stage_keys = definition.stage_keys
        self.status_keys = [s.key for s in definition.statuses]

    def _now(self, journeys: Journeys, h: int) -> Now:
        i = int(np.searchsorted(journeys.households, h))
        if i >= journeys.households.shape[0] or journeys.households[i] != h:
            return Now(None)
        s, mask = int(journeys.stage[i]), int(journeys.status_mask[i])
        return Now(
            None if s < 0 else self.stage_keys[s],
            tuple(k for b, k in enumerate(self.status_keys) if mask >> b & 1),
        )

    def _view(self, view: tuple[TaskColumns, Journeys], h: int):
        tasks, journeys = view
        return tasks.of(h), self._now(journeys, h), tasks.next_change_of(h)

    def __getitem__(self, h: int) -> Plan:
        if h not in self._wanted:
            raise KeyError(h)
        i = int(np.searchsorted(self.with_support, h))
        supported = i < self.with_support.shape[0] and self.with_support[i] == h
        audiences = [Audience.SENSITIVE, Audience.PUBLIC] if supported else [Audience.ALL]
        views = [self.full, self.public] if supported else [self.full]
        got = [self._view(v, h) for v in views]
        return Plan(
            [(a, g[0]) for a, g in zip(audiences, got, strict=True)],
            {a: g[1] for a, g in zip(audiences, got, strict=True)},
            [g[2] for g in got],
        )

    def __contains__(self, h: object) -> bool:
        return h in self._wanted

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


def plans(
    ids: list[int],
    cols: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    followups: Mapping[int, date] | None,
    journeys: tuple[Journeys, Journeys] | None = None,
) -> Plans:
    """The plan of each household of ``ids`` (all under ``definition``), from its touchpoint
    columns (every touchpoint of those households, after as_of too). ``journeys``: the full
    and the public journeys already computed on these columns (``recompute_journeys`` on
    ``cols``, and on the touchpoints without support evidence of the households with some)."""
    support = np.isin(cols.kind, [KIND_CODE[k] for k in SUPPORT_KINDS])
    with_support = np.unique(cols.household[support])
    full_j, public_j = journeys if journeys is not None else (None, None)
    full = _view(cols, definition, as_of, followups, full_j)
    public_cols = _take(cols, ~support & np.isin(cols.household, with_support))
    public = _view(public_cols, definition, as_of, followups, public_j)
    return Plans(ids, definition, full, public, with_support)


def planner(
    cols: TouchpointColumns,
    definition: JourneyDefinition,
    as_of: date,
    journeys: tuple[Journeys, Journeys],
) -> Callable[[list[int]], Plans]:
    """Plans of blocks of households (sorted ids) from the touchpoint columns and journeys
    already computed for all of them (``parcours recompute``): each block's rows are cut out
    (batch_slices), nothing is read or computed again but the tasks."""

    def plan(block: list[int]) -> Plans:
        first, last = block[0], block[-1]
        mine = columns_range(cols, first, last)
        cut = tuple(journeys_range(j, first, last) for j in journeys)
        followups = followups_between(first, last, None)
        return plans(block, mine, definition, as_of, followups, cut)  # type: ignore[arg-type]

    return plan


def followups_between(lo: int, hi: int, ids: list[int] | None) -> dict[int, date]:
    """As ``_followups``, for the households whose id is in [lo, hi] (and in ``ids``)."""
    try:
        from parcours.support.models import FollowUp
    except ImportError:  # pragma: no cover - the support app is optional
        return {}
    cases = FollowUp.objects.filter(case__household_id__gte=lo, case__household_id__lte=hi)
    if ids is not None:
        cases = cases.filter(case__household_id__in=ids)
    return dict(cases.values("case_id").annotate(last=Max("day")).values_list("case_id", "last"))


def read_plans(ids: list[int], as_of: date) -> dict[int, Plan]:
    """The plans of these households (sorted ids) from the batch engine, grouped by journey
    definition. Rows are read by id range (no query with thousands of parameters)."""
    wanted = set(ids)
    lo, hi = ids[0], ids[-1]
    pairs = [
        (hid, aid)
        for hid, aid in Household.objects.filter(id__gte=lo, id__lte=hi).values_list(
            "id", "association_id"
        )
        if hid in wanted
    ]
    definitions = {
        aid: definition_for(a)
        for aid, a in Association.objects.in_bulk({aid for _h, aid in pairs}).items()
    }
    by_definition: dict[int, tuple[JourneyDefinition, list[int]]] = {}
    for hid, aid in pairs:
        definition = definitions[aid]
        by_definition.setdefault(id(definition), (definition, []))[1].append(hid)
    dense = hi - lo + 1 <= 2 * len(ids)  # read by id range, else by lists of ids
    parts = [(lo, hi, None)] if dense else [
        (ids[i], ids[min(i + 900, len(ids)) - 1], ids[i : i + 900]) for i in range(0, len(ids), 900)
    ]  # fmt: skip
    rows: list[tuple] = []
    followups: dict[int, date] = {}
    for a, b, some in parts:
        tps = TouchpointRow.objects.filter(household_id__gte=a, household_id__lte=b)
        rows += (
            (tps if some is None else tps.filter(household_id__in=some))
            .order_by("household_id", "day", "id")
            .values_list("household_id", "day", "kind", "activity_id", "ref")
        )
        followups.update(followups_between(a, b, some))
    cols = columns_of(rows)
    del rows
    out: dict[int, Plan] = {}
    for definition, members in by_definition.values():
        mine = only(cols, members)
        out.update(plans(members, mine, definition, as_of, followups))
    return out
