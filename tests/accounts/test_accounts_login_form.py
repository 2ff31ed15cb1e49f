"""The ipywidgets login form, driven without a browser."""

from __future__ import annotations

import ipywidgets as w
import pytest

from surveylab.models import Role
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
from surveylab.session import Session
from surveylab.ui.login import LoginForm


@pytest.fixture
def settings(duckdb_settings):
    """The form is the same on every backend: DuckDB only (the services run on both)."""
    return duckdb_settings


@pytest.fixture
def logins():
    return []


@pytest.fixture
def form(settings, people, logins) -> LoginForm:
    return LoginForm(settings, on_login=logins.append)


def test_the_form_has_the_four_widgets_with_their_css_classes(form):
    assert isinstance(form.widget, w.VBox)
    username, password, button, message = form.widget.children
    assert isinstance(username, w.Text) and not isinstance(username, w.Password)
    assert isinstance(password, w.Password)
    assert isinstance(button, w.Button) and button.description == "Log in"
    assert isinstance(message, w.HTML) and message.value == ""
    assert "sl-login-username" in username._dom_classes
    assert "sl-login-password" in password._dom_classes
    assert "sl-login-button" in button._dom_classes
    assert "sl-login-message" in message._dom_classes


def test_a_successful_login_calls_back_with_the_session_and_clears_the_password(
    form, logins, people, pw
):
    form.username.value, form.password.value = "surveyor", pw("surveyor")
    session = form.submit()
    assert isinstance(session, Session) and logins == [session]
    assert session.actor == people["surveyor"]
    assert form.password.value == ""
    assert "surveyor" in form.message.value and not form.button.disabled


def test_the_button_submits_the_fields(form, logins, people, pw):
    form.username.value, form.password.value = "viewer", pw("viewer")
    form.button.click()
    assert len(logins) == 1 and logins[0].actor == people["viewer"]


@pytest.mark.parametrize(
    "username, password",
    [("viewer", "Wr0ng-Password-Typed"), ("nobody", "Wr0ng-Password-Typed"), ("", "")],
)
def test_a_failed_login_shows_one_message_and_no_password(form, logins, username, password):
    assert form.submit(username, password) is None
    assert logins == []
    assert "invalid username or password" in form.message.value
    assert form.password.value == ""
    if password:
        assert password not in form.message.value


def test_an_inactive_users_login_shows_the_same_message(form, settings, people, logins, pw):
    accounts.deactivate(UnitOfWork(settings), people["admin"], "viewer")
    assert form.submit("viewer", pw("viewer")) is None
    assert "invalid username or password" in form.message.value and logins == []


def test_messages_are_escaped(form):
    form.show_message("<script>alert(1)</script>")
    assert "<script>" not in form.message.value
    assert "&lt;script&gt;" in form.message.value


def test_an_unreachable_database_is_reported_without_the_password(tmp_path, logins):
    from surveylab.config import load_settings

    broken = load_settings(
        {
            "SURVEYLAB_DATA_DIR": str(tmp_path),
            "SURVEYLAB_DATABASE_URL": "postgresql+psycopg://x@127.0.0.1:1/none",
        }
    )
    form = LoginForm(broken, on_login=logins.append)
    assert form.submit("admin", "Typed-Password-123") is None
    assert "not available" in form.message.value
    assert "Typed-Password-123" not in form.message.value and logins == []


def test_a_new_user_can_log_in_through_the_form(form, settings, people, logins):
    accounts.add_user(
        UnitOfWork(settings), people["admin"], "heidi", "heidi-password-1", Role.VIEWER
    )
    assert form.submit("HEIDI", "heidi-password-1") is not None
    assert logins[0].actor.username == "heidi"


def test_the_form_passes_the_client_address_it_is_given(settings, people, pw, logins):
    from surveylab.services.accounts import LOGIN_FAILED

    attacker = LoginForm(settings, on_login=logins.append, client_address=lambda: "203.0.113.9")
    for _ in range(5):
        assert attacker.submit("viewer", "wrong-guess-123") is None
    assert attacker.submit("viewer", pw("viewer")) is None
    assert LOGIN_FAILED in attacker.message.value
    # the user's own form (another address) is not locked out
    mine = LoginForm(settings, on_login=logins.append, client_address=lambda: "198.51.100.2")
    assert mine.submit("viewer", pw("viewer")) is not None
    with UnitOfWork(settings) as u:
        (lock,) = u.audit.list(action="login lock-out")
    assert "203.0.113.9" in lock.detail


@pytest.mark.parametrize(
    ("env", "address"),
    [
        ({}, None),
        ({"REMOTE_ADDR": "192.0.2.5"}, "192.0.2.5"),
        ({"HTTP_X_REAL_IP": " 2001:db8::7 "}, "2001:db8::7"),
        ({"REMOTE_ADDR": "192.0.2.5", "HTTP_X_REAL_IP": "192.0.2.6"}, "192.0.2.5"),
        ({"REMOTE_ADDR": "not an address", "HTTP_X_REAL_IP": "192.0.2.6"}, "192.0.2.6"),
        ({"HTTP_X_REAL_IP": "192.0.2.6, 10.0.0.1"}, None),
    ],
)
def test_the_client_address_comes_from_the_kernels_environment(env, address):
    from surveylab.ui.login import client_address_from_environment

    assert client_address_from_environment(env) == address


def test_by_default_the_form_reads_the_environment_at_each_login(
    settings, people, pw, logins, monkeypatch
):
    form = LoginForm(settings, on_login=logins.append)
    monkeypatch.setenv("REMOTE_ADDR", "192.0.2.77")
    monkeypatch.delenv("HTTP_X_REAL_IP", raising=False)
    assert form.submit("viewer", "wrong-guess-123") is None
    with UnitOfWork(settings) as u:
        (failed,) = u.audit.list(action="login", outcome="failed")
    assert failed.detail == "wrong password (from 192.0.2.77)"
