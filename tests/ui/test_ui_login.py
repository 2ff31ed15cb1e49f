"""Login first, user bar, logout, and the end of a session (expiry, revocation) in the apps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import ipywidgets as w
import pytest

from surveylab.ui.login import CommittedPassword
from surveylab.ui.runs_app import RunsApp
from surveylab.ui.upload_app import UploadApp
from tests.ui.conftest import password_of, walk

SESSION_ENDED = "Your session has ended"


@pytest.mark.parametrize("app_class", [RunsApp, UploadApp])
def test_nothing_but_the_login_form_before_login(ui_db, app_class):
    app = app_class(ui_db.settings)
    assert app.widget.children == (app.header, app.login.widget)
    assert app.session is None and app.main is None
    kinds = {type(x) for x in walk(app.widget)}
    # only the form: no tables, dropdowns, uploads or plots exist yet
    assert kinds <= {w.VBox, w.HTML, w.Text, CommittedPassword, w.Button}
    assert not hasattr(app, "table") and not hasattr(app, "upload")
    html = " ".join(x.value for x in walk(app.widget) if isinstance(x, w.HTML))
    assert "UI-001" not in html and "UI Alpha" not in html


@pytest.mark.parametrize("app_class", [RunsApp, UploadApp])
def test_the_opening_page_shares_its_layouts_and_styles(ui_db, app_class):
    """Fewer models for the browser to create before the form shows: the form's widgets
    share one Layout and one style per kind, and so do the shell's (the hidden warm-up
    output has its own Layout)."""
    app = app_class(ui_db.settings)
    shell_widgets = [app.widget, app.header, app.user_label, app.logout_button, app.busy]
    shell_widgets.append(app.status)
    for group in (walk(app.login.widget), shell_widgets):
        assert len({id(x.layout) for x in group}) == 1
        styled = [x for x in group if hasattr(x, "style")]
        assert len({id(x.style) for x in styled}) == len({type(x.style) for x in styled})
    assert app.warmup.layout.display == "none"
    assert app.widget.layout.display is None  # the shared one is not the hidden one


@pytest.mark.parametrize("app_class", [RunsApp, UploadApp])
def test_wrong_password_shows_the_message_and_builds_nothing(ui_db, app_class):
    app = app_class(ui_db.settings)
    assert app.login.submit("engineer", "not-the-password") is None
    assert "invalid username or password" in app.login.message.value
    assert app.widget.children == (app.header, app.login.widget)
    assert app.session is None and app.main is None
    assert not hasattr(app, "table") and not hasattr(app, "pending")
    assert app.login.password.value == ""


@pytest.mark.parametrize("app_class", [RunsApp, UploadApp])
def test_the_refusal_is_shown_as_an_error(ui_db, app_class):
    """Red on a pale ground with role="alert" (screen readers announce it), inline so that the
    form reads the same in a notebook, where no dashboard stylesheet is loaded."""
    app = app_class(ui_db.settings)
    app.login.submit("engineer", "not-the-password")
    msg = app.login.message.value
    assert msg.startswith("<div class='sl-login-error' role='alert' style='")
    assert "color:#b00020" in msg and "border:1px solid #b00020" in msg
    assert ">invalid username or password</div>" in msg


def test_a_note_is_not_styled_as_an_error(ui_db, login_as):
    app = login_as(RunsApp, ui_db.settings, "viewer")
    app.logout()
    assert "sl-login-info" in app.login.message.value
    assert "sl-login-error" not in app.login.message.value and "b00020" not in (
        app.login.message.value
    )


@pytest.mark.parametrize("app_class", [RunsApp, UploadApp])
def test_enter_in_the_password_field_logs_in(ui_db, app_class):
    """The password is sent when committed (Enter, or leaving the field), and logs in; a
    value the kernel sets logs nobody in."""
    app = app_class(ui_db.settings)
    assert app.login.password.continuous_update is False
    assert app.login.username.continuous_update is False
    app.login.username.value = "engineer"
    app.login.password.value = password_of("engineer")
    assert app.session is None
    app.login.username.value = "engineer"
    app.login.password.set_state({"value": password_of("engineer")})  # what Enter sends
    assert app.session is not None and app.main in app.widget.children
    assert app.login.password.value == ""


def _count_logins(monkeypatch) -> list[str]:
    from surveylab.session import Session

    tried: list[str] = []
    real = Session.login_kept_open.__func__  # type: ignore[attr-defined]

    def spy(cls, username, password, settings, **kwargs):
        tried.append(username)
        return real(cls, username, password, settings, **kwargs)

    monkeypatch.setattr(Session, "login_kept_open", classmethod(spy))
    return tried


def test_the_click_that_committed_the_password_logs_in_once(ui_db, monkeypatch):
    """Typing the password and clicking "Log in": leaving the field commits the password
    (one login), then the click arrives with the field cleared and is not a second try."""
    tried = _count_logins(monkeypatch)
    app = RunsApp(ui_db.settings)
    app.login.username.value = "viewer"
    app.login.password.set_state({"value": password_of("viewer")})  # sent as the field is left
    app.login.button.click()  # then the click
    assert tried == ["viewer"] and app.session is not None


def test_log_in_without_a_password_asks_for_one_and_tries_nothing(ui_db, monkeypatch):
    tried = _count_logins(monkeypatch)
    app = UploadApp(ui_db.settings)
    app.login.username.value = "surveyor"
    app.login.button.click()
    assert tried == [] and app.session is None
    assert "Type your password" in app.login.message.value
    assert "sl-login-error" in app.login.message.value
    # a wrong password committed, then a click on the emptied form: one try, then a request
    app.login.password.set_state({"value": "wrong-password-000"})
    assert tried == ["surveyor"] and "invalid username or password" in app.login.message.value
    app.login.button.click()  # the click that committed it: nothing more
    assert tried == ["surveyor"] and "invalid username or password" in app.login.message.value
    app.login.button.click()  # a later one without a password: asked for it
    assert tried == ["surveyor"] and "Type your password" in app.login.message.value


def test_unknown_user_reads_exactly_like_a_wrong_password(ui_db):
    a, b = RunsApp(ui_db.settings), RunsApp(ui_db.settings)
    a.login.submit("engineer", "wrong-password-000")
    b.login.submit("nobody-here", "wrong-password-000")
    assert a.login.message.value == b.login.message.value


@pytest.mark.parametrize(
    ("app_class", "username", "role"),
    [
        (RunsApp, "viewer", "Viewer"),
        (RunsApp, "surveyor", "Surveyor"),
        (UploadApp, "engineer", "Engineer"),
        (UploadApp, "admin", "Admin"),
    ],
)
def test_login_through_the_fields_shows_name_and_role(ui_db, app_class, username, role):
    app = app_class(ui_db.settings)
    app.login.username.value = username
    app.login.password.value = password_of(username)
    app.login.button.click()
    assert app.session is not None and app.main is not None
    assert username in app.user_label.value and f"({role})" in app.user_label.value
    assert app.main in app.widget.children
    assert app.login.widget not in app.widget.children
    assert app.login.password.value == ""


def test_logout_returns_to_the_form_and_revokes_the_token(ui_db, login_as):
    from surveylab.auth import AuthenticationError
    from surveylab.session import Session

    app = login_as(RunsApp, ui_db.settings, "engineer")
    token = app.session.token
    app.logout_button.click()
    assert app.session is None and app.main is None
    assert app.widget.children == (app.header, app.login.widget)
    assert "Logged out" in app.login.message.value
    with pytest.raises(AuthenticationError):
        Session(token, ui_db.settings).actor  # noqa: B018 - the old token no longer works


def _later(monkeypatch, minutes: float) -> None:
    """Make the token checks see the clock ``minutes`` ahead."""
    from surveylab.auth import tokens

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz or UTC) + timedelta(minutes=minutes)

    monkeypatch.setattr(tokens, "datetime", Later)


def test_expired_token_logs_out_at_the_next_action(tmp_path, monkeypatch, login_as):
    from tests.ui.conftest import make_db

    d = make_db(tmp_path, SURVEYLAB_ACCESS_MINUTES="1")
    app = login_as(RunsApp, d.settings, "surveyor")
    app.refresh()  # still valid
    assert app.session is not None
    _later(monkeypatch, 2)
    app.search.value = "anything"  # the next action
    assert app.session is None and app.main is None
    assert SESSION_ENDED in app.login.message.value
    assert app.widget.children == (app.header, app.login.widget)


def test_expired_token_during_commit_logs_out_and_stores_nothing(tmp_path, monkeypatch, login_as):
    from surveylab.repositories import UnitOfWork
    from tests.ui.conftest import make_db, survey_csv

    d = make_db(tmp_path, SURVEYLAB_ACCESS_MINUTES="1")
    app = login_as(UploadApp, d.settings, "surveyor")
    app.new_run_number.value = "EXP-1"
    app.new_run_name.value = "expiring"
    app.new_run_type.value = "MWD"
    app.create_run()
    app.add_file("a.csv", survey_csv())
    _later(monkeypatch, 5)
    assert app.commit() == []
    assert app.session is None
    assert SESSION_ENDED in app.login.message.value
    with UnitOfWork(d.settings) as uow:  # the new run came with its first import: none
        assert uow.runs.by_number("EXP-1") is None


def test_deactivated_user_is_logged_out_at_the_next_action(tmp_path, login_as):
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts
    from tests.ui.conftest import make_db

    d = make_db(tmp_path)
    app = login_as(UploadApp, d.settings, "surveyor2")
    accounts.deactivate(UnitOfWork(d.settings), d.actors["admin"], "surveyor2")
    app.load_wells()
    assert app.session is None
    assert SESSION_ENDED in app.login.message.value
    # and logging in again is refused
    assert app.login.submit("surveyor2", password_of("surveyor2")) is None
    assert app.main is None


def test_viewer_is_refused_by_the_upload_dashboard(ui_db):
    app = UploadApp(ui_db.settings)
    app.login.submit("viewer", password_of("viewer"))
    assert app.session is None and app.main is None
    msg = app.login.message.value
    assert "may not use this dashboard" in msg and "viewer (Viewer)" in msg
    assert "needs the role Admin, Engineer or Surveyor" in msg
    # and where to go instead: the runs dashboard, next to this one in Voila
    assert "<a class='sl-login-link' href='runs.ipynb'" in msg and ">runs dashboard</a>" in msg
    assert not hasattr(app, "upload") and not hasattr(app, "commit_button")
    assert app.widget.children == (app.header, app.login.widget)


@pytest.mark.parametrize("app_class", [RunsApp, UploadApp])
def test_a_token_refused_as_the_first_page_loads_leaves_the_form(ui_db, app_class, monkeypatch):
    """The login succeeded but the token is refused when the first page is read (the user
    was deactivated in between)."""
    from surveylab.auth import AuthenticationError
    from surveylab.services import accounts

    def refuse(uow, token):
        raise AuthenticationError("user inactive or gone")

    monkeypatch.setattr(accounts, "authenticate", refuse)
    app = app_class(ui_db.settings)
    app.login.submit("surveyor2", password_of("surveyor2"))
    assert SESSION_ENDED in app.login.message.value
    assert app.widget.children == (app.header, app.login.widget)
    assert app.session is None and app.main is None


@pytest.mark.parametrize("call", ["wells", "count_runs", "runs"])
def test_a_session_that_ends_while_the_first_page_is_read_leaves_the_form(ui_db, monkeypatch, call):
    """The token is refused by one of the first page's calls (revoked in between): the
    form comes back with the reason, and nothing of the page is shown."""
    from surveylab.auth import AuthenticationError
    from surveylab.session import Session

    def refuse(self, *args, **kwargs):
        raise AuthenticationError("token revoked")

    monkeypatch.setattr(Session, call, refuse)
    app = RunsApp(ui_db.settings)
    assert app.login.submit("viewer", password_of("viewer")) is not None
    assert SESSION_ENDED in app.login.message.value
    assert app.widget.children == (app.header, app.login.widget)
    assert app.session is None and app.main is None


@pytest.mark.parametrize("app_class", [RunsApp, UploadApp])
def test_login_and_first_page_use_one_connection(ui_db, app_class, request):
    """The login, the role check and the first page are read on one connection (opening a
    DuckDB file is the cost), and it is closed once the page is built."""
    app = app_class(ui_db.settings)
    opened = request.getfixturevalue("opened_connections")  # from here on
    assert app.login.submit("engineer", password_of("engineer")) is not None
    assert app.main is not None
    assert len(opened) == 1 and not opened[0].is_open
    assert app.session.uow() is not opened[0]  # later calls open their own


def test_the_plotly_warm_up_waits_for_the_first_page(ui_db, login_as, monkeypatch):
    """In a kernel (a running event loop) the hidden warm-up figure is drawn WARMUP_DELAY_S
    after the first page, not with it: loading plotly.js holds the browser's main thread.
    It goes into the output's outputs (a capture would be routed to an ended request), and
    not after a logout. Each case runs in a thread of its own, whose event loop is its own
    (the browser tests leave Playwright's loop running in the main thread)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from surveylab.ui import shell

    monkeypatch.setattr(shell, "WARMUP_DELAY_S", 0.05)

    async def log_in_and_wait(logout: bool) -> tuple[tuple, tuple]:
        app = login_as(RunsApp, ui_db.settings, "viewer")
        at_once = app.warmup.outputs
        if logout:
            app.logout()
        await asyncio.sleep(0.2)
        return at_once, app.warmup.outputs

    def without_a_loop() -> tuple:
        return login_as(RunsApp, ui_db.settings, "viewer").warmup.outputs

    with ThreadPoolExecutor(1) as pool:
        at_once, later = pool.submit(asyncio.run, log_in_and_wait(logout=False)).result()
        assert at_once == ()
        assert len(later) == 1 and later[0]["output_type"] == "display_data"
        assert "application/vnd.plotly.v1+json" in later[0]["data"]
        at_once, later = pool.submit(asyncio.run, log_in_and_wait(logout=True)).result()
        assert at_once == () and later == ()
        assert len(pool.submit(without_a_loop).result()) == 1  # drawn at once


def test_warm_up_reads_no_user_and_writes_nothing(ui_db, monkeypatch):
    """The dashboards' warm-up (run in a background thread before anyone logs in) looks up a
    username that cannot exist and records no login attempt or audit entry."""
    import sqlalchemy as sa

    from surveylab.db import tables
    from surveylab.repositories import UnitOfWork, UserRepository
    from surveylab.ui import figures, shell

    def counts() -> tuple[int, int]:
        with UnitOfWork(ui_db.settings) as uow:
            return tuple(
                uow.users.conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in (tables.audit_events, tables.login_attempts)
            )

    looked_up: list[str] = []
    real = UserRepository.by_username

    def spy(self, username):
        looked_up.append(username)
        return real(self, username)

    before = counts()
    monkeypatch.setattr(UserRepository, "by_username", spy)
    monkeypatch.setattr(figures, "_primed", True)  # plotly's part is tested in test_ui_figures
    shell.warm_up(ui_db.settings)
    assert looked_up == [""]
    assert counts() == before


def test_warm_up_survives_a_database_it_cannot_reach(tmp_path, monkeypatch):
    from surveylab.config import load_settings
    from surveylab.ui import figures, shell

    settings = load_settings(
        {
            "SURVEYLAB_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SURVEYLAB_SECRET_KEY": "x" * 40,
            "SURVEYLAB_DATA_DIR": str(tmp_path),
        }
    )
    primed: list[bool] = []
    monkeypatch.setattr(figures, "prime", lambda: primed.append(True))
    shell.warm_up(settings)  # no exception: the login reports the database, in words
    assert primed == [True]  # and plotly is still primed
