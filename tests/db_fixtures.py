"""Database fixtures shared by tests/db and tests/services (their conftest.py import them).

``settings`` here overrides the root one: instead of creating and migrating one database per test
(about a second on PostgreSQL), each test module gets one migrated database per backend, and each
test starts from empty tables. Tests that need a brand-new database (migrations) make their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import (
    PG_URL,
    create_pg_database,
    drop_pg_database,
    require_component,
    settings_for,
)

#: Every table, children first (the order rows can be deleted in without foreign-key errors).
TABLES_CHILDREN_FIRST = (
    "definitive_stations",
    "definitive_intervals",
    "definitive_surveys",
    "qc_stations",
    "survey_status_changes",
    "stations",
    "surveys",
    "survey_files",
    "reports",
    "runs",
    "wellbores",
    "wells",
    "revoked_tokens",
    "token_families",
    "login_attempts",
    "audit_events",
    "database_marks",
    "users",
)


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend (module-scoped so one database serves a module's tests)."""
    return str(request.param)


@pytest.fixture(scope="module")
def _module_settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from surveylab import db

    data_dir = tmp_path_factory.mktemp(f"db-{backend}")
    if backend == "postgres":
        require_component(bool(PG_URL), "PostgreSQL: SURVEYLAB_TEST_PG_URL is not set")
        url = create_pg_database()
        s = settings_for(url, data_dir)
        db.upgrade(s)
        yield s
        db.get_engine(s).dispose()
        drop_pg_database(url)
    else:
        s = settings_for(None, data_dir)
        db.upgrade(s)
        yield s


def empty_all_tables(settings: Any) -> None:
    """Delete every row of every table (the schema and its alembic revision stay)."""
    import sqlalchemy as sa

    from surveylab import db

    engine = db.get_engine(settings)
    with db.connect_with_retry(engine, 30) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(TABLES_CHILDREN_FIRST)}"))
        else:
            for name in TABLES_CHILDREN_FIRST:
                conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture
def settings(_module_settings: Any) -> Any:
    """Migrated database settings on each backend, with every table empty."""
    empty_all_tables(_module_settings)
    return _module_settings


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A brand-new, empty (not migrated) PostgreSQL database URL, dropped afterwards."""
    from surveylab import db

    require_component(bool(PG_URL), "PostgreSQL: SURVEYLAB_TEST_PG_URL is not set")
    url = create_pg_database()
    yield url
    db._engine.cache_clear()
    drop_pg_database(url)
