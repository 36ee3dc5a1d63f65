"""Where the load's server CPU goes: each request kind of bench/locustfile.py, through Django's
test client on a copy of the load's seeded database, with its CPU time (this thread's, the
PostgreSQL backend not counted) and its SQL statements; ``--profile KIND`` prints cProfile's
top functions of that kind.

    DATABASE_URL=postgres://root@127.0.0.1:5432/parcours_loadpg_prof \\
        .venv/bin/python -m bench.load_profile --plan bench/data/load-pg-10000-plan.json

The database is written to (taps): use a copy (``CREATE DATABASE ... TEMPLATE
parcours_load_seed_10000``), not the seed. The server's settings are production's
(PARCOURS_ENV=production, SSL redirect off as behind the load's proxy); the sign-in is
``force_login`` with the second factor marked done, as the tests do.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
import uuid

ROW = re.compile(r'data-household="(\d+)" data-version="(\d+)" data-status="(\w*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _setup() -> None:
    os.environ.setdefault("PARCOURS_ENV", "production")
    os.environ.setdefault("PARCOURS_SSL_REDIRECT", "0")
    os.environ.setdefault("PARCOURS_SECRET_KEY", "load-profile-" + uuid.uuid4().hex)
    os.environ.setdefault("PARCOURS_DATA_DIR", tempfile.mkdtemp(prefix="parcours-prof-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", "--noinput", verbosity=0)  # the manifest production reads


def _client(user):
    from django.test import Client

    from parcours.accounts.signin import SESSION_SECOND_FACTOR

    c = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1", enforce_csrf_checks=False)
    c.force_login(user)
    s = c.session
    s[SESSION_SECOND_FACTOR] = True
    s.save()
    return c


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--plan", required=True)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--profile", default="", help="a request kind to run under cProfile")
    p.add_argument("--match", default="", help="only the profile's functions matching this")
    args = p.parse_args(argv)
    _setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    plan = json.load(open(args.plan, encoding="utf-8"))  # noqa: SIM115
    people = {r: [x for x in plan["people"] if x["role"] == r]
              for r in ("volunteer", "coordinator", "social_worker")}  # fmt: skip
    users = get_user_model().objects
    vol = people["volunteer"][0]
    coord = people["coordinator"][0]
    cv = _client(users.get(username=vol["username"]))
    cc = _client(users.get(username=coord["username"]))
    rng = random.Random(1)
    session = vol["session"]
    sheet = cv.get(f"/activities/sessions/{session}/").content.decode()
    rows = {int(h): (int(v), s) for h, v, s in ROW.findall(sheet)}
    since = {"v": ""}

    def tap():
        household = rng.choice(list(rows) or plan["household_ids"][:20])
        version, current = rows.get(household, (0, ""))
        status = rng.choice(("present", "absent", "excused"))
        status = "unmarked" if status == current else status
        r = cv.post(f"/activities/sessions/{session}/marks/", {
            "household": household, "status": status, "mark_id": uuid.uuid4().hex,
            "base_version": version, "intent_at": int(time.time() * 1000)},
            HTTP_HX_REQUEST="true")  # fmt: skip
        m = ROW.search(r.content.decode())
        if m:
            rows[int(m.group(1))] = (int(m.group(2)), m.group(3))
        return r

    def poll():
        r = cv.get(f"/activities/sessions/{session}/marks/", {"since": since["v"]},
                   HTTP_HX_REQUEST="true")  # fmt: skip
        since["v"] = r.headers.get("X-Sheet-Since", "")
        return r

    kinds = {
        "tap": tap,
        "poll": poll,
        "sheet": lambda: cv.get(f"/activities/sessions/{session}/"),
        "today": lambda: cv.get("/activities/today/"),
        "household": lambda: cc.get(f"/households/{rng.choice(plan['household_ids'])}/"),
        "picker": lambda: cc.get(
            "/households/picker/",
            {"field": "household", "household_search": rng.choice(plan["search_words"])},
            HTTP_HX_REQUEST="true",
        ),  # fmt: skip
        "search": lambda: cc.get("/households/", {"q": rng.choice(plan["search_words"])}),
        "dashboard": lambda: cc.get("/analytics/"),
    }
    for name, fn in kinds.items():
        if args.profile and name != args.profile:
            continue
        r = fn()  # warm (a first page fills the caches)
        assert r.status_code == 200, (name, r.status_code)
        cpu, nq, size = [], [], []
        prof = cProfile.Profile() if args.profile else None
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as q:
                t0 = time.thread_time()
                if prof:
                    prof.enable()
                r = fn()
                if prof:
                    prof.disable()
                cpu.append((time.thread_time() - t0) * 1000)
            nq.append(len(q.captured_queries))
            size.append(len(r.content))
        print(
            f"{name:10s} cpu ms p50 {statistics.median(cpu):7.1f} max {max(cpu):7.1f}  "
            f"queries {statistics.median(nq):4.0f}  bytes {statistics.median(size):8.0f}"
        )
        if prof:
            stats = pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative")
            stats.print_stats(*([args.match] if args.match else []), 45)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
