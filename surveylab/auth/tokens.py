"""Signed JSON Web Tokens (pyjwt): a short-lived access token and a longer refresh token.

Claims: ``sub`` (user id, canonical UUID text), ``role``, ``type`` (``"access"`` or
``"refresh"``), ``iat``, ``exp`` (whole seconds since the epoch, UTC), ``jti`` (unique id, for the
refresh-token denylist), ``sid`` (the login the token descends from, canonical UUID text: the
refresh-token family of the OAuth 2.0 Security Best Current Practice, RFC 9700 section 4.14.2),
``gen`` (the user's token generation when it was issued), ``iss`` and ``aud``.

:func:`decode_token` pins the algorithm to the configured one (never ``none``, never another
one), requires every claim above and checks them strictly. Any refusal raises
:class:`AuthenticationError` with a short generic reason; neither the token nor the secret is
ever part of a message. Whether the user is still active, their current role in the database and
the ``jti`` denylist, the family (``sid``) and the generation (``gen``) are the login service's
checks, made with the returned :class:`TokenClaims`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

import jwt

from surveylab.auth.errors import AuthenticationError
from surveylab.models import Role

TokenType = Literal["access", "refresh"]

_TOKEN_TYPES: tuple[str, ...] = ("access", "refresh")
#: HMAC algorithms and their shortest secret [bytes] (RFC 7518 section 3.2: the hash size).
_HMAC_MIN_SECRET_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
_REQUIRED_CLAIMS = ("sub", "role", "type", "iat", "exp", "jti", "sid", "gen", "iss", "aud")
#: Longest token looked at [characters]; longer input is refused unread.
MAX_TOKEN_CHARS = 4096
#: Tolerated clock difference for ``iat`` in the future [s].
CLOCK_SKEW_S = 30


@dataclass(frozen=True)
class TokenConfig:
    """How tokens are signed and checked.

    Parameters
    ----------
    secret : str
        HMAC signing secret (``SURVEYLAB_SECRET_KEY``) [text], at least 32 bytes of UTF-8 for
        HS256 (48 for HS384, 64 for HS512). Hidden from ``repr``.
    algorithm : str, optional
        ``"HS256"`` (default), ``"HS384"`` or ``"HS512"``.
    issuer : str, optional
        ``iss`` claim [text]. Default ``"surveylab"``.
    audience : str, optional
        ``aud`` claim [text]. Default ``"surveylab"``.
    access_minutes : int, optional
        Access token lifetime [min]. Default 15.
    refresh_hours : int, optional
        Refresh token lifetime [h]. Default 8.

    Raises
    ------
    ValueError
        Secret too short (the message names ``SURVEYLAB_SECRET_KEY`` and never echoes the
        secret), unknown algorithm, empty issuer or audience, lifetime not a positive integer.
    """

    secret: str = field(repr=False)
    algorithm: str = "HS256"
    issuer: str = "surveylab"
    audience: str = "surveylab"
    access_minutes: int = 15
    refresh_hours: int = 8

    def __post_init__(self) -> None:
        if not isinstance(self.secret, str):
            raise ValueError("SURVEYLAB_SECRET_KEY must be text")
        if self.algorithm not in _HMAC_MIN_SECRET_BYTES:
            raise ValueError(
                f"token algorithm must be one of {', '.join(_HMAC_MIN_SECRET_BYTES)}, "
                f"got {self.algorithm!r}"
            )
        n_bytes = len(self.secret.encode("utf-8"))
        least = _HMAC_MIN_SECRET_BYTES[self.algorithm]
        if n_bytes < least:
            raise ValueError(
                f"SURVEYLAB_SECRET_KEY must be at least {least} bytes for {self.algorithm}, "
                f"got {n_bytes}"
            )
        for name in ("issuer", "audience"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"token {name} must be non-empty text")
        for name in ("access_minutes", "refresh_hours"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")

    def lifetime(self, token_type: TokenType) -> timedelta:
        """Lifetime of a token of ``token_type`` [timedelta]."""
        if token_type == "access":
            return timedelta(minutes=self.access_minutes)
        if token_type == "refresh":
            return timedelta(hours=self.refresh_hours)
        raise ValueError(f"token_type must be 'access' or 'refresh', got {token_type!r}")


@dataclass(frozen=True)
class TokenClaims:
    """The checked claims of a token.

    ``sub`` user id [UUID]; ``role`` the role at issue time [Role, a ``str``]; ``type``
    ``"access"`` or ``"refresh"``; ``jti`` unique token id [text]; ``iat`` and ``exp`` issue and
    expiry times [timezone-aware UTC datetime]; ``sid`` the login (token family) the token
    descends from [UUID]; ``gen`` the user's token generation at issue time [count].
    """

    sub: uuid.UUID
    role: Role
    type: TokenType
    jti: str
    iat: datetime
    exp: datetime
    sid: uuid.UUID
    gen: int


class IssuedToken(NamedTuple):
    """A token and its claims, as returned by :func:`issue_token`."""

    token: str
    claims: TokenClaims


@dataclass(frozen=True)
class TokenPair:
    """An access and a refresh token issued together (tokens hidden from ``repr``).

    ``access_expires_at``/``refresh_expires_at`` [timezone-aware UTC datetime]; ``refresh_jti``
    the refresh token's id [text], for the denylist; ``sid`` the login both descend from [UUID].
    """

    access: str = field(repr=False)
    refresh: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime
    refresh_jti: str
    sid: uuid.UUID


def _utc_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, got {type(now).__name__}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (e.g. datetime.now(UTC))")
    return now.astimezone(UTC)


def issue_token(
    config: TokenConfig,
    *,
    user_id: uuid.UUID,
    role: Role,
    token_type: TokenType,
    sid: uuid.UUID | None = None,
    gen: int = 0,
    now: datetime | None = None,
    not_after: datetime | None = None,
) -> IssuedToken:
    """Sign one token.

    Parameters
    ----------
    config : TokenConfig
        Secret, algorithm, issuer, audience and lifetimes.
    user_id : uuid.UUID
        The user the token stands for [UUID].
    role : Role
        The user's role [Role or its value].
    token_type : {"access", "refresh"}
        Which kind of token.
    sid : uuid.UUID, optional
        The login (token family) the token descends from [UUID]; default a new one.
    gen : int, optional
        The user's token generation now [count, >= 0]; default 0.
    now : datetime, optional
        Issue time [timezone-aware datetime]; default the current time. Truncated to whole
        seconds.
    not_after : datetime, optional
        The latest expiry allowed (the end of the session) [timezone-aware datetime]; the
        token expires then when its own lifetime would run longer. Must be after ``now``.

    Returns
    -------
    IssuedToken
        ``(token, claims)``.

    Raises
    ------
    TypeError
        ``user_id`` or ``sid`` not a UUID, ``now`` or ``not_after`` not a datetime.
    ValueError
        Unknown role or token type, naive ``now`` or ``not_after``, ``not_after`` not after
        ``now``, a negative ``gen``.
    """
    if not isinstance(user_id, uuid.UUID):
        raise TypeError(f"user_id must be a uuid.UUID, got {type(user_id).__name__}")
    sid = uuid.uuid4() if sid is None else sid
    if not isinstance(sid, uuid.UUID):
        raise TypeError(f"sid must be a uuid.UUID, got {type(sid).__name__}")
    if isinstance(gen, bool) or not isinstance(gen, int) or gen < 0:
        raise ValueError(f"gen must be a whole number >= 0, got {gen!r}")
    role = Role(role)
    lifetime = config.lifetime(token_type)
    iat = _utc_now(now).replace(microsecond=0)
    exp = iat + lifetime
    if not_after is not None:
        end = _utc_now(not_after).replace(microsecond=0)
        if end <= iat:
            raise ValueError("not_after must be after the issue time")
        exp = min(exp, end)
    claims = TokenClaims(
        sub=user_id,
        role=role,
        type=token_type,
        jti=uuid.uuid4().hex,
        iat=iat,
        exp=exp,
        sid=sid,
        gen=gen,
    )
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "role": role.value,
        "type": token_type,
        "iat": int(iat.timestamp()),
        "exp": int(exp.timestamp()),
        "jti": claims.jti,
        "sid": str(sid),
        "gen": gen,
        "iss": config.issuer,
        "aud": config.audience,
    }
    token = jwt.encode(payload, config.secret, algorithm=config.algorithm, headers={"typ": "JWT"})
    return IssuedToken(token, claims)


def issue_token_pair(
    config: TokenConfig,
    *,
    user_id: uuid.UUID,
    role: Role,
    sid: uuid.UUID | None = None,
    gen: int = 0,
    now: datetime | None = None,
    not_after: datetime | None = None,
) -> TokenPair:
    """Sign an access token and a refresh token at the same issue time.

    Parameters
    ----------
    config : TokenConfig
        Secret, algorithm, issuer, audience and lifetimes.
    user_id : uuid.UUID
        The user the tokens stand for [UUID].
    role : Role
        The user's role [Role or its value].
    sid : uuid.UUID, optional
        The login (token family) both descend from [UUID]; default a new one.
    gen : int, optional
        The user's token generation now [count, >= 0]; default 0.
    now : datetime, optional
        Issue time [timezone-aware datetime]; default the current time.
    not_after : datetime, optional
        The end of the session: neither token expires later [timezone-aware datetime].

    Returns
    -------
    TokenPair
        Both tokens, their expiry times, the refresh token's ``jti`` and the ``sid``.
    """
    issued_at = _utc_now(now)
    sid = uuid.uuid4() if sid is None else sid
    common: dict[str, Any] = {
        "user_id": user_id,
        "role": role,
        "sid": sid,
        "gen": gen,
        "now": issued_at,
        "not_after": not_after,
    }
    access = issue_token(config, token_type="access", **common)
    refresh = issue_token(config, token_type="refresh", **common)
    return TokenPair(
        access=access.token,
        refresh=refresh.token,
        access_expires_at=access.claims.exp,
        refresh_expires_at=refresh.claims.exp,
        refresh_jti=refresh.claims.jti,
        sid=sid,
    )


def _seconds(value: object) -> int:
    """A NumericDate claim as whole seconds; anything else (bool, text, float) is refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer time")
    return value


def _uuid_claim(value: object) -> uuid.UUID:
    """A canonical UUID text claim as a UUID; anything else is refused (ValueError)."""
    if not isinstance(value, str):
        raise ValueError("not text")
    parsed = uuid.UUID(value)
    if str(parsed) != value:
        raise ValueError("not a canonical UUID")
    return parsed


def _check_claims(
    config: TokenConfig,
    payload: dict[str, Any],
    expected_type: TokenType,
    now: datetime,
    allow_expired: bool = False,
) -> TokenClaims:
    """Strict claim checks after the signature was verified; raises ValueError or
    AuthenticationError."""
    for name in _REQUIRED_CLAIMS:
        if name not in payload:
            raise ValueError("claim missing")
    if payload["iss"] != config.issuer or payload["aud"] != config.audience:
        raise ValueError("wrong issuer or audience")
    token_type = payload["type"]
    if token_type not in _TOKEN_TYPES:
        raise ValueError("unknown type")
    if token_type != expected_type:
        raise AuthenticationError("wrong token type")
    sub = _uuid_claim(payload["sub"])
    sid = _uuid_claim(payload["sid"])
    gen = payload["gen"]
    if isinstance(gen, bool) or not isinstance(gen, int) or gen < 0:
        raise ValueError("generation not a whole number >= 0")
    role = Role(payload["role"])
    jti = payload["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= 128:
        raise ValueError("bad jti")
    iat_s = _seconds(payload["iat"])
    exp_s = _seconds(payload["exp"])
    now_s = now.timestamp()
    if iat_s > now_s + CLOCK_SKEW_S:
        raise ValueError("issued in the future")
    if "nbf" in payload and _seconds(payload["nbf"]) > now_s + CLOCK_SKEW_S:
        raise ValueError("not yet valid")
    if exp_s <= iat_s or exp_s - iat_s > config.lifetime(expected_type).total_seconds():
        raise ValueError("lifetime longer than configured")
    if exp_s <= now_s and not allow_expired:
        raise AuthenticationError("token expired")
    return TokenClaims(
        sub=sub,
        role=role,
        type=expected_type,
        jti=jti,
        iat=datetime.fromtimestamp(iat_s, UTC),
        exp=datetime.fromtimestamp(exp_s, UTC),
        sid=sid,
        gen=gen,
    )


def decode_token(
    config: TokenConfig,
    token: str,
    *,
    expected_type: TokenType,
    now: datetime | None = None,
    allow_expired: bool = False,
) -> TokenClaims:
    """Verify a token and return its claims.

    Parameters
    ----------
    config : TokenConfig
        Secret, algorithm, issuer, audience and lifetimes.
    token : str
        The compact JWT [text].
    expected_type : {"access", "refresh"}
        The kind of token this call accepts; the other kind is refused.
    now : datetime, optional
        The time to check against [timezone-aware datetime]; default the current time.
    allow_expired : bool, optional
        Accept a token whose ``exp`` has passed (every other check still applies): for a
        logout, which ends the token's family even after its access token expired. Default
        False.

    Returns
    -------
    TokenClaims
        The checked claims.

    Raises
    ------
    AuthenticationError
        ``"token expired"``, ``"wrong token type"`` or ``"invalid token"`` (bad signature,
        another algorithm or ``none``, wrong issuer or audience, a missing or malformed claim,
        a lifetime longer than configured, ``iat``/``nbf`` in the future, garbage).
    ValueError
        ``expected_type`` is not ``"access"``/``"refresh"``, or ``now`` is naive (programming
        errors).
    """
    if expected_type not in _TOKEN_TYPES:
        raise ValueError(f"expected_type must be 'access' or 'refresh', got {expected_type!r}")
    at = _utc_now(now)
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise AuthenticationError("invalid token")
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != config.algorithm:
            raise ValueError("algorithm not allowed")
        payload = jwt.decode(
            token,
            config.secret,
            algorithms=[config.algorithm],
            audience=config.audience,
            issuer=config.issuer,
            options={
                "verify_signature": True,
                "verify_aud": True,
                "verify_iss": True,
                # times are checked against ``now`` in _check_claims, not the wall clock
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": list(_REQUIRED_CLAIMS),
            },
        )
        if not isinstance(payload, dict):
            raise ValueError("payload not an object")
        claims = _check_claims(config, payload, expected_type, at, allow_expired)
    except AuthenticationError as exc:
        raise AuthenticationError(exc.reason) from None
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
        raise AuthenticationError("invalid token") from None
    return claims
