"""Logins that end: a password, role or active-flag change ends every login of the user at once;
a rotated-out refresh token presented again ends its whole login; no login outlives
``SURVEYLAB_SESSION_DAYS``; logout ends one login (service, session and ``surveylab logout``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from surveylab import auth
from surveylab.auth import AuthenticationError
from surveylab.db import tables as t
from surveylab.models import Role
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
from surveylab.session import Session


def _change_password(settings, people, pw) -> None:
    accounts.change_password(UnitOfWork(settings), people["admin"], "engineer", "new-password-42")


def _deactivate(settings, people, pw) -> None:
    accounts.deactivate(UnitOfWork(settings), people["admin"], "engineer")


def _demote(settings, people, pw) -> None:
    accounts.set_role(UnitOfWork(settings), people["admin"], "engineer", Role.VIEWER)


def _promote(settings, people, pw) -> None:
    accounts.set_role(UnitOfWork(settings), people["admin"], "engineer", Role.ADMIN)


def _own_password(settings, people, pw) -> None:
    accounts.change_password(UnitOfWork(settings), people["engineer"], "engineer", "mine-now-4242")


CHANGES: dict[str, Callable[..., None]] = {
    "password changed by an Admin": _change_password,
    "own password changed": _own_password,
    "deactivated": _deactivate,
    "demoted": _demote,
    "promoted": _promote,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_token_issued_before_the_change_is_refused_at_once(
    settings, people, pw, audit, change
):
    logins = [accounts.login(UnitOfWork(settings), "engineer", pw("engineer")) for _ in range(2)]
    rotated = accounts.refresh(UnitOfWork(settings), logins[1].refresh)
    bystander = accounts.login(UnitOfWork(settings), "surveyor", pw("surveyor"))
    CHANGES[change](settings, people, pw)
    for pair in (logins[0], rotated):
        with pytest.raises(AuthenticationError, match="not authenticated"):
            accounts.authenticate(UnitOfWork(settings), pair.access)
        with pytest.raises(AuthenticationError, match="not authenticated"):
            accounts.refresh(UnitOfWork(settings), pair.refresh)
    # the refusals are audited, and nobody else lost anything
    refused = audit(action="authenticate", outcome="denied")
    assert len(refused) == 2 and {e.actor_id for e in refused} == {people["engineer"].id}
    assert len(audit(action="refresh token", outcome="denied")) == 2
    assert accounts.authenticate(UnitOfWork(settings), bystander.access) == people["surveyor"]
    with UnitOfWork(settings) as u:
        user = u.users.by_username("engineer")
        assert user is not None and user.token_generation == 1
        families = u.users.conn.execute(
            sa.select(t.token_families.c.revoked_reason).where(
                t.token_families.c.user_id == user.id
            )
        ).all()
    assert len(families) == 2 and all(r[0] for r in families)


@pytest.mark.parametrize("change", ["password changed by an Admin", "promoted"])
def test_a_new_login_after_the_change_works(settings, people, pw, change):
    CHANGES[change](settings, people, pw)
    password = "new-password-42" if "password" in change else pw("engineer")
    pair = accounts.login(UnitOfWork(settings), "engineer", password)
    actor = accounts.authenticate(UnitOfWork(settings), pair.access)
    assert actor.id == people["engineer"].id
    assert accounts.refresh(UnitOfWork(settings), pair.refresh).sid == pair.sid


def test_setting_the_same_role_again_ends_nothing(settings, people, pw):
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    accounts.set_role(UnitOfWork(settings), people["admin"], "engineer", Role.ENGINEER)
    assert accounts.authenticate(UnitOfWork(settings), pair.access) == people["engineer"]


def test_a_token_carrying_an_older_generation_is_refused(settings, people, pw):
    """The generation in the token is what is compared: a token signed with the right secret,
    of a live login, but of the generation before a change, is refused."""
    pair = accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))
    config = accounts.token_config(settings)
    with UnitOfWork(settings) as u:
        u.users.end_sessions(people["viewer"].id)  # generation 1, login not revoked
        u.commit()
    old = auth.issue_token(
        config, user_id=people["viewer"].id, role=Role.VIEWER, token_type="access", sid=pair.sid
    ).token
    current = auth.issue_token(
        config,
        user_id=people["viewer"].id,
        role=Role.VIEWER,
        token_type="access",
        sid=pair.sid,
        gen=1,
    ).token
    with pytest.raises(AuthenticationError, match="session ended"):
        accounts.authenticate(UnitOfWork(settings), old)
    assert accounts.authenticate(UnitOfWork(settings), current) == people["viewer"]


def test_a_session_changing_its_own_password_goes_on_and_the_others_end(settings, people, pw):
    mine = Session.login("surveyor", pw("surveyor"), settings)
    elsewhere = Session.login("surveyor", pw("surveyor"), settings)
    mine.change_password("a-brand-new-password")
    assert mine.actor == people["surveyor"]
    with pytest.raises(AuthenticationError, match="session ended"):
        elsewhere.actor  # noqa: B018
    with pytest.raises(AuthenticationError):
        Session.login("surveyor", pw("surveyor"), settings)
    mine.refresh()
    assert mine.actor == people["surveyor"]


# ------------------------------------------------------------------- refresh token reuse
def test_a_rotated_out_refresh_token_presented_again_ends_the_whole_login(
    settings, people, pw, audit
):
    first = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    second = accounts.refresh(UnitOfWork(settings), first.refresh)
    third = accounts.refresh(UnitOfWork(settings), second.refresh)
    other_login = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    assert accounts.authenticate(UnitOfWork(settings), third.access) == people["engineer"]

    # someone replays the first refresh token (stolen before it was rotated)
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), first.refresh)
    # every token of that login is dead now: the newest pair too
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate(UnitOfWork(settings), third.access)
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), third.refresh)
    # another login of the same user goes on
    assert accounts.authenticate(UnitOfWork(settings), other_login.access) == people["engineer"]
    assert accounts.refresh(UnitOfWork(settings), other_login.refresh)

    (reuse,) = [e for e in audit(action="refresh token", outcome="denied") if "again" in e.detail]
    assert reuse.actor_id == people["engineer"].id
    assert "rotated-out refresh token was presented again" in reuse.detail
    with UnitOfWork(settings) as u:
        family = u.tokens.family(first.sid)
        assert family is not None and family.revoked_reason == "refresh token reused"
        assert u.tokens.family(other_login.sid).revoked_at is None  # type: ignore[union-attr]


def test_reuse_of_a_token_also_ends_the_login_on_a_second_use_of_the_newest(settings, people, pw):
    """The legitimate client's next refresh after the thief's (or the other way round) is the
    reuse: whoever comes second ends the login for both."""
    pair = accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))
    thief = accounts.refresh(UnitOfWork(settings), pair.refresh)
    with pytest.raises(AuthenticationError):
        accounts.refresh(UnitOfWork(settings), pair.refresh)  # the owner, too late
    with pytest.raises(AuthenticationError):
        accounts.authenticate(UnitOfWork(settings), thief.access)


# ------------------------------------------------------------------- absolute lifetime
def _expire_family(settings, sid, when: datetime) -> None:
    with UnitOfWork(settings) as u:
        u.users.conn.execute(
            t.token_families.update().where(t.token_families.c.id == sid).values(expires_at=when)
        )
        u.commit()


def test_no_token_expires_after_the_end_of_the_session(make_settings):
    settings = make_settings(SURVEYLAB_SESSION_DAYS="1", SURVEYLAB_REFRESH_HOURS="30")
    accounts.ensure_user(UnitOfWork(settings), "engineer", "engineer-password-123", Role.ENGINEER)
    pair = accounts.login(UnitOfWork(settings), "engineer", "engineer-password-123")
    with UnitOfWork(settings) as u:
        family = u.tokens.family(pair.sid)
    assert family is not None
    end = family.expires_at
    assert timedelta(hours=23, minutes=59) < end - family.started_at <= timedelta(days=1)
    # the refresh token would live 30 h; the session ends after 24 h
    assert pair.refresh_expires_at == end.replace(microsecond=0)
    for _ in range(3):
        pair = accounts.refresh(UnitOfWork(settings), pair.refresh)
        assert pair.refresh_expires_at <= end and pair.access_expires_at <= end
    with UnitOfWork(settings) as u:
        assert u.tokens.family(pair.sid).expires_at == end  # type: ignore[union-attr]


def test_a_session_past_its_end_refreshes_no_more(settings, people, pw, audit):
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    pair = accounts.refresh(UnitOfWork(settings), pair.refresh)
    _expire_family(settings, pair.sid, datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(AuthenticationError, match="session expired"):
        accounts.refresh(UnitOfWork(settings), pair.refresh)
    with pytest.raises(AuthenticationError, match="session expired"):
        accounts.authenticate(UnitOfWork(settings), pair.access)
    assert audit(action="refresh token", outcome="denied")[0].detail.startswith(
        "not authenticated: the session expired"
    )
    # logging in again starts a new session
    again = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    assert accounts.authenticate(UnitOfWork(settings), again.access) == people["engineer"]


def test_the_session_lifetime_is_configurable_and_checked(make_settings):
    from surveylab.config import ConfigError, load_settings

    assert make_settings(SURVEYLAB_SESSION_DAYS="3").session_days == 3
    assert load_settings({"SURVEYLAB_DATA_DIR": "/tmp/x"}).session_days == 7
    with pytest.raises(ConfigError, match="SURVEYLAB_SESSION_DAYS"):
        load_settings({"SURVEYLAB_DATA_DIR": "/tmp/x", "SURVEYLAB_SESSION_DAYS": "0"})


# ------------------------------------------------------------------- logout
def test_logout_with_the_access_token_alone_ends_the_login(settings, people, pw, audit):
    pair = accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))
    other = accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))
    accounts.logout(UnitOfWork(settings), None, pair.access)
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate(UnitOfWork(settings), pair.access)
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), pair.refresh)
    assert accounts.authenticate(UnitOfWork(settings), other.access) == people["viewer"]
    (event,) = audit(action="logout", outcome="ok")
    assert event.actor_id == people["viewer"].id and event.detail is None


def test_logout_with_an_expired_access_token_still_ends_the_login(settings, people, pw):
    """The refresh token of a login outlives its access token: logging out with the expired
    access token (all the command line holds) must end the login anyway."""
    pair = accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))
    expired = auth.issue_token(
        accounts.token_config(settings),
        user_id=people["viewer"].id,
        role=Role.VIEWER,
        token_type="access",
        sid=pair.sid,
        now=datetime.now(UTC) - timedelta(hours=1),
    ).token
    with pytest.raises(AuthenticationError, match="token expired"):
        accounts.authenticate(UnitOfWork(settings), expired)
    accounts.logout(UnitOfWork(settings), None, expired)
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), pair.refresh)


def test_logout_needs_a_token(settings, people):
    with pytest.raises(AuthenticationError, match="not authenticated"):
        accounts.logout(UnitOfWork(settings), None, None)
