"""Fixtures of the HTTP API tests: a real uvicorn server on a free port (in a thread of the
test process) over a migrated database on each backend, and clients that log in over HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from surveylab.config import Settings
from tests.conftest import (
    PG_URL,
    create_pg_database,
    drop_pg_database,
    require_component,
    settings_for,
)
from tests.db_fixtures import empty_all_tables

#: Seconds an HTTP request of the tests may take (httpx's default is 5 s): the test command
#: runs these tests beside others on 2 cores, where a first request to a new server was seen
#: to wait longer than that.
HTTP_TIMEOUT_S = 120.0

#: The password every test user has (``<name>-password-123``).
USERS = {
    "admin": "Admin",
    "engineer": "Engineer",
    "surveyor": "Surveyor",
    "surveyor2": "Surveyor",
    "viewer": "Viewer",
}


def password_of(name: str) -> str:
    return f"{name}-password-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    """A uvicorn server serving the API in a thread of this process."""

    settings: Settings
    port: int
    server: Any
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return f"{self.url}/api/v1"

    @property
    def app(self) -> Any:
        return self.server.config.app

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_server(settings: Settings) -> RunningServer:
    """Serve the API of ``settings`` on a free port until :meth:`RunningServer.stop`."""
    import uvicorn

    from surveylab.api.server import uvicorn_config

    port = free_port()
    config = uvicorn_config(settings, "127.0.0.1", port)
    assert isinstance(config, uvicorn.Config)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"api-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    return RunningServer(settings, port, server, thread)


def make_settings(backend: str, data_dir: Path, **extra: str) -> tuple[Settings, str | None]:
    """Migrated settings on ``backend`` (a new PostgreSQL database, or a DuckDB file)."""
    from surveylab import db

    url = None
    if backend == "postgres":
        require_component(bool(PG_URL), "PostgreSQL: SURVEYLAB_TEST_PG_URL is not set")
        url = create_pg_database()
    env = {"SURVEYLAB_API_LOGIN_PER_MINUTE": "100000", "SURVEYLAB_ACCESS_MINUTES": "60"}
    s = settings_for(url, data_dir, **{**env, **extra})
    db.upgrade(s)
    return s, url


def drop(settings: Settings, url: str | None) -> None:
    from surveylab import db

    if url:
        db.get_engine(settings).dispose()
        drop_pg_database(url)


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The API over a migrated database of this module and backend."""
    s, url = make_settings(backend, tmp_path_factory.mktemp(f"api-{backend}"))
    running = start_server(s)
    yield running
    running.stop()
    drop(s, url)


@dataclass
class Api:
    """An HTTP client of the test server, and the tokens of the test users."""

    server: RunningServer
    client: httpx.Client
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, name: str) -> dict[str, Any]:
        r = self.client.post("/auth/login", json={"username": name, "password": password_of(name)})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def token(self, name: str) -> str:
        if name not in self.tokens:
            self.tokens[name] = self.login(name)["access_token"]
        return self.tokens[name]

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(name)}"}

    def get(self, path: str, as_: str = "engineer", **kw: Any) -> httpx.Response:
        return self.client.get(path, headers={**self.auth(as_), **kw.pop("headers", {})}, **kw)

    def post(self, path: str, as_: str = "engineer", **kw: Any) -> httpx.Response:
        return self.client.post(path, headers={**self.auth(as_), **kw.pop("headers", {})}, **kw)

    def patch(self, path: str, as_: str = "engineer", **kw: Any) -> httpx.Response:
        return self.client.patch(path, headers={**self.auth(as_), **kw.pop("headers", {})}, **kw)

    def delete(self, path: str, as_: str = "engineer", **kw: Any) -> httpx.Response:
        return self.client.delete(path, headers={**self.auth(as_), **kw.pop("headers", {})}, **kw)


def add_users(settings: Settings) -> None:
    from surveylab.auth import hash_password
    from surveylab.models import Role
    from surveylab.repositories import UnitOfWork

    with UnitOfWork(settings) as uow:
        for name, role in USERS.items():
            uow.users.add(name, hash_password(password_of(name)), Role(role))
        uow.commit()


@pytest.fixture
def api(server: RunningServer) -> Iterator[Api]:
    """A client of the module's server; every table emptied, then the five test users."""
    empty_all_tables(server.settings)
    add_users(server.settings)
    server.app.state.login_limit._seen.clear()
    with httpx.Client(base_url=server.base, timeout=HTTP_TIMEOUT_S) as client:
        yield Api(server, client)


@pytest.fixture
def audit(server: RunningServer) -> Callable[..., list[Any]]:
    """``audit(action=None, outcome=None)``: audit events, newest first."""
    from surveylab.repositories import UnitOfWork

    def events(action: str | None = None, outcome: str | None = None) -> list[Any]:
        with UnitOfWork(server.settings) as u:
            return u.audit.list(action=action, outcome=outcome)

    return events


def survey_csv(*, step: float = 30.0, seed: int = 1, run: str = "R1") -> bytes:
    """A vendor CSV of a J-shaped well, a station every ``step`` m (the demo's generator)."""
    from surveylab import demo

    profile = demo.well_profile("J", azimuth=35.0, noise_deg=0.05, seed=seed, step=step)
    return demo.vendor_csv(profile, well="W-1", run=run, tool="MWD", declination=-1.37)
