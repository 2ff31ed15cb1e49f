"""Session and connect(): re-authentication per call, logout and refresh, tokens from the
environment or an owner-only file, and no token text in any repr or exception."""

from __future__ import annotations

import os
import traceback

import pytest

from surveylab import connect  # the notebooks' entry point: the session and the login form
from surveylab.auth import AuthenticationError
from surveylab.models import Role
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
from surveylab.session import Session, token_from_environment


def _texts_of(exc: BaseException) -> str:
    """Everything a user could see of an exception: message, repr, the formatted traceback."""
    return " ".join([str(exc), repr(exc), *traceback.format_exception(exc)])


def test_login_gives_a_session_acting_as_the_user(settings, people, pw):
    session = Session.login("Engineer", pw("engineer"), settings)
    assert session.is_authenticated
    assert session.actor == people["engineer"]
    run = session.create_run("S-1", "session run", "MWD")
    assert run.user_id == people["engineer"].id
    assert [r.run_number for r in session.runs(mine=True)] == ["S-1"]
    assert session.expires_at is not None


def test_failed_session_login_says_invalid_username_or_password(settings, people):
    with pytest.raises(AuthenticationError, match=r"^invalid username or password$"):
        Session.login("engineer", "not-the-password", settings)


def test_the_actor_is_authenticated_again_on_every_call(settings, people, pw):
    session = Session.login("surveyor", pw("surveyor"), settings)
    session.create_run("A-1", "allowed")
    accounts.set_role(UnitOfWork(settings), people["admin"], "surveyor", Role.VIEWER)
    with pytest.raises(AuthenticationError, match="session ended"):
        session.runs()  # a role change ends the user's logins
    session = Session.login("surveyor", pw("surveyor"), settings)
    assert session.actor.role is Role.VIEWER
    accounts.deactivate(UnitOfWork(settings), people["admin"], "surveyor")
    with pytest.raises(AuthenticationError, match="inactive or gone"):
        session.runs()


def test_logout_ends_the_session_and_revokes_its_tokens(settings, people, pw):
    session = Session.login("viewer", pw("viewer"), settings)
    access, refresh = session.token, session.refresh_token
    session.logout()
    assert not session.is_authenticated and session.expires_at is None
    with pytest.raises(AuthenticationError, match=r"^not authenticated$"):
        session.runs()
    with pytest.raises(AuthenticationError, match="revoked"):
        Session(access, settings).runs()
    with pytest.raises(AuthenticationError, match="no longer valid"):
        Session(access, settings, refresh_token=refresh).refresh()


def test_refresh_rotates_the_sessions_tokens(settings, people, pw):
    session = Session.login("viewer", pw("viewer"), settings)
    old_refresh = session.refresh_token
    session.refresh()
    assert session.refresh_token != old_refresh
    assert session.actor == people["viewer"]
    with pytest.raises(AuthenticationError):
        accounts.refresh(UnitOfWork(settings), old_refresh)
    with pytest.raises(AuthenticationError, match="no refresh token"):
        Session(session.token, settings).refresh()


def test_user_administration_through_a_session(settings, people, pw):
    admin = Session.login("admin", pw("admin"), settings)
    admin.add_user("grace", "grace-password-1", Role.ENGINEER)
    assert "grace" in [u.username for u in admin.users()]
    assert admin.set_role("grace", "Surveyor").role is Role.SURVEYOR
    grace = Session.login("grace", "grace-password-1", settings)
    grace.change_password("grace-password-2")
    Session.login("grace", "grace-password-2", settings)
    assert not admin.deactivate_user("grace").is_active


def test_connect_uses_the_token_from_the_environment(settings, people, pw):
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    session = connect(settings, env={"SURVEYLAB_TOKEN": pair.access})
    assert session.actor == people["engineer"]
    assert session.refresh_token is None
    assert session.expires_at == pair.access_expires_at
    import surveylab  # the notebook entry point is the same function

    top = surveylab.connect(settings, env={"SURVEYLAB_TOKEN": pair.access})
    assert top.actor == people["engineer"]


def test_connect_reads_os_environ_by_default(settings, people, pw, monkeypatch):
    pair = accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))
    monkeypatch.setenv("SURVEYLAB_TOKEN", pair.access)
    assert connect(settings).actor == people["viewer"]


def test_connect_refuses_a_bad_token_at_once(settings, people):
    bad = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    with pytest.raises(AuthenticationError) as exc:
        connect(settings, env={"SURVEYLAB_TOKEN": bad})
    assert bad not in _texts_of(exc.value)


def test_connect_without_a_token_gives_a_session_that_refuses_every_call(settings, people):
    session = connect(settings, show_login=False, env={})
    assert not session.is_authenticated
    for call in (
        lambda: session.actor,
        session.runs,
        session.wells,
        lambda: session.create_run("N-1", "nobody"),
        session.reports,
        session.users,
    ):
        with pytest.raises(AuthenticationError, match=r"^not authenticated$"):
            call()
    with UnitOfWork(settings) as u:
        assert u.runs.list() == []


def test_connect_shows_the_login_form_and_adopts_its_login(settings, people, pw, monkeypatch):
    import IPython.display

    from surveylab.ui.login import LoginForm

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    session = connect(settings, env={})
    (widget,) = shown
    assert not session.is_authenticated
    # the displayed form is a LoginForm's widget; find its username and password fields
    username, password, button, _message = widget.children
    username.value, password.value = "viewer", pw("viewer")
    button.click()
    assert session.actor == people["viewer"]
    assert password.value == ""
    assert isinstance(LoginForm, type)


def test_the_token_never_shows_in_repr_str_or_errors(settings, people, pw):
    session = Session.login("engineer", pw("engineer"), settings)
    secrets = [session.token, session.refresh_token]
    texts = [repr(session), str(session), f"{session!r}", repr([session])]
    accounts.deactivate(UnitOfWork(settings), people["admin"], "engineer")
    for call in (lambda: session.actor, session.runs, session.refresh):
        with pytest.raises(AuthenticationError) as exc:
            call()
        texts.append(_texts_of(exc.value))
    for secret in secrets:
        assert secret and not any(secret in text for text in texts)
        for part in secret.split("."):  # not even a segment
            assert not any(part in text for text in texts)


# ----------------------------------------------------------------------- token from environment
def test_the_token_variable_wins_over_the_file(tmp_path):
    f = tmp_path / "token"
    f.write_text("from-file")
    f.chmod(0o600)
    env = {"SURVEYLAB_TOKEN": " from-variable\n", "SURVEYLAB_TOKEN_FILE": str(f)}
    assert token_from_environment(env) == "from-variable"
    assert token_from_environment({"SURVEYLAB_TOKEN_FILE": str(f)}) == "from-file"
    assert token_from_environment({}) is None


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_an_owner_only_token_file_is_accepted(tmp_path, mode):
    f = tmp_path / "token"
    f.write_text("header.payload.signature\n")
    f.chmod(mode)
    assert token_from_environment({"SURVEYLAB_TOKEN_FILE": str(f)}) == "header.payload.signature"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644, 0o666, 0o610])
def test_a_token_file_others_may_read_is_refused_without_reading_it(tmp_path, mode):
    f = tmp_path / "token"
    f.write_text("very-secret-token-text")
    f.chmod(mode)
    with pytest.raises(AuthenticationError, match="owner only") as exc:
        token_from_environment({"SURVEYLAB_TOKEN_FILE": str(f)})
    assert "very-secret-token-text" not in _texts_of(exc.value)
    assert str(f) in str(exc.value)


def test_a_missing_empty_or_odd_token_file_is_refused(tmp_path):
    with pytest.raises(AuthenticationError, match="does not exist"):
        token_from_environment({"SURVEYLAB_TOKEN_FILE": str(tmp_path / "missing")})
    with pytest.raises(AuthenticationError, match="does not exist"):
        token_from_environment({"SURVEYLAB_TOKEN_FILE": str(tmp_path)})  # a folder
    empty = tmp_path / "empty"
    empty.write_text("  \n")
    os.chmod(empty, 0o600)
    with pytest.raises(AuthenticationError, match="empty"):
        token_from_environment({"SURVEYLAB_TOKEN_FILE": str(empty)})


def test_a_session_from_a_token_file_acts_as_its_user(settings, people, pw, tmp_path):
    pair = accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))
    f = tmp_path / "token"
    fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(pair.access)
    assert connect(settings, env={"SURVEYLAB_TOKEN_FILE": str(f)}).actor == people["viewer"]


# ----------------------------------------------------------------------------- batches
def test_a_batch_makes_its_calls_on_one_connection(settings, people, pw, request):
    session = Session.login("engineer", pw("engineer"), settings)
    session.create_run("B-1", "batch run", "MWD")
    opened = request.getfixturevalue("opened_connections")  # from here on
    with session.batch() as same:
        assert same is session
        assert session.actor == people["engineer"]
        wells = session.wells()
        assert session.count_runs() == 1
        assert [r.run_number for r in session.runs(mine=True)] == ["B-1"]
        with session.batch():  # nested: the outer one
            assert session.run("B-1").run_name == "batch run"
    assert len(opened) == 1
    assert wells == session.wells()
    assert len(opened) == 2  # outside the batch: one connection per call again


def test_a_login_on_a_lent_unit_of_work_uses_it_while_it_is_open(settings, people, pw):
    """Session.login(uow=...): the login and the session's calls share the caller's
    connection while the caller holds it open; afterwards each call opens its own."""
    lent = UnitOfWork(settings)
    with lent:
        session = Session.login("engineer", pw("engineer"), settings, uow=lent)
        assert session.uow() is lent
        with session.batch():
            assert session.count_runs() == 0
            assert session._batch is not None and session._batch[0] is lent
        assert lent.is_open  # the batch closed nothing it did not open
        session.create_run("L-1", "lent", "MWD")  # committed by the service, on `lent`
    assert not lent.is_open
    fresh = session.uow()
    assert fresh is not lent and not fresh.is_open
    assert [r.run_number for r in session.runs()] == ["L-1"]  # kept after the lender closed


def test_a_refused_login_on_a_lent_unit_of_work_leaves_it_usable(settings, people, pw):
    lent = UnitOfWork(settings)
    with lent:
        with pytest.raises(AuthenticationError, match="invalid username or password"):
            Session.login("engineer", "not-the-password", settings, uow=lent)
        assert lent.is_open and lent.users.by_username("engineer") is not None
    assert not lent.is_open


def test_a_write_in_a_batch_is_kept_and_a_failed_call_leaves_nothing_open(settings, people, pw):
    session = Session.login("engineer", pw("engineer"), settings)
    with session.batch():
        session.create_run("B-2", "kept", "Gyro")
        with pytest.raises(Exception, match="B-2"):
            session.create_run("B-2", "duplicate", "Gyro")  # refused: the number is taken
        # the batch is still usable after the failure, and sees the committed run
        assert session.run("B-2").run_name == "kept"
    assert [r.run_number for r in Session.login("viewer", pw("viewer"), settings).runs()] == ["B-2"]


def test_a_batch_refuses_a_token_that_is_no_longer_valid(settings, people, pw):
    session = Session.login("surveyor", pw("surveyor"), settings)
    accounts.deactivate(UnitOfWork(settings), people["admin"], "surveyor")
    with pytest.raises(AuthenticationError, match="inactive or gone"), session.batch():
        pytest.fail("the batch must not open")
    assert session._batch is None


def test_the_session_calls_the_login_it_is_given_only_without_a_token(settings, people, pw):
    """:func:`surveylab.session.connect` knows no form: it calls what it is given with the
    session not logged in, and a login adopted into that session makes it usable."""
    from surveylab.session import connect as connect_session

    offered: list[Session] = []
    session = connect_session(settings, env={}, login=offered.append)
    assert offered == [session] and not session.is_authenticated
    session.adopt(Session.login("viewer", pw("viewer"), settings))
    assert session.actor == people["viewer"]
    pair = accounts.login(UnitOfWork(settings), "engineer", pw("engineer"))
    offered.clear()
    with_token = connect_session(
        settings, env={"SURVEYLAB_TOKEN": pair.access}, login=offered.append
    )
    assert offered == [] and with_token.actor == people["engineer"]
