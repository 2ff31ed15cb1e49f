"""Users and what guards their sessions: token families, revoked tokens and login attempts."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from surveylab.db import tables as t
from surveylab.models import Role
from surveylab.models.records import LoginAttempt, TokenFamilyRecord, UserRecord
from surveylab.repositories._base import (
    ConflictError,
    DuplicateError,
    Repository,
    as_utc,
    as_utc_or_none,
    as_uuid,
    is_write_conflict,
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
            token_generation=int(r.token_generation),
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

    def lock_active_admins(self) -> builtins.list[uuid.UUID]:
        """The ids of the active Admins, locked until the transaction ends: of two transactions
        taking an Admin's rights away at once, the second sees the first's change.

        PostgreSQL: ``SELECT ... FOR UPDATE``; a second transaction waits here for the first to
        end, then reads the rows again (READ COMMITTED re-checks the condition on the new row
        version). DuckDB has no row locks: its writers conflict instead, so every active
        Admin's row is written (unchanged); of two transactions doing so the later one is
        refused by DuckDB's optimistic concurrency control, here as :class:`ConflictError`.
        Across processes DuckDB needs nothing: one process holds the file at a time.

        Returns
        -------
        list of uuid.UUID
            The active Admins' ids, in no particular order.

        Raises
        ------
        ConflictError
            DuckDB: another transaction wrote one of these rows and has not ended (or ended
            after this one began). Roll back and run the unit of work again.
        """
        active_admin = sa.and_(t.users.c.role == "Admin", t.users.c.is_active)
        if self.dialect == "postgresql":
            q = sa.select(t.users.c.id).where(active_admin).with_for_update()
            return [as_uuid(r[0]) for r in self.conn.execute(q).all()]
        stmt = (
            t.users.update()
            .where(active_admin)
            .values(updated_at=t.users.c.updated_at)
            .returning(t.users.c.id)
        )
        try:
            return [as_uuid(r[0]) for r in self.conn.execute(stmt).all()]
        except sa.exc.DBAPIError as exc:
            if is_write_conflict(exc):
                raise ConflictError("the Admins changed meanwhile") from exc
            raise

    def end_sessions(self, user_id: uuid.UUID) -> int:
        """Make every token of the user fail from now on: raise their token generation.

        Parameters
        ----------
        user_id : uuid.UUID
            The user [UUID].

        Returns
        -------
        int
            The new token generation [count].
        """
        stmt = (
            t.users.update()
            .where(t.users.c.id == user_id)
            .values(token_generation=t.users.c.token_generation + 1, updated_at=utcnow())
            .returning(t.users.c.token_generation)
        )
        return int(self.conn.execute(stmt).scalar_one())

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
        self.conn.execute(t.token_families.delete().where(t.token_families.c.user_id == user_id))
        self.conn.execute(t.users.delete().where(t.users.c.id == user_id))


class TokenRepository(Repository[str]):
    """Revoked token ids (``jti``), a record here is the ``jti`` revoked; and token families
    (one per login, :class:`~surveylab.models.records.TokenFamilyRecord`)."""

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

    # ---------------------------------------------------------------- token families
    @staticmethod
    def _family(r: Any) -> TokenFamilyRecord:
        return TokenFamilyRecord(
            id=as_uuid(r.id),
            user_id=as_uuid(r.user_id),
            started_at=as_utc(r.started_at),
            expires_at=as_utc(r.expires_at),
            revoked_at=as_utc_or_none(r.revoked_at),
            revoked_reason=r.revoked_reason,
        )

    def start_family(self, user_id: uuid.UUID, lifetime: timedelta) -> TokenFamilyRecord:
        """Record a login: a new token family ending ``lifetime`` from now at the latest.

        Parameters
        ----------
        user_id : uuid.UUID
            Who logged in [UUID].
        lifetime : timedelta
            The absolute session lifetime [timedelta].

        Returns
        -------
        TokenFamilyRecord
            The new family (not revoked).
        """
        now = utcnow()
        family = TokenFamilyRecord(
            id=uuid.uuid4(), user_id=user_id, started_at=now, expires_at=now + lifetime
        )
        self.conn.execute(
            t.token_families.insert().values(
                id=family.id,
                user_id=family.user_id,
                started_at=family.started_at,
                expires_at=family.expires_at,
            )
        )
        return family

    def family(self, family_id: uuid.UUID) -> TokenFamilyRecord | None:
        """The token family of ``family_id``, or None when there is none."""
        q = sa.select(t.token_families).where(t.token_families.c.id == family_id)
        r = self.conn.execute(q).first()
        return self._family(r) if r else None

    def revoke_family(self, family_id: uuid.UUID, reason: str) -> bool:
        """Revoke one family (its refresh and access tokens stop working).

        Returns
        -------
        bool
            True when this call revoked it; False when it was revoked already or is unknown.
        """
        return self._revoke(t.token_families.c.id == family_id, reason) == 1

    def revoke_families_of(self, user_id: uuid.UUID, reason: str) -> int:
        """Revoke every family of a user that is not revoked yet; returns how many [count]."""
        return self._revoke(t.token_families.c.user_id == user_id, reason)

    def _revoke(self, which: sa.ColumnElement[bool], reason: str) -> int:
        """Revoke the families ``which`` selects that are not revoked yet; how many [count]."""
        stmt = (
            t.token_families.update()
            .where(which, t.token_families.c.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=reason[:40])
            .returning(t.token_families.c.id)
        )
        return len(self.conn.execute(stmt).all())


class LoginAttemptRepository(Repository[uuid.UUID]):
    """Login attempts per username (for throttling); a record here is the attempt's id."""

    table = t.login_attempts
    stamped = ("attempted_at",)

    def _record(self, r: Any) -> uuid.UUID:
        return as_uuid(r.id)

    def _returning(self) -> Sequence[sa.ColumnElement[Any]]:
        return (t.login_attempts.c.id,)

    def add(self, username: str, success: bool, client_address: str | None = None) -> uuid.UUID:
        """Record one attempt for ``username`` (any case) from ``client_address`` (or None)."""
        return self._insert(
            username_key=username.casefold(), success=success, client_address=client_address
        )

    def since(self, username: str, since: datetime) -> builtins.list[LoginAttempt]:
        """Every attempt for ``username`` (any case) after ``since``, oldest first.

        Parameters
        ----------
        username : str
            The username the attempts were made for [text, any case].
        since : datetime
            Start of the period [timezone-aware datetime].

        Returns
        -------
        list of LoginAttempt
            Time [UTC], success and client address of each attempt.
        """
        c = t.login_attempts.c
        q = (
            sa.select(c.attempted_at, c.success, c.client_address)
            .where(c.username_key == username.casefold(), c.attempted_at > since)
            .order_by(c.attempted_at)
        )
        return [
            LoginAttempt(as_utc(r.attempted_at), bool(r.success), r.client_address)
            for r in self.conn.execute(q)
        ]

    def clear_failures(self, username: str) -> int:
        """Forget the failed attempts for ``username`` (any case): ends its lock-outs.

        Returns
        -------
        int
            How many failures were forgotten [count].
        """
        c = t.login_attempts.c
        stmt = (
            t.login_attempts.delete()
            .where(c.username_key == username.casefold(), sa.not_(c.success))
            .returning(c.id)
        )
        return len(self.conn.execute(stmt).all())
