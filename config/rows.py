"""Model instances from written-out SQL, for the few reads and writes that run on every seat hold (issue 15).

Building and compiling a joined ORM query costs more Python than PostgreSQL takes to answer it: the hold's
flight lookup and its lock were about 2 ms of Python each for SQL that runs in well under 1. `ModelColumns`
gives a model's columns under a table alias for a fixed SQL string, and builds the instance back from its part
of a row the way the ORM does: every column selected (nothing deferred, so no attribute reads the database
later), the backend's and the fields' converters applied (SQLite returns text for times and decimals), and
`Model.from_db`, so the instance is one the ORM could have returned.

`save_new` writes a new instance as `save()` does (the same signals, the same values, the same row), from an
INSERT built once per model instead of compiled on every save: about 0.3 ms of Python a row. A hold writes three
rows so (the booking, its history row and its status change), and its email with `insert_once`, the same INSERT
with ON CONFLICT DO NOTHING on the outbox's dedupe key.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.conf import settings
from django.db import DatabaseError, NotSupportedError, connections, router, transaction
from django.db import connection as default_connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save


class ModelColumns:
    """`model`'s concrete columns as `alias."column"`, in field order, and `build()` for its slice of a row."""

    def __init__(self, model: type[Model], alias: str):
        self.model, self.alias = model, alias
        self.fields = tuple(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.pk_position = self.fields.index(model._meta.pk)
        self._converters: dict[str, list] = {}  # by connection alias

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, connection=default_connection) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def _converters_for(self, connection) -> list:
        """(position, converters, column) for each field that has any, as the ORM's compiler finds them."""
        if connection.alias not in self._converters:
            self._converters[connection.alias] = _converters(self.fields, self.alias, connection)
        return self._converters[connection.alias]

    def build(self, values: Sequence, connection=default_connection) -> Model:
        """The instance from exactly this model's values, in `fields` order."""
        return self.model.from_db(connection.alias, self.attnames, _convert(values, self._converters_for(connection), connection))


def _converters(fields, alias: str, connection) -> list:
    """(position, converters, column) for each of `fields` that has any, as the ORM's compiler finds them."""
    found = []
    for position, field in enumerate(fields):
        column = field.get_col(alias)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((position, converters, column))
    return found


def _convert(row: Sequence, converters: list, connection) -> list:
    values = list(row)
    for position, field_converters, column in converters:
        for converter in field_converters:
            values[position] = converter(values[position], column, connection)
    return values


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


# --- New rows ---------------------------------------------------------------------------------------

# (model, connection alias, conflict column) -> (sql, fields, returning, converters)
_inserts: dict[tuple[type[Model], str, str | None], tuple] = {}


def _insert_for(model: type[Model], connection, on_conflict: str | None) -> tuple:
    """The INSERT that `save()` sends for a new `model` row whose primary key the database assigns: the same
    columns (every local concrete one but the auto field and generated ones) and the same RETURNING; with
    `on_conflict` (a field name), ON CONFLICT on its column DO NOTHING, so that no row comes back when one exists."""
    key = (model, connection.alias, on_conflict)
    if key not in _inserts:
        meta = model._meta
        fields = [field for field in meta.local_concrete_fields if not field.generated and field is not meta.auto_field]
        placeholders = [field.name for field in fields if hasattr(field, "get_placeholder")]
        if placeholders:
            raise TypeError(f"{meta.label}'s {', '.join(placeholders)} have SQL placeholders of their own: use save()")
        if meta.auto_created or meta.order_with_respect_to or not fields:
            raise TypeError(f"{meta.label} is auto-created, ordered with respect to another model or has no column "
                            "to insert: use save()")
        returning = list(meta.db_returning_fields)
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if on_conflict is not None:
            sql = f"{sql} ON CONFLICT ({quote(meta.get_field(on_conflict).column)}) DO NOTHING"
        returning_sql, _ = connection.ops.return_insert_columns(returning)
        _inserts[key] = (f"{sql} {returning_sql}", fields, returning, _converters(returning, meta.db_table, connection))
    return _inserts[key]


def _refuse_expression(meta, field, value) -> None:
    if hasattr(value, "resolve_expression"):
        raise TypeError(f"{meta.label}.{field.name} is an expression: save() compiles those, a once-built INSERT does not")


def _insert_plan(instance: Model, on_conflict: str | None) -> tuple:
    """(alias, connection, the INSERT or None where the database returns no columns from one), after every
    refusal: a model or value that only save() can write is refused here, before anything runs."""
    model = type(instance)
    meta = model._meta
    using = router.db_for_write(model, instance=instance)
    connection = connections[using]
    if meta.parents or meta.proxy or meta.auto_field is None or instance._is_pk_set() or not instance._state.adding:
        raise TypeError(f"A once-built INSERT writes a new {meta.label} whose primary key the database assigns: use save()")
    if not connection.features.can_return_columns_from_insert:
        return using, connection, None
    insert = _insert_for(model, connection, on_conflict)
    for field in insert[1]:
        _refuse_expression(meta, field, getattr(instance, field.attname, None))
    return using, connection, insert


def _write(instance: Model, using: str, connection, insert: tuple) -> bool:
    """Prepare the values as save() does (the fields' own `pre_save`, then `get_db_prep_save`) and send the INSERT;
    an error on the way marks the enclosing atomic block for rollback, as in save(). True, with the returned
    columns (the id) set on the instance, when the row was written."""
    sql, fields, returning, converters = insert
    with transaction.mark_for_rollback_on_error(using=using):
        params = []
        for field in fields:
            value = field.pre_save(instance, add=True)
            _refuse_expression(instance._meta, field, value)  # set by a pre_save receiver
            params.append(field.get_db_prep_save(value, connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    if row is None:
        return False
    for field, value in zip(returning, _convert(row, converters, connection), strict=True):
        setattr(instance, field.attname, value)
    instance._state.db, instance._state.adding = using, False
    return True


def save_new(instance: Model) -> None:
    """`instance.save()` for a new row of a plain model (no parent models, no proxy, its primary key assigned by
    the database), with the INSERT built once per model: pre_save, the fields' own `pre_save` (auto_now and
    the like), the values as the fields prepare them, post_save with `created=True`, so every receiver runs
    as for save() (simple_history writes the history row, config.fragments drops the pages). What only save()'s
    compiler writes is refused with a TypeError, before any signal: a value that is an expression (F(), a
    database default), a field with its own SQL placeholder (ArrayField, GIS), `order_with_respect_to`, an
    auto-created model (save() sends it no signals), a model with no column to insert. An error while the values
    are prepared or written marks the enclosing atomic block for rollback, as in save()."""
    using, connection, insert = _insert_plan(instance, None)
    if insert is None:
        instance.save()
        return
    model = type(instance)
    instance._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    _write(instance, using, connection, insert)
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)


def insert_once(instance: Model, *, key: str) -> bool:
    """INSERT ... ON CONFLICT (`key`'s column) DO NOTHING for a new instance, from the same once-built INSERT as
    save_new, with the same refusals and no signals: one statement where get_or_create takes four (SELECT,
    SAVEPOINT, INSERT, RELEASE). True, with the id set, when the row was written; False when a row with that key
    was there. Needs INSERT ... RETURNING (PostgreSQL, SQLite 3.35)."""
    using, connection, insert = _insert_plan(instance, key)
    if insert is None:
        raise NotSupportedError(f"insert_once needs INSERT ... RETURNING, which {connection.display_name} lacks")
    return _write(instance, using, connection, insert)
