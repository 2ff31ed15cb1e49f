"""Alembic's DDL implementation for DuckDB, registered by importing this module.

Alembic knows no DuckDB; its DDL is close enough to PostgreSQL's for our migrations. Alembic
needs it to run migrations (``migrations/env.py``) and to read a database's revision
(:func:`surveylab.db.current_revision`).
"""

from __future__ import annotations

from alembic.ddl.impl import DefaultImpl


class DuckDBImpl(DefaultImpl):
    """DuckDB's DDL as alembic writes it, with transactional DDL (DuckDB has it)."""

    __dialect__ = "duckdb"
    transactional_ddl = True
