"""The family list's SQL on PostgreSQL: count and first page of three lists, with EXPLAIN ANALYZE, on
the database bench.family_list_bench seeded (DATABASE_URL=postgres://root@127.0.0.1:5432/parcours_lists
.venv/bin/python bench/family_list_pg_plans.py)."""
# ruff: noqa: E402, E501  (a script: Django is set up before the imports that need it)

import os
import time

os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/parcours_lists")
os.environ["DJANGO_SETTINGS_MODULE"] = "parcours.config.settings_test"
import django

django.setup()
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django_scopes import scope, scopes_disabled

from parcours.accounts.models import Association, Membership
from parcours.familylist import selectors
from parcours.familylist.selectors import FamilyFilter
from parcours.journey.definitions import definition_for

with scopes_disabled():
    a = Association.objects.get(slug="bench")
    u, _ = get_user_model().objects.get_or_create(username="bench-coordinator")
    m, _ = Membership.objects.get_or_create(user=u, association=a, role="coordinator")
with connection.cursor() as c:
    c.execute("ANALYZE")
with scope(association=[a.pk]):
    d = definition_for(a)
    for label, f in (
        ("by name", FamilyFilter()),
        ("status=absent", FamilyFilter(status="absent")),
        (
            "no contact since, oldest first",
            FamilyFilter(no_contact_since=date(2025, 1, 1), sort="last_contact"),
        ),
    ):
        qs = selectors.families(membership=m, stage_keys=d.stage_keys, filters=f)
        t = time.perf_counter()
        n = qs.count()
        tc = time.perf_counter() - t
        page = qs[:25]
        sql, params = page.query.sql_with_params()
        t = time.perf_counter()
        rows = list(page)
        tp = time.perf_counter() - t
        print(f"\n-- {label}: count {n} in {tc * 1000:.0f} ms, page in {tp * 1000:.0f} ms")
        with connection.cursor() as c:
            c.execute("EXPLAIN ANALYZE " + sql, params)
            for r in c.fetchall():
                print("  ", r[0])
