"""A dashboard takes the server's notices (surveylab.server.notices) through a real comm:
a session that ended for inactivity offers a reload; a refused connection is audited."""

from __future__ import annotations

import uuid

import ipywidgets as w
import pytest
from comm import get_comm_manager

from surveylab.auth import AuthenticationError
from surveylab.repositories import UnitOfWork
from surveylab.server.notices import CONNECTION_REFUSED, NOTICE_TARGET, SESSION_ENDED
from surveylab.services.dashboards import REFUSED_CONNECTION
from surveylab.session import Session
from surveylab.ui.shell import DashboardShell
from tests.ui.conftest import password_of


class Dashboard(DashboardShell):
    title = "notices"

    def build(self) -> w.Widget:
        return w.HTML("the dashboard", _dom_classes=("sl-test-main",))


def notify(data: dict) -> None:
    """What the server sends: a comm opened to the notice target (as the kernel gets it)."""
    msg = {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "comm_open"},
        "parent_header": {},
        "metadata": {},
        "content": {"comm_id": uuid.uuid4().hex, "target_name": NOTICE_TARGET, "data": data},
        "buffers": [],
    }
    get_comm_manager().comm_open(None, None, msg)


def texts(widget: w.Widget) -> str:
    return " ".join(c.value for c in widget.children if isinstance(c, w.HTML))


def test_an_ended_session_logs_out_and_offers_a_reload(fresh_db):
    app = Dashboard(fresh_db.settings)
    session = app.login.submit("engineer", password_of("engineer"))
    assert session is not None and app.session is not None
    tokens = Session(session.token, fresh_db.settings, refresh_token=session.refresh_token)
    notify({"event": SESSION_ENDED, "idle_min": 30})
    assert app.session is None and app.main is None
    shown = texts(app.widget)
    assert "ended after 30 minutes without activity" in shown
    assert "sl-reload" in shown and "location.reload()" in shown
    assert "the dashboard" not in shown and app.login.widget not in app.widget.children
    with pytest.raises(AuthenticationError):  # the session's tokens were revoked
        tokens.refresh()


def test_a_session_ends_the_same_before_anyone_logged_in(fresh_db):
    app = Dashboard(fresh_db.settings)
    notify({"event": SESSION_ENDED, "idle_min": 0.5})
    assert "ended after 0.5 minutes" in texts(app.widget)


def test_a_refused_connection_is_audited_for_the_logged_in_user(fresh_db):
    app = Dashboard(fresh_db.settings)
    assert app.login.submit("surveyor", password_of("surveyor")) is not None
    notify({"event": CONNECTION_REFUSED, "client": "198.51.100.4"})
    with UnitOfWork(fresh_db.settings) as uow:
        (event,) = uow.audit.list(action=REFUSED_CONNECTION)
    assert event.target_id == str(fresh_db.actors["surveyor"].id)
    assert "198.51.100.4" in event.detail
    assert app.session is not None and app.main in app.widget.children  # still working


def test_without_a_login_a_refused_connection_is_left_to_the_server_log(fresh_db):
    app = Dashboard(fresh_db.settings)
    notify({"event": CONNECTION_REFUSED, "client": "198.51.100.4"})
    notify({"event": "something new"})  # an unknown notice changes nothing
    with UnitOfWork(fresh_db.settings) as uow:
        assert uow.audit.list(action=REFUSED_CONNECTION) == []
    assert app.session is None and app.login.widget in app.widget.children
