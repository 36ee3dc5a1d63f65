"""INSERT many rows in one executemany, ids allocated inside the caller's transaction.

Django's bulk_create builds a model instance and prepares every value of every row through the
field machinery: most of an import's time at 200,000 rows. This writes plain tuples of values
already in Python form (dates, datetimes, ids, strings, JSON-able), converted once per type
by the backend's own adapters. The ids are allocated before the insert, so callers link rows
to each other without reading them back:
- SQLite: the transaction holds the write lock (transaction_mode IMMEDIATE), so the next ids
  are max(id, sqlite_sequence) + 1...;
- PostgreSQL: nextval of the table's sequence, n times in one query.
Must run inside transaction.atomic (asserted) when the ids are allocated first.

``insert_objects`` does what bulk_create does for unsaved model instances (the bulk writers'
rows that are built as objects), with the values prepared once per field kind rather than
through every field's whole preparation chain for every row.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000
#: insert_objects of at most this many values: one INSERT ... RETURNING (ids in row order, as
#: Django's bulk_create relies on for SQLite 3.35+ and PostgreSQL)
FEW = 500


def _converters(rows: list[tuple]) -> list:
    """One converter per column, chosen from its first value that is not None (a column holds
    one type): the backend's adapter for dates and datetimes, JSON text for lists and dicts."""
    ops = connection.ops
    out = []
    for i in range(len(rows[0])):
        sample = next((r[i] for r in rows if r[i] is not None), None)
        if isinstance(sample, datetime):
            out.append(ops.adapt_datetimefield_value)
        elif isinstance(sample, date):
            out.append(ops.adapt_datefield_value)
        elif isinstance(sample, list | dict):
            out.append(json.dumps)
        else:
            out.append(None)
    return out


def _next_ids(table: str, n: int) -> list[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + n))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [r[0] for r in cursor.fetchall()]


def insert_rows(model: type[models.Model], fields: list[str], rows: list[tuple]) -> list[int]:
    """Insert `rows` (values of `fields`, in that order) into `model`'s table; their ids."""
    if not rows:
        return []
    assert connection.in_atomic_block, "insert_rows allocates ids: run it in a transaction"
    if connection.vendor not in ("sqlite", "postgresql"):  # pragma: no cover
        objs = model._default_manager.bulk_create(
            [model(**dict(zip(fields, r, strict=True))) for r in rows]
        )
        return [o.pk for o in objs]
    table = model._meta.db_table
    columns = ", ".join(f'"{model._meta.get_field(f).column}"' for f in fields)
    marks = ", ".join(["%s"] * (len(fields) + 1))
    sql = f'INSERT INTO "{table}" ("id", {columns}) VALUES ({marks})'
    ids = _next_ids(table, len(rows))
    convert = [
        (i, f, None if f is json.dumps else {})  # a date or a datetime repeats: converted once
        for i, f in enumerate(_converters(rows))
        if f is not None
    ]

    def adapt(row: tuple) -> list:
        values = list(row)
        for i, f, cache in convert:
            v = values[i]
            if v is None:
                continue
            if cache is None:
                values[i] = f(v)
            else:
                got = cache.get(v)
                values[i] = got if got is not None else cache.setdefault(v, f(v))
        return values

    _execute(sql, ids, rows, adapt if convert else None)
    return ids


def _execute(sql: str, ids: list[int], rows: list[tuple], adapt=None) -> None:
    with connection.cursor() as cursor:
        for lo in range(0, len(rows), CHUNK):
            part = zip(ids[lo : lo + CHUNK], rows[lo : lo + CHUNK], strict=True)
            if adapt is None:
                cursor.executemany(sql, [(pk, *row) for pk, row in part])
            else:
                cursor.executemany(sql, [(pk, *adapt(row)) for pk, row in part])


# Field classes (exactly these, not subclasses, which may prepare their values their own way)
# whose value goes to the database as it is in Python: ids, text, numbers, booleans.
_AS_IS = {
    models.CharField, models.TextField, models.SlugField, models.EmailField, models.URLField,
    models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField, models.BooleanField, models.FloatField,
    models.ForeignKey, models.OneToOneField,
}  # fmt: skip


_AUTO = ("AutoField", "BigAutoField", "SmallAutoField")


def _preparer(field: models.Field):
    """How `field`'s Python value becomes a database value: None when as it is; the
    backend's adapter for dates and times (a day repeats: converted once); else Django's own
    preparation of that field (JSON, decimals...)."""
    ops = connection.ops
    kind = type(field)
    if kind in _AS_IS and not (field.is_relation and not _int_target(field)):
        return None
    if kind is models.DateTimeField:
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if kind is models.DateField:
        cache: dict = {}

        def day(v):
            if v is None:
                return None
            got = cache.get(v)
            if got is None:
                got = cache[v] = ops.adapt_datefield_value(v)
            return got

        return day
    if kind is models.TimeField:
        return lambda v: None if v is None else ops.adapt_timefield_value(v)
    return lambda v: field.get_db_prep_save(v, connection)


def _int_target(field) -> bool:
    return field.target_field.get_internal_type() in _AUTO


def insert_objects(objs: list[models.Model]) -> list[models.Model]:
    """bulk_create for unsaved instances of one model (no signals, as bulk_create): the rows
    inserted with their ids allocated first (a few rows: returned by their one INSERT), set on
    the instances as bulk_create does."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    expression = any(
        hasattr(getattr(objs[0], f.attname), "resolve_expression") for f in fields
    )  # a database default or an expression: Django's own path
    auto_id = meta.pk.get_internal_type() in _AUTO and meta.pk.column == "id"
    if expression or not auto_id or connection.vendor not in ("sqlite", "postgresql"):
        return model._default_manager.bulk_create(objs, batch_size=1000)
    now = timezone.now()
    for f in fields:  # what bulk_create's pre_save does: the instances carry the time
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now if isinstance(f, models.DateTimeField) else now.date()
            for o in objs:
                setattr(o, f.attname, value)
    # a related object saved after it was assigned: its id now (bulk_create does the same)
    related = [f for f in fields if f.is_relation]
    attnames = [f.attname for f in fields]
    preps = [(i, p) for i, f in enumerate(fields) if (p := _preparer(f)) is not None]
    rows = []
    for o in objs:
        d = o.__dict__
        for f in related:
            if d[f.attname] is None and f.is_cached(o):
                got = f.get_cached_value(o)
                d[f.attname] = None if got is None else got.pk
        values = [d[a] for a in attnames]
        for i, p in preps:
            values[i] = p(values[i])
        rows.append(values)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    table = meta.db_table
    if len(objs) * len(fields) <= FEW:
        # a few rows (a touchpoint write's new tasks): one statement, the database allocating
        # the ids it returns, instead of reading the next ids first (two reads on SQLite)
        row = f"({', '.join(['%s'] * len(fields))})"
        sql = (
            f'INSERT INTO "{table}" ({columns}) VALUES {", ".join([row] * len(objs))} '
            'RETURNING "id"'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [v for values in rows for v in values])
            ids = [r[0] for r in cursor.fetchall()]
    else:
        assert connection.in_atomic_block, "insert_objects allocates ids: run it in a transaction"
        marks = ", ".join(["%s"] * (len(fields) + 1))
        ids = _next_ids(table, len(objs))
        _execute(f'INSERT INTO "{table}" ("id", {columns}) VALUES ({marks})', ids, rows)
    alias = connection.alias
    for o, pk in zip(objs, ids, strict=True):
        o.pk = pk
        o._state.adding = False
        o._state.db = alias
    return objs


def insert_or_nothing(obj: models.Model, *, unique: tuple[str, ...]) -> bool:
    """INSERT one unsaved instance unless a row with the same ``unique`` fields exists (their
    unique constraint), in one statement (``ON CONFLICT DO NOTHING RETURNING id``: SQLite
    3.35+ and PostgreSQL), without a savepoint: True and ``obj.pk`` set when inserted, False
    when the row was there already (the caller reads it)."""
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    conflict = ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in unique)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({conflict}) DO NOTHING "
        f"RETURNING {connection.ops.quote_name(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return True


_UPSERTS: dict[tuple, tuple[str, list]] = {}


def upsert_objects(
    objs: list[models.Model], *, unique_fields: list[str], update_fields: list[str]
) -> list[models.Model]:
    """bulk_create(objs, update_conflicts=True, unique_fields=..., update_fields=...) for a few
    unsaved instances of one model (one row of a hot path: a tap's journey row, its task
    check), in the same one statement, its SQL built once per model, row count and fields
    instead of compiled by Django each time. The ids are set on the instances (RETURNING)."""
    objs = list(objs)
    if not objs:
        return objs
    meta = type(objs[0])._meta
    key = (meta.label, len(objs), tuple(unique_fields), tuple(update_fields), connection.vendor)
    got = _UPSERTS.get(key)
    if got is None:
        quote = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        row = f"({', '.join(['%s'] * len(fields))})"
        conflict = ", ".join(quote(meta.get_field(n).column) for n in unique_fields)
        sets = ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}"
            for c in (meta.get_field(n).column for n in update_fields)
        )
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([row] * len(objs))} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {sets} RETURNING {quote(meta.pk.column)}"
        )
        got = _UPSERTS[key] = (sql, fields)
    sql, fields = got
    values = []
    for obj in objs:
        values += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = [r[0] for r in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return objs
