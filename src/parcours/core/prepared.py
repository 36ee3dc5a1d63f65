"""Querysets compiled once and run many times with other values: the fixed reads of a hot path
(one attendance tap reads the same shapes for every household).

Django compiles a queryset into SQL on every evaluation (resolving lookups, joins, expressions,
quoting): for a small read on an index that is most of its time. ``Prepared(build)`` calls
``build`` once per database connection vendor with marker values (integers no row has), keeps
the SQL, the positions of the markers among its parameters and the converters Django applies to
the columns (dates on SQLite, JSON, booleans), then each ``rows(*values)`` runs that SQL with
the values in place of the markers and converts the rows as the queryset would have.

Only for ``values_list`` querysets whose markers are plain parameters (filters on ids, ``__in``
lists of one marker each): compiling checks that every marker went to the parameters.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection as default_connection

#: values no id takes (negative): replaced by the real values at each run
MARKERS = tuple(-7_000_000_000_000 - i for i in range(8))


class Prepared:
    def __init__(self, build: Callable) -> None:
        self.build = build  # build(*markers) -> a values_list queryset
        self._compiled: dict[tuple[str, str], tuple] = {}

    def _compile(self, connection, n: int) -> tuple:
        from django_scopes import scopes_disabled

        markers = MARKERS[:n]
        with scopes_disabled():
            qs = self.build(*markers)
        compiler = qs.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = [(i, markers.index(p)) for i, p in enumerate(params) if p in markers]
        if {m for _i, m in slots} != set(range(n)):
            raise ValueError(f"a marker is not a parameter of {sql!r}")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        return sql, params, slots, list(converters.items())

    def rows(self, *values, connection=None) -> list[tuple]:
        """The queryset's rows (tuples) with ``values`` in place of the markers."""
        connection = connection or default_connection
        key = (connection.alias, connection.vendor)
        got = self._compiled.get(key)
        if got is None:
            got = self._compiled[key] = self._compile(connection, len(values))
        sql, params, slots, converters = got
        params = list(params)
        for i, m in slots:
            params[i] = values[m]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        out = []
        for row in rows:
            row = list(row)
            for pos, (convs, expression) in converters:
                value = row[pos]
                for convert in convs:
                    value = convert(value, expression, connection)
                row[pos] = value
            out.append(tuple(row))
        return out
