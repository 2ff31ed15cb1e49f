"""Database engine, migrations and the DuckDB file-lock policy.

Every Voila page is its own process and DuckDB lets one process hold its file at a time, so the
engine never pools connections (``NullPool``): a connection lives for one unit of work, and opening
one retries on the lock for ``SURVEYLAB_LOCK_TIMEOUT_S`` seconds before :class:`DatabaseBusyError`.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import pool
from sqlalchemy.dialects import registry

from surveylab.config import (
    Settings,
    duckdb_path,
    ensure_private_dir,
    load_settings,
    private_umask,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseBusyError(RuntimeError):
    """The embedded database stayed locked by another process for longer than allowed."""


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return (
        "could not set lock" in text or "conflicting lock" in text or "database is locked" in text
    )


@lru_cache(maxsize=8)
def _engine(url: str, pool_size: int = 0) -> sa.Engine:
    if url.startswith("duckdb"):
        # duckdb_engine's dialect named directly (its entry point): otherwise SQLAlchemy reads
        # every installed distribution's entry points to find it, ~20 ms in each process; ours
        # adds only SQLAlchemy's compiled-statement cache (surveylab.db.duckdb_dialect)
        if "duckdb" not in registry.impls:
            registry.register("duckdb", "surveylab.db.duckdb_dialect", "Dialect")
        path = duckdb_path(url)
        if path is not None:
            ensure_private_dir(path.parent)  # mode 700 when created here
        return sa.create_engine(url, poolclass=pool.NullPool)
    if pool_size > 0:  # a long-lived server (the HTTP API): connections kept and reused
        return sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
    return sa.create_engine(url, poolclass=pool.NullPool)


def get_engine(settings: Settings | None = None) -> sa.Engine:
    """The (cached) engine for the configured database URL: without a pool, except for
    PostgreSQL when ``settings.db_pool_size`` asks for one (DuckDB never: its file must stay
    free for the other processes between units of work)."""
    settings = settings or load_settings()
    return _engine(settings.database_url, settings.db_pool_size)


def connect_with_retry(engine: sa.Engine, timeout_s: float) -> sa.Connection:
    """Open a connection, retrying while another process holds the DuckDB file lock."""
    deadline = time.monotonic() + timeout_s
    delay = 0.02
    database = duckdb_path(str(engine.url)) if engine.dialect.name == "duckdb" else None
    while True:
        try:
            if database is not None and not database.exists():
                with private_umask():  # DuckDB creates the file: mode 600 whatever the umask
                    return engine.connect()
            return engine.connect()
        except Exception as exc:  # DuckDB raises its IOException wrapped by SQLAlchemy
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"the database file is in use by another process and stayed locked for "
                    f"{timeout_s:g} s; try again, or move the team to PostgreSQL "
                    f"(SURVEYLAB_DATABASE_URL) for concurrent use"
                ) from None
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)


def _alembic_config(connection: sa.Connection | None = None, url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(settings: Settings | None = None, revision: str = "head") -> str:
    """Create or migrate the database to ``revision``; returns the revision now current."""
    settings = settings or load_settings()
    engine = get_engine(settings)
    conn = connect_with_retry(engine, settings.lock_timeout_s)
    try:
        with conn.begin():
            return upgrade_connection(conn, revision)
    finally:
        conn.close()


def upgrade_connection(conn: sa.Connection, revision: str = "head") -> str:
    """Migrate the database of ``conn`` to ``revision`` inside the transaction ``conn`` has
    begun (the caller commits or rolls back); returns the revision now current."""
    from alembic import command

    command.upgrade(_alembic_config(conn), revision)
    return current_revision(conn) or ""


def current_revision(conn: sa.Connection) -> str | None:
    """The schema revision of the database of ``conn`` (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    from surveylab.db import duckdb_ddl  # noqa: F401 - alembic's DuckDB implementation

    return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def revisions() -> list[str]:
    """Every schema revision of the migrations, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def database_revision(settings: Settings, timeout_s: float | None = None) -> str | None:
    """Open the configured database, read its schema revision and close it: None when it has
    never been migrated. Raises whatever connecting raises (the driver's error, or
    :class:`DatabaseBusyError`). Never creates a DuckDB file (raises FileNotFoundError for a
    missing one).

    Parameters
    ----------
    settings : Settings
    timeout_s : float, optional
        How long to wait for a DuckDB file another process holds [s]; default the
        settings' ``lock_timeout_s``.
    """
    path = duckdb_path(settings.database_url)
    if path is not None and not path.exists():
        raise FileNotFoundError(str(path))
    timeout = settings.lock_timeout_s if timeout_s is None else timeout_s
    conn = connect_with_retry(get_engine(settings), timeout)
    try:
        return current_revision(conn)
    finally:
        conn.close()
