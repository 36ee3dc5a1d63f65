"""The batch recomputation of stored journeys: every household of an association at once.

Per association, its touchpoints are read as columns (``recompute_io.touchpoint_columns``),
the batch engine (``recompute_journeys``) computes stage spans with reasons and evidence,
status spans, the placement and ``valid_until`` of every household at once, and the rows
(``recompute_rows.view_tables``, Arrow columns) are written in bulk (``recompute_io``). They
are the rows ``journey.services.journey_refresh`` writes one household at a time
(tests/journey/test_recompute.py and test_recompute_all.py prove it).

- ``journey_recompute``: the households of one association or all (or the due ones, or a
  list), ``batch_size`` households per transaction (daily run, imports, the journey editor).
- ``recompute_all``: ``parcours recompute``: every household's spans, statuses, placements
  and then tasks, in ONE transaction: a reader sees the old rows or the new, never a mix.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
from django.db import transaction
from django.db.models import Q
from django_scopes import scopes_disabled

from parcours.accounts.visibility import SUPPORT_KINDS, Audience
from parcours.engine import recompute_journeys
from parcours.engine.columns import KIND_CODE, TouchpointColumns
from parcours.households.models import Household
from parcours.journey.definitions import definition_for
from parcours.journey.models import HouseholdJourney, StageSpan, StatusSpan
from parcours.journey.recompute_io import COLUMNS, bulk_cache, touchpoint_columns, write_table
from parcours.journey.recompute_rows import (
    JOURNEY_FIELDS,
    STAGE_FIELDS,
    STATUS_FIELDS,
    view_tables,
)
from parcours.journey.services import HORIZON_DAYS

__all__ = ["HORIZON_DAYS", "journey_recompute", "recompute_all", "touchpoint_columns"]

# Households whose rows are built and written at once by recompute_all (bounds the memory of
# the Arrow rows: about 1 kB per household).
WRITE_CHUNK = 100_000
#: the task phase takes the touchpoints read and the journeys computed (no second read, no
#: second computation) while the log has at most this many touchpoints (29 bytes each: 20M is
#: about 0.6 GB); a larger log is freed before the writes and the task phase reads its
#: households again block by block, so the peak memory stays that of the computation (at
#: 50M touchpoints keeping them took the run past 4 GB)
KEEP_FOR_TASKS = 20_000_000


def _associations(association):
    from parcours.accounts.models import Association

    if association is not None:
        return [association]
    return list(Association.objects.order_by("id"))


def _today(association, as_of: date | None) -> date:
    from parcours.association_settings.selectors import association_today

    # each association's "today" is counted in its own time zone
    return as_of or association_today(association)


def journey_recompute(
    *,
    association=None,
    as_of: date | None = None,
    only_due: bool = False,
    batch_size: int = 1000,
    household_ids: list[int] | None = None,
    progress=None,
) -> int:
    """Recompute stored spans of every household (of one association, or all), batch path,
    ``batch_size`` households per transaction: a crash leaves whole batches.

    only_due: just the households whose stored spans stop being true by as_of (daily run).
    household_ids: just these households of `association` (a bulk write: imports).
    progress: called with the number of households written so far after each batch (the
    journey editor's background recomputation shows it). Returns the number recomputed.
    """
    done = 0
    with scopes_disabled():
        for assoc in _associations(association):
            day = _today(assoc, as_of)
            ids = _household_ids(assoc, day, only_due, household_ids)
            if not ids:
                continue
            only = ids if only_due or household_ids is not None else None
            views = _Views(assoc, day, touchpoint_columns(assoc, only))
            for i in range(0, len(ids), batch_size):
                chunk = np.asarray(ids[i : i + batch_size], dtype=np.int64)
                tables = views.tables(chunk)
                with transaction.atomic():
                    for model in (StageSpan, StatusSpan, HouseholdJourney):
                        model.objects.filter(household_id__in=chunk.tolist()).delete()
                    _write(tables)
                if progress is not None:
                    progress(done + i + len(chunk))
            done += len(ids)
    return done


def _household_ids(association, as_of: date, only_due: bool, only=None) -> list[int]:
    households = Household.objects.filter(association=association)
    if only is not None:  # intersected here: the list may exceed a database's parameters
        wanted = set(only)
        ids = households.order_by("id").values_list("id", flat=True)
        return [pk for pk in ids if pk in wanted]
    if only_due:
        households = households.filter(
            Q(journeys__valid_until__lte=as_of) | Q(journeys__isnull=True)
        )
    return list(households.order_by("id").values_list("id", flat=True).distinct())


def _public_columns(columns: TouchpointColumns) -> tuple[TouchpointColumns, np.ndarray]:
    """The touchpoints of the households with support evidence, without that evidence, and
    those households' ids: what the public journeys are computed from (accounts.visibility)."""
    support = np.isin(columns.kind, [KIND_CODE[k] for k in SUPPORT_KINDS])
    ids = np.unique(columns.household[support])
    keep = np.isin(columns.household, ids) & ~support
    public = TouchpointColumns(*(np.ascontiguousarray(getattr(columns, c)[keep]) for c in COLUMNS))
    return public, ids


class _Views:
    """The computed journeys of one association: every household's (told for everyone, or
    in full for the households with support evidence) and the public one of the latter."""

    def __init__(self, association, as_of: date, columns: TouchpointColumns) -> None:
        self.association = association
        self.association_id = association.pk
        self.as_of = as_of
        self.definition = definition_for(association)
        public_columns, self.support = _public_columns(columns)
        self.full = recompute_journeys(columns, self.definition, as_of, horizon_days=HORIZON_DAYS)
        del columns
        # Only the households with support evidence get a second, public journey: few of them.
        self.public = recompute_journeys(
            public_columns, self.definition, as_of, horizon_days=HORIZON_DAYS
        )

    def tables(self, chunk: np.ndarray) -> list[pa.Table]:
        """Stage spans, status spans and snapshots of the households ``chunk`` (sorted ids)."""
        sensitive = np.isin(chunk, self.support)
        audience = np.where(sensitive, Audience.SENSITIVE, Audience.ALL).astype(object)
        args = (self.definition, self.as_of)
        full = view_tables(self.association_id, self.full, chunk, audience, *args)
        lo, hi = np.searchsorted(self.support, [chunk[0], chunk[-1] + 1]).tolist()
        if hi == lo:
            return list(full)
        ids = self.support[lo:hi]
        told = np.full(ids.shape[0], Audience.PUBLIC, dtype=object)
        public = view_tables(self.association_id, self.public, ids, told, *args)
        return [
            pa.concat_tables([a, b], promote_options="permissive")
            for a, b in zip(full, public, strict=True)
        ]


_TABLES = (
    (StageSpan, STAGE_FIELDS),
    (StatusSpan, STATUS_FIELDS),
    (HouseholdJourney, JOURNEY_FIELDS),
)


def _write(tables: list[pa.Table]) -> int:
    return sum(
        write_table(model, fields, table)
        for (model, fields), table in zip(_TABLES, tables, strict=True)
    )


@dataclass
class Report:
    """What ``recompute_all`` did, and where its time went (seconds, wall and CPU)."""

    households: int = 0
    rows: int = 0
    tasks: object = None
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, what: str, wall: float, cpu: float) -> None:
        self.timings[f"{what} s"] = self.timings.get(f"{what} s", 0.0) + wall
        self.timings[f"{what} cpu s"] = self.timings.get(f"{what} cpu s", 0.0) + cpu


class _Clock:
    def __init__(self, report: Report, what: str) -> None:
        self.report, self.what = report, what

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.report.add(self.what, time.perf_counter() - self.wall, _cpu() - self.cpu)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def recompute_all(*, association=None, as_of: date | None = None, tasks: bool = True) -> Report:
    """``parcours recompute``: every household's stored journey and tasks, from the database.

    One transaction for the whole run: the old spans, statuses and placements of each
    association are deleted and the new ones written (COPY on PostgreSQL, executemany on
    SQLite), then its tasks regenerated (done, snoozed, dismissed and assigned tasks keep
    their state, as on every touchpoint write). Readers see the old rows until it commits.
    Each association is computed with its own journey and its own day (time zone).
    """
    report = Report()
    with scopes_disabled(), bulk_cache(), transaction.atomic():
        for assoc in _associations(association):
            day = _today(assoc, as_of)
            with _Clock(report, "read"):
                columns = touchpoint_columns(assoc)
                ids = np.asarray(
                    Household.objects.filter(association=assoc)
                    .order_by("id")
                    .values_list("id", flat=True),
                    dtype=np.int64,
                )
            if ids.shape[0] == 0:
                continue
            with _Clock(report, "compute"):
                views = _Views(assoc, day, columns)
            keep = tasks and len(columns) <= KEEP_FOR_TASKS
            if not keep:  # else the task phase takes its touchpoints from them
                del columns
            with _Clock(report, "delete"):
                for model in (StageSpan, StatusSpan, HouseholdJourney):
                    model.objects.filter(association=assoc).delete()
            for i in range(0, ids.shape[0], WRITE_CHUNK):
                with _Clock(report, "rows"):
                    tables = views.tables(ids[i : i + WRITE_CHUNK])
                with _Clock(report, "write"):
                    report.rows += _write(tables)
                del tables
            report.households += int(ids.shape[0])
            if keep:
                with _Clock(report, "tasks"):
                    report.tasks = _tasks(views, columns, report.tasks)
                del columns
                del views
            elif tasks:
                del views
                with _Clock(report, "tasks"):
                    report.tasks = _tasks_read_again(assoc, day, report.tasks)
            else:
                del views
    return report


def _tasks(views: _Views, columns: TouchpointColumns, before):
    """Regenerate the association's tasks from the touchpoints read and the journeys computed
    above (batch_plans.planner): the task phase neither reads nor computes them again."""
    from parcours.worklists.batch_plans import planner
    from parcours.worklists.regenerate import tasks_regenerate_many

    plan = planner(columns, views.definition, views.as_of, (views.full, views.public))
    got = tasks_regenerate_many(
        association=views.association, as_of=views.as_of, planner=plan, plan_size=WRITE_CHUNK
    )
    return _added(before, got)


def _tasks_read_again(association, day: date, before):
    """Regenerate the association's tasks, reading its touchpoints again block by block (a log
    too large to keep beside the journeys: KEEP_FOR_TASKS)."""
    from parcours.worklists.regenerate import tasks_regenerate_many

    got = tasks_regenerate_many(association=association, as_of=day)
    return _added(before, got)


def _added(before, got):
    """The tasks' report of several associations, added up."""
    if before is not None:
        before += got
        return before
    return got


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, MB (Linux: ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
