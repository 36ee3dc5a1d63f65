"""Federation bench: the federation's page over 100 associations on PostgreSQL.

Seeds its own database ``parcours_federation_<size>`` (``parcours_federation_l`` at L): the
log's households split into ``ASSOCIATIONS`` associations of consecutive ids, their stage
spans from the batch engine (``parcours.engine.batch.recompute``, audience "all"), households
and spans written by COPY; one federation of every association and its viewer. Then, through
Django's test client as the viewer (middleware, view, template):

- cold: no stored figures (every association computed by the grouped SQL);
- warm: stored figures, every stamp unchanged (median of 5);
- 1, then 10 associations changed: a span of each written again, their figures computed again (the
  seconds column: the page as the day goes, the night's figures stored by ``parcours daily``).

Each timing records wall and CPU seconds: this process's plus the PostgreSQL backend's (read
from /proc; parallel workers, if the planner used any, are not counted). The figures the page
used (before suppression) are checked equal to an independent DuckDB reference over the same
spans (the SQL written again for DuckDB, the Kaplan–Meier medians by the association
dashboard's own function over the spans' durations).
"""

from __future__ import annotations

import io
import os
import statistics
import time

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ASSOCIATIONS = 100
MONTHS = 12
PG = "postgres://root@127.0.0.1:5432/"


def _database(size: str, fresh: bool) -> str:
    import psycopg

    name = f"parcours_federation_{size.lower()}"
    with psycopg.connect(PG + "postgres", autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh and exists:
            con.execute(f"DROP DATABASE {name} WITH (FORCE)")
        if fresh or not exists:
            con.execute(f"CREATE DATABASE {name}")
    return name


def _setup(name: str) -> None:
    os.environ["DATABASE_URL"] = PG + name
    os.environ["DJANGO_SETTINGS_MODULE"] = "parcours.config.settings_test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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


def _spans(ctx):
    from parcours.engine.batch import recompute
    from parcours.engine.definition import shipped_definition

    definition = shipped_definition()
    spans = recompute(ctx.columns(), definition, ctx.end)
    return spans, tuple(definition.stage_keys)


def _seed(ctx, spans, keys) -> dict[str, float]:
    from django.db import connection, transaction
    from django.utils import timezone

    from parcours.accounts.models import Association
    from parcours.federation import services

    t: dict[str, float] = {}
    t0 = time.perf_counter()
    households = np.unique(spans.household)
    n = int(households.max())
    with transaction.atomic():
        assocs = Association.objects.bulk_create(
            Association(name=f"Association {i + 1:03d}", slug=f"assoc-{i + 1:03d}")
            for i in range(ASSOCIATIONS)
        )
    aid = np.array([a.pk for a in assocs], dtype=np.int64)
    owner = lambda h: aid[(h - 1) * ASSOCIATIONS // n]  # noqa: E731  consecutive blocks
    now = timezone.now().isoformat()
    hh = np.arange(1, n + 1, dtype=np.int64)
    m = len(hh)
    blank = pa.array([""] * m)
    with transaction.atomic():
        _copy(
            "households_household",
            pa.table({
                "id": hh, "association_id": owner(hh),
                "name": pa.array([f"Famille {i}" for i in hh.tolist()]),
                "neighbourhood": blank, "address": blank, "phone": blank,
                "languages": pa.array(["[]"] * m), "composition": blank, "needs": blank,
                "heard_from": blank, "created_at": pa.array([now] * m),
                "updated_at": pa.array([now] * m), "archived_reason": blank,
            }),
        )  # fmt: skip
    t["households COPY s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    k = len(spans.household)
    stage_keys = np.array(keys, dtype=object)
    with transaction.atomic():
        _copy(
            "journey_stagespan",
            pa.table({
                "association_id": owner(spans.household),
                "household_id": spans.household,
                "stage": pa.array(stage_keys[spans.stage.astype(np.int64)]),
                "stage_order": spans.stage.astype(np.int16),
                "start": pa.array(spans.start, type=pa.int32()).cast(pa.date32()),
                "end": pa.array(spans.end, mask=spans.end < 0, type=pa.int32()).cast(pa.date32()),
                "reasons": pa.array(["[]"] * k), "evidence": pa.array(["[]"] * k),
                "skipped": pa.array(["[]"] * k), "regression": np.zeros(k, dtype=bool),
                "definition_version": pa.array(["bench"] * k), "audience": pa.array(["all"] * k),
            }),
        )  # fmt: skip
    t["spans COPY s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence('households_household', 'id'), %s)", [n])
        cur.execute("VACUUM (ANALYZE) households_household")
        cur.execute("VACUUM (ANALYZE) journey_stagespan")
    t["vacuum analyze s"] = time.perf_counter() - t0
    federation = services.federation_create(name="Réseau bench", slug="bench")
    services.associations_add(federation=federation, slugs=[a.slug for a in assocs])
    services.viewer_add(federation=federation, username="reseau", password="bench-viewer-pw-1")
    return t


def _cpu_backend() -> float:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    from pathlib import Path

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(client, url) -> tuple[float, float, int]:
    cpu0, back0 = time.process_time(), _cpu_backend()
    t0 = time.perf_counter()
    response = client.get(url)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0 + _cpu_backend() - back0
    assert response.status_code == 200, response.status_code
    return wall, cpu, len(response.content)


def reference(spans, keys, ids, first: int, last: int) -> dict:
    """DuckDB over the same spans: {association: (stages, entries, reached, time)}."""
    import duckdb

    from parcours.analytics.measures.time_in_stage import kaplan_meier

    n = int(spans.household.max())
    aid = np.asarray(ids, dtype=np.int64)
    t = pa.table({
        "association": aid[(spans.household - 1) * len(aid) // n],
        "household": spans.household, "stage": spans.stage.astype(np.int16),
        "start_day": spans.start, "end_day": pa.array(spans.end, mask=spans.end < 0),
    })  # fmt: skip
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.register("spans", t)
    k_n = len(keys)
    out = {a: {"stages": [0] * k_n, "entries": 0, "reached": [0] * k_n, "time": {}} for a in ids}
    for a, s, c in con.execute(
        "SELECT association, stage, count(*) FROM spans WHERE start_day <= $l "
        "AND (end_day IS NULL OR end_day > $l) GROUP BY ALL",
        {"l": last},
    ).fetchall():
        out[a]["stages"][s] = c
    for a, r, c in con.execute(
        "SELECT association, reach, count(*) FROM (SELECT association, household, "
        "min(start_day) AS f, max(stage) AS reach FROM spans WHERE start_day <= $l GROUP BY ALL) "
        "WHERE f >= $f GROUP BY ALL",
        {"l": last, "f": first},
    ).fetchall():
        out[a]["entries"] += c
        for k in range(r + 1):
            out[a]["reached"][k] += c
    rows = con.execute(
        "SELECT association, stage, household, "
        "CASE WHEN end_day IS NOT NULL AND end_day <= $l THEN end_day ELSE $l + 1 END - start_day,"
        " end_day IS NOT NULL AND end_day <= $l FROM spans "
        "WHERE start_day BETWEEN $f AND $l ORDER BY association, stage",
        {"l": last, "f": first},
    ).fetchnumpy()
    a_col, s_col, h_col, d_col, e_col = (rows[c] for c in list(rows))
    cuts = np.flatnonzero((np.diff(a_col) != 0) | (np.diff(s_col) != 0)) + 1
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(a_col)], strict=True):
        if lo == hi:
            continue
        curve = kaplan_meier(np.asarray(d_col[lo:hi]), np.asarray(e_col[lo:hi]))
        median = next((day for day, s in curve if s <= 0.5), None)
        out[int(a_col[lo])]["time"][keys[int(s_col[lo])]] = (
            len(np.unique(h_col[lo:hi])), int(np.asarray(e_col[lo:hi]).sum()), median,
        )  # fmt: skip
    return out


def _compare(got: dict, ref: dict, keys) -> list[str]:
    bad = []
    for a, r in ref.items():
        g = got[a]
        if [g.stages[k] for k in keys] != r["stages"]:
            bad.append(f"{a} stages")
        if g.entries != r["entries"] or g.reached != r["reached"]:
            bad.append(f"{a} funnel")
        for k in keys:
            t = g.time[k]
            if (t.households, t.exits, t.median_days) != r["time"].get(k, (0, 0, None)):
                bad.append(f"{a} time {k}")
    return bad


def run(ctx):
    from bench.steps import Outcome

    fresh = os.environ.get("FEDERATION_BENCH_REUSE") != "1"
    notes: dict[str, object] = {}
    name = _database(ctx.size, fresh)
    _setup(name)
    from django.test import Client
    from django_scopes import scopes_disabled

    from parcours.engine.columns import day_number
    from parcours.federation import dashboard, store
    from parcours.federation.models import Federation, StoredFigures

    t0 = time.perf_counter()
    spans, keys = _spans(ctx)
    notes["spans (batch engine) s"] = round(time.perf_counter() - t0, 1)
    notes["stage spans"] = len(spans.household)
    with scopes_disabled():
        if not Federation.objects.filter(slug="bench").exists():
            notes |= {k: round(v, 1) for k, v in _seed(ctx, spans, keys).items()}
        federation = Federation.objects.get(slug="bench")
        ids = list(federation.associations.order_by("name", "id").values_list("id", flat=True))
    notes["database"] = name
    notes["associations"] = len(ids)
    from django.contrib.auth import get_user_model
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host; DEBUG stays off (no query log)
    client = Client()

    client.force_login(get_user_model().objects.get(username="reseau"))
    url = f"/federation/?months={MONTHS}&until={ctx.end.isoformat()}"
    # warm the process (templates, catalogues) and PostgreSQL's buffers with another period
    _timed(client, f"/federation/?months=3&until={ctx.end.isoformat()}")
    StoredFigures.objects.all().delete()
    cold = _timed(client, url)
    warm = [_timed(client, url) for _ in range(5)]
    first, last = dashboard.period(ctx.end, MONTHS)
    with scopes_disabled():
        got, computed = store.figures_for(ids, first=first, last=last, stage_keys=keys)
    assert computed == 0
    t0 = time.perf_counter()
    ref = reference(spans, keys, ids, day_number(first), day_number(last))
    notes["DuckDB reference s"] = round(time.perf_counter() - t0, 2)
    bad = _compare(got, ref, keys)
    notes["answer"] = "equal" if not bad else f"DIFFERENT: {bad[:5]}"
    # associations changed since the last view: their figures are computed again, the others
    # read
    from parcours.journey.models import StageSpan

    def change(associations):
        """Each association's last span written again (deleted, then inserted as it was, as
        journey_refresh rewrites a household's last spans): a new stamp, the same figures."""
        with scopes_disabled():
            for a in associations:
                span = StageSpan.objects.filter(association_id=a).order_by("-id")[:1].get()
                span.delete()
                span.pk = None
                span.save()

    change(ids[:1])
    one = _timed(client, url)
    change(ids[1:11])
    ten = _timed(client, url)
    notes["cold wall/CPU s"] = f"{cold[0]:.2f}/{cold[1]:.2f}"
    notes["warm wall/CPU s (median of 5)"] = (
        f"{statistics.median(w[0] for w in warm):.3f}/{statistics.median(w[1] for w in warm):.3f}"
    )
    notes["1 association changed wall/CPU s"] = f"{one[0]:.2f}/{one[1]:.2f}"
    notes["10 associations changed wall/CPU s"] = f"{ten[0]:.2f}/{ten[1]:.2f}"
    notes["page bytes"] = cold[2]
    notes["households"] = int(np.unique(spans.household).shape[0])
    if bad:
        raise AssertionError(f"federation figures differ from DuckDB: {bad[:10]}")
    # the seconds: the page as the day goes, the night's figures stored (parcours daily) and
    # 10 of the 100 associations changed since; cold (nothing stored) is in the notes
    return Outcome(ten[0], notes=notes)
