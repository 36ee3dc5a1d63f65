"""Bulk reads and writes of a recomputation, by database.

- ``touchpoint_columns``: an association's touchpoints as engine columns, in the order
  ``journey_refresh`` reads them. PostgreSQL: ``COPY (SELECT ...) TO STDOUT`` in binary, every
  field a fixed-width integer, parsed by numpy block by block; SQLite: one ordered cursor read.
- ``write_table``: Arrow rows into a model's table. PostgreSQL: ``COPY ... FROM STDIN`` (CSV,
  written by Arrow); SQLite: one ``executemany``. The ids come from the table's own sequence.
Both run inside the caller's transaction.
"""

from __future__ import annotations

import io
import itertools
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import DatabaseError, connection
from psycopg import pq

from parcours.engine.columns import KINDS, TouchpointColumns
from parcours.households.models import Touchpoint as TouchpointRow

# One row of the binary COPY: field count, then (length, value) for each field.
_ROW = np.dtype(
    [
        ("n", ">i2"),
        ("l0", ">i4"), ("household", ">i8"),
        ("l1", ">i4"), ("day", ">i4"),
        ("l2", ">i4"), ("kind", ">i2"),
        ("l3", ">i4"), ("activity", ">i8"),
        ("l4", ">i4"), ("ref", ">i8"),
    ]
)  # fmt: skip
COLUMNS = ("household", "day", "kind", "activity", "ref")  # of TouchpointColumns, in order
_HEADER = b"PGCOPY\n\xff\r\n\x00"
_BLOCK = 1 << 22  # bytes parsed at once
# SQLite read: days packed with DAY_OFFSET added (days before 1970 stay positive) in DAY_BITS
# bits, so household ids up to 2**(63 - 8 - DAY_BITS) fit: 2**36, about 69 billion
_DAY_BITS = 19
_DAY_OFFSET = 1 << 18
SORT_MEMORY = "1GB"  # PostgreSQL work_mem while the touchpoints are read in order
# SQLite page cache while a whole recomputation is written in one transaction (KiB): the
# default 2 MB spills dirty pages to the WAL again and again while the spans' indexes grow.
SQLITE_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_cache():
    """SQLite: a larger page cache for this connection while a bulk write runs, the previous
    size back afterwards. Memory only: what is written and when it is synced do not change."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(SQLITE_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _kind_sql() -> str:
    cases = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))
    return f"CASE kind {cases} ELSE -1 END"


def touchpoint_columns(association, household_ids=None) -> TouchpointColumns:
    """The association's touchpoints as engine columns, in the order journey_refresh reads
    them (by day; within a day, the latest recorded first: the model's ordering); only those
    of ``household_ids`` when given."""
    if connection.vendor == "postgresql":
        cols = _pg_columns(association.pk)
    else:
        cols = _cursor_columns(association.pk)
    if household_ids is None:
        return cols
    keep = np.isin(cols.household, np.asarray(household_ids, dtype=np.int64))
    return TouchpointColumns(*(np.ascontiguousarray(getattr(cols, c)[keep]) for c in COLUMNS))


def _cursor_columns(association_id: int) -> TouchpointColumns:
    table = TouchpointRow._meta.db_table
    # household, day and kind packed in one integer: one Python int per row instead of three
    # (the rows are turned into Python objects one by one: most of the read's time)
    day_sql = f"CAST(julianday(day) - 2440587.5 AS INTEGER) + {_DAY_OFFSET}"
    sql = (
        f"SELECT household_id * {1 << (_DAY_BITS + 8)} + ({day_sql}) * 256 + {_kind_sql()} + 1, "
        f"COALESCE(activity_id, -1), COALESCE(ref, -1) FROM {table} WHERE association_id = %s "
        "ORDER BY household_id, day, id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [association_id])
        rows = cursor.fetchall()
    n = len(rows)
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=3 * n)
    del rows
    a = flat.reshape(n, 3)
    packed = a[:, 0]
    return TouchpointColumns(
        household=packed >> (_DAY_BITS + 8),
        day=((packed >> 8) & ((1 << _DAY_BITS) - 1)).astype(np.int32) - _DAY_OFFSET,
        kind=((packed & 255) - 1).astype(np.int8),
        activity=np.ascontiguousarray(a[:, 1]),
        ref=np.ascontiguousarray(a[:, 2]),
    )


def _pg_columns(association_id: int) -> TouchpointColumns:
    table = TouchpointRow._meta.db_table
    sql = (
        f"COPY (SELECT household_id::int8, (day - DATE '1970-01-01')::int4, "
        f"({_kind_sql()})::int2, COALESCE(activity_id, -1)::int8, COALESCE(ref, -1)::int8 "
        f"FROM {table} WHERE association_id = {int(association_id)} "
        "ORDER BY household_id, day, id DESC) TO STDOUT (FORMAT binary)"
    )
    parts: dict[str, list[np.ndarray]] = {k: [] for k in COLUMNS}
    kinds = {"household": np.int64, "day": np.int32, "kind": np.int8}
    kinds.update(activity=np.int64, ref=np.int64)
    pending = b""
    header = True
    chunks: list[bytes] = []
    size = 0
    with connection.cursor() as cursor:  # in the caller's transaction (its BEGIN is sent)
        # room to sort the association's touchpoints in memory, for this transaction only
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
    # libpq hands COPY data one row at a time: read through the connection's libpq object
    # directly (blocking), not through psycopg's per-row wait loop (a few µs per row)
    pgconn = connection.connection.pgconn
    pgconn.send_query(sql.encode())
    result = pgconn.get_result()
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        error = result.error_message.decode() if result is not None else "no result"
        while pgconn.get_result() is not None:
            pass
        raise DatabaseError(f"COPY of the touchpoints failed: {error}")
    get = pgconn.get_copy_data
    while True:
        n, data = get(0)
        if n > 0:
            chunks.append(data)
            size += n
            if size < _BLOCK:
                continue
        elif n == 0:  # pragma: no cover - blocking mode returns rows or the end
            continue
        pending += b"".join(chunks)
        chunks, size = [], 0
        if header and pending:  # signature, flags, header extension
            assert pending.startswith(_HEADER), "not a binary COPY"
            ext = int.from_bytes(pending[15:19], "big")
            pending = pending[19 + ext :]
            header = False
        whole = len(pending) // _ROW.itemsize
        rows = np.frombuffer(pending, dtype=_ROW, count=whole)
        for name in parts:
            parts[name].append(rows[name].astype(kinds[name]))
        pending = pending[whole * _ROW.itemsize :]
        if n < 0:
            break
    errors = []
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK:
            errors.append(result.error_message.decode())
    if errors:
        raise DatabaseError(f"COPY of the touchpoints failed: {errors[0]}")
    # what is left: the trailer (-1 as the field count)
    assert pending == b"\xff\xff", "unexpected end of the binary COPY"
    return TouchpointColumns(
        **{k: (np.concatenate(v) if v else np.zeros(0, dtype=kinds[k])) for k, v in parts.items()}
    )


def _columns(model, fields: list[str]) -> str:
    return ", ".join(f'"{model._meta.get_field(f).column}"' for f in fields)


def write_table(model, fields: list[str], table: pa.Table) -> int:
    """Insert the rows of ``table`` (columns ``fields``) into ``model``'s table."""
    n = table.num_rows
    if not n:
        return 0
    name = model._meta.db_table
    if connection.vendor == "postgresql":
        sink = io.BytesIO()
        pacsv.write_csv(table.select(fields), sink, pacsv.WriteOptions(include_header=False))
        sql = f'COPY "{name}" ({_columns(model, fields)}) FROM STDIN (FORMAT csv)'
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            view = sink.getbuffer()
            for lo in range(0, len(view), 1 << 20):
                copy.write(view[lo : lo + (1 << 20)])
            del view
        return n
    values = []
    for f in fields:
        column = table.column(f)
        if pa.types.is_date32(column.type):
            column = pc.cast(column, pa.string())
        values.append(column.to_pylist())
    marks = ", ".join(["%s"] * len(fields))
    sql = f'INSERT INTO "{name}" ({_columns(model, fields)}) VALUES ({marks})'
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*values, strict=True)))
    return n
