"""The federation's figures: per member association, computed by SQL over the stored spans.

For one period ``[first, last]`` and each association (true counts, before any suppression):

- ``stages``: households per current stage on ``last`` (the stage span covering that day);
- ``entries``: households whose first stage span starts within the period;
- ``reached[k]``: of those, the households at stage k *or a later one* on some day up to
  ``last`` (a skipped stage counts as passed: the association dashboard's funnel);
- ``time``: per stage, the stage spans starting within the period as a duration histogram, from
  which the Kaplan–Meier median days in the stage is drawn exactly as the association dashboard
  does (parcours.analytics.measures.time_in_stage), with its households and exits.

Every figure reads the spans every role may learn (audiences "all" and "public": a household's
journey without support evidence, as the board sees it). Four grouped queries answer for every
association at once, on SQLite and PostgreSQL alike. Nothing here carries a household id, a
name or an address: only counts by association and stage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
from django.db import connection

from parcours.accounts.visibility import PUBLIC_VIEW

SPANS = "journey_stagespan"


@dataclass
class StageTime:
    households: int = 0  # distinct households with a span of the stage starting in the period
    exits: int = 0  # spans that ended within the period
    median_days: int | None = None  # Kaplan–Meier median, None when never reached 0.5


@dataclass
class AssociationFigures:
    stages: dict[str, int] = field(default_factory=dict)
    entries: int = 0
    reached: list[int] = field(default_factory=list)
    time: dict[str, StageTime] = field(default_factory=dict)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> AssociationFigures:
        time = {k: StageTime(**v) for k, v in data["time"].items()}
        return cls(data["stages"], data["entries"], data["reached"], time)


def _days_between(end: str, start: str) -> str:
    if connection.vendor == "postgresql":
        return f"({end} - {start})"
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


def _in(ids) -> tuple[str, list]:
    return ", ".join(["%s"] * len(ids)), list(ids)


def compute(
    association_ids: list[int], *, first: date, last: date, stage_keys: tuple[str, ...]
) -> dict[int, AssociationFigures]:
    """The true figures of each association of ``association_ids`` for ``[first, last]``."""
    out = {a: AssociationFigures() for a in association_ids}
    if not association_ids:
        return out
    k_n = len(stage_keys)
    for f in out.values():
        f.stages = dict.fromkeys(stage_keys, 0)
        f.reached = [0] * k_n
        f.time = {k: StageTime() for k in stage_keys}
    ids, id_args = _in(association_ids)
    aud = ", ".join(["%s"] * len(PUBLIC_VIEW))
    where = f"association_id IN ({ids}) AND audience IN ({aud})"
    args = [*id_args, *PUBLIC_VIEW]
    after = last + timedelta(days=1)
    with connection.cursor() as cur:
        # households per current stage on `last`
        cur.execute(
            f"SELECT association_id, stage, COUNT(*) FROM {SPANS} WHERE {where} "
            f'AND start <= %s AND ("end" IS NULL OR "end" > %s) GROUP BY association_id, stage',
            [*args, last, last],
        )
        for a, stage, n in cur.fetchall():
            if stage in out[a].stages:
                out[a].stages[stage] = n
        # entries in the period and how far they went by its end
        cur.execute(
            f"SELECT association_id, reach, COUNT(*) FROM ("
            f"SELECT association_id, MIN(start) AS first_day, MAX(stage_order) AS reach "
            f"FROM {SPANS} WHERE {where} AND start <= %s "
            f"GROUP BY association_id, household_id) AS h "
            f"WHERE first_day >= %s GROUP BY association_id, reach",
            [*args, last, first],
        )
        for a, reach, n in cur.fetchall():
            out[a].entries += n
            for k in range(min(reach, k_n - 1) + 1):
                out[a].reached[k] += n
        # time in stage: spans starting in the period, their duration histogram
        ended = '("end" IS NOT NULL AND "end" <= %s)'
        duration = _days_between(f'CASE WHEN {ended} THEN "end" ELSE %s END', "start")
        cur.execute(
            f"SELECT association_id, stage, {duration} AS d, "
            f"SUM(CASE WHEN {ended} THEN 1 ELSE 0 END), COUNT(*) FROM {SPANS} "
            f"WHERE {where} AND start >= %s AND start <= %s "
            f"GROUP BY association_id, stage, d ORDER BY association_id, stage, d",
            [last, after, last, *args, first, last],
        )
        hist: dict[tuple[int, str], list[tuple[int, int, int]]] = {}
        for a, stage, d, events, n in cur.fetchall():
            hist.setdefault((a, stage), []).append((int(d), int(events), int(n)))
        cur.execute(
            f"SELECT association_id, stage, COUNT(DISTINCT household_id) FROM {SPANS} "
            f"WHERE {where} AND start >= %s AND start <= %s GROUP BY association_id, stage",
            [*args, first, last],
        )
        for a, stage, n in cur.fetchall():
            if stage in out[a].time:
                out[a].time[stage].households = n
    for (a, stage), rows in hist.items():
        if stage in out[a].time:
            t = out[a].time[stage]
            t.exits = sum(e for _d, e, _n in rows)
            t.median_days = km_median(rows)
    return out


def km_median(rows: list[tuple[int, int, int]]) -> int | None:
    """Kaplan–Meier median from (duration, exits, spans) sorted by duration: the first
    duration where the survival falls to 0.5 or below, computed as the association dashboard
    computes it (the same products in the same order)."""
    d = np.array([r[0] for r in rows], dtype=np.int64)
    deaths = np.array([r[1] for r in rows], dtype=np.float64)
    count = np.array([r[2] for r in rows], dtype=np.int64)
    at_risk = count[::-1].cumsum()[::-1]
    times = deaths > 0
    surv = np.cumprod(1.0 - deaths[times] / at_risk[times])
    below = np.flatnonzero(surv <= 0.5)
    return int(d[times][below[0]]) if below.size else None
