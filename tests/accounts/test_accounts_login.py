"""Login: success, one message for every failure, lock-out, audit, rehash, timing, no leaks."""

from __future__ import annotations

import logging
import statistics
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveylab import auth
from surveylab.auth import AuthenticationError, configure_hasher
from surveylab.db import tables as t
from surveylab.models import Role
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
from surveylab.services.accounts import LOGIN_FAILED


def _failed_message(settings, username: str, password: str) -> str:
    with pytest.raises(AuthenticationError) as exc:
        accounts.login(UnitOfWork(settings), username, password)
    return str(exc.value)


def _age_login_attempts(settings, minutes: float) -> None:
    """Move every recorded login attempt ``minutes`` into the past (instead of waiting)."""
    with UnitOfWork(settings) as u:
        rows = u.logins.conn.execute(
            sa.select(t.login_attempts.c.id, t.login_attempts.c.attempted_at)
        )
        for row_id, at in list(rows):
            u.logins.conn.execute(
                t.login_attempts.update()
                .where(t.login_attempts.c.id == row_id)
                .values(attempted_at=at - timedelta(minutes=minutes))
            )
        u.commit()


def test_login_issues_tokens_for_the_user_with_the_configured_lifetimes(settings, people, pw):
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    config = accounts.token_config(settings)
    access = auth.decode_token(config, pair.access, expected_type="access")
    refresh = auth.decode_token(config, pair.refresh, expected_type="refresh")
    assert access.sub == refresh.sub == people["engineer"].id
    assert access.role is Role.ENGINEER
    assert access.exp - access.iat == timedelta(minutes=15)
    assert refresh.exp - refresh.iat == timedelta(hours=8)
    assert pair.refresh_jti == refresh.jti != access.jti
    assert accounts.authenticate(UnitOfWork(settings), pair.access) == people["engineer"]


def test_login_ignores_the_case_of_the_username(settings, people, pw):
    pair = accounts.login(UnitOfWork(settings), "EnGiNeEr", pw("engineer"))
    assert accounts.authenticate(UnitOfWork(settings), pair.access).username == "engineer"


def test_every_failure_says_the_same_thing(make_settings, pw):
    s = make_settings(SURVEYLAB_LOGIN_MAX_FAILURES="3")
    for name, role in (("alice", Role.ENGINEER), ("bob", Role.VIEWER), ("carol", Role.SURVEYOR)):
        accounts.ensure_user(UnitOfWork(s), name, pw(name), role)
    with UnitOfWork(s) as u:
        u.users.update(u.users.by_username("bob").id, is_active=False)
        u.commit()
    messages = {
        "unknown user": _failed_message(s, "nobody", pw("alice")),
        "wrong password": _failed_message(s, "alice", "not-the-password-at-all"),
        "inactive user (right password)": _failed_message(s, "bob", pw("bob")),
        "odd username": _failed_message(s, "a\x00b c", "whatever-password"),
    }
    for _ in range(3):
        _failed_message(s, "carol", "wrong-wrong-wrong")
    messages["locked user (right password)"] = _failed_message(s, "carol", pw("carol"))
    assert set(messages.values()) == {LOGIN_FAILED}, messages


def test_lock_out_after_five_failures_within_the_window_and_the_audit(settings, people, pw, audit):
    accounts.login(UnitOfWork(settings), "surveyor", pw("surveyor"))
    for _ in range(5):
        _failed_message(settings, "surveyor", "wrong-password-guess")
    # the right password is refused now, with the same message
    assert _failed_message(settings, "surveyor", pw("surveyor")) == LOGIN_FAILED
    # other usernames are not affected
    accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))

    ok = [e for e in audit(action="login", outcome="ok") if e.actor_name == "surveyor"]
    failed = [e for e in audit(action="login", outcome="failed") if e.actor_name == "surveyor"]
    locked = [e for e in audit(action="login", outcome="locked") if e.actor_name == "surveyor"]
    started = audit(action="login lock-out", outcome="locked")
    assert len(ok) == 1 and ok[0].actor_id == people["surveyor"].id
    assert len(failed) == 5 and all(e.detail == "wrong password" for e in failed)
    assert len(locked) == 1
    assert len(started) == 1 and started[0].actor_name == "surveyor"


def test_the_lock_applies_to_every_spelling_of_the_username(settings, people, pw):
    for spelling in ("SURVEYOR", "Surveyor", "surveyor", "sUrveyor", "SurVeyor"):
        _failed_message(settings, spelling, "wrong-password-guess")
    assert _failed_message(settings, "surveyor", pw("surveyor")) == LOGIN_FAILED


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(settings, people, pw):
    for _ in range(2):
        for _ in range(4):
            _failed_message(settings, "viewer", "wrong-password-guess")
        accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))


def test_lock_ends_after_the_lock_minutes(settings, people, pw):
    for _ in range(5):
        _failed_message(settings, "viewer", "wrong-password-guess")
    _age_login_attempts(settings, 14)
    assert _failed_message(settings, "viewer", pw("viewer")) == LOGIN_FAILED  # still locked
    _age_login_attempts(settings, 2)
    accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))


def test_attempts_while_locked_do_not_extend_the_lock(settings, people, pw):
    for _ in range(5):
        _failed_message(settings, "viewer", "wrong-password-guess")
    _age_login_attempts(settings, 10)
    for _ in range(5):  # someone keeps trying while the username is locked
        _failed_message(settings, "viewer", "wrong-password-guess")
    _age_login_attempts(settings, 6)
    accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))


def test_failures_spread_wider_than_the_window_do_not_lock(settings, people, pw):
    for _ in range(4):
        _failed_message(settings, "viewer", "wrong-password-guess")
    _age_login_attempts(settings, 16)
    for _ in range(4):
        _failed_message(settings, "viewer", "wrong-password-guess")
    accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))


def test_lock_out_threshold_and_duration_are_configurable(make_settings, pw, audit):
    s = make_settings(SURVEYLAB_LOGIN_MAX_FAILURES="2", SURVEYLAB_LOGIN_LOCK_MINUTES="3")
    accounts.ensure_user(UnitOfWork(s), "dave", pw("dave"), Role.ENGINEER)
    _failed_message(s, "dave", "wrong-password-guess")
    accounts.login(UnitOfWork(s), "dave", pw("dave"))  # one failure: not locked
    _failed_message(s, "dave", "wrong-password-guess")
    _failed_message(s, "dave", "wrong-password-guess")
    assert _failed_message(s, "dave", pw("dave")) == LOGIN_FAILED
    _age_login_attempts(s, 3.5)
    accounts.login(UnitOfWork(s), "dave", pw("dave"))


def test_unknown_usernames_are_throttled_and_audited_too(settings, people, audit):
    for _ in range(6):
        _failed_message(settings, "mallory", "guess-guess-guess")
    failed = [e for e in audit(action="login", outcome="failed") if e.actor_name == "mallory"]
    assert len(failed) == 5 and all(
        e.detail == "unknown user" and e.actor_id is None for e in failed
    )
    assert any(e.actor_name == "mallory" for e in audit(action="login", outcome="locked"))


def test_a_password_hashed_with_other_parameters_is_rehashed_at_login(settings, people, pw):
    with UnitOfWork(settings) as u:
        before = u.users.by_username("engineer").password_hash
    assert not auth.needs_rehash(before)
    configure_hasher(time_cost=2, memory_cost=2048, parallelism=1)
    try:
        assert auth.needs_rehash(before)
        accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
        with UnitOfWork(settings) as u:
            after = u.users.by_username("engineer").password_hash
        assert after != before
        assert "m=2048,t=2,p=1" in after
        assert not auth.needs_rehash(after)
        assert auth.verify_password(after, pw("engineer"))
        # a failed login does not touch the hash
        _failed_message(settings, "viewer", "wrong-password-guess")
        with UnitOfWork(settings) as u:
            assert not u.users.by_username("viewer").password_hash.startswith(
                "$argon2id$v=19$m=2048"
            )
    finally:
        configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_passwords_appear_in_no_exception_audit_detail_or_log(settings, people, pw, audit, caplog):
    caplog.set_level(logging.DEBUG)
    secret_wrong = "Wr0ng-Secret-Guess-7731"
    secret_short = "Sh0rt-77"
    secret_new = "N3w-Long-Password-9911"
    seen: list[str] = []
    for call in (
        lambda: accounts.login(UnitOfWork(settings), "engineer", secret_wrong),
        lambda: accounts.login(UnitOfWork(settings), "ghost", secret_wrong),
        lambda: accounts.add_user(
            UnitOfWork(settings), people["admin"], "newbie", secret_short, Role.VIEWER
        ),
        lambda: accounts.add_user(
            UnitOfWork(settings), people["viewer"], "newbie", secret_new, Role.VIEWER
        ),
        lambda: accounts.bootstrap_admin(UnitOfWork(settings), "root2", secret_new),
        lambda: accounts.change_password(
            UnitOfWork(settings), people["viewer"], "viewer", secret_short
        ),
        lambda: accounts.add_user(
            UnitOfWork(settings), people["admin"], "odd", "x\ud800" * 10, Role.VIEWER
        ),
    ):
        with pytest.raises(auth.AuthError) as exc:
            call()
        chain: BaseException | None = exc.value
        while chain is not None:  # the whole chain, also what ``from None`` only hides
            seen += [str(chain), repr(chain), repr(chain.args)]
            chain = chain.__cause__ or chain.__context__
    accounts.change_password(UnitOfWork(settings), people["viewer"], "viewer", secret_new)
    accounts.login(UnitOfWork(settings), "viewer", secret_new)
    seen += [f"{e.action} {e.detail} {e.actor_name}" for e in audit()]
    seen += [r.getMessage() for r in caplog.records]
    seen.append(caplog.text)
    for secret in (secret_wrong, secret_short, secret_new, "\ud800"):
        assert not any(secret in text for text in seen), secret


def test_login_refuses_the_sentinel_inputs_without_crashing(settings, people):
    long_name = "ß" * 150  # 150 characters, 300 once case-folded: longer than any username
    for username, password in (
        (long_name, "password-password"),
        ("x" * 10_000, "password-password"),
        ("engineer", "p" * 100_000),
        ("", ""),
        ("engineer\x00", "engineer-password-123"),
        ("\ud800", "\ud800"),
    ):
        assert _failed_message(settings, username, password) == LOGIN_FAILED


@pytest.mark.slow
def test_unknown_username_and_wrong_password_take_similar_time(duckdb_settings):
    """No user enumeration by timing: with the production argon2id parameters, the median time
    of a login with an unknown username is within a factor 2 of a wrong password's. (A security
    property, not a speed target; the database backend plays no part, so DuckDB only.)"""
    settings = duckdb_settings
    configure_hasher()  # the real default parameters
    try:
        accounts.ensure_user(UnitOfWork(settings), "timed", "timed-password-123", Role.VIEWER)
        with UnitOfWork(settings) as u:
            assert not auth.needs_rehash(u.users.by_username("timed").password_hash)
        unknown: list[float] = []
        wrong: list[float] = []
        # warm-up (dummy hash, connection set-up), then interleaved measurements
        _failed_message(settings, "nobody-0", "wrong-password-guess")
        _failed_message(settings, "timed", "wrong-password-guess")
        for i in range(10):
            for name, bucket in ((f"nobody-{i + 1}", unknown), ("timed", wrong)):
                with UnitOfWork(settings) as u:  # stay below the lock-out of 5 failures
                    u.logins.conn.execute(t.login_attempts.delete())
                    u.commit()
                start = time.perf_counter()
                _failed_message(settings, name, f"wrong-password-guess-{i}")
                bucket.append(time.perf_counter() - start)
        ratio = statistics.median(unknown) / statistics.median(wrong)
        assert 0.5 < ratio < 2.0, (ratio, unknown, wrong)
    finally:
        configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
