"""Users, login, token refresh and logout, and turning a token into the acting user.

The flow: credentials in, JWT out; every call validates the JWT, then loads the user from
the database (active flag and *current* role), then checks permissions.

Security rules kept here:

- every failed login (unknown user, wrong password, inactive user, locked username) raises the
  same :data:`LOGIN_FAILED` and costs one argon2 verification, so neither the message nor the
  time tells whether a username exists;
- lock-out (:func:`lock_state`): failures are counted per username *and client address*.
  ``login_max_failures`` failures for a username from one address within ``login_lock_minutes``
  lock that username for that address (for ``login_lock_minutes`` from the failure that reached
  the limit; a success from that address starts its count again), so someone guessing from one
  address cannot lock the user out from another. ``login_max_failures_per_user`` failures from
  all addresses together within the window (successes do not reset this count) lock the
  username for every address except the command line (:data:`LOCAL`), which is only reached by
  someone who can open the database anyway. IPv6 addresses count per /64 network (one host
  commonly holds a whole /64). An Admin ends a lock with :func:`unlock`;
- a login starts a token family (one per login, RFC 9700 section 4.14.2): refreshing rotates
  the refresh token within the family, never beyond ``session_days`` after the login, and a
  rotated-out refresh token presented again revokes the whole family;
- a password change, a deactivation and a role change raise the user's token generation: every
  token issued before stops working at once, access and refresh alike;
- every login success, failure, lock-out and unlock, and every refused token, is an audit event;
  no password, hash or token is ever part of an audit detail, a log line or an exception message;
- the last active Admin can be neither deactivated nor demoted (otherwise anyone could run
  ``bootstrap-admin`` again), checked while the active Admins' rows are locked
  (:meth:`~surveylab.repositories.UserRepository.lock_active_admins`), so that two Admins
  taking each other's rights at once leave one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeGuard

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
from surveylab.models.records import LoginAttempt, UserRecord
from surveylab.repositories import DuplicateError, UnitOfWork
from surveylab.repositories._base import ConflictError
from surveylab.services.common import Conflict, NotFound, ServiceError, audit_ok, guard

#: The one message for every failed login: wrong user, wrong password, locked, inactive.
LOGIN_FAILED = "invalid username or password"
#: Longest username [characters, after case folding]: the width of the ``username_key`` column.
MAX_USERNAME_CHARS = 150
#: The client address of logins made on the command line (which opens the database itself).
LOCAL = "local"
#: IPv6 addresses are counted per network of this prefix length [bits].
IPV6_PREFIX = 64


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


def client_key(address: str | None) -> str | None:
    """The address failed logins are counted under: an IPv4 address, an IPv6 /64 network,
    :data:`LOCAL`, or None when the caller does not know the address.

    Parameters
    ----------
    address : str or None
        The client's IP address as the caller saw it [text], :data:`LOCAL`, or None.

    Returns
    -------
    str or None
        ``"192.0.2.7"``, ``"2001:db8:1:2::/64"``, ``"local"`` or None. An IPv4 address mapped
        into IPv6 counts as the IPv4 address.

    Raises
    ------
    ServiceError
        ``address`` is neither None, :data:`LOCAL` nor an IP address.
    """
    if address is None or address == LOCAL:
        return address
    try:
        ip = ipaddress.ip_address(str(address).strip())
    except ValueError:
        raise ServiceError("the client address is not an IP address") from None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


@dataclass(frozen=True)
class LockState:
    """A username's lock-out as seen from one client address.

    ``until`` the end of the lock [UTC datetime]; ``scope`` ``"address"`` (locked for this
    address only) or ``"user"`` (locked for every address but :data:`LOCAL`); ``failures`` the
    failures that caused it [count]; ``addresses`` how many addresses they came from [count].
    """

    until: datetime
    scope: Literal["address", "user"]
    failures: int
    addresses: int


def lock_state(
    attempts: Sequence[LoginAttempt],
    address: str | None,
    *,
    max_failures: int,
    max_failures_per_user: int,
    window: timedelta,
    now: datetime,
) -> LockState | None:
    """Whether a username is locked for logins from ``address`` now, and why.

    Parameters
    ----------
    attempts : sequence of LoginAttempt
        The username's attempts, oldest first, from at least ``2 * window`` back.
    address : str or None
        The client key of the login being tried (:func:`client_key`).
    max_failures : int
        Failures from one address within ``window`` that lock it [count].
    max_failures_per_user : int
        Failures from all addresses together within ``window`` that lock every address but
        :data:`LOCAL` [count].
    window : timedelta
        The counting window, also the lock's length.
    now : datetime
        The time now [timezone-aware datetime].

    Returns
    -------
    LockState or None
        The lock that ends last, or None when the login may be tried.
    """
    mine: list[datetime] = []
    for a in attempts:
        if a.client_address != address:
            continue
        if a.success:
            mine = []  # a success from this address starts its count again
        else:
            mine.append(a.attempted_at)
    found: list[LockState] = []
    until = _locked_until(mine, max_failures, window)
    if until is not None and until > now:
        found.append(LockState(until, "address", len(mine), 1))
    if address != LOCAL:
        failed = [a for a in attempts if not a.success]
        times = [a.attempted_at for a in failed]
        until = _locked_until(times, max_failures_per_user, window)
        if until is not None and until > now:
            sources = len({a.client_address for a in failed})
            found.append(LockState(until, "user", len(failed), sources))
    return max(found, key=lambda lock: lock.until) if found else None


def _lock_text(lock: LockState, address: str | None, minutes: int) -> str:
    """The audit detail of a lock-out that just began."""
    if lock.scope == "address":
        source = address or "an unknown address"
        return (
            f"{lock.failures} failures from {source} within {minutes} min: username locked "
            f"for that address for {minutes} min"
        )
    return (
        f"{lock.failures} failures from {lock.addresses} address(es) within {minutes} min: "
        f"username locked for every address but the command line for {minutes} min"
    )


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


def _refuse(uow: UnitOfWork, actor: Actor, action: str, message: str, target: UserRecord | None):
    """Roll back, audit a refusal and commit it (the caller raises)."""
    uow.rollback()
    uow.audit.add(
        actor_id=actor.id,
        actor_name=actor.username,
        action=action,
        outcome="denied",
        target_type="user",
        target_id=str(target.id) if target else None,
        detail=message,
    )
    uow.commit()


def _lock_admins(uow: UnitOfWork, actor: Actor, action: str) -> list[uuid.UUID]:
    """Lock the active Admins' rows for the rest of the transaction and check that ``actor``
    is still one of them; returns their ids.

    DuckDB refuses the later of two concurrent writers instead of making it wait: the work so
    far is rolled back and the lock taken again (every service calling this takes the lock
    before it reads what it changes), for up to ``lock_timeout_s``.

    Raises
    ------
    PermissionDenied
        ``actor`` is no longer an active Admin (another Admin changed that meanwhile; audited).
    ServiceError
        The Admins kept changing for ``lock_timeout_s`` (DuckDB).
    """
    deadline = time.monotonic() + uow.settings.lock_timeout_s
    delay = 0.01
    while True:
        try:
            admins = uow.users.lock_active_admins()
            break
        except ConflictError:
            uow.rollback()
            if time.monotonic() >= deadline:
                raise ServiceError(
                    "another Admin kept changing users at the same time: try again"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
    if actor.id not in admins:
        reason = "you are no longer an active Admin"
        _refuse(uow, actor, action, reason, None)
        raise auth.PermissionDenied(action, reason)
    return admins


def _refuse_last_admin(
    uow: UnitOfWork, actor: Actor, user: UserRecord, action: str, admins: list[uuid.UUID]
) -> None:
    """Refuse (and audit) taking away the last active Admin (``admins``: the active Admins,
    locked by :func:`_lock_admins`)."""
    if user.id in admins and len(admins) <= 1:
        message = f"{user.username} is the last active Admin: add another Admin first"
        _refuse(uow, actor, action, message, user)
        raise ServiceError(message)


def _end_sessions(uow: UnitOfWork, user_id: uuid.UUID, reason: str) -> None:
    """Every token of the user stops working: a new token generation, and every token family
    revoked (``reason`` [text] is kept with them)."""
    uow.users.end_sessions(user_id)
    uow.tokens.revoke_families_of(user_id, reason)


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
    """Change a user's role (Admin only): every token of the user stops working at once (the
    user logs in again). Setting the role the user has already changes nothing.

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
        ``actor`` is not (or no longer) an active Admin (audited).
    NotFound
        No such user.
    ServiceError
        Unknown role, or demoting the last active Admin (audited).
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
        admins = _lock_admins(uow, actor, "change roles")
        user = _user_by_name(uow, username)
        if role is user.role:
            return user
        if role is not Role.ADMIN:
            _refuse_last_admin(uow, actor, user, "change roles", admins)
        uow.users.update(user.id, role=role)
        _end_sessions(uow, user.id, "role changed")
        audit_ok(uow, actor, "set role", target_type="user", target_id=user.id, detail=role)
        uow.commit()
        return _reread(uow, user.id)


def deactivate(uow: UnitOfWork, actor: Actor | None, username: str) -> UserRecord:
    """Deactivate a user (Admin only): every token of the user stops working at once.

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
        ``actor`` is not (or no longer) an active Admin (audited).
    NotFound
        No such user.
    ServiceError
        Deactivating the last active Admin (audited).
    """
    with uow:
        actor = guard(
            uow, actor, Permission.MANAGE_USERS, action="deactivate users", target_type="user"
        )
        admins = _lock_admins(uow, actor, "deactivate users")
        user = _user_by_name(uow, username)
        _refuse_last_admin(uow, actor, user, "deactivate users", admins)
        uow.users.update(user.id, is_active=False)
        _end_sessions(uow, user.id, "deactivated")
        audit_ok(uow, actor, "deactivate user", target_type="user", target_id=user.id)
        uow.commit()
        return _reread(uow, user.id)


def change_password(uow: UnitOfWork, actor: Actor | None, username: str, new_password: str) -> None:
    """Set a new password: users change their own; an Admin may change anyone's. Every token
    of the user stops working at once, the caller's own included when it is their password.

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
        _end_sessions(uow, user.id, "password changed")
        audit_ok(uow, actor, "change password", target_type="user", target_id=user.id)
        uow.commit()


def unlock(uow: UnitOfWork, actor: Actor | None, username: str) -> int:
    """End every login lock-out of a user (Admin only): their failed attempts are forgotten
    (each stays in the audit log).

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    actor : Actor or None
        The authenticated user [Actor]; must be an Admin.
    username : str
        Whose lock-outs end [text, any case].

    Returns
    -------
    int
        How many failed attempts were forgotten [count].

    Raises
    ------
    PermissionDenied
        ``actor`` is not an Admin (audited).
    NotFound
        No such user.
    """
    with uow:
        guard(uow, actor, Permission.MANAGE_USERS, action="unlock users", target_type="user")
        assert actor is not None
        user = _user_by_name(uow, username)
        forgotten = uow.logins.clear_failures(user.username)
        audit_ok(
            uow,
            actor,
            "unlock user",
            target_type="user",
            target_id=user.id,
            detail=f"{forgotten} failed login(s) forgotten",
        )
        uow.commit()
        return forgotten


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
    uow: UnitOfWork, username: str, password: str, client_address: str | None = None
) -> TokenPair:
    """Check credentials and issue an access and a refresh token of a new login.

    Every refusal raises :class:`AuthenticationError` with :data:`LOGIN_FAILED` and costs one
    argon2 verification. A password hashed with other parameters than the current ones is
    rehashed after a successful login. Lock-out: see the module's description and
    :func:`lock_state`.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    username : str
        The username typed [text, any case].
    password : str
        The password typed [text].
    client_address : str, optional
        The client's IP address when the caller knows it (the dashboards behind a proxy, an
        HTTP API) [text], :data:`LOCAL` for the command line; None (default) when unknown:
        every login of unknown address then counts as coming from one address.

    Returns
    -------
    TokenPair
        Access token (``access_minutes`` [min]) and refresh token (``refresh_hours`` [h]), of a
        new token family that ends ``session_days`` [d] from now.

    Raises
    ------
    AuthenticationError
        :data:`LOGIN_FAILED`: unknown user, wrong password, inactive user or locked username.
    ServiceError
        ``client_address`` is not an IP address (nor None or :data:`LOCAL`).
    ConfigError
        No usable signing secret.
    """
    settings = uow.settings
    config = token_config(settings)
    window = timedelta(minutes=settings.login_lock_minutes)
    address = client_key(client_address)
    key = _login_key(username)
    name = _audit_name(username)
    now = datetime.now(UTC)

    def locked(attempts: Sequence[LoginAttempt], at: datetime) -> LockState | None:
        return lock_state(
            attempts,
            address,
            max_failures=settings.login_max_failures,
            max_failures_per_user=settings.login_max_failures_per_user,
            window=window,
            now=at,
        )

    with uow:
        attempts = uow.logins.since(key, now - 2 * window)
        user = uow.users.by_username(key) if _lookup_shape_ok(username) else None
        lock = locked(attempts, now)
        if lock is not None:
            auth.burn_verify(password)
            where = " for this address" if lock.scope == "address" else " for every address"
            source = "" if address is None else f" (from {address})"
            uow.audit.add(
                actor_id=user.id if user else None,
                actor_name=name,
                action="login",
                outcome="locked",
                detail=(
                    f"username locked{where} until "
                    f"{lock.until.isoformat(timespec='seconds')}{source}"
                ),
            )
            uow.commit()
            raise AuthenticationError(LOGIN_FAILED)
        if user is not None:
            ok = auth.verify_password(user.password_hash, password)
        else:
            ok = auth.burn_verify(password)
        if not ok or user is None or not user.is_active:
            uow.logins.add(key, False, address)
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
                detail=reason if address is None else f"{reason} (from {address})",
            )
            at = datetime.now(UTC)
            started = locked([*attempts, LoginAttempt(at, False, address)], at)
            if started is not None:
                uow.audit.add(
                    actor_id=user.id if user else None,
                    actor_name=name,
                    action="login lock-out",
                    outcome="locked",
                    detail=_lock_text(started, address, settings.login_lock_minutes),
                )
            uow.commit()
            raise AuthenticationError(LOGIN_FAILED)
        if auth.needs_rehash(user.password_hash):
            uow.users.update(user.id, password_hash=auth.hash_password(password, min_length=1))
        uow.logins.add(key, True, address)
        family = uow.tokens.start_family(user.id, timedelta(days=settings.session_days))
        pair = auth.issue_token_pair(
            config,
            user_id=user.id,
            role=user.role,
            sid=family.id,
            gen=user.token_generation,
            not_after=family.expires_at,
        )
        audit_ok(uow, _actor(user), "login", target_type="user", target_id=user.id)
        uow.commit()
        return pair


# ------------------------------------------------------------------------------------ tokens
#: The refusal of every refresh token that cannot be used (revoked, rotated out, of an ended
#: login or of a user who lost their tokens).
REFRESH_REFUSED = "not authenticated: the refresh token is no longer valid"
#: The refusal of a token issued before the user's password, role or active flag changed.
SESSION_ENDED = "not authenticated: the session ended (password, role or account changed)"


def _deny(
    uow: UnitOfWork,
    action: str,
    reason: str,
    user: UserRecord | None = None,
    claims: TokenClaims | None = None,
    detail: str | None = None,
    also: Callable[[], object] | None = None,
) -> AuthenticationError:
    """Audit a refused token (inside an open unit of work) and return the error to raise
    (``reason``; the audit holds ``detail`` when given, else ``reason``). The work so far is
    rolled back; ``also`` runs after that and is committed with the audit event."""
    uow.rollback()
    if also is not None:
        also()
    subject = user.id if user else (claims.sub if claims else None)
    uow.audit.add(
        actor_id=subject,
        actor_name=user.username if user else None,
        action=action,
        outcome="denied",
        target_type="user" if subject else None,
        target_id=str(subject) if subject else None,
        detail=detail or reason,
    )
    uow.commit()
    return AuthenticationError(reason)


def _try_decode(
    config: TokenConfig, token: object, token_type: auth.TokenType, allow_expired: bool = False
) -> tuple[TokenClaims | None, str]:
    """``(claims, "")`` for a good token, else ``(None, reason)``; the token is never echoed."""
    if token is None or (isinstance(token, str) and not token.strip()):
        return None, "not authenticated"
    if not isinstance(token, str):
        return None, "invalid token"
    try:
        claims = auth.decode_token(
            config, token.strip(), expected_type=token_type, allow_expired=allow_expired
        )
    except AuthenticationError as exc:
        return None, exc.reason
    return claims, ""


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
        ``"not authenticated"`` (no token, inactive or deleted user, a token of an ended or
        revoked login, or issued before the user's password, role or active flag changed),
        ``"token expired"``, ``"wrong token type"`` or ``"invalid token"``. Every refusal is
        audited.
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
        if claims.gen != user.token_generation:
            raise _deny(uow, "authenticate", SESSION_ENDED, user)
        family = uow.tokens.family(claims.sid)
        if family is None or family.user_id != user.id or family.revoked_at is not None:
            raise _deny(uow, "authenticate", "not authenticated: the token was revoked", user)
        if family.expires_at <= datetime.now(UTC):
            raise _deny(uow, "authenticate", "not authenticated: the session expired", user)
        return _actor(user)


def refresh(uow: UnitOfWork, refresh_token: str) -> TokenPair:
    """Rotate: the refresh token is used up and a new pair of the same login issued.

    A refresh token presented again after it was rotated out means two parties hold it (one
    of them stole it): the whole family, the new tokens included, is revoked and the attempt
    audited (RFC 9700 section 4.14.2). No pair outlives the login's ``session_days``.

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
        Invalid, expired, revoked, rotated-out or access-type token, a login older than
        ``session_days``, a token issued before the user's password, role or active flag
        changed, or an inactive or deleted user (audited).
    """
    config = token_config(uow.settings)
    with uow:
        claims = _decode(uow, config, refresh_token, "refresh", "refresh token")
        user = uow.users.get(claims.sub)
        if user is None or not user.is_active or claims.gen != user.token_generation:
            raise _deny(uow, "refresh token", REFRESH_REFUSED, user, claims)
        family = uow.tokens.family(claims.sid)
        if family is None or family.user_id != user.id or family.revoked_at is not None:
            raise _deny(uow, "refresh token", REFRESH_REFUSED, user, claims)
        if family.expires_at <= datetime.now(UTC):
            raise _deny(
                uow,
                "refresh token",
                "not authenticated: the session expired (SURVEYLAB_SESSION_DAYS): log in again",
                user,
                claims,
            )
        # claimed, not checked then revoked: of two requests with one refresh token exactly
        # one claims it; the other is a reuse
        try:
            claimed = uow.tokens.claim(claims.jti, claims.sub, claims.exp)
        except DuplicateError:  # claimed meanwhile (DuckDB's way of saying so)
            uow.rollback()
            claimed = False
        if not claimed:
            # two parties hold this login's tokens: end it for both (the audit is written
            # and committed with the revocation)
            error = _deny(
                uow,
                "refresh token",
                REFRESH_REFUSED,
                user,
                claims,
                detail=(
                    "a rotated-out refresh token was presented again: every token of this "
                    "login is revoked"
                ),
                also=lambda: uow.tokens.revoke_family(family.id, "refresh token reused"),
            )
            raise error
        pair = auth.issue_token_pair(
            config,
            user_id=user.id,
            role=user.role,
            sid=family.id,
            gen=user.token_generation,
            not_after=family.expires_at,
        )
        audit_ok(uow, _actor(user), "refresh token", target_type="user", target_id=user.id)
        uow.commit()
        return pair


def logout(uow: UnitOfWork, refresh_token: str | None, access_token: str | None = None) -> None:
    """End a login: its token family is revoked, so its refresh and access tokens stop working.

    Either token of the login will do; an expired one too (its signature is still checked),
    since the login it belongs to may still hold a live refresh token. Other logins of the
    same user are not affected.

    Parameters
    ----------
    uow : UnitOfWork
        A fresh unit of work.
    refresh_token : str or None
        The login's refresh token [compact JWT text].
    access_token : str, optional
        The login's access token [compact JWT text].

    Raises
    ------
    AuthenticationError
        No token, a forged or malformed token, a token of the other kind in either place, or
        tokens of two different users (audited).
    """
    config = token_config(uow.settings)
    with uow:
        found: list[TokenClaims] = []
        given: tuple[tuple[str | None, auth.TokenType], ...] = (
            (refresh_token, "refresh"),
            (access_token, "access"),
        )
        if all(token is None for token, _ in given):
            raise _deny(uow, "logout", "not authenticated")
        for token, kind in given:
            if token is None:
                continue
            claims, reason = _try_decode(config, token, kind, allow_expired=True)
            if claims is None:
                raise _deny(uow, "logout", reason)
            found.append(claims)
        if len({c.sub for c in found}) > 1:
            raise _deny(uow, "logout", "invalid token: tokens of different users")
        ended = [sid for sid in {c.sid for c in found} if uow.tokens.revoke_family(sid, "logout")]
        sub = found[0].sub
        uow.audit.add(
            actor_id=sub,
            actor_name=None,
            action="logout",
            outcome="ok",
            target_type="user",
            target_id=str(sub),
            detail=None if ended else "the login had ended already",
        )
        uow.commit()
