"""Bench of the family list (parcours.familylist) at 100,000 households: the page as a
coordinator and a volunteer get it, for the usual filters and sorts, and the query plans.

    .venv/bin/python -m bench.family_list_bench --size M [--exports]      # SQLite file
    DATABASE_URL=postgres://root@127.0.0.1:5432/parcours_lists \\
        .venv/bin/python -m bench.family_list_bench --size M              # PostgreSQL

The association is written in bulk (see `_seed`): 100,000 households, ten touchpoints each,
a stored placement and status per household. The SQLite file is bench/data/familylist.sqlite3
(git-ignored), rebuilt on each run.
Each URL is fetched through Django's test client (middleware, view, template), three times;
the median is reported with the number of SQL queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

from bench.sizes import SIZES

URLS = [
    ("first page, by name", ""),
    ("page 2,000, by name", "?page=2000"),
    ("oldest contact first", "?sort=last_contact"),
    ("by stage", "?sort=stage&page=100"),
    ("stage = usage", "?stage=usage"),
    ("status = absent", "?status=absent"),
    ("no contact since 2025-01-01", "?no_contact_since=2025-01-01"),
    (
        "neighbourhood + activity + no contact",
        "?neighbourhood={hood}&activity={act}&no_contact_since=2025-03-01&sort=-last_contact",
    ),
    ("search 'Famille 4242'", "?q=Famille+4242"),
]


def _setup() -> None:
    """A fresh database: a SQLite file in bench/data/, or DATABASE_URL's PostgreSQL flushed."""
    from bench import django_db

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.config.settings_test")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    else:
        django_db.setup(Path(__file__).parent / "data" / "familylist.sqlite3")


def _seed(n: int, seed: int, end: date, per_household: int) -> None:
    """n households of the generator's neighbourhoods, `per_household` touchpoints each over two
    years (any kind, newsletters included) and a stored placement and current status spans
    drawn at random: the rows and indexes the list reads, written in bulk (not the engine's
    journeys: the list's cost is in reading them, bench.run times computing them)."""
    import json

    import numpy as np
    from django.db import connection, transaction
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association
    from parcours.activities.models import Activity
    from parcours.demo.catalog import NEIGHBOURHOODS
    from parcours.engine.columns import KINDS
    from parcours.households.models import Household
    from parcours.journey.definitions import definition_for

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    with scopes_disabled(), transaction.atomic():
        association = Association.objects.create(name="Bench", slug="bench")
        acts = [
            Activity.objects.create(association=association, name=f"Activité {i}",
                                    category="activity").pk
            for i in range(12)
        ]  # fmt: skip
        hoods = rng.integers(0, len(NEIGHBOURHOODS), n)
        rows = [
            Household(association=association, name=f"Famille {i}",
                      neighbourhood=NEIGHBOURHOODS[hoods[i - 1]])
            for i in range(1, n + 1)
        ]  # fmt: skip
        Household.objects.bulk_create(rows, batch_size=5000)
        ids = [h.pk for h in rows]
        definition = definition_for(association)
        stages = definition.stage_keys
        statuses = [s.key for s in definition.statuses if s.key != "in_support"]
        aid = association.pk
        kinds = [k for k in KINDS if not k.startswith("support")]
        days = rng.integers(0, 730, (n, per_household))
        kind_of = rng.integers(0, len(kinds), (n, per_household))
        act_of = rng.integers(0, len(acts), (n, per_household))
        tp = []
        for i, h in enumerate(ids):
            for j in range(per_household):
                kind = kinds[kind_of[i, j]]
                day = end.toordinal() - int(days[i, j])
                tp.append(
                    (
                        aid,
                        h,
                        date.fromordinal(day).isoformat(),
                        kind,
                        acts[act_of[i, j]] if kind in ("attendance", "activity_led") else None,
                    )
                )
        stage_of = rng.integers(0, len(stages), n)
        status_of = rng.integers(0, len(statuses), n)
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO households_touchpoint (association_id, household_id, day, kind, "
                "activity_id, ref, actor_id, note, created_at) "
                "VALUES (%s, %s, %s, %s, %s, NULL, NULL, '', '2025-06-30 12:00:00')",
                tp,
            )
            cursor.executemany(
                "INSERT INTO journey_householdjourney (association_id, household_id, computed_on,"
                " valid_until, stage, statuses, reasons, definition_version, audience) VALUES "
                "(%s, %s, %s, NULL, %s, %s, '[]', 'bench', 'all')",
                [
                    (
                        aid,
                        h,
                        end.isoformat(),
                        stages[stage_of[i]],
                        json.dumps([statuses[status_of[i]]]),
                    )
                    for i, h in enumerate(ids)
                ],
            )
            cursor.executemany(
                "INSERT INTO journey_statusspan (association_id, household_id, status, start, "
                '"end", reasons, definition_version, audience) VALUES '
                "(%s, %s, %s, %s, NULL, '[]', 'bench', 'all')",
                [(aid, h, statuses[status_of[i]], end.isoformat()) for i, h in enumerate(ids)],
            )
    print(f"seeded {n:,} households, {len(tp):,} touchpoints in {time.perf_counter() - t0:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _members():
    from django.contrib.auth import get_user_model
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association, Membership

    users = {}
    with scopes_disabled():
        association = Association.objects.get(slug="bench")
        for role in ("coordinator", "volunteer"):
            user, _ = get_user_model().objects.get_or_create(username=f"bench-{role}")
            Membership.objects.get_or_create(user=user, association=association, role=role)
            users[role] = user
    return association, users


def _plan(association, user) -> None:
    """The SQL of the first page and of its count, with the database's plan."""
    from django.db import connection
    from django_scopes import scope

    from parcours.accounts.models import Membership
    from parcours.familylist import selectors
    from parcours.familylist.selectors import FamilyFilter
    from parcours.journey.definitions import definition_for

    membership = Membership.objects.get(user=user)
    with scope(association=[association.pk]):
        definition = definition_for(association)
        for label, filters in (
            ("by name", FamilyFilter()),
            (
                "no contact since, oldest first",
                FamilyFilter(no_contact_since=date(2025, 1, 1), sort="last_contact"),
            ),
        ):
            qs = selectors.families(
                membership=membership, stage_keys=definition.stage_keys, filters=filters
            )[:25]
            sql, params = qs.query.sql_with_params()
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            with connection.cursor() as cursor:
                cursor.execute(explain + sql, params)
                rows = cursor.fetchall()
            print(f"\n-- plan ({connection.vendor}), {label}:")
            for r in rows:
                print("  ", " | ".join(str(c) for c in r))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default="2025-06-30")
    parser.add_argument("--touchpoints", type=int, default=10, help="per household")
    parser.add_argument("--exports", action="store_true", help="also time the big exports")
    parser.add_argument("--reuse", action="store_true", help="SQLite: keep the last run's file")
    args = parser.parse_args()
    end = date.fromisoformat(args.end)
    if args.reuse:  # the SQLite file of the last run, migrated
        from bench import django_db

        django_db.setup(Path(__file__).parent / "data" / "familylist.sqlite3", keep=True)
    else:
        _setup()
        _seed(SIZES[args.size], args.seed, end, args.touchpoints)

    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django_scopes import scopes_disabled

    from parcours.activities.models import Activity
    from parcours.households.models import Household

    setup_test_environment()
    settings.DEBUG = True  # counts the queries
    association, users = _members()
    with scopes_disabled():
        hood = Household.objects.filter(association=association).exclude(neighbourhood="")
        hood = hood.values_list("neighbourhood", flat=True).first()
        act = Activity.objects.filter(association=association).values_list("pk", flat=True)[0]
        n = Household.objects.filter(association=association).count()
    print(f"\n{n:,} households on {connection.vendor}\n")
    print("| role | list | median ms | queries | rows on page | households matching |")
    print("|---|---|---:|---:|---:|---:|")
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        from parcours.accounts.signin import SESSION_SECOND_FACTOR

        session = client.session
        session[SESSION_SECOND_FACTOR] = True
        session.save()
        for label, query in URLS:
            url = "/households/" + query.format(hood=hood.replace(" ", "+"), act=act)
            times = []
            for _ in range(3):
                reset_queries()
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            page = response.context["page"]
            print(
                f"| {role} | {label} | {statistics.median(times):.0f} | "
                f"{len(connection.queries)} | {len(page.object_list)} | "
                f"{page.paginator.count:,} |"
            )
    _plan(association, users["coordinator"])
    if args.exports:
        _exports(users["coordinator"])


def _exports(user) -> None:
    """Every household as CSV and XLSX, and a year of touchpoints as CSV: time, size, memory."""
    import resource

    from django.test import Client

    from parcours.accounts.signin import SESSION_SECOND_FACTOR

    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_SECOND_FACTOR] = True
    session.save()
    print("\n| export | seconds | MB sent | peak RSS MB (process) |")
    print("|---|---:|---:|---:|")
    for label, url in (
        ("households CSV (all)", "/exports/households/?format=csv"),
        ("households XLSX (all)", "/exports/households/?format=xlsx"),
        (
            "touchpoints CSV (2025-01-01 to 2025-06-30)",
            "/exports/touchpoints/?format=csv&start=2025-01-01&end=2025-06-30",
        ),
    ):
        t0 = time.perf_counter()
        response = client.get(url)
        size = sum(len(chunk) for chunk in response.streaming_content)
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {label} | {seconds:.1f} | {size / 1e6:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
