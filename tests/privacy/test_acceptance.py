"""Erasure and access, end to end (issue 10, acceptance "Erasure" and "Access").

A generated association of 40 households gets a unique marker in every free-text field of
every household's rows (tests/privacy/scenario.py). One household, given rows of every kind
that points at a household, is exported, then erased. The database itself is then read:

- SQLite: the whole file's bytes, after ``PRAGMA wal_checkpoint(TRUNCATE)`` and ``VACUUM``;
- PostgreSQL (on PostgreSQL runs): the text of ``pg_dump``.

Before the erasure both find every marker of the household (the scan sees what it looks
for); after it, none. Every other household's markers are still there, every row that is not
the household's is unchanged, and the dashboard's measures are equal. The export held every
marker of the household and none of another's.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from tests.activities.filedb import REPO, environment


def _scenario(command: str, work, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.privacy.scenario", command, str(work)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _markers(work) -> tuple[list[str], list[str]]:
    state = json.loads((work / "state.json").read_text())
    mine = [m for m, i in state["markers"].items() if i["household"] == state["subject"]]
    others = [m for m, i in state["markers"].items() if i["household"] != state["subject"]]
    return mine, others


def _run(work, env: dict, scan) -> None:
    prepared = _scenario("prepare", work, env)
    before = scan()
    erased = _scenario("erase", work, env)
    after = scan()
    mine, others = _markers(work)
    member_rows = set(erased["member"]["rows"])
    state = json.loads((work / "state.json").read_text())
    others = [m for m in others if state["markers"][m].get("row") not in member_rows]
    assert prepared["uncovered"] == [], "the subject lacks rows of some kinds"
    assert [m for m in mine if m.encode() not in before] == []  # the scan sees every marker
    assert [m for m in mine if m.encode() in after] == []
    others_before = {m for m in others if m.encode() in before}
    assert len(others_before) > 5000
    assert {m for m in others if m.encode() in after} == others_before
    assert erased["changed_others"] == []
    assert erased["changed_subject_rows"] > 100
    assert erased["figures_before"] == erased["figures_after"]
    assert erased["export_missing"] == {"donnees.html": [], "donnees.json": []}
    assert erased["export_foreign"] == {"donnees.html": [], "donnees.json": []}
    # then one member of another household: their rows lose every marker, the household's
    # other rows keep theirs
    state = json.loads((work / "state.json").read_text())
    member = erased["member"]
    assert len(member["rows"]) > 1 and member["figures_equal"]
    theirs = [m for m, i in state["markers"].items() if i.get("row") in member["rows"]]
    household = [
        m for m, i in state["markers"].items()
        if i["household"] == member["household"] and m not in theirs and m.encode() in before
    ]  # fmt: skip
    assert theirs and all(m.encode() in before for m in theirs)
    assert [m for m in theirs if m.encode() in after] == []
    assert [m for m in household if m.encode() not in after] == []


def test_erasure_leaves_no_identifier_in_the_sqlite_file(tmp_path):
    db_file = tmp_path / "parcours.sqlite3"

    def scan() -> bytes:
        db = sqlite3.connect(db_file)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        db.close()
        sidecars = [p for p in tmp_path.iterdir() if p.name.startswith(f"{db_file.name}-")]
        return db_file.read_bytes() + b"".join(p.read_bytes() for p in sidecars)

    _run(tmp_path, environment(tmp_path, db_file), scan)


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the pg_dump scan runs on PostgreSQL runs",
)
@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("createdb", "dropdb", "pg_dump")),
    reason="createdb, dropdb and pg_dump are needed: apt-get install postgresql-client",
)
def test_erasure_leaves_no_identifier_in_a_pg_dump(tmp_path):
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_erasure_{uuid.uuid4().hex[:8]}"
    conn = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    pg_env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    subprocess.run(["createdb", *conn, name], check=True, env=pg_env)
    try:
        env = environment(tmp_path, tmp_path / "unused.sqlite3")
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{conn[1]}:{conn[3]}/{name}"

        def scan() -> bytes:
            return subprocess.run(
                ["pg_dump", *conn, name], check=True, capture_output=True, env=pg_env
            ).stdout

        _run(tmp_path, env, scan)
    finally:
        subprocess.run(["dropdb", *conn, "--if-exists", name], check=False, env=pg_env)
