"""Bench of the household pickers: search-as-you-type at 100,000 households on a SQLite file.

Seeds one association with N households (French family names drawn by Faker, so homonyms are
many: ~"Famille Martin" hundreds of times), a neighbourhood, an address and 1 to 5 members each,
and their search words (parcours.directory.search.words_of, as the services write them). Then
times `parcours.directory.selectors.picker_search` as a volunteer asks it, for queries typed
as staff type them (2 to 6 letters of a name, a street, a first name; two words), the most
frequent 2-letter prefix included. Each answer is first checked equal to a full scan in
Python over the same rows (the reference, too slow for a picker: its time is noted).
Wall-clock and CPU times are both noted: the machine is shared, and SQLite runs in this
process, so the CPU time is what a query costs when it is not waiting for a core.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path
from typing import Any

N_QUERIES = 300
N_CHECKED = 40  # answers compared with the full scan (each scan reads every household)


def _seed(n: int, seed: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled
    from faker import Faker

    from parcours.accounts.models import Association
    from parcours.demo.catalog import NEIGHBOURHOOD_WEIGHTS, NEIGHBOURHOODS
    from parcours.directory.search import words_of

    fake = Faker("fr_FR")
    Faker.seed(seed)
    rng = random.Random(seed)
    last_names = [fake.last_name() for _ in range(400)]  # a town's worth of family names
    streets = [fake.street_name() for _ in range(600)]
    first_names = [fake.first_name() for _ in range(500)]
    now = timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    households, persons, words = [], [], []
    for pk in range(1, n + 1):
        family = rng.choice(last_names)
        place = rng.choices(NEIGHBOURHOODS, NEIGHBOURHOOD_WEIGHTS)[0]
        address = f"{rng.randint(1, 180)} {rng.choice(streets)}"
        members = [rng.choice(first_names) for _ in range(rng.randint(1, 5))]
        households.append((pk, f"Famille {family}", place, address))
        persons += [(pk, first, family, "reference" if i == 0 else "child")
                    for i, first in enumerate(members)]  # fmt: skip
        words += [(pk, w) for w in sorted(words_of(f"Famille {family}", place, address,
                                                   *members, family))]  # fmt: skip
    with scopes_disabled(), transaction.atomic():
        association = Association.objects.create(name="Bench picker", slug="bench-picker")
        aid = association.pk
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO households_household (id, association_id, name, neighbourhood, "
                "address, phone, languages, composition, needs, heard_from, created_at, "
                "updated_at, archived_reason) VALUES (%s, %s, %s, %s, %s, '', '[]', '', '', "
                "'', %s, %s, '')",
                [(pk, aid, name, place, address, now, now)
                 for pk, name, place, address in households],
            )  # fmt: skip
            cursor.executemany(
                "INSERT INTO households_person (association_id, household_id, first_name, "
                "last_name, relation, is_contact) VALUES (%s, %s, %s, %s, %s, 0)",
                [(aid, *p) for p in persons],
            )
            cursor.executemany(
                "INSERT INTO directory_searchword (association_id, household_id, word) "
                "VALUES (%s, %s, %s)",
                [(aid, *w) for w in words],
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"association": association, "households": households, "persons": persons,
            "last_names": last_names, "streets": streets, "first_names": first_names,
            "words": len(words)}  # fmt: skip


def _queries(seeded: dict[str, Any], rng: random.Random) -> list[str]:
    from parcours.households.duplicates import normalise_text

    def cut(text: str) -> str:
        word = rng.choice(normalise_text(text).split() or ["xx"])
        return word[: rng.randint(2, 6)]

    queries = []
    for _ in range(N_QUERIES):
        shape = rng.random()
        if shape < 0.5:
            queries.append(cut(rng.choice(seeded["last_names"])))
        elif shape < 0.65:
            queries.append(cut(rng.choice(seeded["streets"])))
        elif shape < 0.8:
            queries.append(cut(rng.choice(seeded["first_names"])))
        else:
            queries.append(cut(rng.choice(seeded["last_names"])) + " "
                           + cut(rng.choice(seeded["first_names"])))  # fmt: skip
    return queries


def _reference_rows(seeded: dict[str, Any]) -> list[tuple[str, int, set[str]]]:
    """Every household with its words, computed once for the full scans below."""
    from parcours.directory.search import words_of

    members: dict[int, list[str]] = {}
    for pk, first, last, _relation in seeded["persons"]:
        members.setdefault(pk, []).extend((first, last))
    return sorted(
        (name, pk, words_of(name, place, address, *members.get(pk, ())))
        for pk, name, place, address in seeded["households"]
    )


def _full_scan(rows: list[tuple[str, int, set[str]]], query: str, size: int) -> list[int]:
    """The reference: every household read in Python, its words compared with the query."""
    from parcours.directory.search import MIN_QUERY, query_words

    prefixes = query_words(query)
    if not prefixes or sum(map(len, prefixes)) < MIN_QUERY:
        return []
    found = [pk for _name, pk, words in rows
             if all(any(w.startswith(p) for w in words) for p in prefixes)]  # fmt: skip
    return found[:size]


def picker(ctx: Any, db: Path) -> Any:
    from bench import django_db
    from bench.sizes import SIZES
    from bench.steps import Outcome

    n = SIZES[ctx.size]
    t0 = time.perf_counter()
    django_db.setup(db)
    seeded = _seed(n, ctx.seed)
    notes: dict[str, object] = {"households": n, "search words": seeded["words"],
                                "seed s": round(time.perf_counter() - t0, 1)}  # fmt: skip

    from django.contrib.auth import get_user_model
    from django_scopes import scope

    from parcours.accounts.models import Membership
    from parcours.accounts.roles import Role
    from parcours.directory.selectors import PICKER_SIZE, picker_search
    from parcours.households.duplicates import normalise_text

    association = seeded["association"]
    user = get_user_model().objects.create_user("bench-volunteer")
    membership = Membership.objects.create(user=user, association=association,
                                           role=Role.VOLUNTEER)  # fmt: skip
    rng = random.Random(ctx.seed)
    queries = _queries(seeded, rng)
    # the worst case: the most frequent 2-letter beginning of a family name
    starts: dict[str, int] = {}
    for _pk, name, _p, _a in seeded["households"]:
        key = normalise_text(name).split()[-1][:2]
        starts[key] = starts.get(key, 0) + 1
    worst = max(starts, key=starts.__getitem__)
    queries.append(worst)
    notes["worst query"] = f"{worst!r} ({starts[worst]} households)"
    timings, cpu = [], []
    with scope(association=[association.pk]):
        picker_search(membership=membership, query="warm")  # connection, statement cache
        for query in queries:
            t, c = time.perf_counter(), time.process_time()
            options, _more = picker_search(membership=membership, query=query)
            timings.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)  # SQLite runs in this process: its work too
        rows = _reference_rows(seeded)
        scan_s = []
        for query in [*rng.sample(queries, N_CHECKED), worst]:
            options, _more = picker_search(membership=membership, query=query)
            t = time.perf_counter()
            expected = _full_scan(rows, query, PICKER_SIZE)
            scan_s.append(time.perf_counter() - t)
            got = [o.pk for o in options]
            if got != expected:
                return Outcome(skipped=f"WRONG answer for {query!r}: {got} != {expected}")
    ms = sorted(t * 1000 for t in timings)
    cpu_ms = sorted(c * 1000 for c in cpu)
    notes.update({
        "CPU p50 ms": round(statistics.median(cpu_ms), 1),
        "CPU p95 ms": round(cpu_ms[int(len(cpu_ms) * 0.95) - 1], 1),
        "CPU max ms": round(cpu_ms[-1], 1),
        "queries": len(ms),
        "wall p50 ms": round(statistics.median(ms), 1),
        "wall p95 ms": round(ms[int(len(ms) * 0.95) - 1], 1),
        "wall max ms": round(ms[-1], 1),
        "worst query ms": round(timings[-1] * 1000, 1),
        "answers checked equal to the full scan": N_CHECKED + 1,
        "full scan in Python (reference) median ms": round(statistics.median(scan_s) * 1000),
    })  # fmt: skip
    return Outcome(ms[int(len(ms) * 0.95) - 1] / 1000, notes=notes)
