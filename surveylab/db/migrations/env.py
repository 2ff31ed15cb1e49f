"""Alembic environment: runs against the connection handed in by surveylab.db.upgrade()."""

from __future__ import annotations

from alembic import context

from surveylab.db import duckdb_ddl  # noqa: F401 - registers alembic's DuckDB implementation
from surveylab.db.tables import metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine, pool

        url = context.config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("alembic: no connection handed in and no sqlalchemy.url set")
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=metadata, compare_type=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
