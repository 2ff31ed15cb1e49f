"""Shared fixtures. Components that CI must have (reference data, PostgreSQL, the browser) skip
with a reason outside CI and fail inside it (CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DATA = (REPO_ROOT.parent / "shared" / "reference-data").resolve()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Groups for ``pytest -n 2 --dist loadgroup`` (scripts/test.sh): each test file runs
    whole on one worker (its module fixtures, servers included, start once), and the browser
    tests all on one worker, one after another (each drives chromium and a Voila server whose
    timings they check; two at once on 2 cores would measure each other)."""
    tests = REPO_ROOT / "tests"
    for item in items:
        path = Path(str(item.path)).resolve()
        rel = path.relative_to(tests) if path.is_relative_to(tests) else path
        group = "browser" if rel.parts and rel.parts[0] == "browser" else str(rel)
        item.add_marker(pytest.mark.xdist_group(group))


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


def create_pg_database(template: str | None = None) -> str:
    """A fresh PostgreSQL database on the test server (a copy of ``template`` when given, else
    empty); returns its SQLAlchemy URL."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{clause}')
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


@pytest.fixture(scope="session")
def _duckdb_template(tmp_path_factory) -> Path:
    """A migrated, empty DuckDB file, made once; tests get copies (migrating is the slow part)."""
    from surveylab import db

    folder = tmp_path_factory.mktemp("duckdb-template")
    s = settings_for(None, folder)
    db.upgrade(s)
    return folder / "surveylab.duckdb"


@pytest.fixture(scope="session")
def _pg_template():
    """A migrated, empty PostgreSQL database, made once; tests get copies (CREATE ... TEMPLATE)."""
    from surveylab import db

    require_component(bool(PG_URL), "PostgreSQL: SURVEYLAB_TEST_PG_URL is not set")
    url = create_pg_database()
    s = settings_for(url, Path("."))
    db.upgrade(s)
    db.get_engine(s).dispose()
    yield url.rsplit("/", 1)[1]
    drop_pg_database(url)


def _copy_duckdb(template: Path, data_dir: Path):
    import shutil

    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, data_dir / "surveylab.duckdb")
    (data_dir / "surveylab.duckdb").chmod(0o600)  # as surveylab creates it
    return settings_for(None, data_dir)


@pytest.fixture
def settings(backend, tmp_path, request):
    """Migrated, empty database settings on each backend (DuckDB file / PostgreSQL database)."""
    from surveylab import db

    if backend == "postgres":
        template = request.getfixturevalue("_pg_template")
        url = create_pg_database(template)
        s = settings_for(url, tmp_path)
        yield s
        db.get_engine(s).dispose()
        drop_pg_database(url)
    else:
        yield _copy_duckdb(request.getfixturevalue("_duckdb_template"), tmp_path)


@pytest.fixture
def duckdb_settings(tmp_path, _duckdb_template):
    """A migrated, empty DuckDB database."""
    return _copy_duckdb(_duckdb_template, tmp_path)


@pytest.fixture
def uow_factory(settings):
    from surveylab.repositories import UnitOfWork

    return lambda: UnitOfWork(settings)


@pytest.fixture
def people(settings):
    """One active user per role, plus a second Surveyor: {name: Actor}."""
    from surveylab.auth import hash_password
    from surveylab.models import Actor, Role
    from surveylab.repositories import UnitOfWork

    out = {}
    with UnitOfWork(settings) as uow:  # one connection for all five
        for name, role in (
            ("admin", Role.ADMIN),
            ("engineer", Role.ENGINEER),
            ("surveyor", Role.SURVEYOR),
            ("surveyor2", Role.SURVEYOR),
            ("viewer", Role.VIEWER),
        ):
            u = uow.users.by_username(name) or uow.users.add(
                name, hash_password(f"{name}-password-123"), role
            )
            out[name] = Actor(u.id, u.username, u.role)
        uow.commit()
    return out


@pytest.fixture
def opened_connections(monkeypatch):
    """The units of work that open a connection (outermost ``with``) from now on, in the
    test's own thread (not a dashboard's background warm-up): a list that fills as they do."""
    import threading

    from surveylab.repositories import UnitOfWork

    opened: list[UnitOfWork] = []
    enter = UnitOfWork.__enter__
    me = threading.current_thread()

    def counting_enter(self):
        if not self._depth and threading.current_thread() is me:
            opened.append(self)
        return enter(self)

    monkeypatch.setattr(UnitOfWork, "__enter__", counting_enter)
    return opened
