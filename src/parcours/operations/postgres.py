"""PostgreSQL's side of backup and restore: pg_dump and pg_restore, run with the parameters of
the database Django uses (DATABASE_URL), the password passed in the environment, never on the
command line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.utils.translation import gettext as _

from parcours.operations.errors import OperationError


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise OperationError(
            _(
                "%(tool)s was not found. Install PostgreSQL's client tools, of a version at "
                "least the server's (Debian, Ubuntu: apt install postgresql-client)."
            )
            % {"tool": name}
        )
    return path


def environment(settings_dict: dict) -> dict[str, str]:
    """The libpq variables for the database Django uses (host, port, user, password, name)."""
    env = os.environ.copy()
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
        else:
            env.pop(var, None)
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise OperationError(
            _("%(what)s failed (exit status %(code)s): %(error)s")
            % {"what": what, "code": done.returncode, "error": done.stderr.strip()}
        )
    return done.stdout


def dump(settings_dict: dict, target: Path) -> None:
    """pg_dump's custom format (compressed, restorable table by table) into ``target``."""
    argv = [_tool("pg_dump"), "--format=custom", f"--file={target}"]
    _run(argv, environment(settings_dict), "pg_dump")


def tables_in_dump(dump_file: Path, settings_dict: dict) -> set[str]:
    """The tables a custom-format dump holds (``pg_restore --list``); fails on a damaged file."""
    listing = _run(
        [_tool("pg_restore"), "--list", str(dump_file)], environment(settings_dict), "pg_restore"
    )
    tables = set()
    for line in listing.splitlines():
        # "215; 1259 16390 TABLE public households_household root"
        parts = line.split()
        if not line.startswith(";") and len(parts) >= 6 and parts[3] == "TABLE":
            tables.add(parts[5])
    return tables


def restore(settings_dict: dict, dump_file: Path) -> None:
    """Replace the database's objects by the dump's, all or nothing (one transaction); the
    objects are owned by the user that restores (the application's), whoever owned them."""
    from django.db import connection

    tables = tables_in_dump(dump_file, settings_dict)
    if "django_migrations" not in tables:
        raise OperationError(_("The backup's database has no django_migrations table."))
    connection.close()
    argv = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={settings_dict['NAME']}",
        str(dump_file),
    ]
    _run(argv, environment(settings_dict), "pg_restore")
    # Tables made by migrations newer than the backup are not in the dump: drop them, so the
    # database is the backup's and `migrate` can make them again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        extra = sorted({row[0] for row in cursor.fetchall()} - tables)
        for name in extra:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)} CASCADE")
