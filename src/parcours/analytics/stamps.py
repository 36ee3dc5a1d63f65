"""What changes an association's data stamp (:class:`DataStamp`) in the same transaction as
any write to what the dashboard reads.

PostgreSQL: triggers, whatever the writer (ORM, bulk writers, raw SQL, COPY, cascades).
Inserting or deleting rows of a table in :data:`WATCHED` (statement-level triggers over the
transition tables, so COPY and bulk inserts stay cheap), updating one of its listed columns
(row-level, so a household's phone number leaves the stamp alone, its neighbourhood does not),
TRUNCATE (every stamp). The stamp changes once per transaction, at its first such write (the
row keeps the transaction's id, ``xact``): other transactions see the new token when it commits,
with all its writes. The writing transaction itself reads a value local to it, changed by each
of its writes (a transaction-local setting: no row version, undone with a savepoint), so its
own pages stay exact (:func:`stamps_read`).

SQLite: a row trigger costs ~17 µs per inserted row (measured: 3x the cost of inserting a
touchpoint), too much for the batch writers. Instead a statement wrapper on every Django
connection (:func:`sqlite_wrapper`): any INSERT, UPDATE, DELETE or REPLACE naming a watched
table changes the one stamp of the database (row :data:`GLOBAL`: SQLite serves one
association or a few) in the same transaction, after the statement. Writes that bypass Django
(the sqlite3 shell) are not seen; a restore brings its own stamp with its own data.

The token is random, not a counter: a restored backup brings back its own token with its own
data, so a token never names two different states of the data.
"""

from __future__ import annotations

STAMP_TABLE = "analytics_datastamp"

#: table (app_label.Model) -> columns whose update changes the stamp (inserts and deletes
#: always do). The columns the dashboard's selectors read, and the association.
WATCHED: dict[str, tuple[str, ...]] = {
    "households.Household": ("association_id", "neighbourhood", "heard_from"),
    "households.Touchpoint": (
        "association_id", "household_id", "day", "kind", "activity_id", "ref",
    ),
    "journey.StageSpan": ("association_id", "household_id", "stage", "start", "end", "audience"),
    "journey.StatusSpan": ("association_id", "household_id", "status", "start", "end", "audience"),
    "households.Person": ("association_id", "household_id", "birth_year", "sex"),
    "activities.Activity": ("association_id", "name"),
    "activities.Session": (
        "association_id", "activity_id", "day", "start_time", "end_time", "cancelled",
    ),
    "activities.Attendance": ("association_id", "session_id", "household_id", "status"),
    "community.CommunityRole": ("association_id", "kind"),
}  # fmt: skip
#: the members unticked on a mark: no association column, it is the attendance's
ABSENT = ("activities.Attendance", "absent_persons")

_PG_TOKEN = "(floor(random() * 9.0e18))::bigint"
#: the writing transaction's id: the stamp changes once per transaction (at its first write)
_PG_XACT = "pg_current_xact_id()::text::bigint"
#: an upsert of the stamp that leaves a row this transaction already stamped alone: updating
#: one row again and again in one transaction piles up row versions that every later update
#: walks (measured: 5,000 one-row inserts took 0.46 s, the next 5,000 1.1 s, the next 1.8 s;
#: 0.09 s each with this guard), so a bulk writer's executemany was quadratic
_PG_UPSERT = f"""ON CONFLICT (association_id) DO UPDATE SET token = EXCLUDED.token,
        xact = EXCLUDED.xact WHERE {STAMP_TABLE}.xact IS DISTINCT FROM EXCLUDED.xact"""
#: within the writing transaction, a value that changes at each of its writes (a setting local
#: to the transaction: no row version; rolled back with a savepoint): what that transaction
#: reads as the association's stamp (:func:`tokens`). Negative: never a committed token.
_PG_LOCAL = f"set_config('parcours.stamp_' || a, (-1 - {_PG_TOKEN})::text, true)"
_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION parcours_stamp_changed() RETURNS trigger AS $$
BEGIN
    WITH s AS (SELECT DISTINCT association_id AS a FROM changed
               WHERE association_id IS NOT NULL),
         l AS (SELECT a, {_PG_LOCAL} FROM s)
    INSERT INTO {STAMP_TABLE} (association_id, token, xact)
    SELECT a, {_PG_TOKEN}, {_PG_XACT} FROM l
    {_PG_UPSERT};
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION parcours_stamp_row() RETURNS trigger AS $$
BEGIN
    WITH s AS (SELECT DISTINCT a FROM (VALUES (NEW.association_id), (OLD.association_id)) v(a)
               WHERE a IS NOT NULL),
         l AS (SELECT a, {_PG_LOCAL} FROM s)
    INSERT INTO {STAMP_TABLE} (association_id, token, xact)
    SELECT a, {_PG_TOKEN}, {_PG_XACT} FROM l
    {_PG_UPSERT};
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION parcours_stamp_all() RETURNS trigger AS $$
BEGIN
    UPDATE {STAMP_TABLE} SET token = {_PG_TOKEN}, xact = {_PG_XACT}
    WHERE xact IS DISTINCT FROM {_PG_XACT};
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def _pg_absent_function(attendance: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION parcours_stamp_absent() RETURNS trigger AS $$
DECLARE
    row_attendance bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN row_attendance := OLD.attendance_id;
    ELSE row_attendance := NEW.attendance_id; END IF;
    WITH l AS (SELECT a, {_PG_LOCAL} FROM (SELECT association_id AS a FROM {attendance}
                                            WHERE id = row_attendance) s)
    INSERT INTO {STAMP_TABLE} (association_id, token, xact)
    SELECT a, {_PG_TOKEN}, {_PG_XACT} FROM l
    {_PG_UPSERT};
    IF TG_OP = 'UPDATE' THEN
        WITH l AS (SELECT a, {_PG_LOCAL} FROM (SELECT association_id AS a FROM {attendance}
                                                WHERE id = OLD.attendance_id) s)
        INSERT INTO {STAMP_TABLE} (association_id, token, xact)
        SELECT a, {_PG_TOKEN}, {_PG_XACT} FROM l
        {_PG_UPSERT};
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def _q(name: str) -> str:
    return f'"{name}"'


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{_q(c)} IS DISTINCT FROM NEW.{_q(c)}" for c in columns)


def _pg(table: str, columns: tuple[str, ...]) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER parcours_stamp_ins AFTER INSERT ON {table} "
        "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION parcours_stamp_changed()",
        f"CREATE OR REPLACE TRIGGER parcours_stamp_del AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION parcours_stamp_changed()",
        f"CREATE OR REPLACE TRIGGER parcours_stamp_upd AFTER UPDATE ON {table} FOR EACH ROW "
        f"WHEN ({_changed(columns)}) EXECUTE FUNCTION parcours_stamp_row()",
        f"CREATE OR REPLACE TRIGGER parcours_stamp_trunc AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION parcours_stamp_all()",
    ]


def _pg_absent(table: str) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER parcours_stamp_row AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION parcours_stamp_absent()",
        f"CREATE OR REPLACE TRIGGER parcours_stamp_trunc AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION parcours_stamp_all()",
    ]


def _tables(apps) -> tuple[dict[str, tuple[str, ...]], str, str]:
    tables = {}
    for label, columns in WATCHED.items():
        model = apps.get_model(label)
        names = {f.column for f in model._meta.concrete_fields}
        missing = set(columns) - names
        if missing:
            raise ValueError(f"{label} has no column {', '.join(sorted(missing))}")
        tables[model._meta.db_table] = columns
    attendance = apps.get_model(ABSENT[0])
    through = attendance._meta.get_field(ABSENT[1]).remote_field.through
    return tables, through._meta.db_table, attendance._meta.db_table


def install(apps, schema_editor) -> None:
    """Create the triggers (a migration's RunPython); idempotent."""
    statements(apps, schema_editor.connection.vendor, schema_editor.execute)


def statements(apps, vendor: str, execute) -> None:
    tables, absent, attendance = _tables(apps)
    if vendor == "postgresql":
        sql = [_PG_FUNCTIONS, _pg_absent_function(attendance)]
        for table, columns in tables.items():
            sql += _pg(table, columns)
        sql += _pg_absent(absent)
    elif vendor == "sqlite":
        sql = []  # SQLite: the statement wrapper below (a row trigger costs ~17 µs per row)
    else:
        raise NotImplementedError(f"no data stamp triggers for {vendor}")
    for statement in sql:
        execute(statement)


def reinstall(using: str = "default", **kwargs) -> None:
    """After every migrate (post_migrate): create the triggers a later migration dropped.
    SQLite drops a table's triggers when Django rebuilds the table to alter it."""
    from django.apps import apps
    from django.db import connections

    connection = connections[using]
    if STAMP_TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        statements(apps, connection.vendor, cursor.execute)


def uninstall(apps, schema_editor) -> None:
    tables, absent, _attendance = _tables(apps)
    vendor = schema_editor.connection.vendor
    for table in [*tables, absent]:
        if vendor == "postgresql":
            for name in ("ins", "del", "upd", "trunc", "row"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS parcours_stamp_{name} ON {table}")
    if vendor == "postgresql":
        for fn in ("changed", "row", "all", "absent"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS parcours_stamp_{fn}()")


def token(association_id: int) -> int | None:
    """The association's current stamp (0 before its first write); on SQLite the database's.
    See :func:`stamps_read` for a transaction that has written (and None)."""
    return stamps_read([association_id])[association_id][0]


def tokens(association_ids: list[int]) -> dict[int, int | None]:
    return {a: t for a, (t, _own) in stamps_read(association_ids).items()}


def stamps_read(association_ids: list[int]) -> dict[int, tuple[int | None, bool]]:
    """Each association's (stamp, whether this transaction wrote it).

    The stamp is 0 before the first write; on SQLite the database's (changed by every watched
    statement). On PostgreSQL the committed stamp changes once per transaction, at its first
    write; a transaction that has written to an association's data reads instead a value local
    to it, changed by each of its writes (so what it computes is keyed by its own state and no
    one else's), or None where that value is missing (after a TRUNCATE): then nothing it
    computes may be kept. Whatever such a transaction computes must not stand for the
    committed data (it may roll back): ``own`` says so."""
    from django.db import connection

    out: dict[int, tuple[int | None, bool]] = dict.fromkeys(association_ids, (0, False))
    if not association_ids:
        return out
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            marks = ", ".join(["%s"] * len(association_ids))
            cursor.execute(
                f"SELECT association_id, token, COALESCE(xact = "
                f"pg_current_xact_id_if_assigned()::text::bigint, false), "
                f"current_setting('parcours.stamp_' || association_id, true) "
                f"FROM {STAMP_TABLE} WHERE association_id IN ({marks})",
                list(association_ids),
            )
            for a, committed, own, local in cursor.fetchall():
                if own:
                    out[a] = (int(local) if local else None, True)
                else:
                    out[a] = (committed, False)
        else:
            cursor.execute(f"SELECT token FROM {STAMP_TABLE} WHERE association_id = %s", [GLOBAL])
            row = cursor.fetchone()
            out = dict.fromkeys(association_ids, (row[0] if row else 0, False))
    return out


#: the stamp row that stands for every association (SQLite)
GLOBAL = 0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH")
_SQLITE_BUMP = (
    f"INSERT INTO {STAMP_TABLE} (association_id, token) VALUES ({GLOBAL}, random()) "
    "ON CONFLICT(association_id) DO UPDATE SET token = excluded.token"
)


def watched_tables() -> frozenset[str]:
    from django.apps import apps

    tables, absent, _attendance = _tables(apps)
    return frozenset([*tables, absent])


def _writes_watched(sql: str, tables: frozenset[str]) -> bool:
    head = sql.lstrip()[:8].upper()
    return head.startswith(_WRITES) and any(t in sql for t in tables)


def sqlite_wrapper(tables: frozenset[str]):
    """The execute wrapper of a SQLite connection: after a write to a watched table, a new
    stamp, in the statement's transaction (one opened for it in autocommit)."""
    from django.db import transaction

    def bump(connection) -> None:
        import sqlite3

        try:  # its own cursor: the statement's may hold rows still to fetch (RETURNING)
            connection.connection.execute(_SQLITE_BUMP)
        except sqlite3.OperationalError as e:  # migrating: no stamp yet, nothing cached
            if f"no such table: {STAMP_TABLE}" not in str(e):
                raise

    def wrapper(execute, sql, params, many, context):
        if not _writes_watched(sql, tables):
            return execute(sql, params, many, context)
        connection = context["connection"]
        if connection.in_atomic_block or " RETURNING " in sql.upper():
            # RETURNING in autocommit: the statement stays active until its rows are read,
            # so its implicit transaction takes the stamp too and commits both at once
            result = execute(sql, params, many, context)
            bump(connection)
            return result
        with transaction.atomic(using=connection.alias):
            result = execute(sql, params, many, context)
            bump(connection)
        return result

    wrapper.parcours_stamp = True
    return wrapper


def on_connection(sender, connection, **kwargs) -> None:
    """connection_created: wrap the SQLite connections (once per Django connection)."""
    if connection.vendor != "sqlite":
        return
    if any(getattr(w, "parcours_stamp", False) for w in connection.execute_wrappers):
        return
    connection.execute_wrappers.append(sqlite_wrapper(watched_tables()))
