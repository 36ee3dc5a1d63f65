"""INSERT many rows in one executemany, ids allocated inside the caller's transaction.

Django's bulk_create builds a model instance and prepares every value of every row through the
field machinery: most of an import's time at 200,000 rows. This writes plain tuples of values
already in Python form (dates, datetimes, ids, strings, JSON-able), converted once per type
by the backend's own adapters. The ids are allocated before the insert, so callers link rows
to each other without reading them back:
- SQLite: the transaction holds the write lock (transaction_mode IMMEDIATE), so the next ids
  are max(id, sqlite_sequence) + 1...;
- PostgreSQL: nextval of the table's sequence, n times in one query.
Must run inside transaction.atomic (asserted).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from django.db import connection, models

CHUNK = 5000


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
    convert = [(i, f) for i, f in enumerate(_converters(rows)) if f is not None]
    cache: dict = {}  # a date or a datetime repeats across rows: converted once

    def adapt(row: tuple) -> tuple:
        if not convert:
            return row
        values = list(row)
        for i, f in convert:
            v = values[i]
            if v is not None:
                key = (i, v) if not isinstance(v, list | dict) else None
                if key is None:
                    values[i] = f(v)
                elif (got := cache.get(key)) is not None:
                    values[i] = got
                else:
                    values[i] = cache[key] = f(v)
        return tuple(values)

    with connection.cursor() as cursor:
        for lo in range(0, len(rows), CHUNK):
            cursor.executemany(
                sql,
                [
                    (pk, *adapt(row))
                    for pk, row in zip(ids[lo : lo + CHUNK], rows[lo : lo + CHUNK], strict=True)
                ],
            )
    return ids
