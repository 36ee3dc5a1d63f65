"""`parcours backup` and `parcours restore`.

A backup is one tar file, mode 0600 (it holds every household's personal data):

- ``manifest.json``: format and version, when, the database engine, the database member's
  name, size and SHA-256, and the migrations applied to the saved database;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the application
  writes, WAL included) or ``database.pgdump`` (``pg_dump --format=custom``).

Every uploaded file the application keeps (association logos, imported files, kept report
files) is a row of the database, so the database is the whole of the data; the static files
and the cache of ``PARCOURS_DATA_DIR`` are rebuilt, not saved.

Restore checks the file (manifest, checksum, engine, readable database, no migration the code
does not know) before it touches anything, then replaces the database as a whole: SQLite by the
backup API onto the live database, PostgreSQL by ``pg_restore --clean --if-exists`` in one
transaction.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from parcours.operations import postgres
from parcours.operations.errors import OperationError

FORMAT = "parcours-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def engine() -> str:
    from django.db import connection

    if connection.vendor not in MEMBERS:
        raise OperationError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def applied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def pending_migrations() -> list[str]:
    """The code's migrations not applied to the database (after a restore of an older one)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def known_migrations() -> set[str]:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(connection).disk_migrations}


def default_directory() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "backups"


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


@contextmanager
def _workdir(near: Path | None) -> Iterator[Path]:
    """A private (0700) scratch directory beside ``near`` (else the system's), removed after."""
    work = Path(tempfile.mkdtemp(prefix=".parcours-backup-", dir=near))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_dump(target: Path) -> None:
    from django.db import connection

    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # One self-contained file (no -wal beside it), checked before it is kept.
        copy.execute("PRAGMA journal_mode=DELETE")
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise OperationError(_("The copy of the SQLite database failed its integrity check."))
    finally:
        copy.close()
    os.chmod(target, 0o600)


def _output_path(output: str | Path | None, kind: str) -> Path:
    """None: the default folder; a folder (or a path ending with /, made 0700 if missing): a
    dated name inside it; else the file itself, which must not exist."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"parcours-{kind}-{stamp}.tar.gz"
    if output is None:
        return _private_dir(default_directory()) / name
    if str(output).endswith(("/", os.sep)):
        return _private_dir(Path(output)) / name
    output = Path(output)
    if output.is_dir():
        return output / name
    if output.exists():
        raise OperationError(_("%(path)s exists already: choose another name.") % {"path": output})
    if not output.parent.is_dir():
        raise OperationError(_("The folder %(path)s does not exist.") % {"path": output.parent})
    return output


def take(output: str | Path | None = None) -> Path:
    """Write a backup of the database; return its path. The file appears whole or not at all
    (written under a temporary name, then renamed)."""
    kind = engine()
    path = _output_path(output, kind)
    member = MEMBERS[kind]
    with _workdir(path.parent) as work:
        dump = work / member
        if kind == "sqlite":
            _sqlite_dump(dump)
        else:
            from django.db import connection

            postgres.dump(connection.settings_dict, dump)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": kind,
            "database": member,
            "size": dump.stat().st_size,
            "sha256": _sha256(dump),
            "migrations": applied_migrations(),
        }
        partial = work / "backup.tar"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=member, recursive=False)
        if path.exists():
            raise OperationError(
                _("%(path)s exists already: choose another name.") % {"path": path}
            )
        os.replace(partial, path)
    return path


@dataclass
class Checked:
    manifest: dict
    database: Path  # the extracted database member, in a private scratch directory


def _not_a_backup(path: Path, why: str) -> OperationError:
    return OperationError(
        _("%(path)s is not a Parcours backup: %(why)s") % {"path": path, "why": why}
    )


def _read_manifest(tar: tarfile.TarFile, path: Path) -> dict:
    try:
        manifest = json.loads(tar.extractfile(tar.getmember(MANIFEST)).read())
    except KeyError:
        raise _not_a_backup(path, _("it has no manifest.json.")) from None
    except ValueError:
        raise _not_a_backup(path, _("its manifest.json is not JSON.")) from None
    if manifest.get("format") != FORMAT:
        raise _not_a_backup(path, _("its manifest.json names another format."))
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise OperationError(
            _("%(path)s was written by a newer Parcours (backup format %(version)s).")
            % {"path": path, "version": manifest.get("version")}
        )
    return manifest


def check(path: Path, work: Path) -> Checked:
    """Everything that can be checked before the database is touched; raises OperationError."""
    path = Path(path)
    if not path.is_file():
        raise OperationError(_("%(path)s does not exist.") % {"path": path})
    kind = engine()
    database = work / MEMBERS[kind]
    try:
        with tarfile.open(path, mode="r:*") as tar:
            manifest = _read_manifest(tar, path)
            if manifest.get("engine") != kind:
                raise OperationError(
                    _("This backup is of a %(theirs)s database and this Parcours uses %(ours)s.")
                    % {"theirs": manifest.get("engine"), "ours": kind}
                )
            try:
                source = tar.extractfile(tar.getmember(database.name))
            except KeyError:
                raise _not_a_backup(
                    path, _("it has no %(member)s.") % {"member": database.name}
                ) from None
            fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out)
    except (tarfile.TarError, EOFError, zlib.error, OSError):
        raise _not_a_backup(path, _("it is not a whole tar file (truncated or damaged).")) from None
    if _sha256(database) != manifest.get("sha256"):
        raise OperationError(
            _("%(path)s is damaged: its database does not match its checksum.") % {"path": path}
        )
    unknown = sorted(set(manifest.get("migrations") or []) - known_migrations())
    if unknown:
        raise OperationError(
            _(
                "This backup was taken by a newer Parcours (migrations this version does not "
                "know: %(names)s). Install that version, then restore."
            )
            % {"names": ", ".join(unknown[:5])}
        )
    if kind == "sqlite":
        _check_sqlite(database, path)
    return Checked(manifest, database)


def _check_sqlite(database: Path, path: Path) -> None:
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            ok = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            db.execute("SELECT count(*) FROM django_migrations").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError:
        ok = False
    if not ok:
        raise _not_a_backup(path, _("its SQLite database is damaged."))


def describe_current() -> str:
    """What restoring would replace: the database's name (for the confirmation)."""
    from django.db import connection

    return str(connection.settings_dict["NAME"])


def restore(path: Path) -> dict:
    """Check ``path``, then replace the database by the backup's. Returns the manifest. The
    caller has asked for confirmation; the application should be stopped meanwhile."""
    from django.db import connection

    with _workdir(None) as work:
        checked = check(path, work)
        if checked.manifest["engine"] == "sqlite":
            connection.ensure_connection()
            if connection.in_atomic_block:
                raise OperationError(_("Cannot restore inside a transaction."))
            source = sqlite3.connect(f"file:{checked.database}?mode=ro", uri=True)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            postgres.restore(connection.settings_dict, checked.database)
    return checked.manifest
