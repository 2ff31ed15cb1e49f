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
