"""Two Admins taking each other's rights at the same moment leave exactly one active Admin,
and the other gets a clear refusal: real concurrency, on PostgreSQL and DuckDB, in threads of
one process (DuckDB's optimistic concurrency) and in separate processes (DuckDB's file lock).

The window between the check and the write is widened on purpose (a pause after the Admins'
rows are read), so that both requests are inside it together every time; a negative control
shows that without the lock both then succeed and no Admin is left.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa

from surveylab.auth import AuthError
from surveylab.db import tables as t
from surveylab.models import Actor, Role
from surveylab.repositories import UnitOfWork, UserRepository
from surveylab.services import accounts
from surveylab.services.common import ServiceError

#: How long each request pauses with the Admins read [s].
PAUSE_S = 0.4


def _take_away(settings, actor: Actor, target: str, how: str) -> None:
    if how == "deactivate":
        accounts.deactivate(UnitOfWork(settings), actor, target)
    else:
        accounts.set_role(UnitOfWork(settings), actor, target, Role.VIEWER)


def _slowed(real: Any) -> Any:
    def lock_then_pause(self: UserRepository) -> list:
        ids = real(self)
        time.sleep(PAUSE_S)
        return ids

    return lock_then_pause


def _unlocked(self: UserRepository) -> list:
    """The check as it was: the active Admins read without any lock."""
    q = sa.select(t.users.c.id).where(t.users.c.role == "Admin", t.users.c.is_active)
    ids = [r[0] for r in self.conn.execute(q).all()]
    time.sleep(PAUSE_S)
    return ids


def _two_admins(settings) -> tuple[Actor, Actor]:
    from surveylab.auth import hash_password

    with UnitOfWork(settings) as u:
        made = [
            u.users.add(name, hash_password(f"{name}-password-123456"), Role.ADMIN) for name in "ab"
        ]
        u.commit()
    return Actor(made[0].id, "a", Role.ADMIN), Actor(made[1].id, "b", Role.ADMIN)


def _active_admins(settings) -> list[str]:
    with UnitOfWork(settings) as u:
        return sorted(x.username for x in u.users.list() if x.role is Role.ADMIN and x.is_active)


def _in_threads(settings, a: Actor, b: Actor, how: str) -> list[BaseException | None]:
    barrier = threading.Barrier(2)
    outcome: list[BaseException | None] = [None, None]

    def run(i: int, actor: Actor, target: str) -> None:
        barrier.wait()
        try:
            _take_away(settings, actor, target, how)
        except BaseException as exc:  # collected for the assertions
            outcome[i] = exc

    threads = [
        threading.Thread(target=run, args=(0, a, "b")),
        threading.Thread(target=run, args=(1, b, "a")),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    return outcome


@pytest.mark.parametrize("how", ["deactivate", "demote"])
def test_two_admins_at_once_in_threads_leave_one(settings, monkeypatch, how):
    a, b = _two_admins(settings)
    monkeypatch.setattr(
        UserRepository, "lock_active_admins", _slowed(UserRepository.lock_active_admins)
    )
    outcome = _in_threads(settings, a, b, how)
    assert len(_active_admins(settings)) == 1
    refused = [e for e in outcome if e is not None]
    assert len(refused) == 1, outcome
    # a clear refusal: the refused Admin is no longer one, or was the last one
    assert isinstance(refused[0], AuthError | ServiceError)
    assert any(
        text in str(refused[0])
        for text in ("no longer an active Admin", "last active Admin", "inactive or gone")
    ), refused[0]
    with UnitOfWork(settings) as u:
        denied = u.audit.list(outcome="denied")
    assert denied, "the refusal is audited"


def test_without_the_lock_both_succeed_and_no_admin_is_left(settings, monkeypatch):
    """Negative control: the race the lock prevents happens in this very set-up."""
    a, b = _two_admins(settings)
    monkeypatch.setattr(UserRepository, "lock_active_admins", _unlocked)
    outcome = _in_threads(settings, a, b, "deactivate")
    assert outcome == [None, None]
    assert _active_admins(settings) == []


def _process_main(url: str, data_dir: str, actor: tuple, target: str, barrier: Any) -> str:
    """One request in its own process (spawned: nothing shared with the test's process)."""
    import uuid

    from tests.conftest import settings_for

    settings = settings_for(url or None, __import__("pathlib").Path(data_dir))
    UserRepository.lock_active_admins = _slowed(UserRepository.lock_active_admins)  # type: ignore[method-assign]
    who = Actor(uuid.UUID(actor[0]), actor[1], Role(actor[2]))
    barrier.wait()
    try:
        accounts.deactivate(UnitOfWork(settings), who, target)
    except (AuthError, ServiceError) as exc:
        return f"refused: {exc}"
    return "ok"


def test_two_admins_at_once_in_two_processes_leave_one(settings):
    a, b = _two_admins(settings)
    url = "" if settings.is_embedded else settings.database_url
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(2)
        with ctx.Pool(2) as pool:
            jobs = [
                pool.apply_async(
                    _process_main,
                    (url, str(settings.data_dir), (str(x.id), x.username, "Admin"), tgt, barrier),
                )
                for x, tgt in ((a, "b"), (b, "a"))
            ]
            results = sorted(job.get(timeout=120) for job in jobs)
    assert len(_active_admins(settings)) == 1
    assert results[0] == "ok" and results[1].startswith("refused: "), results
