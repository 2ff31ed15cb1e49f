"""Passwords: argon2id hashing, verification that never raises, rehash detection, the dummy
hash for unknown usernames, and messages that never contain the password."""

from __future__ import annotations

import unicodedata
from typing import Any

import argon2
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from surveylab.auth import (
    MAX_PASSWORD_CHARS,
    WeakPasswordError,
    burn_verify,
    configure_hasher,
    hash_password,
    needs_rehash,
    verify_password,
)
from surveylab.auth import passwords as pw_module

GOOD = "correct horse battery staple"


def test_round_trip_argon2id() -> None:
    stored = hash_password(GOOD)
    assert stored.startswith("$argon2id$v=19$")
    assert verify_password(stored, GOOD)
    assert not verify_password(stored, GOOD + " ")
    assert not verify_password(stored, GOOD.upper())


def test_same_password_hashes_differently() -> None:
    assert hash_password(GOOD) != hash_password(GOOD)


@pytest.mark.parametrize(
    "password",
    [
        "пароль-очень-длинный",  # Cyrillic
        "密码密码密码密码密码密码",  # CJK, 12 characters
        "🔐🔑🗝️🔒🔓🛡️🔐🔑🗝️🔒🔓🛡️",  # emoji with variation selectors
        "كلمة السر الطويلة",  # right-to-left
        "tab\tand\nnewline and nul \x00 inside",
        " leading and trailing spaces ",
    ],
)
def test_unicode_and_odd_characters_round_trip(password: str) -> None:
    stored = hash_password(password)
    assert verify_password(stored, password)
    assert not verify_password(stored, password[:-1])


def test_composed_and_decomposed_forms_verify_alike() -> None:
    composed = "café-crème-brûlée"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert verify_password(hash_password(composed), decomposed)
    assert verify_password(hash_password(decomposed), composed)


def test_longest_password_accepted_and_one_more_refused() -> None:
    longest = "x" * MAX_PASSWORD_CHARS
    assert verify_password(hash_password(longest), longest)
    with pytest.raises(WeakPasswordError, match="too long"):
        hash_password(longest + "y")
    assert not verify_password(hash_password(longest), longest + "y")


def test_huge_input_to_verify_returns_false() -> None:
    assert not verify_password(hash_password(GOOD), GOOD * 100_000)


def test_empty_password_refused() -> None:
    with pytest.raises(WeakPasswordError, match="empty"):
        hash_password("")


@pytest.mark.parametrize("password", ["Sh0rt!Secret", "hunter2", "a", "zzzzzzzzzzz"])
def test_too_short_refused_without_echoing(password: str) -> None:
    with pytest.raises(WeakPasswordError) as info:
        hash_password(password, min_length=len(password) + 1)
    message = str(info.value)
    assert "too short" in message
    assert f"{len(password) + 1} characters" in message
    if len(password) > 3:
        assert password not in message
        assert password not in repr(info.value)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


def test_short_message_does_not_depend_on_the_password() -> None:
    messages = set()
    for password in ("AAAAA", "bbbbb", "s3cr3", "!!!!!"):
        with pytest.raises(WeakPasswordError) as info:
            hash_password(password, min_length=12)
        messages.add(str(info.value))
    assert messages == {"password is too short: at least 12 characters needed"}


def test_weak_password_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        hash_password("short")


def test_min_length_counts_characters_not_bytes() -> None:
    six_chars = "ééééé€"  # 6 characters, 13 bytes of UTF-8
    with pytest.raises(WeakPasswordError):
        hash_password(six_chars, min_length=7)
    assert verify_password(hash_password(six_chars, min_length=6), six_chars)


@pytest.mark.parametrize("min_length", [0, -1, True, 2.5])
def test_bad_min_length(min_length: Any) -> None:
    with pytest.raises(ValueError, match="min_length"):
        hash_password(GOOD, min_length=min_length)


@pytest.mark.parametrize("password", [b"correct horse battery staple", None, 123456789012345])
def test_non_text_password_refused_without_echoing(password: Any) -> None:
    with pytest.raises(TypeError) as info:
        hash_password(password)
    assert "password must be a str" in str(info.value)
    assert "horse" not in str(info.value)
    assert "123456789012345" not in str(info.value)


def _malformed_hashes() -> list[Any]:
    real = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(GOOD)
    return [
        "",
        "garbage",
        "$argon2id$",
        "$argon2id$v=19$m=1024,t=1,p=1$",
        real[:-10],
        real + "AAAA",
        real.replace("$argon2id$", "$argon2xx$"),
        "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5bFxMzmP7hI1YMo0d2HrbqVSgIbLkM.",  # bcrypt
        "pbkdf2_sha256$600000$salt$hash",  # Django
        "$argon2id$v=19$m=1024,t=1,p=1$é$é",  # non-ASCII
        None,
        123,
        b"$argon2id$",
    ]


_MALFORMED = _malformed_hashes()


# ids by position: some values hold a fresh random salt, and every collection must give the
# same ids (pytest -n collects once per worker)
@pytest.mark.parametrize("stored", _MALFORMED, ids=[f"hash{i}" for i in range(len(_MALFORMED))])
def test_malformed_hash_never_raises(stored: Any) -> None:
    assert verify_password(stored, GOOD) is False
    assert needs_rehash(stored) is True


def test_tampered_digest_is_well_formed_but_does_not_verify() -> None:
    stored = hash_password(GOOD)
    head, digest = stored.rsplit("$", 1)
    tampered = head + "$" + ("A" if digest[0] != "A" else "B") + digest[1:]
    assert tampered != stored
    assert verify_password(tampered, GOOD) is False
    assert needs_rehash(tampered) is False  # same parameters: nothing to rehash


@pytest.mark.parametrize("password", [None, b"bytes", 42, ""])
def test_odd_password_to_verify_returns_false(password: Any) -> None:
    assert verify_password(hash_password(GOOD), password) is False


def test_needs_rehash_follows_the_configured_parameters() -> None:
    stored = hash_password(GOOD)
    assert not needs_rehash(stored)
    try:
        configure_hasher(time_cost=2, memory_cost=1024, parallelism=1)
        assert needs_rehash(stored)
        assert verify_password(stored, GOOD)  # old hashes still verify
        assert not needs_rehash(hash_password(GOOD))
    finally:
        configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
    assert not needs_rehash(stored)


def test_other_argon2_variant_verifies_but_needs_rehash() -> None:
    old = argon2.PasswordHasher(
        time_cost=1, memory_cost=1024, parallelism=1, type=argon2.Type.I
    ).hash(GOOD)
    assert old.startswith("$argon2i$")
    assert verify_password(old, GOOD)
    assert not verify_password(old, "wrong password!")
    assert needs_rehash(old)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"time_cost": 0}, "time_cost"),
        ({"parallelism": 0}, "parallelism"),
        ({"memory_cost": 7, "parallelism": 1}, "memory_cost"),
        ({"memory_cost": 16, "parallelism": 4}, "memory_cost"),
        ({"time_cost": 1.5}, "time_cost"),
        ({"time_cost": True}, "time_cost"),
    ],
)
def test_configure_hasher_refuses_bad_parameters(kwargs: dict[str, Any], name: str) -> None:
    before = pw_module._hasher
    with pytest.raises(ValueError, match=name):
        configure_hasher(**kwargs)
    assert pw_module._hasher is before


def test_dummy_hash_uses_current_parameters() -> None:
    dummy = pw_module.DUMMY_HASH
    assert dummy.startswith("$argon2id$")
    assert not needs_rehash(dummy)
    assert dummy == pw_module.DUMMY_HASH  # made once
    try:
        configure_hasher(time_cost=2, memory_cost=1024, parallelism=1)
        assert dummy != pw_module.DUMMY_HASH
        assert not needs_rehash(pw_module.DUMMY_HASH)
    finally:
        configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.raises(AttributeError):
        _ = pw_module.NO_SUCH_THING  # type: ignore[attr-defined]


class _CountingHasher:
    """Wraps a PasswordHasher and counts verify() calls."""

    def __init__(self, inner: argon2.PasswordHasher) -> None:
        self.inner = inner
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        return self.inner.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        self.verified.append(stored)
        return self.inner.verify(stored, password)

    def check_needs_rehash(self, stored: str) -> bool:
        return self.inner.check_needs_rehash(stored)


@pytest.mark.parametrize("password", [GOOD, "", "x" * 50, None])
def test_burn_verify_does_a_real_argon2_verification(
    monkeypatch: pytest.MonkeyPatch, password: Any
) -> None:
    counting = _CountingHasher(pw_module._hasher)
    monkeypatch.setattr(pw_module, "_hasher", counting)
    monkeypatch.setattr(pw_module, "_dummy_hash", None)
    assert burn_verify(password) is False
    assert len(counting.verified) == 1
    assert counting.verified[0].startswith("$argon2id$")


def test_burn_verify_is_false_even_for_the_dummy_secret_text() -> None:
    assert burn_verify(pw_module.DUMMY_HASH) is False


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=12, max_size=40), st.text(min_size=1, max_size=40))
def test_random_strings_never_verify_against_another_password(a: str, b: str) -> None:
    assume(unicodedata.normalize("NFKC", a) != unicodedata.normalize("NFKC", b))
    assume(len(unicodedata.normalize("NFKC", a)) >= 12)
    stored = hash_password(a)
    assert not verify_password(stored, b)
    assert verify_password(stored, a)
