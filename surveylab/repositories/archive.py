"""Whole tables in and out, for backups: every row of every table as portable values.

The schema is read from the database itself (``information_schema``, which DuckDB and
PostgreSQL both provide), not from :mod:`surveylab.db.tables`, so a database at an older
schema revision is read as it is. Each column gets a portable type tag (:data:`TYPE_TAGS`)
and each value a JSON form (:func:`encode_value`): a table copied out of DuckDB goes back
into PostgreSQL and the other way round.

:func:`snapshot` reads in one read-only transaction (PostgreSQL: ``REPEATABLE READ``, one
snapshot of every table, while the server goes on writing). DuckDB lets one process open
its file at a time, and reading a large database takes seconds: the snapshot holds the file
only to checkpoint it (its write-ahead log into the file) and copy it into a private
temporary folder, then reads the copy. Meanwhile the server's processes, which open the file
only for each short unit of work (:func:`surveylab.db.connect_with_retry`), wait for it (up
to ``SURVEYLAB_LOCK_TIMEOUT_S``).

:func:`replacing` writes in one transaction that commits only when the whole restore
succeeded (both backends have transactional DDL): a failure leaves the database as it was.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import pool

from surveylab.config import Settings, duckdb_path
from surveylab.db import connect_with_retry, current_revision, get_engine, upgrade_connection
from surveylab.db import tables as t
from surveylab.repositories._base import finish_pending
from surveylab.repositories.audit import AuditRepository

#: Portable column types of an archive, and the SQLAlchemy type each is written back with.
TYPE_TAGS: dict[str, sa.types.TypeEngine[Any]] = {
    "uuid": sa.Uuid(),
    "datetime": sa.DateTime(timezone=True),
    "bytes": sa.LargeBinary(),
    "int": sa.BigInteger(),
    "float": sa.Double(),
    "bool": sa.Boolean(),
    "text": sa.Text(),
}

#: ``information_schema.columns.data_type`` (DuckDB's and PostgreSQL's, lower case) -> tag.
_DATA_TYPES = {
    "uuid": "uuid",
    "timestamp with time zone": "datetime",
    "bytea": "bytes",
    "blob": "bytes",
    "smallint": "int",
    "integer": "int",
    "bigint": "int",
    "double precision": "float",
    "double": "float",
    "real": "float",
    "float": "float",
    "boolean": "bool",
    "character varying": "text",
    "varchar": "text",
    "text": "text",
}

#: DuckDB's conversion of a column of JSON values (:func:`encode_value`) to each type.
_DUCKDB_CAST = {
    "uuid": "CAST({} AS UUID)",
    "datetime": "CAST({} AS TIMESTAMPTZ)",
    "bytes": "from_base64(CAST({} AS VARCHAR))",
    "int": "CAST({} AS BIGINT)",
    "float": "CAST({} AS DOUBLE)",
    "bool": "CAST({} AS BOOLEAN)",
    "text": "CAST({} AS VARCHAR)",
}

#: The type tags whose values :func:`encode_value` converts.
_CONVERTED = frozenset({"uuid", "datetime", "bytes"})

#: Alembic's own table: its one row is the schema revision, which an archive states apart.
VERSION_TABLE = "alembic_version"
#: Rows fetched or written at a time.
BATCH_ROWS = 5000


class ArchiveSchemaError(RuntimeError):
    """A table or column the archive format cannot carry, or an archive that does not fit the
    schema it is restored into (the message names the table and column)."""


def encode_value(tag: str, value: Any) -> Any:
    """A stored value as JSON data: UUIDs as text, times as ISO 8601 text with their offset,
    bytes as base64 text; numbers, booleans, text and None as they are.

    Parameters
    ----------
    tag : str
        The column's type tag (:data:`TYPE_TAGS`).
    value : object
        The value as the database driver returned it.
    """
    if value is None:
        return None
    if tag == "uuid":
        return str(value)
    if tag == "datetime":
        return value.isoformat()
    if tag == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def decode_value(tag: str, value: Any) -> Any:
    """The inverse of :func:`encode_value`: JSON data back to the value a driver writes."""
    if value is None:
        return None
    if tag == "uuid":
        return uuid.UUID(value)
    if tag == "datetime":
        return datetime.fromisoformat(value)
    if tag == "bytes":
        return base64.b64decode(value, validate=True)
    if tag == "float":
        return float(value)
    return value


def _ordered(names: Iterable[str]) -> list[str]:
    """Table names parents first (the order rows can be written in with foreign keys on):
    the schema's tables in dependency order, then any other, by name."""
    known = [table.name for table in t.metadata.sorted_tables]
    names = set(names)
    return [n for n in known if n in names] + sorted(names - set(known))


class TableStore:
    """Every table of one database over one connection (:func:`snapshot`, :func:`replacing`)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    @property
    def backend(self) -> str:
        """``"duckdb"`` or ``"postgresql"``."""
        return self.conn.dialect.name

    def revision(self) -> str | None:
        """The schema revision (alembic's), None for a database never migrated."""
        if VERSION_TABLE not in self._table_names():
            return None
        return current_revision(self.conn)

    def _table_names(self) -> set[str]:
        q = sa.text(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        return {str(r[0]) for r in self.conn.execute(q)}

    def tables(self, only: Iterable[str] | None = None) -> dict[str, list[tuple[str, str]]]:
        """The database's tables (alembic's own left out; of those named in ``only`` when
        given), parents first, each with its columns in order as ``(name, type tag)``.

        Raises
        ------
        ArchiveSchemaError
            A column of a type without a tag (named as ``table.column``).
        """
        q = sa.text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
        names = self._table_names() - {VERSION_TABLE}
        if only is not None:
            names &= set(only)
        columns: dict[str, list[tuple[str, str]]] = {n: [] for n in names}
        for table, column, data_type in self.conn.execute(q):
            if table not in columns:
                continue  # a view, or alembic's table
            tag = _DATA_TYPES.get(str(data_type).lower())
            if tag is None:
                raise ArchiveSchemaError(
                    f"{table}.{column}: type {data_type} cannot be written to a backup"
                )
            columns[table].append((str(column), tag))
        return {n: columns[n] for n in _ordered(names)}

    def count(self, table: str) -> int:
        """Rows in ``table`` [count]."""
        q = sa.select(sa.func.count()).select_from(sa.table(table))
        return int(self.conn.execute(q).scalar_one())

    def is_empty(self, only: Iterable[str]) -> bool:
        """Whether none of the tables named in ``only`` that exist holds a row."""
        return all(self.count(name) == 0 for name in self.tables(only))

    def rows(self, table: str, columns: list[tuple[str, str]]) -> Iterator[list[Any]]:
        """Every row of ``table`` as a list of JSON values (:func:`encode_value`), in the
        order of ``columns``, in primary-key order where there is one (else as stored)."""
        tab = sa.table(table, *[sa.column(c) for c, _ in columns])
        order = [tab.c[c] for c in _primary_key(table) if c in tab.c]
        query = sa.select(*tab.c).order_by(*order).execution_options(yield_per=BATCH_ROWS)
        result = self.conn.execute(query)
        # only UUIDs, times and bytes need converting: the other values are JSON already
        convert = [(i, tag) for i, (_, tag) in enumerate(columns) if tag in _CONVERTED]
        for batch in result.partitions():
            for row in batch:
                values = list(row)
                for i, tag in convert:
                    values[i] = encode_value(tag, values[i])
                yield values

    def file_checksums(self) -> dict[str, str]:
        """The sha256 of every stored survey file's bytes (computed here, not the stored
        column) [hex], by file id."""
        q = sa.select(t.survey_files.c.id, t.survey_files.c.content).execution_options(
            yield_per=100
        )
        out = {}
        result = self.conn.execute(q)
        for batch in result.partitions():
            for file_id, content in batch:
                out[str(file_id)] = hashlib.sha256(bytes(content)).hexdigest()
        return out

    def drop(self, names: Iterable[str]) -> None:
        """Drop the tables named that exist (alembic's own too, when named), children first."""
        existing = self._table_names()
        for name in reversed(_ordered(n for n in names if n in existing)):
            cascade = " CASCADE" if self.backend == "postgresql" else ""
            self.conn.execute(sa.text(f'DROP TABLE "{name}"{cascade}'))

    def migrate(self, revision: str) -> str:
        """Create or migrate the schema to ``revision`` on this connection's transaction;
        returns the revision now current."""
        return upgrade_connection(self.conn, revision)

    def insert(self, table: str, columns: list[tuple[str, str]], rows: Iterable[list[Any]]) -> int:
        """Write rows given as JSON values (:meth:`rows`) into ``table``; returns how many.

        Raises
        ------
        ArchiveSchemaError
            The table does not exist here, or its columns are not ``columns`` (names and types
            in order), or a row has the wrong number of values.
        """
        have = self.tables().get(table)
        if have != columns:
            raise ArchiveSchemaError(
                f"table {table}: the archive's columns {columns} do not match the database's "
                f"{have} at the same schema revision"
            )
        write = self._write_duckdb if self.backend == "duckdb" else self._write_postgres
        written = 0
        batch: list[list[Any]] = []
        for row in rows:
            if len(row) != len(columns):
                raise ArchiveSchemaError(
                    f"table {table}, row {written + len(batch) + 1}: {len(row)} values for "
                    f"{len(columns)} columns"
                )
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                write(table, columns, batch)
                written += len(batch)
                batch = []
        if batch:
            write(table, columns, batch)
            written += len(batch)
        return written

    def _write_postgres(
        self, table: str, columns: list[tuple[str, str]], rows: list[list[Any]]
    ) -> None:
        """Rows of JSON values decoded and written by ``COPY ... FROM STDIN`` (psycopg adapts
        each value; ``executemany`` is several times slower for 200,000 stations)."""
        raw = self.conn.connection.driver_connection
        assert raw is not None, "an open connection has a driver connection"
        names = ", ".join(f'"{c}"' for c, _ in columns)
        tags = [tag for _, tag in columns]
        with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([decode_value(tag, v) for tag, v in zip(tags, row, strict=True)])

    def _write_duckdb(
        self, table: str, columns: list[tuple[str, str]], rows: list[list[Any]]
    ) -> None:
        """Rows of JSON values handed to DuckDB as one data frame and converted by DuckDB
        itself (its ``executemany`` runs one statement per row: 20x slower)."""
        frame = pd.DataFrame(
            {f"c{i}": pd.Series([r[i] for r in rows], dtype=object) for i in range(len(columns))}
        )
        view = f"_restore_{uuid.uuid4().hex}"
        raw = self.conn.connection.driver_connection
        assert raw is not None, "an open connection has a driver connection"
        finish_pending(raw)
        select = ", ".join(_DUCKDB_CAST[tag].format(f"c{i}") for i, (_, tag) in enumerate(columns))
        names = ", ".join(f'"{c}"' for c, _ in columns)
        raw.register(view, frame)
        try:
            raw.execute(f'INSERT INTO "{table}" ({names}) SELECT {select} FROM {view}')
        finally:
            raw.unregister(view)

    def record_restore(self, detail: str) -> None:
        """The restore in the audit log (no acting user: an operator on the host)."""
        AuditRepository(self.conn).add(
            actor_id=None,
            actor_name="operator",
            action="restore database",
            outcome="ok",
            target_type="database",
            detail=detail,
        )


def _primary_key(table: str) -> list[str]:
    """The primary-key columns of a table of the schema (none for an unknown table)."""
    known = t.metadata.tables.get(table)
    return [c.name for c in known.primary_key.columns] if known is not None else []


@contextmanager
def snapshot(settings: Settings) -> Iterator[TableStore]:
    """The configured database, read in one read-only transaction (one snapshot on
    PostgreSQL; on DuckDB a copy of the file taken while holding it)."""
    path = duckdb_path(settings.database_url)
    if path is not None and path.exists():
        with tempfile.TemporaryDirectory(prefix="surveylab-snapshot-") as folder:
            copy = Path(folder) / path.name  # the folder is mode 700
            conn = connect_with_retry(get_engine(settings), settings.lock_timeout_s)
            try:
                raw = conn.connection.driver_connection
                assert raw is not None, "an open connection has a driver connection"
                raw.execute("CHECKPOINT")  # nothing left in the write-ahead log
                shutil.copyfile(path, copy)
            finally:
                conn.close()
            engine = sa.create_engine(f"duckdb:///{copy}", poolclass=pool.NullPool)
            try:
                with engine.connect() as copy_conn, copy_conn.begin():
                    yield TableStore(copy_conn)
            finally:
                engine.dispose()
        return
    conn = connect_with_retry(get_engine(settings), settings.lock_timeout_s)
    try:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with conn.begin():
            yield TableStore(conn)
    finally:
        conn.close()


@contextmanager
def replacing(settings: Settings) -> Iterator[TableStore]:
    """The configured database (created when it does not exist) in one write transaction,
    committed when the block ends without an exception, else rolled back."""
    conn = connect_with_retry(get_engine(settings), settings.lock_timeout_s)
    try:
        with conn.begin():
            yield TableStore(conn)
    finally:
        conn.close()
