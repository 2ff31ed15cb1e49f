"""Tokens as an attacker would try them: forged, tampered, expired, revoked, of the wrong kind or
of a user who lost their rights. Every refusal is audited and changes no data."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from surveylab import auth
from surveylab.auth import AuthenticationError, PermissionDenied
from surveylab.db import tables as t
from surveylab.demo import vendor_csv, well_profile
from surveylab.models import Role
from surveylab.repositories import TokenRepository, UnitOfWork
from surveylab.services import accounts, runs
from surveylab.session import Session

OTHER_SECRET = "an-entirely-different-secret-of-enough-length-42"


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _payload(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _run_count(settings) -> int:
    with UnitOfWork(settings) as u:
        return len(u.runs.list())


def _denials(settings) -> int:
    with UnitOfWork(settings) as u:
        return len(u.audit.list(action="authenticate", outcome="denied"))


@pytest.fixture
def viewer_pair(settings, people, pw):
    return accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))


def _forgeries(settings, people, token: str) -> dict[str, str]:
    """Every kind of bad access token, built from a genuine Viewer token ``token``."""
    config = accounts.token_config(settings)
    header, body, signature = token.split(".")
    claims = _payload(token)
    now = datetime.now(UTC)
    as_admin = {**claims, "role": "Admin"}
    as_other = {**claims, "sub": str(people["admin"].id)}
    expired = auth.issue_token(
        config,
        user_id=people["viewer"].id,
        role=Role.VIEWER,
        token_type="access",
        now=now - timedelta(minutes=16),
    ).token
    refresh = auth.issue_token(
        config, user_id=people["viewer"].id, role=Role.VIEWER, token_type="refresh"
    ).token
    too_long = {**claims, "exp": claims["iat"] + 24 * 3600}
    return {
        "role raised, original signature": f"{header}.{_b64(as_admin)}.{signature}",
        "sub changed, original signature": f"{header}.{_b64(as_other)}.{signature}",
        "signed with another secret": jwt.encode(as_admin, OTHER_SECRET, algorithm="HS256"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(as_admin)}.",
        "alg none, signature kept": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{body}.{signature}",
        "another HMAC algorithm": jwt.encode(claims, config.secret + "x" * 20, algorithm="HS512"),
        "expired": expired,
        "refresh token used as access token": refresh,
        "lifetime longer than configured": jwt.encode(too_long, config.secret, algorithm="HS256"),
        "wrong audience": jwt.encode({**claims, "aud": "other"}, config.secret, "HS256"),
        "wrong issuer": jwt.encode({**claims, "iss": "other"}, config.secret, "HS256"),
        "no exp claim": jwt.encode(
            {k: v for k, v in claims.items() if k != "exp"}, config.secret, "HS256"
        ),
        "signature stripped": f"{header}.{body}.",
        "garbage": "not.a.token",
        "empty": "",
    }


def test_a_genuine_token_authenticates(settings, people, viewer_pair):
    actor = accounts.authenticate(UnitOfWork(settings), viewer_pair.access)
    assert actor == people["viewer"]


def test_every_forged_token_is_refused_audited_and_changes_nothing(settings, people, viewer_pair):
    forged = _forgeries(settings, people, viewer_pair.access)
    runs_before = _run_count(settings)
    for kind, token in forged.items():
        denials = _denials(settings)
        with pytest.raises(AuthenticationError) as exc:
            accounts.authenticate(UnitOfWork(settings), token)
        assert _denials(settings) == denials + 1, kind
        if token:
            assert token not in str(exc.value) and token not in repr(exc.value), kind
        # the same token on a write through a session: refused before any data changes
        with pytest.raises(AuthenticationError):
            Session(token, settings).create_run(f"F-{kind[:20]}", f"forged {kind}")
    assert _run_count(settings) == runs_before


def test_refusal_reasons_name_the_kind_of_failure_but_not_the_token(settings, people, viewer_pair):
    forged = _forgeries(settings, people, viewer_pair.access)
    reasons = {}
    for kind in ("expired", "refresh token used as access token", "alg none", "empty"):
        with pytest.raises(AuthenticationError) as exc:
            accounts.authenticate(UnitOfWork(settings), forged[kind])
        reasons[kind] = exc.value.reason
    assert reasons == {
        "expired": "token expired",
        "refresh token used as access token": "wrong token type",
        "alg none": "invalid token",
        "empty": "not authenticated",
    }


def test_the_role_comes_from_the_database_not_from_the_token(settings, people, viewer_pair):
    """Even a correctly signed token of a live login claiming Admin gives a Viewer no more
    than Viewer rights."""
    config = accounts.token_config(settings)
    claiming_admin = auth.issue_token(
        config,
        user_id=people["viewer"].id,
        role=Role.ADMIN,
        token_type="access",
        sid=viewer_pair.sid,
    ).token
    actor = accounts.authenticate(UnitOfWork(settings), claiming_admin)
    assert actor.role is Role.VIEWER
    with pytest.raises(PermissionDenied):
        accounts.add_user(UnitOfWork(settings), actor, "sneaky", "sneaky-password-1", "Admin")
    with UnitOfWork(settings) as u:
        assert u.users.by_username("sneaky") is None


def test_a_token_of_a_deactivated_user_is_refused_at_once(settings, people, pw, audit):
    pair = accounts.login(UnitOfWork(settings), "surveyor", pw("surveyor"))
    session = Session(pair.access, settings, refresh_token=pair.refresh)
    session.create_run("D-1", "before deactivation")
    accounts.deactivate(UnitOfWork(settings), people["admin"], "surveyor")
    runs_before = _run_count(settings)
    with pytest.raises(AuthenticationError, match="inactive or gone"):
        session.create_run("D-2", "after deactivation")
    with pytest.raises(AuthenticationError):
        session.refresh()
    assert _run_count(settings) == runs_before
    denied = audit(action="authenticate", outcome="denied")
    assert denied[0].actor_id == people["surveyor"].id
    assert audit(action="refresh token", outcome="denied")


def test_a_token_of_a_deleted_user_is_refused(settings, people, pw):
    config = accounts.token_config(settings)
    ghost = auth.issue_token(
        config, user_id=uuid.uuid4(), role=Role.ADMIN, token_type="access"
    ).token
    with pytest.raises(AuthenticationError, match="inactive or gone"):
        accounts.authenticate(UnitOfWork(settings), ghost)
    accounts.ensure_user(UnitOfWork(settings), "leaver", pw("leaver"), Role.ENGINEER)
    pair = accounts.login(UnitOfWork(settings), "leaver", pw("leaver"))
    with UnitOfWork(settings) as u:
        u.users.conn.execute(sa.delete(t.users).where(t.users.c.username_key == "leaver"))
        u.commit()
    with pytest.raises(AuthenticationError, match="inactive or gone"):
        accounts.authenticate(UnitOfWork(settings), pair.access)


def test_a_demoted_users_tokens_stop_working_and_a_new_login_has_the_new_role(
    settings, people, pw, audit
):
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    actor = accounts.authenticate(UnitOfWork(settings), pair.access)
    runs.create_run(UnitOfWork(settings), actor, run_number="E-1", run_name="as engineer")
    accounts.set_role(UnitOfWork(settings), people["admin"], "engineer", Role.VIEWER)
    with pytest.raises(AuthenticationError, match="session ended"):
        accounts.authenticate(UnitOfWork(settings), pair.access)  # the very same token
    with pytest.raises(AuthenticationError, match="session ended"):
        Session(pair.access, settings).create_run("E-3", "through a session")
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), pair.refresh)
    # a new login has the new role only
    with pytest.raises(PermissionDenied, match="Viewer may not create runs"):
        runs.create_run(
            UnitOfWork(settings),
            accounts.authenticate(
                UnitOfWork(settings),
                accounts.login(UnitOfWork(settings), "engineer", pw("engineer")).access,
            ),
            run_number="E-2",
            run_name="as viewer",
        )
    with UnitOfWork(settings) as u:
        assert u.runs.by_number("E-1") is not None
        assert u.runs.by_number("E-2") is None and u.runs.by_number("E-3") is None
    assert sum(e.actor_name == "engineer" for e in audit("create runs", "denied")) == 1
    assert sum(e.actor_name == "engineer" for e in audit("authenticate", "denied")) == 2


def test_a_viewer_importing_a_survey_is_refused_and_nothing_is_stored(settings, people, pw, audit):
    runs.create_run(UnitOfWork(settings), people["engineer"], run_number="V-1", run_name="V one")
    session = Session.login("viewer", pw("viewer"), settings)
    content = vendor_csv(well_profile("J"), well="W", run="V-1", tool="MWD")
    with pytest.raises(PermissionDenied, match="Viewer may not"):
        session.import_file(content, "V-1", name="v.csv")
    with UnitOfWork(settings) as u:
        run = u.runs.by_number("V-1")
        assert run.current_survey_id is None and u.files.for_run(run.id) == []
    assert any(e.actor_name == "viewer" for e in audit(outcome="denied"))


def test_a_surveyor_deleting_another_users_run_is_refused(settings, people, pw, audit):
    runs.create_run(UnitOfWork(settings), people["surveyor2"], run_number="S-2", run_name="theirs")
    session = Session.login("surveyor", pw("surveyor"), settings)
    with pytest.raises(PermissionDenied, match="not the owner"):
        session.delete_run("S-2")
    with UnitOfWork(settings) as u:
        assert u.runs.by_number("S-2") is not None
    denied = audit(action="delete runs", outcome="denied")
    assert denied and denied[0].actor_name == "surveyor"


def test_refresh_rotates_and_the_old_refresh_token_is_refused(settings, people, pw, audit):
    first = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    second = accounts.refresh(UnitOfWork(settings), first.refresh)
    assert second.refresh != first.refresh and second.refresh_jti != first.refresh_jti
    assert accounts.authenticate(UnitOfWork(settings), second.access) == people["engineer"]
    third = accounts.refresh(UnitOfWork(settings), second.refresh)
    assert accounts.authenticate(UnitOfWork(settings), third.access) == people["engineer"]
    assert third.sid == second.sid == first.sid
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), first.refresh)
    assert len(audit(action="refresh token", outcome="ok")) == 2
    assert len(audit(action="refresh token", outcome="denied")) == 1


def test_two_refreshes_of_one_token_at_once_give_one_pair_then_end_the_login(
    settings, people, pw, audit, monkeypatch
):
    """A refresh token is single-use even when two requests bring it at once. Simulated: the
    other request runs to its commit after this one's transaction began and before it claims
    the token. Before the claim, PostgreSQL gave both a new pair and DuckDB a raw constraint
    error. The second use is a reuse (two parties hold the token): the whole login ends, the
    pair the first request got included (RFC 9700 section 4.14.2)."""
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    real = TokenRepository.claim
    others: list = []
    raced: list[bool] = []

    def racing(self, *args):
        if not raced:  # the first claim: let the other request win meanwhile
            raced.append(True)
            self.conn.execute(sa.text("select 1"))  # this transaction has begun
            others.append(accounts.refresh(UnitOfWork(settings), pair.refresh))
        return real(self, *args)

    monkeypatch.setattr(TokenRepository, "claim", racing)
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), pair.refresh)
    assert len(others) == 1  # the winner got a pair, which the reuse then revoked
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate(UnitOfWork(settings), others[0].access)
    assert len(audit(action="refresh token", outcome="ok")) == 1
    (denied,) = audit(action="refresh token", outcome="denied")
    assert "presented again" in denied.detail
    with UnitOfWork(settings) as u:  # the token is revoked once, by the winner
        assert u.tokens.is_revoked(_payload(pair.refresh)["jti"])
        assert u.tokens.family(pair.sid).revoked_reason == "refresh token reused"


def test_a_role_change_ends_refreshing_and_the_next_login_has_the_new_role(settings, people, pw):
    pair = accounts.login(UnitOfWork(settings), "surveyor", pw("surveyor"))
    accounts.set_role(UnitOfWork(settings), people["admin"], "surveyor", Role.VIEWER)
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), pair.refresh)
    new = accounts.login(UnitOfWork(settings), "surveyor", pw("surveyor"))
    claims = auth.decode_token(accounts.token_config(settings), new.access, expected_type="access")
    assert claims.role is Role.VIEWER and claims.gen == 1


def test_an_access_token_is_no_refresh_token(settings, people, pw):
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    with pytest.raises(AuthenticationError, match="wrong token type"):
        accounts.refresh(UnitOfWork(settings), pair.access)
    with pytest.raises(AuthenticationError, match="wrong token type"):
        accounts.logout(UnitOfWork(settings), pair.access)


def test_logout_revokes_the_refresh_and_the_access_token(settings, people, pw, audit):
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    accounts.logout(UnitOfWork(settings), pair.refresh, pair.access)
    with pytest.raises(AuthenticationError, match="no longer valid"):
        accounts.refresh(UnitOfWork(settings), pair.refresh)
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate(UnitOfWork(settings), pair.access)
    assert len(audit(action="logout", outcome="ok")) == 1
    # another login of the same user is unaffected
    other = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    assert accounts.authenticate(UnitOfWork(settings), other.access) == people["engineer"]


def test_logout_with_an_expired_refresh_token_succeeds_quietly(settings, people):
    config = accounts.token_config(settings)
    old = auth.issue_token(
        config,
        user_id=people["viewer"].id,
        role=Role.VIEWER,
        token_type="refresh",
        now=datetime.now(UTC) - timedelta(hours=9),
    ).token
    accounts.logout(UnitOfWork(settings), old)
    with UnitOfWork(settings) as u:
        (event,) = u.audit.list(action="logout")
    assert event.detail == "the login had ended already"


def test_logout_refuses_forged_tokens_and_mixed_users(settings, people, pw):
    a = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    b = accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))
    with pytest.raises(AuthenticationError, match="invalid token"):
        accounts.logout(UnitOfWork(settings), jwt.encode(_payload(a.refresh), OTHER_SECRET))
    with pytest.raises(AuthenticationError, match="different users"):
        accounts.logout(UnitOfWork(settings), a.refresh, b.access)
    # nothing was revoked by the refused calls
    accounts.refresh(UnitOfWork(settings), a.refresh)
    assert accounts.authenticate(UnitOfWork(settings), b.access) == people["viewer"]


def test_non_text_tokens_are_refused_not_crashed_on(settings, people):
    for bad in (None, 42, b"bytes", ["list"], "   "):
        with pytest.raises(AuthenticationError):
            accounts.authenticate(UnitOfWork(settings), bad)  # type: ignore[arg-type]
        with pytest.raises(AuthenticationError):
            accounts.refresh(UnitOfWork(settings), bad)  # type: ignore[arg-type]


def _segments(token: str) -> list[bytes]:
    out = []
    for part in token.split("."):
        try:
            out.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except ValueError:
            out.append(b"<undecodable>" + part.encode())
    return out


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_one_character_change_is_refused(settings, people, viewer_pair, data):
    """Property: changing one character of a genuine token anywhere makes it refused, unless
    the change only touches unused base64 padding bits (then the signed bytes are the same)."""
    token = viewer_pair.access
    i = data.draw(st.integers(0, len(token) - 1), label="position")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    c = data.draw(st.sampled_from(alphabet), label="replacement")
    changed = token[:i] + c + token[i + 1 :]
    assume(changed != token)
    if changed.count(".") == 2 and _segments(changed) == _segments(token):
        return  # same bytes: not a different token
    with pytest.raises(AuthenticationError):
        accounts.authenticate(UnitOfWork(settings), changed)
