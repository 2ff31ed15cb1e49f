"""Users, login, token refresh and logout, and turning a token into the acting user.

The flow: credentials in, JWT out; every call validates the JWT, then loads the user from
the database (active flag and *current* role), then checks permissions.

Security rules kept here:

- every failed login (unknown user, wrong password, inactive user, locked username) raises the
  same :data:`LOGIN_FAILED` and costs one argon2 verification, so neither the message nor the
  time tells whether a username exists;
- after ``login_max_failures`` failures for a username within ``login_lock_minutes`` the username
  is locked for ``login_lock_minutes`` from the failure that reached the limit;
- every login success, failure and lock-out, and every refused token, is an audit event; no
  password, hash or token is ever part of an audit detail, a log line or an exception message;
- the last active Admin can be neither deactivated nor demoted (otherwise anyone could run
  ``bootstrap-admin`` again).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeGuard

from surveylab import auth
from surveylab.auth import (
    AuthenticationError,
    Permission,
    TokenClaims,
    TokenConfig,
    TokenPair,
    WeakPasswordError,
)
from surveylab.config import Settings
from surveylab.models import Actor, Role
from surveylab.models.records import UserRecord
from surveylab.repositories import DuplicateError, UnitOfWork
from surveylab.services.common import Conflict, NotFound, ServiceError, audit_ok, guard

#: The one message for every failed login: wrong user, wrong password, locked, inactive.
LOGIN_FAILED = "invalid username or password"
#: Longest username [characters, after case folding]: the width of the ``username_key`` column.
MAX_USERNAME_CHARS = 150


# ------------------------------------------------------------------------------------ helpers
def token_config(settings: Settings) -> TokenConfig:
    """The token signing configuration of ``settings``.

    Parameters
    ----------
    settings : Settings
        Configuration holding the secret [text, >= 32 bytes], algorithm and lifetimes [min, h].

    Returns
    -------
    TokenConfig
        Secret, algorithm, issuer, audience and lifetimes.

    Raises
    ------
    ConfigError
        No secret with PostgreSQL, a secret shorter than 32 bytes, a bad secret file.
    """
    return TokenConfig(
        secret=settings.secret_key(),
        algorithm=settings.jwt_algorithm,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_minutes=settings.access_minutes,
        refresh_hours=settings.refresh_hours,
    )


def _actor(user: UserRecord) -> Actor:
    return Actor(id=user.id, username=user.username, role=user.role)


def _check_username(username: str) -> str:
    """A new username as given (never altered), or :class:`ServiceError` saying what is wrong."""
    if not isinstance(username, str):
        raise ServiceError(f"username must be text, got {type(username).__name__}")
    if not username or len(username.casefold()) > MAX_USERNAME_CHARS:
        raise ServiceError(f"username must be 1 to {MAX_USERNAME_CHARS} characters")
    if any(ch.isspace() for ch in username) or not username.isprintable():
        raise ServiceError("username may not contain spaces or control characters")
    return username


def _check_password_text(password: str) -> str:
    """Refuse a new password that cannot be stored (not text, unencodable); never echo it."""
    if not isinstance(password, str):
        raise WeakPasswordError(f"password must be text, got {type(password).__name__}")
    if any("\ud800" <= ch <= "\udfff" for ch in password):  # lone surrogates: not UTF-8
        raise WeakPasswordError("password holds characters that cannot be encoded")
    return password


def _hash_new_password(uow: UnitOfWork, password: str) -> str:
    _check_password_text(password)
    return auth.hash_password(password, min_length=uow.settings.min_password_length)


def _lookup_shape_ok(username: object) -> TypeGuard[str]:
    """Whether ``username`` could name a stored user (else it is never sent to the database)."""
    return (
        isinstance(username, str)
        and 0 < len(username.casefold()) <= MAX_USERNAME_CHARS
        and username.isprintable()
    )


def _login_key(username: object) -> str:
    """The key login attempts are counted under: the name itself, or a digest of odd input."""
    if _lookup_shape_ok(username):
        return username
    raw = username if isinstance(username, str) else repr(username)
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return f"~invalid~{digest[:40]}"


def _audit_name(username: object) -> str:
    """Attacker-supplied username as stored in the audit log: verbatim when printable."""
    text = username if isinstance(username, str) else repr(username)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text[:MAX_USERNAME_CHARS]


def _locked_until(
    failures: Sequence[datetime], max_failures: int, window: timedelta
) -> datetime | None:
    """End of the latest lock-out in ``failures`` (oldest first), or None.

    A lock starts at a failure that is the ``max_failures``-th within ``window`` and lasts
    ``window``. Attempts refused while locked are not counted as failures, so the lock ends on
    time even while someone keeps trying.
    """
    until: datetime | None = None
    for i in range(max_failures - 1, len(failures)):
        if failures[i] - failures[i - max_failures + 1] <= window:
            end = failures[i] + window
            until = end if until is None or end > until else until
    return until


def _reread(uow: UnitOfWork, user_id: uuid.UUID) -> UserRecord:
    """A user read again after a change in this unit of work."""
    user = uow.users.get(user_id)
    assert user is not None, "the user was read in this unit of work"
    return user


def _user_by_name(uow: UnitOfWork, username: str) -> UserRecord:
    user = uow.users.by_username(username) if _lookup_shape_ok(username) else None
    if user is None:
        raise NotFound(f"unknown user {_audit_name(username)!r}")
    return user


def _refuse_last_admin(uow: UnitOfWork, actor: Actor, user: UserRecord, action: str) -> None:
    """Refuse (and audit) taking away the last active Admin."""
    if user.role is Role.ADMIN and user.is_active and uow.users.count_admins() <= 1:
        uow.rollback()
        message = f"{user.username} is the last active Admin: add another Admin first"
        uow.audit.add(
            actor_id=actor.id,
            actor_name=actor.username,
            action=action,
            outcome="denied",
            target_type="user",
            target_id=str(user.id),
            detail=message,
        )
        uow.commit()
        raise ServiceError(message)


# -------------------------------------------------------------------------- user administration
def has_admin(uow: UnitOfWork) -> bool:
    """Whether an active Admin exists (before that, only ``bootstrap_admin`` creates users).

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.

    Returns
    -------
    bool
        True when at least one active Admin exists.
    """
    with uow:
        return uow.users.count_admins() > 0


def bootstrap_admin(uow: UnitOfWork, username: str, password: str) -> UserRecord:
    """Create the first Admin. Refused (and audited) once any active Admin exists.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    username : str
        The Admin's username [text, 1 to 150 characters, no spaces].
    password : str
        The Admin's password [text, at least ``min_password_length`` characters].

    Returns
    -------
    UserRecord
        The new Admin.

    Raises
    ------
    PermissionDenied
        An active Admin exists already.
    WeakPasswordError
        The password is too short or too long (the message never holds it).
    ServiceError
        The username is malformed or taken.
    """
    with uow:
        if uow.users.count_admins() > 0:
            uow.audit.add(
                actor_id=None,
                actor_name=_audit_name(username),
                action="bootstrap admin",
                outcome="denied",
                detail="an admin exists",
            )
            uow.commit()
            raise auth.PermissionDenied(
                "bootstrap admin", "an admin exists already: use 'surveylab users add'"
            )
        name = _check_username(username)
        pw_hash = _hash_new_password(uow, password)
        try:
            user = uow.users.add(name, pw_hash, Role.ADMIN)
        except DuplicateError as exc:
            raise Conflict(str(exc)) from None
        audit_ok(uow, _actor(user), "bootstrap admin", target_type="user", target_id=user.id)
        uow.commit()
        return user


def add_user(
    uow: UnitOfWork, actor: Actor | None, username: str, password: str, role: Role | str
) -> UserRecord:
    """Create a user (Admin only).

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    actor : Actor or None
        The authenticated user [Actor]; must be an Admin.
    username : str
        The new username [text, 1 to 150 characters, no spaces; unique ignoring case].
    password : str
        The new user's password [text, at least ``min_password_length`` characters].
    role : Role or str
        The new user's role [Role or its value].

    Returns
    -------
    UserRecord
        The new user.

    Raises
    ------
    AuthenticationError
        ``actor`` is None.
    PermissionDenied
        ``actor`` is not an Admin (audited; nothing created).
    WeakPasswordError
        The password is refused (the message never holds it).
    ServiceError
        Unknown role, malformed or taken username.
    """
    with uow:
        guard(uow, actor, Permission.MANAGE_USERS, action="create users", target_type="user")
        try:
            role = Role(role)
        except ValueError:
            raise ServiceError(
                f"role must be one of {', '.join(r.value for r in Role)}, got {role!r}"
            ) from None
        name = _check_username(username)
        pw_hash = _hash_new_password(uow, password)
        try:
            user = uow.users.add(name, pw_hash, role)
        except DuplicateError as exc:
            raise Conflict(str(exc)) from None
        audit_ok(uow, actor, "create user", target_type="user", target_id=user.id, detail=role)
        uow.commit()
        return user


def ensure_user(uow: UnitOfWork, username: str, password: str, role: Role) -> UserRecord:
    """Create a user unless one of that name exists (demo data, set-up scripts; no actor).

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    username : str
        The username [text, 1 to 150 characters, no spaces].
    password : str
        The password, used only when the user is created [text].
    role : Role
        The role, used only when the user is created [Role].

    Returns
    -------
    UserRecord
        The existing or new user.
    """
    with uow:
        name = _check_username(username)
        existing = uow.users.by_username(name)
        if existing is not None:
            return existing
        user = uow.users.add(name, _hash_new_password(uow, password), Role(role))
        audit_ok(uow, None, "create user", target_type="user", target_id=user.id, detail=role)
        uow.commit()
        return user


def list_users(uow: UnitOfWork, actor: Actor | None) -> list[UserRecord]:
    """All users, ordered by username ignoring case (Admin only).

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    actor : Actor or None
        The authenticated user [Actor]; must be an Admin.

    Returns
    -------
    list of UserRecord
        Every user, active or not.
    """
    with uow:
        guard(uow, actor, Permission.MANAGE_USERS, action="list users", target_type="user")
        return uow.users.list()


def set_role(uow: UnitOfWork, actor: Actor | None, username: str, role: Role | str) -> UserRecord:
    """Change a user's role (Admin only); effective at the user's next call.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    actor : Actor or None
        The authenticated user [Actor]; must be an Admin.
    username : str
        Whose role changes [text, any case].
    role : Role or str
        The new role [Role or its value].

    Returns
    -------
    UserRecord
        The user with the new role.

    Raises
    ------
    PermissionDenied
        ``actor`` is not an Admin (audited).
    NotFound
        No such user.
    ServiceError
        Unknown role, or demoting the last active Admin.
    """
    with uow:
        actor = guard(
            uow, actor, Permission.MANAGE_USERS, action="change roles", target_type="user"
        )
        try:
            role = Role(role)
        except ValueError:
            raise ServiceError(
                f"role must be one of {', '.join(r.value for r in Role)}, got {role!r}"
            ) from None
        user = _user_by_name(uow, username)
        if role is not Role.ADMIN:
            _refuse_last_admin(uow, actor, user, "change roles")
        uow.users.update(user.id, role=role)
        audit_ok(uow, actor, "set role", target_type="user", target_id=user.id, detail=role)
        uow.commit()
        return _reread(uow, user.id)


def deactivate(uow: UnitOfWork, actor: Actor | None, username: str) -> UserRecord:
    """Deactivate a user (Admin only): their tokens stop working at once.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    actor : Actor or None
        The authenticated user [Actor]; must be an Admin.
    username : str
        Who is deactivated [text, any case].

    Returns
    -------
    UserRecord
        The deactivated user.

    Raises
    ------
    PermissionDenied
        ``actor`` is not an Admin (audited).
    NotFound
        No such user.
    ServiceError
        Deactivating the last active Admin.
    """
    with uow:
        actor = guard(
            uow, actor, Permission.MANAGE_USERS, action="deactivate users", target_type="user"
        )
        user = _user_by_name(uow, username)
        _refuse_last_admin(uow, actor, user, "deactivate users")
        uow.users.update(user.id, is_active=False)
        audit_ok(uow, actor, "deactivate user", target_type="user", target_id=user.id)
        uow.commit()
        return _reread(uow, user.id)


def change_password(uow: UnitOfWork, actor: Actor | None, username: str, new_password: str) -> None:
    """Set a new password: users change their own; an Admin may change anyone's.

    A non-Admin naming another user is refused before the name is looked up, so the answer
    does not tell whether that user exists.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    actor : Actor or None
        The authenticated user [Actor].
    username : str
        Whose password changes [text, any case].
    new_password : str
        The new password [text, at least ``min_password_length`` characters].

    Raises
    ------
    AuthenticationError
        ``actor`` is None.
    PermissionDenied
        A non-Admin changing someone else's password (audited).
    NotFound
        No such user (Admin only).
    WeakPasswordError
        The new password is refused (the message never holds it).
    """
    with uow:
        if actor is None:
            raise AuthenticationError("not authenticated")
        own = isinstance(username, str) and username.casefold() == actor.username.casefold()
        if not own:
            guard(
                uow,
                actor,
                Permission.MANAGE_USERS,
                action="change other users' passwords",
                target_type="user",
            )
        user = _user_by_name(uow, username)
        pw_hash = _hash_new_password(uow, new_password)
        uow.users.update(user.id, password_hash=pw_hash)
        audit_ok(uow, actor, "change password", target_type="user", target_id=user.id)
        uow.commit()


def get_user(uow: UnitOfWork, user_id: uuid.UUID) -> UserRecord | None:
    """The user of ``user_id`` or None (internal use: no permission check).

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    user_id : uuid.UUID
        The user's id [UUID].

    Returns
    -------
    UserRecord or None
        The user, or None when there is none.
    """
    with uow:
        return uow.users.get(user_id)


# ------------------------------------------------------------------------------------ login
def login(
    uow: UnitOfWork, username: str, password: str, *, client_address: str | None = None
) -> TokenPair:
    """Check credentials and issue an access and a refresh token.

    Every refusal raises :class:`AuthenticationError` with :data:`LOGIN_FAILED` and costs one
    argon2 verification. A password hashed with other parameters than the current ones is
    rehashed after a successful login.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    username : str
        The username typed [text, any case].
    password : str
        The password typed [text].
    client_address : str, optional
        The network address the login came from [text, e.g. ``"127.0.0.1"``]; the HTTP API
        passes it. Not used yet.

    Returns
    -------
    TokenPair
        Access token (``access_minutes`` [min]) and refresh token (``refresh_hours`` [h]).

    Raises
    ------
    AuthenticationError
        :data:`LOGIN_FAILED`: unknown user, wrong password, inactive user or locked username.
    ConfigError
        No usable signing secret.
    """
    settings = uow.settings
    config = token_config(settings)
    window = timedelta(minutes=settings.login_lock_minutes)
    key = _login_key(username)
    name = _audit_name(username)
    now = datetime.now(UTC)
    with uow:
        failures = uow.logins.recent_failures(key, now - 2 * window)
        user = uow.users.by_username(key) if _lookup_shape_ok(username) else None
        locked_until = _locked_until(failures, settings.login_max_failures, window)
        if locked_until is not None and locked_until > now:
            auth.burn_verify(password)
            uow.audit.add(
                actor_id=user.id if user else None,
                actor_name=name,
                action="login",
                outcome="locked",
                detail=f"username locked until {locked_until.isoformat(timespec='seconds')}",
            )
            uow.commit()
            raise AuthenticationError(LOGIN_FAILED)
        if user is not None:
            ok = auth.verify_password(user.password_hash, password)
        else:
            ok = auth.burn_verify(password)
        if not ok or user is None or not user.is_active:
            uow.logins.add(key, False)
            if user is None:
                reason = "unknown user"
            elif not user.is_active:
                reason = "inactive user"
            else:
                reason = "wrong password"
            uow.audit.add(
                actor_id=user.id if user else None,
                actor_name=name,
                action="login",
                outcome="failed",
                detail=reason,
            )
            recent = [*failures, datetime.now(UTC)]
            started = _locked_until(recent, settings.login_max_failures, window)
            if started is not None and started > now:
                uow.audit.add(
                    actor_id=user.id if user else None,
                    actor_name=name,
                    action="login lock-out",
                    outcome="locked",
                    detail=(
                        f"{settings.login_max_failures} failures within "
                        f"{settings.login_lock_minutes} min: username locked for "
                        f"{settings.login_lock_minutes} min"
                    ),
                )
            uow.commit()
            raise AuthenticationError(LOGIN_FAILED)
        if auth.needs_rehash(user.password_hash):
            uow.users.update(user.id, password_hash=auth.hash_password(password, min_length=1))
        uow.logins.add(key, True)
        pair = auth.issue_token_pair(config, user_id=user.id, role=user.role)
        audit_ok(uow, _actor(user), "login", target_type="user", target_id=user.id)
        uow.commit()
        return pair


# ------------------------------------------------------------------------------------ tokens
def _deny(
    uow: UnitOfWork,
    action: str,
    reason: str,
    user: UserRecord | None = None,
    claims: TokenClaims | None = None,
) -> AuthenticationError:
    """Audit a refused token (inside an open unit of work) and return the error to raise."""
    uow.rollback()
    subject = user.id if user else (claims.sub if claims else None)
    uow.audit.add(
        actor_id=subject,
        actor_name=user.username if user else None,
        action=action,
        outcome="denied",
        target_type="user" if subject else None,
        target_id=str(subject) if subject else None,
        detail=reason,
    )
    uow.commit()
    return AuthenticationError(reason)


def _try_decode(
    config: TokenConfig, token: object, token_type: auth.TokenType
) -> tuple[TokenClaims | None, str]:
    """``(claims, "")`` for a good token, else ``(None, reason)``; the token is never echoed."""
    if token is None or (isinstance(token, str) and not token.strip()):
        return None, "not authenticated"
    if not isinstance(token, str):
        return None, "invalid token"
    try:
        return auth.decode_token(config, token.strip(), expected_type=token_type), ""
    except AuthenticationError as exc:
        return None, exc.reason


def _decode(
    uow: UnitOfWork, config: TokenConfig, token: object, token_type: auth.TokenType, action: str
) -> TokenClaims:
    """Decode ``token`` inside an open unit of work; a refusal is audited and raised."""
    claims, reason = _try_decode(config, token, token_type)
    if claims is None:
        raise _deny(uow, action, reason)
    return claims


def authenticate(uow: UnitOfWork, token: str | None) -> Actor:
    """The acting user of an access token: active, with the role the database has *now*.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    token : str or None
        The access token [compact JWT text]; None when nobody is logged in.

    Returns
    -------
    Actor
        Id, username and current role of the token's user.

    Raises
    ------
    AuthenticationError
        ``"not authenticated"`` (no token, inactive, deleted user, revoked token), ``"token
        expired"``, ``"wrong token type"`` or ``"invalid token"``. Every refusal is audited.
    """
    config = token_config(uow.settings)
    with uow:
        claims = _decode(uow, config, token, "access", "authenticate")
        user = uow.users.get(claims.sub)
        if user is None or not user.is_active:
            raise _deny(
                uow,
                "authenticate",
                "not authenticated: the account is inactive or gone",
                user,
                claims,
            )
        if uow.tokens.is_revoked(claims.jti):
            raise _deny(uow, "authenticate", "not authenticated: the token was revoked", user)
        return _actor(user)


def refresh(uow: UnitOfWork, refresh_token: str) -> TokenPair:
    """Rotate: the refresh token is revoked and a new pair issued.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    refresh_token : str
        The current refresh token [compact JWT text].

    Returns
    -------
    TokenPair
        A new access and refresh token; the one given is refused from now on.

    Raises
    ------
    AuthenticationError
        Invalid, expired, revoked or access-type token, or an inactive or deleted user
        (audited).
    """
    config = token_config(uow.settings)
    with uow:
        claims = _decode(uow, config, refresh_token, "refresh", "refresh token")
        user = uow.users.get(claims.sub)
        # claimed, not checked then revoked: of two requests with one refresh token (a
        # double click, two tabs) exactly one gets a new pair
        claimed = False
        if user is not None and user.is_active:
            try:
                claimed = uow.tokens.claim(claims.jti, claims.sub, claims.exp)
            except DuplicateError:  # revoked meanwhile (DuckDB's way of saying so)
                uow.rollback()
        if user is None or not claimed:
            raise _deny(
                uow,
                "refresh token",
                "not authenticated: the refresh token is no longer valid",
                user,
                claims,
            )
        pair = auth.issue_token_pair(config, user_id=user.id, role=user.role)
        audit_ok(uow, _actor(user), "refresh token", target_type="user", target_id=user.id)
        uow.commit()
        return pair


def logout(uow: UnitOfWork, refresh_token: str, access_token: str | None = None) -> None:
    """Revoke a refresh token (and the access token given with it): their jti are denylisted.

    A refresh token that has expired already needs no revoking: that logout succeeds quietly.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    refresh_token : str
        The refresh token to revoke [compact JWT text].
    access_token : str, optional
        The access token of the same login, revoked too when still valid [compact JWT text].

    Raises
    ------
    AuthenticationError
        A forged or malformed token, an access token given as the refresh token, or tokens of
        two different users (audited).
    """
    config = token_config(uow.settings)
    with uow:
        revoke: list[TokenClaims] = []
        given: tuple[tuple[str | None, auth.TokenType], ...] = (
            (refresh_token, "refresh"),
            (access_token, "access"),
        )
        for token, kind in given:
            if token is None and kind == "access":
                continue
            claims, reason = _try_decode(config, token, kind)
            if claims is not None:
                revoke.append(claims)
            elif reason != "token expired":  # an expired token needs no revoking
                raise _deny(uow, "logout", reason)
        if len({c.sub for c in revoke}) > 1:
            raise _deny(uow, "logout", "invalid token: tokens of different users")
        for c in revoke:
            uow.tokens.revoke(c.jti, c.sub, c.exp)
        sub = revoke[0].sub if revoke else None
        uow.audit.add(
            actor_id=sub,
            actor_name=None,
            action="logout",
            outcome="ok",
            target_type="user" if sub else None,
            target_id=str(sub) if sub else None,
            detail=None if revoke else "tokens expired already",
        )
        uow.commit()
