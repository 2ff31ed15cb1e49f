"""What every repository shares: the connection, the one insert helper, and row conversions.

A repository turns rows into records (:mod:`surveylab.models.records`) and records' fields into
rows. Every new row goes through :meth:`Repository._insert`: a new UUID ``id``, the time of
insertion in the table's stamp columns, ``INSERT ... RETURNING`` (DuckDB and PostgreSQL both
support it) and the record built from the row the database returned.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa

R = TypeVar("R")


def utcnow() -> datetime:
    """The time now, timezone-aware, in UTC."""
    return datetime.now(UTC)


class DuplicateError(ValueError):
    """A unique name (well, run number, run name, username) is taken."""


class ConflictError(RuntimeError):
    """Another transaction changed the same rows at the same time (DuckDB's optimistic
    concurrency refuses the later writer): roll back and try the whole unit of work again."""


def is_write_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB refusing a write because a concurrent transaction changed the
    same rows (its ``TransactionContext Error: Conflict on ...``)."""
    text = str(exc)
    return "Conflict on" in text or "write-write conflict" in text


def as_utc(value: datetime) -> datetime:
    """A stored time as timezone-aware (a naive value from the database is UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    """:func:`as_utc`, passing ``None`` through."""
    return None if value is None else as_utc(value)


def as_uuid(value: Any) -> uuid.UUID:
    """A stored id as :class:`uuid.UUID` (drivers return UUIDs or their text)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_uuid_or_none(value: Any) -> uuid.UUID | None:
    """:func:`as_uuid`, passing ``None`` through."""
    return None if value is None else as_uuid(value)


def json_safe(value: Any) -> Any:
    """``value`` ready for :func:`json.dumps`: NaN and infinities become None, numpy scalars
    Python numbers, tuples lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def finish_pending(raw: Any) -> None:
    """DuckDB 2 refuses new work on a connection while an earlier result is unread (SQLAlchemy's
    ``.first()`` leaves the rest unread): run it to its end first."""
    complete = getattr(raw, "complete", None)
    if complete is not None:
        complete()


class Repository(Generic[R]):
    """One table's rows as records of type ``R``, over one connection (the unit of work's).

    Subclasses name their ``table``, the columns an insert stamps with the time now
    (``stamped``), and build a record from a row (:meth:`_record`).
    """

    table: ClassVar[sa.Table]
    #: Columns set to the time of insertion [UTC].
    stamped: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    @property
    def dialect(self) -> str:
        """The database backend: ``"duckdb"`` or ``"postgresql"``."""
        return self.conn.dialect.name

    def _driver_connection(self) -> Any:
        """The DBAPI connection under SQLAlchemy's (DuckDB's or psycopg's), for bulk paths;
        any result still unread on it is finished first (:func:`finish_pending`)."""
        raw = self.conn.connection.driver_connection
        assert raw is not None, "an open unit of work holds a live driver connection"
        finish_pending(raw)
        return raw

    def _record(self, row: Any) -> R:
        """The record of one row (a row of :meth:`_returning`'s columns, or of a select)."""
        raise NotImplementedError

    def _returning(self) -> Sequence[sa.ColumnElement[Any]]:
        """The columns an insert returns (default: all of the table's)."""
        return tuple(self.table.c)

    def _inserted(self, row: Any) -> R:
        """The record of a row just inserted (default: built from the returned row itself)."""
        return self._record(row)

    def _new_row(self, **values: Any) -> dict[str, Any]:
        """``values`` plus a new UUID ``id`` (when the table has one and none is given) and the
        time now in every ``stamped`` column."""
        now = utcnow()
        row: dict[str, Any] = dict.fromkeys(self.stamped, now)
        if "id" in self.table.c:
            row["id"] = uuid.uuid4()
        row.update(values)
        return row

    def _insert(self, **values: Any) -> R:
        """Insert one row (:meth:`_new_row`) and return its record."""
        stmt = self.table.insert().values(**self._new_row(**values)).returning(*self._returning())
        return self._inserted(self.conn.execute(stmt).one())

    def _frame(self, table: sa.Table, owner: tuple[str, uuid.UUID], names: Sequence[str]):
        """The rows of ``table`` owned by ``owner`` (column, id), columns ``names``, in ``seq``
        order, as one DataFrame: on DuckDB straight from its result (no Python object per
        row), on PostgreSQL through pandas."""
        key, owner_id = owner
        if self.dialect == "duckdb":
            sql = f"SELECT {', '.join(names)} FROM {table.name} WHERE {key} = ? ORDER BY seq"
            frame: pd.DataFrame = self._driver_connection().execute(sql, [str(owner_id)]).df()
            return frame
        q = (
            sa.select(*[table.c[n] for n in names])
            .where(table.c[key] == owner_id)
            .order_by(table.c.seq)
        )
        return pd.read_sql(q, self.conn)

    def _bulk_insert(
        self,
        table: sa.Table,
        owner: tuple[str, uuid.UUID],
        frame: pd.DataFrame,
        float_columns: Sequence[str],
    ) -> None:
        """Insert the rows of ``frame`` into ``table``, each with the owner's id, in bulk.

        ``frame`` holds ``seq`` and every other column of the table but the owner's;
        ``float_columns`` are written with NaN as NULL. DuckDB reads the DataFrame directly
        (a registered view), PostgreSQL takes it through ``COPY``.

        Parameters
        ----------
        table : sqlalchemy.Table
            The child table (stations of a survey, of a definitive survey, QC rows).
        owner : tuple of (str, uuid.UUID)
            The owner's column name and id.
        frame : pandas.DataFrame
            One row per child, columns named as the table's.
        float_columns : sequence of str
            Columns of ``frame`` whose NaN values become NULL.
        """
        key, owner_id = owner
        names = list(frame.columns)
        raw = self._driver_connection()
        if self.dialect == "duckdb":
            view = f"_{table.name}_{owner_id.hex}"
            raw.register(view, frame)
            try:
                select_cols = ", ".join(
                    f"CASE WHEN isnan({c}) THEN NULL ELSE {c} END" if c in float_columns else c
                    for c in names
                )
                raw.execute(
                    f"INSERT INTO {table.name} ({key}, {', '.join(names)}) "
                    f"SELECT CAST(? AS UUID), {select_cols} FROM {view}",
                    [str(owner_id)],
                )
            finally:
                raw.unregister(view)
        elif self.dialect == "postgresql":
            types = _binary_copy_types(table, names)
            if types is not None:
                # binary COPY with the column types given: psycopg's C dumpers write each
                # value (text COPY formats every float as text first: about 6x slower for
                # 200,000 rows)
                columns: list[list[Any]] = [[owner_id] * len(frame)]
                for c, typ in zip(names, types, strict=True):
                    values = frame[c].tolist()
                    if typ == "float8" and frame[c].isna().any():
                        values = [None if v != v else v for v in values]  # NaN -> NULL
                    elif typ != "float8":
                        values = [None if pd.isna(v) else v for v in values]  # NA, NaN -> NULL
                    columns.append(values)
                copy = f"COPY {table.name} ({key}, {', '.join(names)}) FROM STDIN (FORMAT BINARY)"
                with raw.cursor() as cur, cur.copy(copy) as cp:
                    cp.set_types(["uuid", *types])
                    for row in zip(*columns, strict=True):
                        cp.write_row(row)
                return
            obj = frame.astype(object).where(frame.notna(), None)
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY {table.name} ({key}, {', '.join(names)}) FROM STDIN") as cp,
            ):
                for row in obj.itertuples(index=False, name=None):
                    cp.write_row((owner_id, *row))
        else:  # pragma: no cover - other dialects: plain executemany
            obj = frame.astype(object).where(frame.notna(), None)
            self.conn.execute(
                table.insert(),
                [dict(zip(names, row, strict=True), **{key: owner_id}) for row in obj.values],
            )


#: PostgreSQL types of the binary COPY, by the column's SQLAlchemy type.
_PG_BINARY_TYPES: tuple[tuple[type[sa.types.TypeEngine[Any]], str], ...] = (
    (sa.Double, "float8"),
    (sa.BigInteger, "int8"),
    (sa.Integer, "int4"),
    (sa.Boolean, "bool"),
)


def _binary_copy_types(table: sa.Table, names: Sequence[str]) -> list[str] | None:
    """The PostgreSQL type of each named column of ``table`` for a binary COPY, or None when
    one is not a number or a boolean (text COPY then)."""
    out: list[str] = []
    for name in names:
        column_type = table.c[name].type
        found = next(
            (pg for sa_type, pg in _PG_BINARY_TYPES if isinstance(column_type, sa_type)), None
        )
        if found is None:
            return None
        out.append(found)
    return out
