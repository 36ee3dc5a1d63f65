"""Bench step ``dashboard_warm``: the dashboard through Django's view, cold and warm, on
PostgreSQL, its figures checked equal to the DuckDB references in the same run.

Seeds its own database ``parcours_dashboard_<size>``: the generated association (households
with their neighbourhood and channel, every touchpoint, stage and status spans from the batch
engine, audience "all") written by COPY, triggers and foreign-key checks off while seeding
(``session_replication_role = replica``, the rows hold by construction), then the data stamp
set once. Then, as a coordinator (who sees support, so every row counts), through the test
client (middleware, view, measures, presenters, template):

- cold: empty cache (columns read from the database, every measure computed);
- warm: the same page again (median of 5), and its CSV export;
- warm columns, new filter: the page for one neighbourhood (measures computed, columns cached).

The figures the page used (analytics.cache) are checked equal to the measures computed on the
generated columns, which are checked equal to the DuckDB SQL references
(bench/analytics_reference.py), whose time is reported beside. Wall and CPU (this process
plus the PostgreSQL backend) per request, peak RSS of this process.
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import statistics
import time
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bench.steps import SELF_CHECKED, Context, Outcome, step

PG = "postgres://root@127.0.0.1:5432/"
SELF_CHECKED.add("dashboard_warm")  # its own database, its own DuckDB references
CHUNK = 4_000_000


def _database(size: str) -> tuple[str, bool]:
    """Set Django up on the step's database; (its name, whether it is fresh). Kept from the
    last run with BENCH_KEEP_DB=1 (the seed is the same for the same size and seed)."""
    import psycopg

    name = f"parcours_dashboard_{size.lower()}"
    keep = os.environ.get("BENCH_KEEP_DB") == "1"
    with psycopg.connect(PG + "postgres", autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        fresh = not (keep and exists)
        if fresh:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            con.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = PG + name
    os.environ["DJANGO_SETTINGS_MODULE"] = "parcours.config.settings_test"
    os.environ.setdefault("PARCOURS_ANALYTICS_CACHE_MB", "4096")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return name, fresh


def _copy(table: str, data: pa.Table) -> None:
    from django.db import connection

    buf = io.BytesIO()
    pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False, batch_size=1 << 16))
    cols = ", ".join(f'"{c}"' for c in data.column_names)
    with (
        connection.cursor() as cur,
        cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as cp,
    ):
        view = buf.getbuffer()
        for i in range(0, len(view), 1 << 24):
            cp.write(view[i : i + (1 << 24)])
        del view


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days, mask=days < 0, type=pa.int32()).cast(pa.date32())


def _ids(values: np.ndarray) -> pa.Array:
    return pa.array(values, mask=values < 0, type=pa.int64())


def _seed(data) -> tuple[object, dict[str, float]]:
    """Write the generated association; its id and the seconds of each part."""
    from django.db import connection, transaction
    from django.utils import timezone

    from parcours.accounts.models import Association
    from parcours.engine.columns import KINDS

    t: dict[str, float] = {}
    now = timezone.now().isoformat()
    association = Association.objects.create(name="Bench", slug="bench")
    aid = association.pk
    t0 = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
        m = len(data.household)
        blank = pa.array([""] * m)
        _copy("households_household", pa.table({
            "id": data.household, "association_id": np.full(m, aid),
            "name": pa.array([f"Famille {i}" for i in data.household.tolist()]),
            "neighbourhood": pa.array(data.neighbourhood.tolist()), "address": blank,
            "phone": blank, "languages": pa.array(["[]"] * m), "composition": blank,
            "needs": blank, "heard_from": pa.array(data.channel.tolist()),
            "created_at": pa.array([now] * m), "updated_at": pa.array([now] * m),
            "archived_reason": blank,
        }))  # fmt: skip
        acts = np.unique(data.tp_activity[data.tp_activity >= 0])
        _copy("activities_activity", pa.table({
            "id": acts, "association_id": np.full(len(acts), aid),
            "name": pa.array([f"Activité {a}" for a in acts.tolist()]),
            "category": pa.array(["other"] * len(acts)), "description": pa.array([""] * len(acts)),
            "place": pa.array([""] * len(acts)),
        }))  # fmt: skip
        t["households s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        kinds = pa.array(KINDS)
        n = len(data.tp_household)
        for lo in range(0, n, CHUNK):
            sl = slice(lo, min(n, lo + CHUNK))
            k = sl.stop - sl.start
            _copy("households_touchpoint", pa.table({
                "association_id": np.full(k, aid), "household_id": data.tp_household[sl],
                "day": _dates(data.tp_day[sl]),
                "kind": pc.take(kinds, pa.array(data.tp_kind[sl].astype(np.int32))),
                "activity_id": _ids(data.tp_activity[sl]), "ref": _ids(data.tp_ref[sl]),
                "note": pa.array([""] * k), "created_at": pa.array([now] * k),
            }))  # fmt: skip
        t["touchpoints s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        keys = np.array(data.stage_keys, dtype=object)
        k = len(data.span_household)
        _copy("journey_stagespan", pa.table({
            "association_id": np.full(k, aid), "household_id": data.span_household,
            "stage": pa.array(keys[data.span_stage.astype(np.int64)]),
            "stage_order": data.span_stage.astype(np.int16),
            "start": _dates(data.span_start), "end": _dates(data.span_end),
            "reasons": pa.array(["[]"] * k), "evidence": pa.array(["[]"] * k),
            "skipped": pa.array(["[]"] * k), "regression": np.zeros(k, dtype=bool),
            "definition_version": pa.array(["bench"] * k), "audience": pa.array(["all"] * k),
        }))  # fmt: skip
        from parcours.analytics.measures.base import STATUSES

        statuses = np.array(STATUSES, dtype=object)
        k = len(data.status_household)
        _copy("journey_statusspan", pa.table({
            "association_id": np.full(k, aid), "household_id": data.status_household,
            "status": pa.array(statuses[data.status_code.astype(np.int64)]),
            "start": _dates(data.status_start), "end": _dates(data.status_end),
            "reasons": pa.array(["[]"] * k), "definition_version": pa.array(["bench"] * k),
            "audience": pa.array(["all"] * k),
        }))  # fmt: skip
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = origin")
            cur.execute("INSERT INTO analytics_datastamp VALUES (%s, 1)", [aid])
        t["spans s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for table in ("households_household", "activities_activity"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")  # fmt: skip
        for table in ("households_household", "households_touchpoint", "journey_stagespan",
                      "journey_statusspan"):  # fmt: skip
            cur.execute(f"VACUUM (ANALYZE) {table}")
    t["vacuum analyze s"] = time.perf_counter() - t0
    return association, t


def _cpu_backend() -> float:
    from pathlib import Path

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(client, url) -> tuple[float, float]:
    cpu0, back0 = time.process_time(), _cpu_backend()
    t0 = time.perf_counter()
    response = client.get(url)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0 + _cpu_backend() - back0
    assert response.status_code == 200, (url, response.status_code)
    return round(wall, 3), round(cpu, 3)


def _check(association, membership, data, query) -> float:
    """The page's cached figures == the measures on the generated columns == DuckDB; the
    seconds DuckDB took."""
    import duckdb

    from bench.analytics_reference import differences, ours, reference, register
    from parcours.analytics.cache import Dashboard
    from parcours.analytics.measures import MEASURES, run

    page = Dashboard(association=association, stage_keys=data.stage_keys, membership=membership,
                     today=_today())  # fmt: skip
    kinds = [k for k in MEASURES if k not in ("people", "hours", "engagement")]
    for kind in kinds:
        if pickle.dumps(page.result(kind, query)) != pickle.dumps(run(kind, data, query)):
            raise AssertionError(f"{kind}: the page's figures differ from the generated columns")
    con = duckdb.connect()
    register(con, data)
    t0 = time.perf_counter()
    ref = reference(con, query, len(data.stage_keys))
    seconds = time.perf_counter() - t0
    diff = differences(ref, ours(data, query))
    if diff:
        raise AssertionError(f"measures differ from the DuckDB reference: {diff[:5]}")
    return seconds


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


@step(
    "dashboard_warm",
    "analytics: the dashboard page through the Django view on PostgreSQL (own database), cold, "
    "warm (cache keyed by the data stamp), CSV export and a new filter; figures checked equal "
    "to the DuckDB references in the same run (bench/steps_dashboard.py)",
    needs_data=False,
    sizes="L",
)
def dashboard_warm_step(ctx: Context) -> Outcome:
    from bench.analytics_reference import load_generated

    t0 = time.perf_counter()
    data = load_generated(ctx)
    notes: dict[str, object] = {"generate s": round(time.perf_counter() - t0, 1)}
    name, fresh = _database(ctx.size)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Membership
    from parcours.analytics.measures import Filters, Period, Query
    from parcours.demo.catalog import NEIGHBOURHOODS

    with scopes_disabled():
        if fresh:
            association, seed = _seed(data)
            user = get_user_model().objects.create_user("bench-coordinator", password="pw-12345")
            Membership.objects.create(user=user, association=association, role="coordinator")
            notes.update({k: round(v, 1) for k, v in seed.items()})
        user = get_user_model().objects.get(username="bench-coordinator")
        membership = Membership.objects.select_related("association").get(user=user)
        association = membership.association
    notes["households"], notes["touchpoints"] = len(data.household), len(data.tp_household)
    from parcours.accounts.signin import SESSION_SECOND_FACTOR

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session[SESSION_SECOND_FACTOR] = True  # as a complete sign-in, code included
    session.save()
    period = Period(date(ctx.end.year - 1, ctx.end.month, 1), ctx.end)
    url = f"/analytics/?start={period.start}&end={period.end}"
    hood = NEIGHBOURHOODS[0]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    notes["cold (wall, CPU) s"] = _timed(client, url)
    warm = [_timed(client, url) for _ in range(5)]
    notes["warm (wall, CPU) s, 5 runs"] = warm
    notes["warm CSV export (wall, CPU) s"] = _timed(client, url.replace("/?", "/export/?"))
    notes["new filter, columns cached (wall, CPU) s"] = _timed(
        client, f"{url}&neighbourhood={hood}"
    )
    notes["new filter again (wall, CPU) s"] = _timed(client, f"{url}&neighbourhood={hood}")
    notes["peak RSS MB (before pages, after)"] = (
        rss0 // 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    )  # fmt: skip
    with scopes_disabled():
        duck = _check(association, membership, data, Query(association.pk, period))
        duck += _check(association, membership, data,
                       Query(association.pk, period, Filters(neighbourhood=hood)))  # fmt: skip
    notes["duckdb s (both queries)"] = round(duck, 3)
    notes["check"] = "equal"
    notes["database"] = name
    median = statistics.median(w for w, _ in warm)
    return Outcome(median, notes=notes)
