"""SQLite's WAL checkpoint runs in the background worker, not in a request's commit."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.conf import settings
from django.db import DatabaseError, connection

from parcours.operations import checkpoint as checkpoints

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the WAL checkpoint is SQLite's"
)


@sqlite_only
@pytest.mark.django_db
def test_web_connections_leave_the_checkpoint_to_the_worker():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        pages = cursor.fetchone()[0]
    assert pages == settings.SQLITE_AUTOCHECKPOINT_PAGES > 1000  # SQLite's default: 1,000


def wal_database(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")  # as a web connection under its threshold
    db.execute("CREATE TABLE mark (id INTEGER PRIMARY KEY, household TEXT)")
    return db


def mark(db, n):
    for i in range(n):
        db.execute("INSERT INTO mark (household) VALUES (?)", (f"Famille {i}",))


def test_checkpoint_copies_the_wal_and_restarts_it(tmp_path):
    db = wal_database(tmp_path / "db.sqlite3")
    mark(db, 200)
    got = checkpoints.checkpoint_wal(db.cursor())
    assert got.frames > 50
    assert got.done == got.frames  # every committed page is in the database file now
    assert got.restarted
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000  # sqlite3's, given back
    mark(db, 1)  # the next commit writes the WAL from its start: a few pages, not 200 more
    assert checkpoints.checkpoint_wal(db.cursor()).frames < 10
    db.close()
    (tmp_path / "db.sqlite3-wal").unlink(missing_ok=True)  # closed: copied and removed anyway
    one = sqlite3.connect(tmp_path / "db.sqlite3")
    assert one.execute("SELECT count(*) FROM mark").fetchone()[0] == 201


def test_checkpoint_waits_on_no_reader(tmp_path):
    db = wal_database(tmp_path / "db.sqlite3")
    mark(db, 100)
    reader = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM mark").fetchone()[0] == 100  # its snapshot
    mark(db, 100)
    got = checkpoints.checkpoint_wal(db.cursor())  # returns at once: no busy wait
    assert 0 < got.done < got.frames  # what the reader still needs stays in the WAL
    assert not got.restarted
    assert reader.execute("SELECT count(*) FROM mark").fetchone()[0] == 100
    reader.execute("COMMIT")
    assert checkpoints.checkpoint_wal(db.cursor()).restarted  # the next round does it


def test_checkpoint_is_nothing_on_postgresql():
    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL only")
    assert checkpoints.checkpoint() is None
    assert checkpoints.start_checkpointer() is None


@sqlite_only
def test_the_checkpointer_keeps_going_after_a_failure_until_stopped(monkeypatch):
    rounds = []
    three = threading.Event()

    def fake(using="default"):
        rounds.append(using)
        if len(rounds) == 1:
            raise DatabaseError("database is locked")
        if len(rounds) >= 3:
            three.set()
        return (0, 0, 0)

    monkeypatch.setattr(checkpoints, "checkpoint", fake)
    thread = checkpoints.start_checkpointer(interval=0.001)
    assert thread is not None and thread.daemon
    assert three.wait(10)
    thread.stop()
    assert not thread.is_alive()
    stopped_at = len(rounds)
    assert stopped_at >= 3
    time.sleep(0.05)  # fifty intervals
    assert len(rounds) == stopped_at  # nothing runs after stop()
