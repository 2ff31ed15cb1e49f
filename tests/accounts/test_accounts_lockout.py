"""Lock-out counted per username and client address, the per-user cap across addresses, and
``users unlock``: someone guessing from one address cannot lock the user out from another,
a distributed attack is still stopped, and an Admin ends a lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from surveylab.auth import AuthenticationError, PermissionDenied
from surveylab.models.records import LoginAttempt
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
from surveylab.services.accounts import LOCAL, LOGIN_FAILED, client_key, lock_state
from surveylab.services.common import NotFound, ServiceError
from surveylab.session import Session

ATTACKER = "203.0.113.66"
USER_DESK = "198.51.100.7"


def _fail(settings, username: str, address: str | None, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationError, match=LOGIN_FAILED):
            accounts.login(UnitOfWork(settings), username, "a-wrong-guess", address)


def _ok(settings, username: str, password: str, address: str | None):
    return accounts.login(UnitOfWork(settings), username, password, address)


def test_failures_from_one_address_lock_that_address_only(settings, people, pw, audit):
    _fail(settings, "admin", ATTACKER, times=5)
    # the attacker is locked out even with the right password ...
    with pytest.raises(AuthenticationError, match=LOGIN_FAILED):
        _ok(settings, "admin", pw("admin"), ATTACKER)
    # ... the Admin at their own desk, the command line and a caller of unknown address are not
    assert _ok(settings, "admin", pw("admin"), USER_DESK)
    assert _ok(settings, "admin", pw("admin"), LOCAL)
    assert _ok(settings, "admin", pw("admin"), None)
    (started,) = audit(action="login lock-out", outcome="locked")
    assert started.detail == (
        f"5 failures from {ATTACKER} within 15 min: username locked for that address for 15 min"
    )
    (refused,) = audit(action="login", outcome="locked")
    assert "for this address" in refused.detail and ATTACKER in refused.detail
    failed = audit(action="login", outcome="failed")
    assert len(failed) == 5 and all(e.detail == f"wrong password (from {ATTACKER})" for e in failed)


def test_unknown_addresses_share_one_count(settings, people, pw):
    _fail(settings, "viewer", None, times=5)
    with pytest.raises(AuthenticationError):
        _ok(settings, "viewer", pw("viewer"), None)
    assert _ok(settings, "viewer", pw("viewer"), USER_DESK)


def test_a_distributed_attack_locks_every_address_but_the_command_line(
    make_settings, people_in, audit_of
):
    settings = make_settings(SURVEYLAB_LOGIN_MAX_FAILURES_PER_USER="12")
    people_in(settings)
    # 4 failures from each of 3 addresses: no address reaches 5, the user reaches 12
    for i in range(3):
        _fail(settings, "admin", f"192.0.2.{i + 1}", times=4)
    with pytest.raises(AuthenticationError):
        _ok(settings, "admin", "admin-password-123", USER_DESK)  # a fresh address
    with pytest.raises(AuthenticationError):
        _ok(settings, "admin", "admin-password-123", None)
    assert _ok(settings, "admin", "admin-password-123", LOCAL)  # someone with the database
    (started,) = audit_of(settings, "login lock-out")
    assert started.detail == (
        "12 failures from 3 address(es) within 15 min: username locked for every address but "
        "the command line for 15 min"
    )
    # a success does not reset the per-user count
    with pytest.raises(AuthenticationError):
        _ok(settings, "admin", "admin-password-123", "192.0.2.200")


def test_a_success_from_an_address_starts_its_count_again(settings, people, pw):
    _fail(settings, "engineer", ATTACKER, times=4)
    _ok(settings, "engineer", pw("engineer"), ATTACKER)
    _fail(settings, "engineer", ATTACKER, times=4)
    assert _ok(settings, "engineer", pw("engineer"), ATTACKER)
    # a success from another address does not reset this one's count
    _fail(settings, "engineer", ATTACKER, times=4)
    _ok(settings, "engineer", pw("engineer"), USER_DESK)
    _fail(settings, "engineer", ATTACKER)
    with pytest.raises(AuthenticationError):
        _ok(settings, "engineer", pw("engineer"), ATTACKER)


def test_ipv6_addresses_count_per_64_network(settings, people, pw):
    for host in range(1, 6):
        _fail(settings, "surveyor", f"2001:db8:1:2::{host:x}")
    with pytest.raises(AuthenticationError):
        _ok(settings, "surveyor", pw("surveyor"), "2001:db8:1:2:ffff::1")
    assert _ok(settings, "surveyor", pw("surveyor"), "2001:db8:1:3::1")


@pytest.mark.parametrize(
    ("given_address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1 ", "192.0.2.1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:DB8:0:0:1::9", "2001:db8::/64"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64"),
        (LOCAL, LOCAL),
        (None, None),
    ],
)
def test_client_keys(given_address, key):
    assert client_key(given_address) == key


@pytest.mark.parametrize("bad", ["", "localhost", "192.0.2.300", "1.2.3.4; DROP TABLE", "x" * 80])
def test_a_malformed_client_address_is_refused(settings, people, pw, bad):
    with pytest.raises(ServiceError, match="not an IP address"):
        accounts.login(UnitOfWork(settings), "viewer", pw("viewer"), bad)


def test_the_session_and_the_command_line_pass_their_address(settings, people, pw, audit):
    _fail(settings, "viewer", ATTACKER, times=5)
    with pytest.raises(AuthenticationError):
        Session.login("viewer", pw("viewer"), settings, client_address=ATTACKER)
    with Session.login_kept_open(
        "viewer", pw("viewer"), settings, client_address=USER_DESK
    ) as session:
        assert session.actor.username == "viewer"


# ------------------------------------------------------------------- unlock
def test_an_admin_unlocks_a_user_and_it_is_audited(settings, people, pw, audit):
    _fail(settings, "engineer", ATTACKER, times=5)
    _fail(settings, "engineer", None, times=5)
    with pytest.raises(AuthenticationError):
        _ok(settings, "engineer", pw("engineer"), ATTACKER)
    assert accounts.unlock(UnitOfWork(settings), people["admin"], "ENGINEER") == 10
    assert _ok(settings, "engineer", pw("engineer"), ATTACKER)
    assert _ok(settings, "engineer", pw("engineer"), None)
    (event,) = audit(action="unlock user", outcome="ok")
    assert event.actor_name == "admin" and event.target_id == str(people["engineer"].id)
    assert event.detail == "10 failed login(s) forgotten"
    # the failures stay in the audit log
    assert len(audit(action="login", outcome="failed")) == 10


@pytest.mark.parametrize("who", ["engineer", "surveyor", "viewer"])
def test_only_an_admin_unlocks_and_refusals_are_audited(settings, people, pw, audit, who):
    _fail(settings, "viewer", ATTACKER, times=5)
    with pytest.raises(PermissionDenied):
        accounts.unlock(UnitOfWork(settings), people[who], "viewer")
    with pytest.raises(AuthenticationError):
        accounts.unlock(UnitOfWork(settings), None, "viewer")
    with pytest.raises(AuthenticationError):
        _ok(settings, "viewer", pw("viewer"), ATTACKER)  # still locked
    denied = audit(action="unlock users", outcome="denied")
    assert [e.actor_name for e in denied] == [None, who]


def test_unlocking_an_unknown_user_says_so(settings, people):
    with pytest.raises(NotFound, match="unknown user 'nobody'"):
        accounts.unlock(UnitOfWork(settings), people["admin"], "nobody")


# ------------------------------------------------------------------- the rule itself
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
ADDRESSES = st.sampled_from(["192.0.2.1", "192.0.2.2", "2001:db8::/64", LOCAL, None])


@st.composite
def histories(draw):
    """Attempts within the last 30 min, oldest first."""
    offsets = draw(st.lists(st.integers(0, 1800), max_size=40))
    attempts = [
        LoginAttempt(NOW - timedelta(seconds=s), draw(st.booleans()), draw(ADDRESSES))
        for s in sorted(offsets, reverse=True)
    ]
    return attempts


@hsettings(max_examples=300, deadline=None)
@given(attempts=histories(), address=ADDRESSES)
def test_a_lock_is_caused_by_the_failures_it_claims(attempts, address):
    lock = lock_state(
        attempts,
        address,
        max_failures=3,
        max_failures_per_user=7,
        window=WINDOW,
        now=NOW,
    )
    mine = [a for a in attempts if a.client_address == address and not a.success]
    everyone = [a for a in attempts if not a.success]
    if lock is None:
        return
    assert NOW < lock.until <= NOW + WINDOW
    if lock.scope == "address":
        # at least 3 failures from this very address, within one window, not followed by a
        # success from it
        assert len(mine) >= 3
        last_ok = max(
            (a.attempted_at for a in attempts if a.client_address == address and a.success),
            default=None,
        )
        counted = [a for a in mine if last_ok is None or a.attempted_at > last_ok]
        assert len(counted) >= 3
    else:
        assert address != LOCAL  # the command line is never locked by other addresses
        assert len(everyone) >= 7


@hsettings(max_examples=200, deadline=None)
@given(attempts=histories())
def test_other_addresses_alone_never_lock_an_address_below_the_cap(attempts):
    """Failures from every other address, fewer than the per-user cap, never lock mine."""
    others = [a for a in attempts if a.client_address != USER_DESK][:6]
    assert (
        lock_state(
            others,
            USER_DESK,
            max_failures=3,
            max_failures_per_user=7,
            window=WINDOW,
            now=NOW,
        )
        is None
    )
