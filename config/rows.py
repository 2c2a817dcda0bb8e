"""Model instances from written-out SQL, for the few reads that run on every seat hold (issue 15).

Building and compiling a joined ORM query costs more Python than PostgreSQL takes to answer it: the hold's
flight lookup and its lock were about 2 ms of Python each for SQL that runs in well under 1. `ModelColumns`
gives a model's columns under a table alias for a fixed SQL string, and builds the instance back from its part
of a row the way the ORM does: every column selected (nothing deferred, so no attribute reads the database
later), the backend's and the fields' converters applied (SQLite returns text for times and decimals), and
`Model.from_db`, so the instance is one the ORM could have returned.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.conf import settings
from django.db import DatabaseError
from django.db import connection as default_connection
from django.db.models import Model


class ModelColumns:
    """`model`'s concrete columns as `alias."column"`, in field order, and `build()` for its slice of a row."""

    def __init__(self, model: type[Model], alias: str):
        self.model, self.alias = model, alias
        self.fields = tuple(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.pk_position = self.fields.index(model._meta.pk)
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, connection=default_connection) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def _converters_for(self, connection) -> list:
        """(position, converters, column) for each field that has any, as the ORM's compiler finds them."""
        if connection.vendor not in self._converters:
            found = []
            for position, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if converters:
                    found.append((position, converters, column))
            self._converters[connection.vendor] = found
        return self._converters[connection.vendor]

    def build(self, values: Sequence, connection=default_connection) -> Model:
        """The instance from exactly this model's values, in `fields` order."""
        values = list(values)
        for position, converters, column in self._converters_for(connection):
            value = values[position]
            for converter in converters:
                value = converter(value, column, connection)
            values[position] = value
        return self.model.from_db(connection.alias, self.attnames, values)


def split_row(row: Sequence, *parts: ModelColumns) -> tuple[list, Sequence]:
    """The instances of `parts`, in order, from the front of `row`, and what follows them (extra columns).
    A part whose primary key is NULL (the far side of a LEFT JOIN with no row) is None."""
    instances, start = [], 0
    for part in parts:
        values = row[start : start + len(part)]
        start += len(part)
        instances.append(None if values[part.pk_position] is None else part.build(values))
    return instances, row[start:]


def attach(instance: Model, name: str, related: Model | None) -> None:
    """Cache `related` as `instance.<name>` the way select_related does, without a query or a descriptor."""
    instance._meta.get_field(name).set_cached_value(instance, related)


def attach_reverse(instance: Model, related_model: type[Model], field_name: str, related: Model | None) -> None:
    """Cache `related` (a `related_model` row whose one-to-one `field_name` points at `instance`, or None for
    none) on both sides, as select_related does for a reverse one-to-one: None makes the accessor raise
    DoesNotExist without a query."""
    field = related_model._meta.get_field(field_name)
    field.remote_field.set_cached_value(instance, related)
    if related is not None:
        field.set_cached_value(related, instance)


def execute_fixed(cursor, name: str, sql: str, params: Sequence) -> None:
    """`cursor.execute(sql, params)` for a written-out statement that runs on every hold, as a prepared
    statement on PostgreSQL: parsed, analysed and planned once per database session instead of on every call
    (the hold's flight lookup: 1.19 ms as plain SQL, 0.33 ms prepared, measured in a loop of 500 on
    127.0.0.1). `sql` takes `%s` placeholders; `name` must be unique to it.

    The PREPARE goes through the driver's own cursor, unlogged, once per session (a new connection, after a
    restart or CONN_MAX_AGE, prepares again: the session is tracked by the driver connection's identity); the
    EXECUTE through Django's, so it is counted and logged like any query. A prepared statement outlives a
    rolled-back transaction, so one PREPARE serves the session. Off with DATABASE_PREPARED_STATEMENTS=0 behind
    a pooler that shares sessions between clients (PgBouncer in transaction mode), and on other databases."""
    wrapper = cursor.db
    if wrapper.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    raw = wrapper.connection
    session = getattr(wrapper, "_prepared_statements", None)
    if session is None or session[0] is not raw:
        session = wrapper._prepared_statements = (raw, set())
    if name not in session[1]:
        _prepare(wrapper, raw, name, sql)
        session[1].add(name)
    execute = f"EXECUTE {name}" + (f"({', '.join(['%s'] * len(params))})" if params else "")
    try:
        cursor.execute(execute, params)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) not in _STALE_STATEMENT:
            raise
        # A migration changed a column the statement returns ("cached plan must not change result type"), or the
        # statement is gone. Outside a transaction: prepare it again and run it once more. Inside one, the
        # transaction is aborted: the error stands, and the session is closed after this request, so the next
        # prepares afresh (one refused request per process, not one per request until CONN_MAX_AGE).
        session[1].discard(name)
        if wrapper.in_atomic_block:
            wrapper.close_at = time.monotonic()
            raise
        with wrapper.wrap_database_errors, raw.cursor() as setup:
            setup.execute(f"DEALLOCATE {name}")
        _prepare(wrapper, raw, name, sql)
        session[1].add(name)
        cursor.execute(execute, params)


# feature_not_supported ("cached plan must not change result type"), invalid_sql_statement_name (no such statement)
_STALE_STATEMENT = {"0A000", "26000"}


def _prepare(wrapper, raw, name: str, sql: str) -> None:
    pieces = sql.split("%s")
    numbered = "".join(piece + (f"${n}" if n < len(pieces) else "") for n, piece in enumerate(pieces, 1))
    with wrapper.wrap_database_errors, raw.cursor() as setup:
        setup.execute(f"PREPARE {name} AS {numbered}")
