"""The database side of the load test (bench/load.py): seeding and the lost-marks check.

Both run in a child process with Django set up on the load database (``DATABASE_URL``):

    python -m bench.load_db seed --households N --plan PLAN.json
    python -m bench.load_db check --plan PLAN.json --marks MARKS.jsonl --since EPOCH

``seed`` migrates, seeds one association with the demo seeder (``seed_association``: the
generator's households with their French profiles, activities, sessions, attendance and every
record through the apps' bulk writers, journeys and tasks), then adds the bench's staff: each
simulated person has an account of their own (a TOTP code is accepted once per account, so 20
coordinators cannot share one), coordinators and social workers enrolled in two-factor with a
secret of their own, written to the plan beside their password, as an authenticator app holds
it. Each simulated person who takes attendance gets a session of their own (a held one, of the
last days), so every mark of a (session, household) pair comes from one client, in order, and
the check below can say what must be stored. The plan (JSON) lists the accounts, the sessions,
a sample of households and search words.

``check`` reads the marks the clients logged (one JSON line per answered tap) and compares them
with the database: see :func:`check`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

PASSWORD = "load-bench-password"  # bench accounts only, in a bench database
ROLES = ("volunteer", "coordinator", "social_worker")


def totp_secret(username: str) -> str:
    """A per-account authenticator secret (base32), derived from the name: bench only."""
    return base64.b32encode(hashlib.sha256(f"load:{username}".encode()).digest()[:20]).decode()


def _django() -> None:
    os.environ.setdefault("PARCOURS_ENV", "demo")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.config.settings")
    import django

    django.setup()


def seed(households: int, plan_path: Path, accounts: int) -> None:
    _django()
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone, translation
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Membership
    from parcours.activities.models import Session
    from parcours.households.models import Household
    from parcours.seed import seed_association

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t0
    with translation.override("fr"):
        result = seed_association(
            name="Association de charge", slug="load", households=households, seed=1
        )
    t_seed = time.perf_counter() - t0 - t_migrate
    association = result.association
    today = timezone.localdate()
    User = get_user_model()
    hashed = make_password(PASSWORD)
    people: list[dict[str, object]] = []
    with scopes_disabled():
        # Held sessions of the last days, newest first, with the most expected people first:
        # one per simulated person who taps (volunteers and coordinators).
        sessions = list(
            Session.objects.filter(association=association, cancelled=False, day__lte=today)
            .order_by("-day", "id")
            .values_list("id", flat=True)[: 2 * accounts]
        )
        for role in ROLES:
            for i in range(1, accounts + 1):
                username = f"load-{role.replace('_', '-')}-{i}"
                user = User.objects.create(username=username, password=hashed, first_name=username)
                Membership.objects.create(user=user, association=association, role=role)
                person: dict[str, object] = {"username": username, "role": role}
                if role != "volunteer":
                    person["totp"] = totp_secret(username)
                    TOTP.activate(user, person["totp"])
                people.append(person)
        tappers = [p for p in people if p["role"] in ("volunteer", "coordinator")]
        if len(sessions) < len(tappers):
            raise SystemExit(f"only {len(sessions)} held sessions for {len(tappers)} people")
        for person, session in zip(tappers, sessions, strict=False):
            person["session"] = session
        names = list(
            Household.objects.filter(association=association, archived_at__isnull=True)
            .order_by("?")
            .values_list("id", "name", "neighbourhood")[:3000]
        )
    words = sorted({n.split()[-1][:k] for _, n, _ in names if n for k in (3, 4, 6)})
    plan = {
        "association": association.slug,
        "households": households,
        "password": PASSWORD,
        "people": people,
        "household_ids": [pk for pk, _, _ in names],
        "search_words": words[:2000],
        "neighbourhoods": sorted({nb for _, _, nb in names if nb}),
        "seed_seconds": {"migrate": round(t_migrate, 1), "seed_association": round(t_seed, 1)},
        "seeded_on": today.isoformat(),
        "touchpoints": result.touchpoint_count,
    }
    plan_path.write_text(json.dumps(plan, indent=1))
    print(f"seeded {households} households, {result.touchpoint_count} touchpoints", flush=True)


# -- the lost-marks check --------------------------------------------------------------------


def expected_from_marks(marks: list[dict]) -> dict[tuple[int, int], dict[str, object]]:
    """Per (session, household), what the acknowledged taps say must be stored.

    Taps are logged in the order the one client that owns the session got their answers. A
    tap answered ``applied`` or ``unchanged`` leaves its mark_id and status on the row;
    ``duplicate`` (a retry of the last mark) and ``stale`` leave the row as it was. The row's
    version is the one the last answer showed; each ``applied`` answer is one change of the
    row, so one audit event (created or updated) and no more.
    """
    out: dict[tuple[int, int], dict[str, object]] = {}
    for m in marks:
        if not m.get("acknowledged"):
            continue
        key = (int(m["session"]), int(m["household"]))
        e = out.setdefault(key, {"applied": 0, "acknowledged": 0})
        e["acknowledged"] = int(e["acknowledged"]) + 1  # type: ignore[call-overload]
        if m["outcome"] in ("applied", "unchanged"):
            e["mark_id"], e["status"] = m["mark_id"], m["status"]
        if m["outcome"] == "applied":
            e["applied"] = int(e["applied"]) + 1  # type: ignore[call-overload]
        e["version"] = m["version"]
    return out


def check(marks_path: Path, since: float) -> dict[str, object]:
    """Every acknowledged mark stored exactly once, checked in the database.

    For each (session, household) tapped: the attendance row exists once, with the status and
    mark_id of the last acknowledged tap and the version its answer showed; the audit log holds
    exactly one creation or update of the row per ``applied`` answer since the run began (a
    retried tap applied twice, or a change lost, would show here); a present row is linked to
    its attendance touchpoint (household, activity, day), which exists exactly once, and a row
    not present has none.
    """
    _django()
    from django_scopes import scopes_disabled

    from parcours.activities.models import Attendance, Session
    from parcours.audit.models import AuditEvent
    from parcours.households.models import Touchpoint

    marks = [json.loads(line) for line in marks_path.read_text().splitlines() if line.strip()]
    expected = expected_from_marks(marks)
    problems: list[str] = []
    counts = defaultdict(int)
    with scopes_disabled():
        rows: dict[tuple[int, int], list] = defaultdict(list)
        sessions = {k[0] for k in expected}
        for a in Attendance.objects.filter(session_id__in=sessions):
            rows[(a.session_id, a.household_id)].append(a)
        session_of = {s.pk: s for s in Session.objects.filter(pk__in=sessions)}
        ids = [r[0].pk for k, r in rows.items() if k in expected and r]
        audits: dict[int, int] = defaultdict(int)
        from datetime import UTC, datetime

        after = datetime.fromtimestamp(since, tz=UTC)
        for object_id in AuditEvent.objects.filter(
            object_type="activities.attendance",
            object_id__in=ids,
            action__in=[AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE],
            at__gte=after,
        ).values_list("object_id", flat=True):
            audits[object_id] += 1
        for key, e in expected.items():
            found = rows.get(key, [])
            counts["pairs"] += 1
            counts["acknowledged"] += int(e["acknowledged"])  # type: ignore[call-overload]
            counts["applied"] += int(e["applied"])  # type: ignore[call-overload]
            if len(found) != 1:
                problems.append(f"{key}: {len(found)} attendance rows")
                continue
            row = found[0]
            if "mark_id" in e and (row.mark_id, row.status) != (e["mark_id"], e["status"]):
                problems.append(
                    f"{key}: stored {row.status}/{row.mark_id}, acknowledged "
                    f"{e['status']}/{e['mark_id']}"
                )
            if row.version != e["version"]:
                problems.append(f"{key}: version {row.version}, last answer {e['version']}")
            if audits[row.pk] != e["applied"]:
                problems.append(f"{key}: {audits[row.pk]} audit changes, {e['applied']} applied")
            counts["stored changes"] += audits[row.pk]
            session = session_of[key[0]]
            same = Touchpoint.objects.filter(
                household_id=key[1], kind="attendance", day=session.day,
                activity_id=session.activity_id,
            ).count()  # fmt: skip
            if row.status == Attendance.Status.PRESENT:
                counts["present"] += 1
                if row.touchpoint_id is None or same != 1:
                    problems.append(f"{key}: present, {same} attendance touchpoints")
            elif row.touchpoint_id is not None:
                problems.append(f"{key}: {row.status} but linked to a touchpoint")
    return {
        "taps answered": len(marks),
        "taps acknowledged": sum(1 for m in marks if m.get("acknowledged")),
        "retries": sum(1 for m in marks if m.get("retry")),
        "pairs": counts["pairs"],
        "applied answers": counts["applied"],
        "changes stored (audit)": counts["stored changes"],
        "present rows checked": counts["present"],
        "lost or doubled": len(problems),
        "problems": problems[:20],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load_db")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--households", type=int, required=True)
    s.add_argument("--plan", type=Path, required=True)
    s.add_argument("--accounts", type=int, default=40, help="accounts per role")
    c = sub.add_parser("check")
    c.add_argument("--marks", type=Path, required=True)
    c.add_argument("--since", type=float, required=True)
    c.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    if args.cmd == "seed":
        seed(args.households, args.plan, args.accounts)
    else:
        result = check(args.marks, args.since)
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
