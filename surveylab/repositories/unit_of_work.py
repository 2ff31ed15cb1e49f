"""The unit of work: one short-lived connection, one transaction, every repository on it."""

from __future__ import annotations

import sqlalchemy as sa

from surveylab.config import Settings, load_settings
from surveylab.db import connect_with_retry, get_engine
from surveylab.repositories.audit import AuditRepository
from surveylab.repositories.database import DatabaseRepository
from surveylab.repositories.reports import ReportRepository
from surveylab.repositories.runs import RunRepository
from surveylab.repositories.surveys import SurveyFileRepository, SurveyRepository
from surveylab.repositories.users import LoginAttemptRepository, TokenRepository, UserRepository
from surveylab.repositories.wellbores import DefinitiveSurveyRepository, WellboreRepository
from surveylab.repositories.wells import WellRepository


class UnitOfWork:
    """One connection, one transaction. ``commit()`` to keep the work; otherwise it rolls back.

    Re-entrant: a ``with`` block inside another on the same object shares its connection and
    transaction (so authenticating and then calling a service costs one connection, which on
    DuckDB is the expensive part); only the outermost exit rolls back and closes.
    """

    users: UserRepository
    wells: WellRepository
    runs: RunRepository
    files: SurveyFileRepository
    surveys: SurveyRepository
    reports: ReportRepository
    audit: AuditRepository
    tokens: TokenRepository
    logins: LoginAttemptRepository
    database: DatabaseRepository
    wellbores: WellboreRepository
    definitive: DefinitiveSurveyRepository

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self._conn: sa.Connection | None = None
        self._tx: sa.Transaction | None = None
        self._depth = 0

    def __enter__(self) -> UnitOfWork:
        if self._depth:
            self._depth += 1
            return self
        engine = get_engine(self.settings)
        self._conn = connect_with_retry(engine, self.settings.lock_timeout_s)
        self._tx = self._conn.begin()
        self._depth = 1
        c = self._conn
        self.users = UserRepository(c)
        self.wells = WellRepository(c)
        self.runs = RunRepository(c)
        self.files = SurveyFileRepository(c)
        self.surveys = SurveyRepository(c)
        self.reports = ReportRepository(c)
        self.audit = AuditRepository(c)
        self.tokens = TokenRepository(c)
        self.logins = LoginAttemptRepository(c)
        self.database = DatabaseRepository(c)
        self.wellbores = WellboreRepository(c)
        self.definitive = DefinitiveSurveyRepository(c)
        return self

    @property
    def is_open(self) -> bool:
        """Whether a ``with`` block holds this unit of work's connection now."""
        return self._depth > 0

    def commit(self) -> None:
        assert self._tx is not None and self._conn is not None
        self._tx.commit()
        self._tx = self._conn.begin()

    def rollback(self) -> None:
        """Discard the work so far; the unit of work stays usable (a new transaction begins)."""
        assert self._conn is not None
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()
        self._tx = self._conn.begin()

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth:
            return
        try:
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
        finally:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._tx = None
