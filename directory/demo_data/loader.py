"""Writes generated rows straight into tables: COPY on PostgreSQL, executemany on SQLite.

Generators yield plain tuples in the order of the columns they name; every other
concrete column takes its model default, so a field added later with a default never
breaks the seed. Rows carry explicit primary keys; sequences are moved past them at
the end.

On PostgreSQL rows go through binary COPY (column types read from the catalog, so the
server parses nothing) with psycopg's queued writer, which sends in a background thread
while the next rows are generated.

For large loads the secondary indexes, unique and foreign-key constraints of the loaded
tables are read from the catalog, dropped, and re-created after the load: one sort per
index instead of millions of index insertions, one join per foreign key instead of a
deferred trigger per row. Reading them from the catalog means indexes that other
migrations add (search, GIN, GiST) come back exactly as they were.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.copy import QueuedLibpqWriter
from psycopg.postgres import types as builtin_types
from tqdm import tqdm

SQLITE_BATCH = 2_000
PROGRESS_EVERY = 4_096  # rows between progress-bar updates (a bar per row costs ~1 µs)

Row = tuple[Any, ...]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


class BulkLoader:
    def __init__(self, connection: BaseDatabaseWrapper, *, progress: bool = False) -> None:
        self.connection = connection
        self.progress = progress
        self.is_postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}
        self._models: list[type[models.Model]] = []

    def load(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Iterable[Row],
        *,
        total: int | None = None,
    ) -> int:
        """Insert `rows` (tuples in the order of `fields`) into `model`'s table."""
        meta = model._meta
        given = [meta.get_field(name) for name in fields]
        tail_fields, tail = self._defaults(model, set(fields))
        columns = [f.column for f in given + tail_fields]
        bar = tqdm(
            total=total,
            desc=f"{meta.db_table:<20}",
            unit=" rows",
            disable=not self.progress,
            mininterval=0.5,
            dynamic_ncols=True,
        )
        with bar:
            if self.is_postgres:
                count = self._copy(meta.db_table, columns, given + tail_fields, rows, tail, bar)
            else:
                count = self._insert(meta.db_table, columns, given + tail_fields, rows, tail, bar)
        self.counts[meta.db_table] = self.counts.get(meta.db_table, 0) + count
        if model not in self._models:
            self._models.append(model)
        return count

    def reset_sequences(self) -> None:
        """Move every loaded table's id sequence past the explicit ids."""
        statements = self.connection.ops.sequence_reset_sql(no_style(), self._models)
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def analyze(self) -> None:
        """Fresh planner statistics for the loaded tables."""
        if not self._models:
            return
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            if self.is_postgres:
                cursor.execute(f"ANALYZE {', '.join(qn(m._meta.db_table) for m in self._models)}")
            else:
                cursor.execute("ANALYZE")

    @contextlib.contextmanager
    def indexes_deferred(self, tables: Sequence[str]) -> Iterator[None]:
        """Drop secondary indexes and FK/unique constraints of `tables`; re-create on exit.

        PostgreSQL only. Meant for the load's transaction: if the load fails, the
        rollback brings the schema back with the data gone.
        """
        if not self.is_postgres:
            yield
            return
        restore = self._drop_indexes(tables)
        yield
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in tqdm(restore, desc="indexes", unit=" ddl", disable=not self.progress):
                cursor.execute(sql)

    # --- internals ------------------------------------------------------------------

    def _defaults(
        self, model: type[models.Model], given: set[str]
    ) -> tuple[list[models.Field], Row]:
        fields, values = [], []
        for field in model._meta.concrete_fields:
            if field.name in given or field.attname in given or getattr(field, "generated", False):
                continue
            if field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            elif field.has_db_default():
                continue
            else:
                raise ValueError(f"{model.__name__}.{field.name} needs a value in the demo rows")
            fields.append(field)
            values.append(value)
        return fields, tuple(values)

    def _copy(self, table, columns, fields, rows, tail, bar) -> int:
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [qn(table)],
            )
            oids = dict(cursor.fetchall())
            types = [oids[column] for column in columns]
            binary = all(builtin_types.get(oid) for oid in types)
            if not binary:  # a type psycopg cannot dump in binary: let the server parse text
                rows = self._adapted(rows, fields, {models.JSONField: _json})
            column_list = ", ".join(qn(c) for c in columns)
            sql = f"COPY {qn(table)} ({column_list}) FROM STDIN"
            raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
            with raw.copy(
                sql + (" (FORMAT BINARY)" if binary else ""), writer=QueuedLibpqWriter(raw)
            ) as copy:
                if binary:
                    copy.set_types(types)
                write, count = copy.write_row, 0
                for count, row in enumerate(rows, 1):
                    write(row + tail)
                    if not count % PROGRESS_EVERY:
                        bar.update(PROGRESS_EVERY)
                bar.update(count % PROGRESS_EVERY)
        return count

    def _insert(self, table, columns, fields, rows, tail, bar) -> int:
        qn = self.connection.ops.quote_name
        prepare = (models.JSONField, models.DateTimeField, models.DecimalField)
        rows = self._adapted(((*row, *tail) for row in rows), fields, dict.fromkeys(prepare))
        column_list = ", ".join(qn(c) for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        # Names come from model metadata, quoted; values travel as parameters.
        sql = f"INSERT INTO {qn(table)} ({column_list}) VALUES ({placeholders})"  # noqa: S608
        count = 0
        with self.connection.cursor() as cursor:
            iterator = iter(rows)
            while batch := list(islice(iterator, SQLITE_BATCH)):
                cursor.executemany(sql, batch)
                count += len(batch)
                bar.update(len(batch))
        return count

    def _adapted(
        self,
        rows: Iterable[Row],
        fields: list[models.Field],
        conversions: dict[type[models.Field], Callable[[Any], Any] | None],
    ) -> Iterator[Row]:
        """Rows with the listed field types converted (None: Django's own conversion)."""
        adapters: list[tuple[int, Callable[[Any], Any]]] = []
        for index, field in enumerate(fields):
            for kind, convert in conversions.items():
                if isinstance(field, kind):
                    if convert is None:
                        convert = lambda v, f=field: f.get_db_prep_save(v, self.connection)  # noqa: E731
                    adapters.append((index, convert))
                    break
        if not adapters:
            yield from rows
            return
        for row in rows:
            values = list(row)
            for index, convert in adapters:
                values[index] = convert(values[index])
            yield tuple(values)

    def _drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Drop what slows a bulk load down; return the DDL that puts it back."""
        qn = self.connection.ops.quote_name
        create_indexes: list[str] = []
        add_foreign_keys: list[str] = []
        drop_foreign_keys: list[str] = []
        drop_others: list[str] = []
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    """
                    SELECT conname, pg_get_constraintdef(oid), contype = 'f'
                    FROM pg_constraint
                    WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'x')
                    ORDER BY conname
                    """,
                    [qn(table)],
                )
                for name, definition, is_foreign_key in cursor.fetchall():
                    drop = f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}"
                    add = f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}"
                    (drop_foreign_keys if is_foreign_key else drop_others).append(drop)
                    (add_foreign_keys if is_foreign_key else create_indexes).append(add)
                cursor.execute(
                    """
                    SELECT index.relname, pg_get_indexdef(i.indexrelid)
                    FROM pg_index i JOIN pg_class index ON index.oid = i.indexrelid
                    WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                    ORDER BY index.relname
                    """,
                    [qn(table)],
                )
                for name, definition in cursor.fetchall():
                    drop_others.append(f"DROP INDEX {qn(name)}")
                    create_indexes.append(definition)
            # Keys first: a unique constraint cannot go while a foreign key depends on it.
            for sql in drop_foreign_keys + drop_others:
                cursor.execute(sql)
        # Indexes before keys, so each key is checked against a finished index.
        return create_indexes + add_foreign_keys
