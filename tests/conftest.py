"""Shared fixtures. Components that CI must have (reference data, PostgreSQL, the browser) skip
with a reason outside CI and fail inside it (CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DATA = (REPO_ROOT.parent / "shared" / "reference-data").resolve()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_component(available: bool, reason: str) -> None:
    """Skip (outside CI) or fail (in CI) when a component the test needs is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"missing in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """The folder of real public survey files (../shared/reference-data)."""
    require_component(REFERENCE_DATA.is_dir(), f"reference data not found at {REFERENCE_DATA}")
    return REFERENCE_DATA


# ----------------------------------------------------------------------------- databases
PG_URL = os.environ.get("SURVEYLAB_TEST_PG_URL")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def settings_for(url: str | None, data_dir: Path, **extra: str):
    """Settings for a test database (DuckDB file in ``data_dir`` when ``url`` is None)."""
    from surveylab.config import load_settings

    env = {"SURVEYLAB_DATA_DIR": str(data_dir), "SURVEYLAB_SECRET_KEY": TEST_SECRET}
    if url:
        env["SURVEYLAB_DATABASE_URL"] = url
    env.update(extra)
    return load_settings(env)


def _pg_admin_url() -> str:
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")  # type: ignore[union-attr]


def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database on the test server; returns its SQLAlchemy URL."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"  # type: ignore[union-attr]


def drop_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """argon2id with tiny parameters in tests (production defaults are restored after)."""
    from surveylab.auth import configure_hasher

    configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    configure_hasher()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def settings(backend, tmp_path):
    """Migrated, empty database settings on each backend (DuckDB file / PostgreSQL database)."""
    from surveylab import db

    if backend == "postgres":
        require_component(bool(PG_URL), "PostgreSQL: SURVEYLAB_TEST_PG_URL is not set")
        url = create_pg_database()
        s = settings_for(url, tmp_path)
        db.upgrade(s)
        yield s
        db.get_engine(s).dispose()
        drop_pg_database(url)
    else:
        s = settings_for(None, tmp_path)
        db.upgrade(s)
        yield s


@pytest.fixture
def duckdb_settings(tmp_path):
    from surveylab import db

    s = settings_for(None, tmp_path)
    db.upgrade(s)
    return s


@pytest.fixture
def uow_factory(settings):
    from surveylab.repositories import UnitOfWork

    return lambda: UnitOfWork(settings)


@pytest.fixture
def people(settings):
    """One active user per role, plus a second Surveyor: {name: Actor}."""
    from surveylab.models import Actor, Role
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts

    out = {}
    for name, role in (
        ("admin", Role.ADMIN),
        ("engineer", Role.ENGINEER),
        ("surveyor", Role.SURVEYOR),
        ("surveyor2", Role.SURVEYOR),
        ("viewer", Role.VIEWER),
    ):
        u = accounts.ensure_user(UnitOfWork(settings), name, f"{name}-password-123", role)
        out[name] = Actor(u.id, u.username, u.role)
    return out
