"""Fixtures of the account tests: settings with extra variables on each backend, logins, audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from surveylab.config import Settings
from surveylab.models.records import AuditRecord
from surveylab.repositories import UnitOfWork


def password_of(name: str) -> str:
    """The password the shared ``people`` fixture gives ``name``."""
    return f"{name}-password-123"


@pytest.fixture
def pw() -> Callable[[str], str]:
    """``pw(name)``: the password of a user made by the ``people`` fixture."""
    return password_of


@pytest.fixture
def uow(settings: Settings) -> Callable[[], UnitOfWork]:
    """``uow()``: a fresh unit of work on the test database."""
    return lambda: UnitOfWork(settings)


@pytest.fixture
def audit(settings: Settings) -> Callable[..., list[AuditRecord]]:
    """``audit(action=None, outcome=None)``: audit events, newest first."""

    def events(action: str | None = None, outcome: str | None = None) -> list[AuditRecord]:
        with UnitOfWork(settings) as u:
            return u.audit.list(action=action, outcome=outcome)

    return events


@pytest.fixture
def make_settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Settings]]:
    """``make_settings(**env)``: a fresh migrated database on this test's backend, configured
    with the extra environment variables given (e.g. ``SURVEYLAB_LOGIN_MAX_FAILURES="2"``)."""
    from surveylab import db
    from tests.conftest import (
        PG_URL,
        create_pg_database,
        drop_pg_database,
        require_component,
        settings_for,
    )

    made: list[tuple[Settings, str | None]] = []

    def make(**extra: str) -> Settings:
        data_dir = tmp_path / f"db{len(made)}"
        if backend == "postgres":
            require_component(bool(PG_URL), "PostgreSQL: SURVEYLAB_TEST_PG_URL is not set")
            url: str | None = create_pg_database()
        else:
            url = None
        s = settings_for(url, data_dir, **extra)
        made.append((s, url))
        db.upgrade(s)
        return s

    yield make
    for s, url in made:
        if url:
            db.get_engine(s).dispose()
            drop_pg_database(url)


@pytest.fixture
def people_in() -> Callable[[Settings], None]:
    """``people_in(settings)``: the shared ``people`` fixture's users, in another database
    (one made by ``make_settings``)."""
    from surveylab.auth import hash_password
    from surveylab.models import Role

    def make(settings: Settings) -> None:
        with UnitOfWork(settings) as u:
            for role in Role:
                name = role.value.lower()
                u.users.add(name, hash_password(password_of(name)), role)
            u.commit()

    return make


@pytest.fixture
def audit_of() -> Callable[..., list[AuditRecord]]:
    """``audit_of(settings, action=None, outcome=None)``: audit events of another database."""

    def events(
        settings: Settings, action: str | None = None, outcome: str | None = None
    ) -> list[AuditRecord]:
        with UnitOfWork(settings) as u:
            return u.audit.list(action=action, outcome=outcome)

    return events
