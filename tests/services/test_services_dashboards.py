"""A refused connection to a user's dashboard kernel, in the audit log (both backends)."""

from __future__ import annotations

import pytest

from surveylab.auth import AuthenticationError
from surveylab.models import Actor, Role
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts, dashboards


def test_the_refusal_is_audited_against_the_user_whose_dashboard_it_was(settings):
    user = accounts.ensure_user(UnitOfWork(settings), "dana", "dana-password-123", Role.VIEWER)
    actor = Actor(user.id, user.username, user.role)
    dashboards.record_refused_connection(UnitOfWork(settings), actor, client="203.0.113.9")
    with UnitOfWork(settings) as uow:
        (event,) = uow.audit.list(action=dashboards.REFUSED_CONNECTION)
    assert event.outcome == "denied"
    assert event.actor_id is None and event.actor_name is None  # whoever tried is unknown
    assert (event.target_type, event.target_id) == ("user", str(user.id))
    assert "dana" in event.detail and "203.0.113.9" in event.detail


def test_without_a_user_nothing_is_recorded_but_the_refusal_to_record(settings):
    with pytest.raises(AuthenticationError):
        dashboards.record_refused_connection(UnitOfWork(settings), None, client="203.0.113.9")
    with UnitOfWork(settings) as uow:
        assert uow.audit.list(action=dashboards.REFUSED_CONNECTION) == []
        assert [e.outcome for e in uow.audit.list(action="read dashboard session")] == ["denied"]
