"""Bench of the family list (parcours.familylist) at 100,000 households: the page as a
coordinator and a volunteer get it, for the usual filters and sorts, and the query plans.

    .venv/bin/python -m bench.family_list_bench --size M [--exports]      # SQLite file
    DATABASE_URL=postgres://root@127.0.0.1:5432/parcours_lists \\
        .venv/bin/python -m bench.family_list_bench --size M              # PostgreSQL

The association is the generator's (`bench/django_db.seed`: the same touchpoints as the demo,
journeys by `journey_recompute`), with the generator's neighbourhoods written on the
households. The SQLite database is kept in bench/data/ and reused while its schema is current.
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


def _seed(size: str, seed: int, end: date) -> None:
    from bench import django_db
    from parcours.demo.catalog import NEIGHBOURHOODS
    from parcours.demo.generator import generate

    sqlite = not os.environ.get("DATABASE_URL", "").startswith("postgres")
    path = Path(__file__).parent / "data" / f"{size}-seed{seed}-{end}-familylist.sqlite3"
    if sqlite:
        fresh = not path.exists()
        django_db.setup(path, keep=not fresh)
        if not fresh and not django_db.pending_migrations():
            print(f"reusing {path}")
            return
        django_db.setup(path)
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.config.settings_test")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    gen = generate(SIZES[size], seed=seed, end=end)
    out = django_db.seed(gen, end)
    print("seeded in", round(time.perf_counter() - t0, 1), "s", out["timings"])
    _neighbourhoods(gen, out["household_pk"], NEIGHBOURHOODS)


def _neighbourhoods(gen, household_pk, names) -> None:
    from django.db import connection, transaction

    hoods = gen.households.neighbourhood.tolist()
    rows = [(names[h], household_pk[i]) for i, h in enumerate(hoods, start=1)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("UPDATE households_household SET neighbourhood = %s WHERE id = %s", rows)


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
    parser.add_argument("--exports", action="store_true", help="also time the big exports")
    args = parser.parse_args()
    end = date.fromisoformat(args.end)
    _seed(args.size, args.seed, end)

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
