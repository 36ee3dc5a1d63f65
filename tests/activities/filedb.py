"""A real Parcours on a SQLite file, driven from other processes.

The test database of the suite is in memory and shared by the threads of pytest-django's live
server, which is not how Parcours runs. The concurrency tests need what production has: one
SQLite file in WAL mode, IMMEDIATE transactions, several processes and threads each with its
own connection. This module builds such a database (`prepare`), seeds a sheet (`seed`), runs
writers in other processes (`mark`), serves it with gunicorn (`Server`) and reads it back with
plain SQL (`marks`, `attendance_touchpoints`).

Run as a module, it is the other process: `python -m tests.activities.filedb <command> ...`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "un-mot-de-passe-solide-2026"
USERNAMES = {"volunteer": "lucas.petit", "coordinator": "claire.dubois"}


def environment(data_dir: Path, db_file: Path) -> dict:
    env = dict(os.environ)
    env.update(
        PARCOURS_ENV="test",
        PARCOURS_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{db_file}",
        DJANGO_SETTINGS_MODULE="parcours.config.settings_test",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "src"), env.get("PYTHONPATH", "")]),
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _run(data_dir: Path, db_file: Path, *args: str, timeout: float = 300) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.activities.filedb", *args],
        env=environment(data_dir, db_file), cwd=REPO, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"filedb {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(template_dir: Path, *, static: bool = False) -> Path:
    """A migrated, empty database file (and the collected static files), to copy per test."""
    template_dir.mkdir(parents=True, exist_ok=True)
    db_file = template_dir / "template.sqlite3"
    _run(template_dir, db_file, "prepare", "1" if static else "0")
    return db_file


def copy_database(template: Path, target_dir: Path) -> Path:
    target_dir.mkdir(parents=True, exist_ok=True)
    db_file = target_dir / "parcours.sqlite3"
    shutil.copyfile(template, db_file)
    return db_file


def seed(data_dir: Path, db_file: Path, *, regulars: int) -> dict:
    return _run(data_dir, db_file, "seed", str(regulars))


def start_writers(data_dir: Path, db_file: Path, plans: list[list]) -> list[subprocess.Popen]:
    """One process per plan; each plan is a list of thread plans: [household, status] lists."""
    procs = []
    for i, plan in enumerate(plans):
        path = data_dir / f"plan-{i}.json"
        path.write_text(json.dumps(plan))
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.activities.filedb", "mark", str(path)],
                env=environment(data_dir, db_file),
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
        )
    return procs


def collect(procs: list[subprocess.Popen], timeout: float = 300) -> list[dict]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"writer failed:\n{out}\n{err}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def marks(db_file: Path, session_id: int) -> dict[int, str]:
    with sqlite3.connect(db_file) as db:
        rows = db.execute(
            "SELECT household_id, status FROM activities_attendance "
            "WHERE session_id = ? AND status != 'unmarked'",
            (session_id,),
        ).fetchall()
    return dict(rows)


def attendance_touchpoints(db_file: Path, session_id: int) -> dict[int, int]:
    with sqlite3.connect(db_file) as db:
        rows = db.execute(
            "SELECT t.household_id, COUNT(*) FROM households_touchpoint t "
            "JOIN activities_session s ON s.activity_id = t.activity_id AND s.day = t.day "
            "WHERE s.id = ? AND t.kind = 'attendance' GROUP BY t.household_id",
            (session_id,),
        ).fetchall()
    return dict(rows)


def scalar(db_file: Path, sql: str, *params):
    with sqlite3.connect(db_file) as db:
        return db.execute(sql, params).fetchone()[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(data_dir: Path, db_file: Path, *, workers: int = 2, threads: int = 4):
    """Parcours served by gunicorn, as in production; yields its base URL."""
    port = _free_port()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 (closed below)
    parcours = Path(sys.executable).parent / "parcours"
    proc = subprocess.Popen(
        [str(parcours), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads)],
        env=environment(data_dir, db_file), cwd=data_dir, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/login/", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((data_dir / "server.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def server_errors(data_dir: Path) -> list[str]:
    text = (data_dir / "server.log").read_text()
    return [line for line in text.splitlines() if "Error" in line or "locked" in line]


# --- the other process ----------------------------------------------------------------------


def _setup_django():
    import django

    django.setup()


def cmd_prepare(static: str) -> dict:
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if static == "1":
        call_command("collectstatic", interactive=False, verbosity=0)
    return {"ok": True}


def cmd_seed(regulars: str) -> dict:
    """Les Lucioles: a volunteer, a coordinator, today's Café des parents and its regulars."""
    _setup_django()
    from datetime import time as clock
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association, Membership
    from parcours.activities import services
    from parcours.households import services as households
    from tests.basis import BASIS
    from tests.signin_helpers import SECOND_FACTOR_ROLES, enrol

    today = timezone.localdate()
    with scopes_disabled():
        assoc = Association.objects.create(name="Les Lucioles", slug="lucioles")
        users = {}
        for role, username in USERNAMES.items():
            users[role] = get_user_model().objects.create_user(username, password=PASSWORD)
            Membership.objects.create(user=users[role], association=assoc, role=role)
            if role in SECOND_FACTOR_ROLES:
                enrol(users[role])  # the coordinator signs in with an authenticator code
        coordinator = users["coordinator"]
        activity = services.activity_create(
            actor=coordinator, association=assoc, name="Café des parents", category="sharing",
            place="Maison de quartier",
        )  # fmt: skip
        leader = households.household_create(
            actor=coordinator, association=assoc, name="Famille Benali",
            neighbourhood="Les Tilleuls", lawful_basis=BASIS,
        )  # fmt: skip
        regular = [
            households.household_create(
                actor=coordinator,
                association=assoc,
                name=f"Famille Régulière {i:02d}",
                neighbourhood="Les Tilleuls",
                lawful_basis=BASIS,
            )  # fmt: skip
            for i in range(int(regulars))
        ]
        last_week = services.session_create(
            actor=coordinator, activity=activity, day=today - timedelta(days=7),
            start_time=clock(14, 0),
        )  # fmt: skip
        for household in regular:
            services.attendance_mark(
                actor=coordinator, session=last_week, household=household, status="present"
            )
        session = services.session_create(
            actor=coordinator, activity=activity, day=today, start_time=clock(14, 0),
            facilitator_household=leader,
        )  # fmt: skip
    return {
        "session": session.pk,
        "regulars": [h.pk for h in regular],
        "leader": leader.pk,
        "users": {role: u.pk for role, u in users.items()},
    }


def cmd_mark(plan_path: str) -> dict:
    """Run the plan's threads at once; each marks its households through the service."""
    _setup_django()
    import threading
    from collections import Counter

    from django.contrib.auth import get_user_model
    from django.db import OperationalError, connection
    from django.utils import timezone
    from django_scopes import scope

    from parcours.activities import services
    from parcours.activities.models import Session
    from parcours.households.models import Household

    plan = json.loads(Path(plan_path).read_text())
    outcomes: Counter = Counter()
    errors: list[str] = []
    applied: list[list] = []  # [household, status, intent iso]: what each thread intended
    start = threading.Barrier(len(plan["threads"]))

    def work(ops):
        try:
            user = get_user_model().objects.get(pk=plan["user"])
            with scope(association=[plan["association"]]):
                session = Session.objects.get(pk=plan["session"])
                seen: dict[int, int] = {}
                start.wait()
                for household_id, status in ops:
                    household = Household.objects.get(pk=household_id)
                    intent = timezone.now()
                    try:
                        result = services.attendance_mark(
                            actor=user, session=session, household=household, status=status,
                            mark_id=f"{plan['name']}-{len(applied)}-{household_id}-{intent}",
                            base_version=seen.get(household_id, 0), intent_at=intent,
                        )  # fmt: skip
                    except OperationalError as exc:
                        outcomes["locked" if "locked" in str(exc) else "operational"] += 1
                        errors.append(str(exc))
                        continue
                    seen[household_id] = result.attendance.version
                    outcomes[result.outcome] += 1
                    applied.append([household_id, status, intent.isoformat()])
        except Exception as exc:  # reported, the test fails on it
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(ops,)) for ops in plan["threads"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"outcomes": dict(outcomes), "errors": errors, "intents": applied}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    result = {"prepare": cmd_prepare, "seed": cmd_seed, "mark": cmd_mark}[command](*rest)
    print(json.dumps(result))
