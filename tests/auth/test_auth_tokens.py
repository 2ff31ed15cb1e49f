"""Tokens, tested like an attacker: tokens are forged by hand (base64 + hmac from the standard
library, not pyjwt) so every refusal is a refusal of something the attacker can really send."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.auth import (
    AuthenticationError,
    TokenConfig,
    decode_token,
    issue_token,
    issue_token_pair,
)
from surveylab.models import Role

#: 40 bytes: pyjwt warns for HMAC keys under 32 bytes, and warnings are errors here.
SECRET = "test-secret-0123456789-abcdefghijklmnopq"
OTHER_SECRET = "another-secret-9876543210-zyxwvutsrqpon"
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
USER = uuid.UUID("6f1c2a9e-3b44-4d1a-9c55-0a7e2f8b1d23")
SID = uuid.UUID("0b9d7e52-1c6f-4a8e-b2d3-5f4e6a7c8d90")
T0 = int(NOW.timestamp())


@pytest.fixture
def config() -> TokenConfig:
    return TokenConfig(secret=SECRET)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


def forge(
    payload: Any,
    *,
    header: dict[str, Any] | None = None,
    secret: str = SECRET,
    digest: Any = hashlib.sha256,
    signature: str | None = None,
) -> str:
    """A compact JWS made by hand; HMAC signature with ``digest`` unless ``signature`` given."""
    head = header if header is not None else {"alg": "HS256", "typ": "JWT"}
    signing_input = f"{b64json(head)}.{b64json(payload)}"
    if signature is None:
        mac = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), digest).digest()
        signature = b64(mac)
    return f"{signing_input}.{signature}"


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sub": str(USER),
        "role": "Engineer",
        "type": "access",
        "iat": T0,
        "exp": T0 + 15 * 60,
        "jti": uuid.uuid4().hex,
        "sid": str(SID),
        "gen": 0,
        "iss": "surveylab",
        "aud": "surveylab",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not _DROP}


_DROP = object()


def refused(config: TokenConfig, token: Any, expected_type: str = "access") -> str:
    """Decode must refuse; returns the reason and checks nothing secret leaks."""
    with pytest.raises(AuthenticationError) as info:
        decode_token(config, token, expected_type=expected_type, now=NOW)  # type: ignore[arg-type]
    message = str(info.value)
    assert config.secret not in message
    if isinstance(token, str) and len(token) > 10:
        assert token not in message
        assert token.split(".")[0] not in message or token.split(".")[0] == ""
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__
    return message


# --- the happy path, checked against the hand-made signer --------------------------------------


def test_hand_forged_token_with_the_right_secret_is_accepted(config: TokenConfig) -> None:
    # proves forge() is a faithful signer, so every refusal below is about the forgery
    got = decode_token(config, forge(claims()), expected_type="access", now=NOW)
    assert got.sub == USER
    assert got.role == Role.ENGINEER
    assert got.type == "access"
    assert got.exp - got.iat == timedelta(minutes=15)


def test_pair_round_trip(config: TokenConfig) -> None:
    pair = issue_token_pair(config, user_id=USER, role=Role.SURVEYOR, now=NOW)
    access = decode_token(config, pair.access, expected_type="access", now=NOW)
    refresh = decode_token(config, pair.refresh, expected_type="refresh", now=NOW)
    assert access.sub == refresh.sub == USER
    assert access.role == refresh.role == "Surveyor"
    assert access.iat == refresh.iat == NOW
    assert access.exp == pair.access_expires_at == NOW + timedelta(minutes=15)
    assert refresh.exp == pair.refresh_expires_at == NOW + timedelta(hours=8)
    assert refresh.jti == pair.refresh_jti
    assert access.jti != refresh.jti


def test_payload_has_exactly_the_documented_claims(config: TokenConfig) -> None:
    token, issued = issue_token(
        config, user_id=USER, role=Role.ADMIN, token_type="refresh", now=NOW
    )
    header_part, payload_part, _ = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
    payload = json.loads(base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4)))
    assert header["alg"] == "HS256"
    assert set(payload) == {
        "sub",
        "role",
        "type",
        "iat",
        "exp",
        "jti",
        "sid",
        "gen",
        "iss",
        "aud",
    }
    assert payload["sub"] == str(USER)
    assert payload["role"] == "Admin"
    assert payload["type"] == "refresh"
    assert payload["exp"] - payload["iat"] == 8 * 3600
    assert payload["jti"] == issued.jti


def test_issue_truncates_to_whole_seconds(config: TokenConfig) -> None:
    _, issued = issue_token(
        config,
        user_id=USER,
        role=Role.VIEWER,
        token_type="access",
        now=NOW + timedelta(microseconds=999_999),
    )
    assert issued.iat == NOW


def test_other_algorithm_configured_round_trips() -> None:
    secret = SECRET * 2  # 80 bytes: HS512 needs 64
    cfg = TokenConfig(secret=secret, algorithm="HS512", access_minutes=5)
    token, _ = issue_token(cfg, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    got = decode_token(cfg, token, expected_type="access", now=NOW)
    assert got.exp - got.iat == timedelta(minutes=5)
    # and an HS256 config with the same secret refuses it
    assert refused(TokenConfig(secret=secret), token) == "invalid token"


@pytest.mark.parametrize(("alg", "least"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_secret_length_follows_the_algorithm(alg: str, least: int) -> None:
    TokenConfig(secret="k" * least, algorithm=alg)
    with pytest.raises(ValueError, match=f"at least {least} bytes for {alg}, got {least - 1}"):
        TokenConfig(secret="k" * (least - 1), algorithm=alg)


@pytest.mark.parametrize(("alg", "least"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_no_warnings_with_the_shortest_accepted_secret(alg: str, least: int) -> None:
    cfg = TokenConfig(secret="k" * least, algorithm=alg)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pair = issue_token_pair(cfg, user_id=USER, role=Role.ADMIN, now=NOW)
        decode_token(cfg, pair.access, expected_type="access", now=NOW)


# --- forged signatures and algorithms -----------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", ["", "AAAA"])
def test_alg_none_refused(config: TokenConfig, alg: str, signature: str) -> None:
    token = forge(claims(role="Admin"), header={"alg": alg, "typ": "JWT"}, signature=signature)
    assert refused(config, token) == "invalid token"


def test_header_without_alg_refused(config: TokenConfig) -> None:
    assert refused(config, forge(claims(), header={"typ": "JWT"})) == "invalid token"


@pytest.mark.parametrize(("alg", "digest"), [("HS384", hashlib.sha384), ("HS512", hashlib.sha512)])
def test_other_hmac_algorithm_with_the_same_secret_refused(
    config: TokenConfig, alg: str, digest: Any
) -> None:
    token = forge(claims(), header={"alg": alg, "typ": "JWT"}, digest=digest)
    assert refused(config, token) == "invalid token"
    # same through pyjwt itself (which warns about the attacker's short key: not our concern)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = jwt.encode(claims(), SECRET, algorithm=alg)
    assert refused(config, other) == "invalid token"


def test_hs256_label_on_an_hs512_signature_refused(config: TokenConfig) -> None:
    token = forge(claims(), header={"alg": "HS256"}, digest=hashlib.sha512)
    assert refused(config, token) == "invalid token"


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS256", "EdDSA"])
def test_asymmetric_algorithm_refused(config: TokenConfig, alg: str) -> None:
    # key confusion: an "RS256" token whose signature is an HMAC keyed with the shared secret
    confused = forge(claims(role="Admin"), header={"alg": alg, "typ": "JWT"})
    assert refused(config, confused) == "invalid token"
    random_sig = forge(claims(), header={"alg": alg}, signature=b64(b"\x01" * 256))
    assert refused(config, random_sig) == "invalid token"


def test_other_secret_refused(config: TokenConfig) -> None:
    assert refused(config, forge(claims(), secret=OTHER_SECRET)) == "invalid token"
    other = TokenConfig(secret=OTHER_SECRET)
    token, _ = issue_token(other, user_id=USER, role=Role.ADMIN, token_type="access", now=NOW)
    assert refused(config, token) == "invalid token"


@pytest.mark.parametrize(
    "change",
    [
        {"role": "Admin"},
        {"sub": str(uuid.UUID(int=1))},
        {"exp": T0 + 14 * 60 + 59},
        {"type": "refresh"},
        {"jti": "0" * 32},
        {"sid": str(uuid.UUID(int=2))},
        {"gen": 1},
    ],
)
def test_tampered_payload_with_original_signature_refused(
    config: TokenConfig, change: dict[str, Any]
) -> None:
    token, _ = issue_token(config, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    header_part, payload_part, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4)))
    payload.update(change)
    tampered = f"{header_part}.{b64json(payload)}.{signature}"
    assert refused(config, tampered) == "invalid token"


def test_tampered_header_with_original_signature_refused(config: TokenConfig) -> None:
    token, _ = issue_token(config, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    _, payload_part, signature = token.split(".")
    tampered = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': 'x'})}.{payload_part}.{signature}"
    assert refused(config, tampered) == "invalid token"


def test_stripped_or_swapped_signature_refused(config: TokenConfig) -> None:
    a, _ = issue_token(config, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    b, _ = issue_token(config, user_id=USER, role=Role.ADMIN, token_type="access", now=NOW)
    head_b, payload_b, _ = b.split(".")
    assert refused(config, f"{head_b}.{payload_b}.") == "invalid token"
    assert refused(config, f"{head_b}.{payload_b}") == "invalid token"
    assert refused(config, f"{head_b}.{payload_b}.{a.split('.')[2]}") == "invalid token"


# --- time ---------------------------------------------------------------------------------------


def test_expiry_boundary(config: TokenConfig) -> None:
    token, issued = issue_token(
        config, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW
    )
    last_second = issued.exp - timedelta(seconds=1)
    assert decode_token(config, token, expected_type="access", now=last_second).sub == USER
    with pytest.raises(AuthenticationError, match=r"^token expired$"):
        decode_token(config, token, expected_type="access", now=issued.exp)
    with pytest.raises(AuthenticationError, match=r"^token expired$"):
        decode_token(config, token, expected_type="access", now=NOW + timedelta(days=400))


def test_refresh_expires_after_configured_hours() -> None:
    cfg = TokenConfig(secret=SECRET, refresh_hours=2)
    pair = issue_token_pair(cfg, user_id=USER, role=Role.VIEWER, now=NOW)
    later = NOW + timedelta(hours=1, minutes=59)
    assert decode_token(cfg, pair.refresh, expected_type="refresh", now=later).sub == USER
    with pytest.raises(AuthenticationError, match="expired"):
        decode_token(cfg, pair.refresh, expected_type="refresh", now=NOW + timedelta(hours=2))


def test_decode_uses_the_wall_clock_by_default(config: TokenConfig) -> None:
    fresh = issue_token_pair(config, user_id=USER, role=Role.VIEWER)
    assert decode_token(config, fresh.access, expected_type="access").sub == USER
    old = issue_token_pair(config, user_id=USER, role=Role.VIEWER, now=NOW)
    with pytest.raises(AuthenticationError, match="expired"):
        decode_token(config, old.access, expected_type="access")


def test_iat_far_in_the_future_refused(config: TokenConfig) -> None:
    future = T0 + 3600
    token = forge(claims(iat=future, exp=future + 15 * 60))
    assert refused(config, token) == "invalid token"


def test_small_clock_skew_tolerated(config: TokenConfig) -> None:
    token = forge(claims(iat=T0 + 10, exp=T0 + 10 + 15 * 60))
    assert decode_token(config, token, expected_type="access", now=NOW).sub == USER


def test_nbf_in_the_future_refused(config: TokenConfig) -> None:
    assert refused(config, forge(claims(nbf=T0 + 3600))) == "invalid token"


@pytest.mark.parametrize(
    ("iat", "exp"),
    [
        (T0, T0 + 15 * 60 + 1),  # access living one second longer than configured
        (T0, T0 + 365 * 86400),  # a year
        (T0, T0),  # zero lifetime
        (T0, T0 - 60),  # expiry before issue
    ],
)
def test_lifetime_outside_configuration_refused(config: TokenConfig, iat: int, exp: int) -> None:
    assert refused(config, forge(claims(iat=iat, exp=exp))) in ("invalid token", "token expired")


def test_lifetime_shortened_in_configuration_refuses_old_tokens() -> None:
    long_cfg = TokenConfig(secret=SECRET, access_minutes=60)
    token, _ = issue_token(long_cfg, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    assert refused(TokenConfig(secret=SECRET, access_minutes=15), token) == "invalid token"


# --- claims -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["sub", "role", "type", "iat", "exp", "jti", "sid", "gen", "iss", "aud"]
)
def test_each_required_claim_missing_refused(config: TokenConfig, missing: str) -> None:
    assert refused(config, forge(claims(**{missing: _DROP}))) == "invalid token"


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "someone-else"},
        {"aud": "someone-else"},
        {"aud": ["surveylab", "other"]},
        {"aud": ["surveylab"]},
        {"iss": None},
        {"aud": ""},
    ],
)
def test_wrong_issuer_or_audience_refused(config: TokenConfig, change: dict[str, Any]) -> None:
    assert refused(config, forge(claims(**change))) == "invalid token"


def test_other_configured_issuer_refuses(config: TokenConfig) -> None:
    token, _ = issue_token(config, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    assert refused(TokenConfig(secret=SECRET, issuer="other"), token) == "invalid token"
    assert refused(TokenConfig(secret=SECRET, audience="other"), token) == "invalid token"


def test_refresh_used_as_access_and_vice_versa(config: TokenConfig) -> None:
    pair = issue_token_pair(config, user_id=USER, role=Role.ADMIN, now=NOW)
    assert refused(config, pair.refresh, "access") == "wrong token type"
    assert refused(config, pair.access, "refresh") == "wrong token type"


@pytest.mark.parametrize("token_type", ["id", "ACCESS", "", None, 1])
def test_unknown_type_refused(config: TokenConfig, token_type: Any) -> None:
    assert refused(config, forge(claims(type=token_type))) == "invalid token"


@pytest.mark.parametrize(
    "sub",
    [
        "not-a-uuid",
        "",
        123,
        None,
        str(USER).upper(),
        "{" + str(USER) + "}",
        "urn:uuid:" + str(USER),
        USER.hex,
        [str(USER)],
    ],
)
def test_malformed_sub_refused(config: TokenConfig, sub: Any) -> None:
    assert refused(config, forge(claims(sub=sub))) == "invalid token"


@pytest.mark.parametrize("role", ["Superuser", "admin", "", None, ["Admin"], 1])
def test_unknown_role_refused(config: TokenConfig, role: Any) -> None:
    assert refused(config, forge(claims(role=role))) == "invalid token"


@pytest.mark.parametrize(
    "change",
    [
        {"iat": str(T0)},
        {"exp": str(T0 + 900)},
        {"iat": float(T0)},
        {"exp": T0 + 900.5},
        {"exp": True},
        {"iat": None},
        {"exp": 10**30},
    ],
)
def test_non_integer_times_refused(config: TokenConfig, change: dict[str, Any]) -> None:
    assert refused(config, forge(claims(**change))) == "invalid token"


@pytest.mark.parametrize("jti", ["", 7, None, "x" * 129])
def test_bad_jti_refused(config: TokenConfig, jti: Any) -> None:
    assert refused(config, forge(claims(jti=jti))) == "invalid token"


@pytest.mark.parametrize(
    "change",
    [
        {"sid": "not-a-uuid"},
        {"sid": SID.hex},  # not the canonical text
        {"sid": 7},
        {"gen": -1},
        {"gen": "0"},
        {"gen": 1.0},
        {"gen": True},
        {"gen": None},
    ],
)
def test_bad_session_id_or_generation_refused(config: TokenConfig, change: dict[str, Any]) -> None:
    assert refused(config, forge(claims(**change))) == "invalid token"


def test_session_id_and_generation_round_trip(config: TokenConfig) -> None:
    pair = issue_token_pair(config, user_id=USER, role=Role.VIEWER, sid=SID, gen=7, now=NOW)
    for token, kind in ((pair.access, "access"), (pair.refresh, "refresh")):
        got = decode_token(config, token, expected_type=kind, now=NOW)  # type: ignore[arg-type]
        assert (got.sid, got.gen) == (SID, 7)
    assert pair.sid == SID
    # a pair without a session id gets a new one, shared by both tokens
    fresh = issue_token_pair(config, user_id=USER, role=Role.VIEWER, now=NOW)
    a = decode_token(config, fresh.access, expected_type="access", now=NOW)
    r = decode_token(config, fresh.refresh, expected_type="refresh", now=NOW)
    assert a.sid == r.sid == fresh.sid != SID


def test_not_after_caps_the_expiry_at_the_end_of_the_session(config: TokenConfig) -> None:
    end = NOW + timedelta(minutes=5)
    pair = issue_token_pair(config, user_id=USER, role=Role.VIEWER, now=NOW, not_after=end)
    assert pair.access_expires_at == pair.refresh_expires_at == end
    later = issue_token_pair(
        config, user_id=USER, role=Role.VIEWER, now=NOW, not_after=NOW + timedelta(days=9)
    )
    assert later.access_expires_at == NOW + timedelta(minutes=15)
    assert later.refresh_expires_at == NOW + timedelta(hours=8)
    with pytest.raises(ValueError, match="after the issue time"):
        issue_token_pair(config, user_id=USER, role=Role.VIEWER, now=NOW, not_after=NOW)


def test_an_expired_token_is_read_only_when_asked_and_still_checked(config: TokenConfig) -> None:
    token, issued = issue_token(
        config, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW
    )
    later = NOW + timedelta(hours=1)
    with pytest.raises(AuthenticationError, match="token expired"):
        decode_token(config, token, expected_type="access", now=later)
    got = decode_token(config, token, expected_type="access", now=later, allow_expired=True)
    assert got.jti == issued.jti
    other = TokenConfig(secret=OTHER_SECRET)
    with pytest.raises(AuthenticationError, match="invalid token"):
        decode_token(other, token, expected_type="access", now=later, allow_expired=True)


@pytest.mark.parametrize("gen", [-1, 1.5, "1", True])
def test_issue_refuses_a_bad_generation(config: TokenConfig, gen: Any) -> None:
    with pytest.raises(ValueError, match="gen"):
        issue_token(config, user_id=USER, role=Role.VIEWER, token_type="access", gen=gen)


@pytest.mark.parametrize("payload", [[1, 2, 3], "a string", 42, None])
def test_payload_not_an_object_refused(config: TokenConfig, payload: Any) -> None:
    assert refused(config, forge(payload)) == "invalid token"


# --- garbage ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["", ".", "..", "abc", "a.b", "a.b.c", "a.b.c.d", "🔑.🔑.🔑", "x" * 5000, None, 42, b"a.b.c"],
)
def test_garbage_refused(config: TokenConfig, token: Any) -> None:
    assert refused(config, token) == "invalid token"


def test_valid_token_with_extra_characters_refused(config: TokenConfig) -> None:
    token, _ = issue_token(config, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    for bad in (f" {token}", f"{token}\n", f"Bearer {token}", f"{token}.{token.split('.')[2]}"):
        assert refused(config, bad) == "invalid token"


# --- configuration and programming errors -------------------------------------------------------


@pytest.mark.parametrize("secret", ["", "short", "s" * 31, "é" * 15])
def test_short_secret_refused_without_echoing(secret: str) -> None:
    with pytest.raises(ValueError, match="SURVEYLAB_SECRET_KEY must be at least 32 bytes") as info:
        TokenConfig(secret=secret)
    if len(secret) > 3:
        assert secret not in str(info.value)


def test_secret_length_counts_bytes() -> None:
    TokenConfig(secret="é" * 16)  # 16 characters, 32 bytes


def test_secret_not_in_repr(config: TokenConfig) -> None:
    assert SECRET not in repr(config)
    pair = issue_token_pair(config, user_id=USER, role=Role.ADMIN, now=NOW)
    assert pair.access not in repr(pair)
    assert pair.refresh not in repr(pair)
    assert pair.refresh_jti in repr(pair)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"algorithm": "none"}, "algorithm"),
        ({"algorithm": "RS256"}, "algorithm"),
        ({"issuer": ""}, "issuer"),
        ({"audience": ""}, "audience"),
        ({"access_minutes": 0}, "access_minutes"),
        ({"refresh_hours": -1}, "refresh_hours"),
        ({"access_minutes": True}, "access_minutes"),
        ({"refresh_hours": 1.5}, "refresh_hours"),
    ],
)
def test_bad_config_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        TokenConfig(secret=SECRET, **kwargs)
    assert SECRET not in str(info.value)


def test_non_text_secret_refused() -> None:
    with pytest.raises(ValueError, match="SURVEYLAB_SECRET_KEY"):
        TokenConfig(secret=b"b" * 40)  # type: ignore[arg-type]


def test_issue_argument_errors(config: TokenConfig) -> None:
    with pytest.raises(TypeError, match="user_id"):
        issue_token(config, user_id=str(USER), role=Role.VIEWER, token_type="access")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        issue_token(config, user_id=USER, role="Superuser", token_type="access")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="token_type"):
        issue_token(config, user_id=USER, role=Role.VIEWER, token_type="id")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone-aware"):
        issue_token_pair(config, user_id=USER, role=Role.VIEWER, now=datetime(2024, 1, 1))
    with pytest.raises(TypeError, match="now must be a datetime"):
        issue_token_pair(config, user_id=USER, role=Role.VIEWER, now=0)  # type: ignore[arg-type]


def test_decode_argument_errors(config: TokenConfig) -> None:
    token, _ = issue_token(config, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    with pytest.raises(ValueError, match="expected_type"):
        decode_token(config, token, expected_type="id")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone-aware"):
        decode_token(config, token, expected_type="access", now=datetime(2024, 5, 1, 12))


def test_non_utc_now_is_converted(config: TokenConfig) -> None:
    from datetime import timezone

    plus2 = NOW.astimezone(timezone(timedelta(hours=2)))
    _, issued = issue_token(config, user_id=USER, role=Role.VIEWER, token_type="access", now=plus2)
    assert issued.iat == NOW
    assert issued.iat.utcoffset() == timedelta(0)


# --- properties ---------------------------------------------------------------------------------

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), st.text(alphabet=TOKEN_ALPHABET, max_size=300)))
def test_random_text_never_decodes(text: str) -> None:
    cfg = TokenConfig(secret=SECRET)
    with pytest.raises(AuthenticationError):
        decode_token(cfg, text, expected_type="access", now=NOW)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_one_character_change_never_yields_other_claims(data: st.DataObject) -> None:
    cfg = TokenConfig(secret=SECRET)
    token, issued = issue_token(cfg, user_id=USER, role=Role.VIEWER, token_type="access", now=NOW)
    pos = data.draw(st.integers(0, len(token) - 1))
    char = data.draw(st.sampled_from(TOKEN_ALPHABET).filter(lambda c: c != token[pos]))
    mutated = token[:pos] + char + token[pos + 1 :]
    try:
        got = decode_token(cfg, mutated, expected_type="access", now=NOW)
    except AuthenticationError:
        return
    # base64url's unused low bits in a segment's last character may change without changing
    # the decoded bytes; then the claims must be exactly the original ones
    assert got == issued


@settings(max_examples=100, deadline=None)
@given(
    st.uuids(),
    st.sampled_from(list(Role)),
    st.sampled_from(["access", "refresh"]),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
def test_issue_decode_round_trip(
    user_id: uuid.UUID, role: Role, token_type: str, now: datetime
) -> None:
    cfg = TokenConfig(secret=SECRET, access_minutes=30, refresh_hours=12)
    token, issued = issue_token(cfg, user_id=user_id, role=role, token_type=token_type, now=now)  # type: ignore[arg-type]
    got = decode_token(cfg, token, expected_type=token_type, now=now)  # type: ignore[arg-type]
    assert got == issued
    assert got.sub == user_id and got.role == role
    assert got.exp - got.iat == cfg.lifetime(token_type)  # type: ignore[arg-type]
    other = "refresh" if token_type == "access" else "access"
    with pytest.raises(AuthenticationError, match="wrong token type"):
        decode_token(cfg, token, expected_type=other, now=now)  # type: ignore[arg-type]
