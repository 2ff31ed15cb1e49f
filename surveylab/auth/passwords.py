"""Password hashing with argon2id (argon2-cffi).

Passwords are normalised to Unicode NFKC before hashing and verifying (NIST SP 800-63B), so the
same password typed as composed or decomposed characters verifies. Lengths count characters of
the normalised text.

The login service calls :func:`burn_verify` for an unknown username so that it spends the same
time as for a known one: no user enumeration by timing.
"""

from __future__ import annotations

import secrets
import threading
import unicodedata

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from surveylab.auth.errors import WeakPasswordError

#: Longest password accepted [characters]; longer input is refused rather than hashed.
MAX_PASSWORD_CHARS = 1024

_DEFAULTS = argon2.profiles.RFC_9106_LOW_MEMORY
_lock = threading.Lock()
_hasher = argon2.PasswordHasher.from_parameters(_DEFAULTS)
_dummy_hash: str | None = None


def configure_hasher(
    *,
    time_cost: int = _DEFAULTS.time_cost,
    memory_cost: int = _DEFAULTS.memory_cost,
    parallelism: int = _DEFAULTS.parallelism,
) -> None:
    """Replace the module's argon2id hasher (tests use cheap parameters).

    Hashes made with other parameters still verify; :func:`needs_rehash` reports them.

    Parameters
    ----------
    time_cost : int, optional
        Number of passes [iterations], at least 1. Default 3 (RFC 9106 low-memory profile).
    memory_cost : int, optional
        Memory used [KiB], at least ``8 * parallelism``. Default 65536 (64 MiB).
    parallelism : int, optional
        Lanes [threads], at least 1. Default 4.

    Raises
    ------
    ValueError
        A parameter out of range.
    """
    global _hasher, _dummy_hash
    for name, value, low in (
        ("time_cost", time_cost, 1),
        ("parallelism", parallelism, 1),
        ("memory_cost", memory_cost, 8 * max(parallelism, 1)),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    hasher = argon2.PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        hash_len=_DEFAULTS.hash_len,
        salt_len=_DEFAULTS.salt_len,
        type=argon2.Type.ID,
    )
    with _lock:
        _hasher = hasher
        _dummy_hash = None


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str, *, min_length: int = 12) -> str:
    """Hash a new password with argon2id.

    Parameters
    ----------
    password : str
        The new password [text].
    min_length : int, optional
        Shortest password accepted [characters], at least 1. Default 12.

    Returns
    -------
    str
        The encoded hash (``$argon2id$v=19$m=...``), salt and parameters included.

    Raises
    ------
    WeakPasswordError
        The password is empty, shorter than ``min_length`` or longer than
        :data:`MAX_PASSWORD_CHARS`. The message never contains the password.
    TypeError
        ``password`` is not a ``str``.
    ValueError
        ``min_length`` below 1.
    """
    if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 1:
        raise ValueError(f"min_length must be a whole number >= 1, got {min_length!r}")
    if not isinstance(password, str):
        raise TypeError(f"password must be a str, got {type(password).__name__}")
    text = _normalise(password)
    if not text:
        raise WeakPasswordError("password is empty")
    if len(text) < min_length:
        raise WeakPasswordError(f"password is too short: at least {min_length} characters needed")
    if len(text) > MAX_PASSWORD_CHARS:
        raise WeakPasswordError(
            f"password is too long: at most {MAX_PASSWORD_CHARS} characters accepted"
        )
    return _hasher.hash(text)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``. Never raises for bad input.

    Parameters
    ----------
    stored_hash : str
        An encoded argon2 hash as made by :func:`hash_password` [text].
    password : str
        The password typed at login [text].

    Returns
    -------
    bool
        True on a match; False for a wrong password, a malformed or empty hash, a password that
        is not a ``str`` or longer than :data:`MAX_PASSWORD_CHARS`.
    """
    if not isinstance(stored_hash, str) or not isinstance(password, str):
        return False
    if len(password) > 4 * MAX_PASSWORD_CHARS:  # cheap bound before normalising
        return False
    text = _normalise(password)
    if len(text) > MAX_PASSWORD_CHARS:
        return False
    try:
        return bool(_hasher.verify(stored_hash, text))
    except (VerificationError, InvalidHashError, ValueError, TypeError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with other parameters than the current hasher's.

    The login service rehashes the password after a successful login when this is True.

    Parameters
    ----------
    stored_hash : str
        An encoded argon2 hash [text].

    Returns
    -------
    bool
        True when the parameters or the argon2 variant differ, or the hash is malformed.
    """
    if not isinstance(stored_hash, str):
        return True
    try:
        return bool(_hasher.check_needs_rehash(stored_hash))
    except (InvalidHashError, ValueError, TypeError):
        return True


def _current_dummy_hash() -> str:
    global _dummy_hash
    with _lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_urlsafe(32))
        return _dummy_hash


def burn_verify(password: str) -> bool:
    """Spend the time of one real verification, for a username that does not exist.

    Parameters
    ----------
    password : str
        The password typed at login [text].

    Returns
    -------
    bool
        Always False.
    """
    verify_password(_current_dummy_hash(), password if isinstance(password, str) else "")
    return False


def __getattr__(name: str) -> str:
    """``DUMMY_HASH``: a hash of a random secret with the current parameters (made lazily)."""
    if name == "DUMMY_HASH":
        return _current_dummy_hash()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
