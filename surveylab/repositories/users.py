"""Users and what guards their sessions: revoked tokens and login attempts."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from surveylab.db import tables as t
from surveylab.models import Role
from surveylab.models.records import UserRecord
from surveylab.repositories._base import (
    DuplicateError,
    Repository,
    as_utc,
    as_uuid,
    utcnow,
)
from surveylab.repositories.runs import RunRepository


class UserRepository(Repository[UserRecord]):
    table = t.users

    def _record(self, r: Any) -> UserRecord:
        return UserRecord(
            id=as_uuid(r.id),
            username=r.username,
            role=Role(r.role),
            is_active=bool(r.is_active),
            password_hash=r.password_hash,
            created_at=as_utc(r.created_at),
        )

    def add(self, username: str, password_hash: str, role: Role) -> UserRecord:
        if self.by_username(username) is not None:
            raise DuplicateError(f"username {username!r} is taken (usernames ignore case)")
        return self._insert(
            username=username,
            username_key=username.casefold(),
            password_hash=password_hash,
            role=str(role),
            is_active=True,
        )

    def get(self, user_id: uuid.UUID) -> UserRecord | None:
        r = self.conn.execute(sa.select(t.users).where(t.users.c.id == user_id)).first()
        return self._record(r) if r else None

    def by_username(self, username: str) -> UserRecord | None:
        r = self.conn.execute(
            sa.select(t.users).where(t.users.c.username_key == username.casefold())
        ).first()
        return self._record(r) if r else None

    def list(self) -> builtins.list[UserRecord]:
        rows = self.conn.execute(sa.select(t.users).order_by(t.users.c.username_key))
        return [self._record(r) for r in rows]

    def count_admins(self) -> int:
        q = sa.select(sa.func.count()).where(t.users.c.role == "Admin", t.users.c.is_active)
        return int(self.conn.execute(q).scalar_one())

    def count(self) -> int:
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(t.users)).scalar_one())

    def update(self, user_id: uuid.UUID, **values: Any) -> None:
        if "role" in values:
            values["role"] = str(values["role"])
        values["updated_at"] = utcnow()
        self.conn.execute(t.users.update().where(t.users.c.id == user_id).values(**values))

    def delete(self, user_id: uuid.UUID) -> None:
        """Delete a user and, cascading, the runs they own (with their surveys).

        Parameters
        ----------
        user_id : uuid.UUID
            The user to delete [UUID].
        """
        RunRepository(self.conn).delete_for_user(user_id)
        self.conn.execute(t.revoked_tokens.delete().where(t.revoked_tokens.c.user_id == user_id))
        self.conn.execute(t.users.delete().where(t.users.c.id == user_id))


class TokenRepository(Repository[str]):
    """Revoked token ids (``jti``); a record here is the ``jti`` revoked."""

    table = t.revoked_tokens
    stamped = ("revoked_at",)

    def _record(self, r: Any) -> str:
        return str(r.jti)

    def _returning(self) -> Sequence[sa.ColumnElement[Any]]:
        return (t.revoked_tokens.c.jti,)

    def revoke(self, jti: str, user_id: uuid.UUID | None, expires_at: datetime) -> None:
        if self.is_revoked(jti):
            return
        self._insert(jti=jti, user_id=user_id, expires_at=expires_at)

    def is_revoked(self, jti: str) -> bool:
        q = sa.select(t.revoked_tokens.c.jti).where(t.revoked_tokens.c.jti == jti)
        return self.conn.execute(q).first() is not None

    def claim(self, jti: str, user_id: uuid.UUID | None, expires_at: datetime) -> bool:
        """Revoke ``jti`` once, atomically: True when this call revoked it, False when it was
        revoked already, also by a transaction that commits while this one waits.

        For a single-use token (a refresh token's rotation). :meth:`revoke` checks and then
        inserts; two requests with one token could both pass the check (on PostgreSQL each
        then got a new pair). Here the database decides, with ``ON CONFLICT DO NOTHING``.

        Raises
        ------
        DuplicateError
            DuckDB: revoked by a transaction that committed after this one began (DuckDB
            reports that as a constraint error, not as a conflict to skip). The transaction
            is then spoiled: roll the unit of work back.
        """
        stmt = (
            pg_insert(t.revoked_tokens)
            .values(**self._new_row(jti=jti, user_id=user_id, expires_at=expires_at))
            .on_conflict_do_nothing(index_elements=[t.revoked_tokens.c.jti])
            .returning(t.revoked_tokens.c.jti)
        )
        try:
            return self.conn.execute(stmt).first() is not None
        except sa.exc.IntegrityError as exc:
            raise DuplicateError(f"token {jti} is revoked already") from exc


class LoginAttemptRepository(Repository[uuid.UUID]):
    """Login attempts per username (for throttling); a record here is the attempt's id."""

    table = t.login_attempts
    stamped = ("attempted_at",)

    def _record(self, r: Any) -> uuid.UUID:
        return as_uuid(r.id)

    def _returning(self) -> Sequence[sa.ColumnElement[Any]]:
        return (t.login_attempts.c.id,)

    def add(self, username: str, success: bool) -> uuid.UUID:
        return self._insert(username_key=username.casefold(), success=success)

    def recent_failures(self, username: str, since: datetime) -> list[datetime]:
        """Failures since the last success (and since ``since``), oldest first."""
        key = username.casefold()
        last_ok = self.conn.execute(
            sa.select(sa.func.max(t.login_attempts.c.attempted_at)).where(
                t.login_attempts.c.username_key == key, t.login_attempts.c.success
            )
        ).scalar()
        start = since if last_ok is None else max(since, as_utc(last_ok))
        q = (
            sa.select(t.login_attempts.c.attempted_at)
            .where(
                t.login_attempts.c.username_key == key,
                sa.not_(t.login_attempts.c.success),
                t.login_attempts.c.attempted_at > start,
            )
            .order_by(t.login_attempts.c.attempted_at)
        )
        return [as_utc(r[0]) for r in self.conn.execute(q)]
