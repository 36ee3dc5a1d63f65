"""The touchpoint pipeline: what follows a change of a household's touchpoints, inside the same
transaction, in one declared order.

After a change the household's touchpoints are read once (:attr:`Change.rows`) and its
timelines computed once per view (:meth:`Change.views`: the full one, and the public one when
it has support evidence); every consequence gets that same :class:`Change`. The consequences
run by their declared ``order`` (then name), never in the order the apps happen to load:

=========  ======================================  =============================
order      consequence                             registered by
=========  ======================================  =============================
SPANS      stored stage spans                      journey (JourneyConfig.ready)
STATUSES   stored status spans                     journey
PLACEMENT  the household's current journey row     journey
TASKS      the household's tasks and task check    worklists
LATER      anything else (e.g. caches to drop)     ``register(callback)``
=========  ======================================  =============================

``register(callback)`` (a callable taking the household) keeps working: such a callback runs
at LATER, after every consequence above, by name. ``register(fn, order=..., name=...,
change=True)`` registers a consequence that takes the :class:`Change` itself. A consequence
may leave facts for the later ones in ``change.facts`` (the placement leaves the day its
journey stops being true, which the tasks read instead of reading the row back).

``touchpoints_changed(household)`` runs the pipeline now; inside ``with deferred():`` it runs
once per household when the block ends, so a service that writes several touchpoints (a mark
and its row, a merge) computes each household once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from parcours.core.prepared import Prepared

SPANS = 100
STATUSES = 200
PLACEMENT = 300
TASKS = 400
LATER = 1000


@dataclass(frozen=True)
class Consequence:
    order: int
    name: str
    run: Callable
    change: bool  # True: run(change); False: run(household) (the plain register API)


_consequences: list[Consequence] = []


def register(
    callback: Callable, *, order: int = LATER, name: str | None = None, change: bool = False
) -> Callable:
    """Add a consequence of a touchpoint change (once: registering it again does nothing).

    ``order``: when it runs (SPANS, STATUSES, PLACEMENT, TASKS, LATER or any integer), ties
    broken by ``name`` (default: the callable's module and name). ``change``: it takes the
    :class:`Change` (touchpoints and timelines already read and computed) instead of the
    household.
    """
    if any(c.run is callback for c in _consequences):
        return callback
    name = name or f"{callback.__module__}.{callback.__qualname__}"
    _consequences.append(Consequence(order, name, callback, change))
    _consequences.sort(key=lambda c: (c.order, c.name))
    return callback


def unregister(callback: Callable) -> None:
    _consequences[:] = [c for c in _consequences if c.run is not callback]


def consequences() -> list[Consequence]:
    """The registered consequences, in the order they run."""
    return list(_consequences)


@dataclass
class Change:
    """One household after a change of its touchpoints: what every consequence reads.

    ``since``: the earliest day a touchpoint was added or removed, when the writer knows it
    (None: unknown). ``rows``: (day, kind, activity_id, ref) of its touchpoints, by day and,
    within a day, the latest recorded first (the order the batch path reads).
    """

    household: object
    as_of: date
    since: date | None = None
    facts: dict = field(default_factory=dict)
    _views: dict = field(default_factory=dict, repr=False)

    @cached_property
    def rows(self) -> list[tuple]:
        return _ROWS.rows(self.household.pk)

    @cached_property
    def definition(self):
        from parcours.journey.definitions import definition_for

        return definition_for(self.household.association)

    def views(self, as_of: date | None = None) -> list[tuple[str, list, object]]:
        """(audience, engine touchpoints, timeline as of ``as_of``) of each view of the
        household (accounts.visibility): computed once per day asked, shared by all."""
        from parcours.accounts.visibility import SUPPORT_KINDS, Audience, has_support_evidence
        from parcours.engine import timeline

        as_of = as_of or self.as_of
        got = self._views.get(as_of)
        if got is None:
            tps = self.touchpoints
            if has_support_evidence(t.kind for t in tps):
                public = [t for t in tps if t.kind not in SUPPORT_KINDS]
                sets = [(Audience.SENSITIVE, tps), (Audience.PUBLIC, public)]
            else:
                sets = [(Audience.ALL, tps)]
            got = self._views[as_of] = [
                (audience, list(t), timeline(t, self.definition, as_of)) for audience, t in sets
            ]
        return got

    @cached_property
    def touchpoints(self) -> list:
        from parcours.engine import Touchpoint

        return [Touchpoint(day=d, kind=k, activity=a, ref=r) for d, k, a, r in self.rows]


def _touchpoint_rows(household_id):
    from parcours.households.models import Touchpoint as TouchpointRow

    return (
        TouchpointRow.objects.filter(household_id=household_id)
        .order_by("day", "-id")
        .values_list("day", "kind", "activity_id", "ref")
    )


_ROWS = Prepared(_touchpoint_rows)  # the same read for every household: compiled once


def run(change: Change, *, only: Callable[[Consequence], bool] | None = None) -> Change:
    """Run the consequences (all, or those ``only`` keeps) on one change, in order."""
    for c in list(_consequences):
        if only is not None and not only(c):
            continue
        c.run(change) if c.change else c.run(change.household)
    return change


_local = threading.local()


def touchpoints_changed(household, *, since: date | None = None) -> None:
    """The household's touchpoints changed (``since``: the earliest day changed, if known)."""
    pending = getattr(_local, "pending", None)
    if pending is not None:
        got = pending.get(household.pk)
        if got is None:
            pending[household.pk] = (household, since)
        else:
            old = got[1]
            earliest = None if since is None or old is None else min(since, old)
            pending[household.pk] = (got[0], earliest)
        return
    from django.utils import timezone

    run(Change(household, timezone.localdate(), since))


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the changes of the block and run the pipeline once per household at its end
    (in the order they were first changed); nested blocks run at the outermost end."""
    outer = getattr(_local, "pending", None) is None
    if outer:
        _local.pending = {}
    try:
        yield
        if outer and _local.pending:
            from django.utils import timezone

            batch, _local.pending = _local.pending, None
            today = timezone.localdate()
            for household, since in batch.values():
                run(Change(household, today, since))
    finally:
        if outer:
            _local.pending = None
