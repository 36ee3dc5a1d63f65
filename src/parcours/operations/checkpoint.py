"""SQLite: the WAL checkpoint off the request path.

In WAL mode every commit appends its pages to the ``-wal`` file; a *checkpoint* copies them
back into the database file (and syncs both). By default SQLite checkpoints inside the commit
that brings the WAL over 1,000 pages: with a few dozen pages per attendance tap, one tap in
twenty paid for copying and syncing everybody's pages (10 to 400 ms, the whole tail of the
tap's latency in the bench).

So the web connections checkpoint by themselves only past ``SQLITE_AUTOCHECKPOINT_PAGES``
(settings: 10,000 pages of 4 KiB, ~40 MB, hundreds of taps; a safety net when no worker runs,
the WAL stays bounded), and the background worker (``parcours worker``, started by ``parcours
serve``) checkpoints every :data:`INTERVAL_S` seconds in a thread of its own, without waiting
on anybody (:func:`checkpoint_wal`).

A crash of the application loses nothing either way (a commit is in the WAL before it
returns). With ``synchronous=NORMAL`` the WAL is synced to disk at checkpoints only, so a
power loss can lose the commits since the last one: a fraction of a second with the worker,
where it was every 1,000 pages before (and, on a quiet day, the last taps for hours); without
a worker, up to the safety net's pages. See docs/operations.md, "SQLite: durability and
checkpoints".
"""

from __future__ import annotations

import logging
import threading
from typing import NamedTuple

from django.db import DatabaseError, connections

INTERVAL_S = 0.2  # a PASSIVE checkpoint with nothing to copy costs next to nothing

log = logging.getLogger(__name__)


class Checkpoint(NamedTuple):
    frames: int  # pages in the WAL
    done: int  # of them, in the database file now
    restarted: bool  # the next commit writes the WAL from its start again


def checkpoint_wal(cursor) -> Checkpoint:
    """One checkpoint on a SQLite cursor that never waits on anybody: PASSIVE (copies what no
    reader still needs); when that copied everything, a RESTART tried without waiting
    (busy_timeout 0), so the next writer starts the WAL from its beginning again.

    Without the restart, back-to-back writes never leave the WAL fully copied when the next
    one begins: the WAL only grows, until a commit reaches wal_autocheckpoint and checkpoints
    by itself (the wait this module removes). The try holds the write lock for the few pages
    written since the PASSIVE pass at most; it gives up at once (busy) when a writer or a
    reader of an older snapshot is there, and the next round tries again.
    """
    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    _busy, frames, done = cursor.fetchone()
    restarted = False
    if frames > 0 and done == frames:
        cursor.execute("PRAGMA busy_timeout")
        timeout = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute("PRAGMA wal_checkpoint(RESTART)")
            restarted = cursor.fetchone()[0] == 0
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    return Checkpoint(frames, done, restarted)


def checkpoint(using: str = "default") -> Checkpoint | None:
    """A checkpoint of the database ``using`` (None: not SQLite, nothing to do)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        return checkpoint_wal(cursor)


class Checkpointer(threading.Thread):
    """Checkpoints the WAL every ``interval`` seconds until :meth:`stop` (a daemon thread with
    its own database connection)."""

    def __init__(self, interval: float = INTERVAL_S, using: str = "default") -> None:
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.interval = interval
        self.using = using
        self.rounds = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                try:
                    checkpoint(self.using)
                except DatabaseError:  # busy or locked: the next round will do it
                    log.warning("WAL checkpoint failed; trying again", exc_info=True)
                self.rounds += 1
        finally:
            connections[self.using].close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def start_checkpointer(interval: float = INTERVAL_S, using: str = "default") -> Checkpointer | None:
    """Start checkpointing the SQLite database in the background (None on PostgreSQL)."""
    if connections[using].vendor != "sqlite":
        return None
    thread = Checkpointer(interval, using)
    thread.start()
    return thread
