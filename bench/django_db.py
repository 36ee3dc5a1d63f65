"""The Django side of the benchmark: a SQLite file database seeded from the generator.

``setup(path)`` points Django at a fresh SQLite file (test settings, WAL as in production) and
migrates it. ``seed(gen, end)`` writes one generated association: its event log as the
generator drew it (refs: the generator's episode ids, referral refs mapped to household ids),
without the domain records ``parcours.seed.seed_association`` writes through the apps' bulk
writers; households with a name only (no French profile), touchpoints inserted with one
``executemany``, then the stored journeys by ``journey_recompute`` (the batch path). Each phase
is timed.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np


def _unlink(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{path}{suffix}")
        if p.exists():
            p.unlink()


def setup(path: Path, *, keep: bool = False) -> None:
    """Point Django at the SQLite file ``path`` (fresh unless ``keep``) and migrate it."""
    if not keep:
        _unlink(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("PARCOURS_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "parcours.config.settings_test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def pending_migrations() -> bool:
    """Whether the current database lacks a migration of the code (a stale saved seed)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def save_copy(path: Path) -> None:
    """Copy the current database to ``path`` (SQLite online backup: consistent, WAL included)."""
    import sqlite3

    from django.db import connection

    _unlink(path)
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def restore_copy(saved: Path, path: Path) -> bool:
    """Make ``path`` a copy of the saved seed and point Django at it; False when the saved
    seed is missing or stale (its schema lacks a migration of the code): seed again then."""
    import shutil

    if not saved.exists():
        return False
    _unlink(path)
    shutil.copyfile(saved, path)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("PARCOURS_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "parcours.config.settings_test"
    import django

    django.setup()
    if pending_migrations():
        from django.db import connection

        connection.close()
        _unlink(saved)
        return False
    return True


def seed(gen: Any, end: date, *, journeys: bool = True) -> dict[str, Any]:
    """Write the generated association; returns timings and ``household_pk`` (gen id -> pk)."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association
    from parcours.activities.models import Activity
    from parcours.engine.columns import KINDS, day_date
    from parcours.households.models import Household, Touchpoint
    from parcours.journey.recompute import journey_recompute

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with scopes_disabled(), transaction.atomic():
        association = Association.objects.create(name="Bench", slug="bench")
        activity_pk = {
            a.id: Activity.objects.create(
                association=association, name=a.name_fr, category=a.category
            ).pk
            for a in gen.activities
        }
        rows = [
            Household(association=association, name=f"Famille {i}")
            for i in range(1, gen.n_households + 1)
        ]
        Household.objects.bulk_create(rows, batch_size=2000)
    household_pk = {i: h.pk for i, h in enumerate(rows, start=1)}
    timings["households_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    tp = gen.touchpoints
    hh_lut = np.zeros(gen.n_households + 1, dtype=np.int64)
    hh_lut[1:] = [household_pk[i] for i in range(1, gen.n_households + 1)]
    act_ids = sorted(activity_pk)
    referral = KINDS.index("referral_made")
    ref = tp.ref.astype(np.int64)
    is_ref = (tp.kind == referral) & (ref >= 0)
    ref = np.where(is_ref, hh_lut[np.clip(ref, 0, gen.n_households)], ref)
    act_lut = {a: activity_pk[a] for a in act_ids}
    day_iso = {d: day_date(d).isoformat() for d in np.unique(tp.day).tolist()}
    created = timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    table = Touchpoint._meta.db_table
    sql = (
        f"INSERT INTO {table} (association_id, household_id, day, kind, activity_id, ref, "
        "actor_id, note, created_at) VALUES (%s, %s, %s, %s, %s, %s, NULL, '', %s)"
    )
    aid = association.pk
    values = (
        (aid, h, day_iso[d], KINDS[k], act_lut.get(a), r if r >= 0 else None, created)
        for h, d, k, a, r in zip(
            hh_lut[tp.household].tolist(),
            tp.day.tolist(),
            tp.kind.tolist(),
            tp.activity.tolist(),
            ref.tolist(),
            strict=True,
        )
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, values)
    timings["touchpoints_s"] = time.perf_counter() - t0

    if journeys:
        t0 = time.perf_counter()
        n = journey_recompute(association=association, as_of=end)
        timings["journey_recompute_s"] = time.perf_counter() - t0
        timings["journey_recompute_households_per_s"] = n / timings["journey_recompute_s"]
    return {
        "association": association,
        "household_pk": household_pk,
        "activity_pk": activity_pk,
        "timings": timings,
    }
