"""What the API refuses before any handler runs, over real sockets: a Host not allowed (403),
a body over the limit (413, from Content-Length or while a chunked body streams in), too many
logins from one address (429); CORS only for configured origins."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import (
    HTTP_TIMEOUT_S,
    RunningServer,
    add_users,
    drop,
    make_settings,
    password_of,
    start_server,
)

ORIGIN = "https://portal.example.com"


@pytest.fixture(scope="module")
def limited(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server with a 1 MB upload limit, 3 logins a minute, one more host and a CORS origin."""
    s, url = make_settings(
        backend,
        tmp_path_factory.mktemp("limited"),
        SURVEYLAB_MAX_UPLOAD_MB="1",
        SURVEYLAB_API_LOGIN_PER_MINUTE="3",
        SURVEYLAB_ALLOWED_HOSTS="Surveys.Example.com, 10.1.2.3",
        SURVEYLAB_CORS_ORIGINS=ORIGIN,
    )
    add_users(s)
    running = start_server(s)
    yield running
    running.stop()
    drop(s, url)


def _read_response(sock: socket.socket, timeout: float = 10.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


@pytest.mark.parametrize("path", ["/api/v1/runs/R1/files", "/api/v1/compute", "/api/v1/runs"])
def test_content_length_over_the_limit_is_refused_before_the_body_is_sent(
    limited: RunningServer, path: str
) -> None:
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: multipart/form-data; boundary=xyz\r\n"
            "Content-Length: 900000000\r\n\r\n".encode()
        )
        started = time.monotonic()
        response = _read_response(sock)  # not one byte of the body was sent
    assert _status(response) == 413
    assert b"application/problem+json" in response and b"900000000" in response
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", ["/api/v1/runs/R1/files", "/api/v1/auth/login"])
def test_a_chunked_body_is_refused_once_it_passes_the_limit(
    limited: RunningServer, path: str
) -> None:
    token = httpx.post(
        f"{limited.base}/auth/login",
        json={"username": "engineer", "password": password_of("engineer")},
        timeout=HTTP_TIMEOUT_S,
    ).json()["access_token"]
    limited.app.state.login_limit._seen.clear()
    willing = 64 * 1024 * 1024  # far beyond the limit (1 MB + 1 MB of form)
    chunk = b"x" * 65536
    sent = 0
    response = b""
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: multipart/form-data; boundary=xyz\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        part = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        sock.setblocking(False)
        while sent < willing:
            readable, writable, _ = select.select([sock], [sock], [], 5)
            if readable:
                break
            if writable:
                try:
                    n = sock.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    break
                sent += n
        sock.setblocking(True)
        response = _read_response(sock)
    assert _status(response) == 413, response[:300]
    assert b"application/problem+json" in response
    assert sent < willing / 4  # answered while the body was still streaming in


def test_a_body_under_the_limit_passes(limited: RunningServer) -> None:
    r = httpx.post(
        f"{limited.base}/auth/login", content=b"{" + b" " * 500_000 + b"}", timeout=HTTP_TIMEOUT_S
    )
    assert r.status_code == 422  # read and validated, not refused for its size
    limited.app.state.login_limit._seen.clear()


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("127.0.0.1", True),
        ("localhost:8867", True),
        ("LOCALHOST", True),
        ("surveys.example.com", True),
        ("surveys.example.com.:443", True),
        ("10.1.2.3:1", True),
        ("evil.example.com", False),
        ("127.0.0.1.nip.io", False),
        ("localhost@evil.com", False),
        ("", False),
    ],
)
def test_host_allow_list(limited: RunningServer, host: str, allowed: bool) -> None:
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        header = f"Host: {host}\r\n" if host else ""
        sock.sendall(f"GET /api/v1/docs HTTP/1.1\r\n{header}Connection: close\r\n\r\n".encode())
        response = _read_response(sock)
    status = _status(response)
    if allowed:
        assert status == 200
    else:
        assert status in (400, 403), response  # uvicorn itself refuses a request without Host
        if host:
            assert status == 403 and b"host-not-allowed" in response


def test_logins_are_rate_limited_per_address(limited: RunningServer) -> None:
    limited.app.state.login_limit._seen.clear()
    url = f"{limited.base}/auth/login"
    statuses = [
        httpx.post(
            url, json={"username": "engineer", "password": "wrong"}, timeout=HTTP_TIMEOUT_S
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 401]
    r = httpx.post(
        url,
        json={"username": "engineer", "password": password_of("engineer")},
        timeout=HTTP_TIMEOUT_S,
    )
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert "SURVEYLAB_API_LOGIN_PER_MINUTE" in r.json()["detail"]
    # other endpoints are not limited
    assert httpx.get(f"{limited.base}/runs", timeout=HTTP_TIMEOUT_S).status_code == 401
    limited.app.state.login_limit._seen.clear()
    assert (
        httpx.post(
            url,
            json={"username": "engineer", "password": password_of("engineer")},
            timeout=HTTP_TIMEOUT_S,
        ).status_code
        == 200
    )


def test_rate_limit_window_slides() -> None:
    from surveylab.api.errors import ApiProblem
    from surveylab.api.ratelimit import LoginRateLimit

    now = [1000.0]
    limit = LoginRateLimit(2, clock=lambda: now[0])
    limit.hit("a")
    limit.hit("a")
    limit.hit("b")  # another address has its own count
    with pytest.raises(ApiProblem) as refused:
        limit.hit("a")
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "60"
    now[0] += 59.5
    with pytest.raises(ApiProblem):
        limit.hit("a")
    now[0] += 0.5  # the first two attempts are 60 s old
    limit.hit("a")


def test_cors_only_for_the_configured_origin(limited: RunningServer, server) -> None:
    preflight = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    ok = httpx.options(
        f"{limited.base}/runs", headers={"Origin": ORIGIN, **preflight}, timeout=HTTP_TIMEOUT_S
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    other = httpx.options(
        f"{limited.base}/runs",
        headers={"Origin": "https://evil.example.com", **preflight},
        timeout=HTTP_TIMEOUT_S,
    )
    assert "access-control-allow-origin" not in other.headers
    # not configured (the default): no CORS headers at all
    plain = httpx.get(f"{server.base}/runs", headers={"Origin": ORIGIN}, timeout=HTTP_TIMEOUT_S)
    assert "access-control-allow-origin" not in plain.headers
    plain = httpx.options(
        f"{server.base}/runs", headers={"Origin": ORIGIN, **preflight}, timeout=HTTP_TIMEOUT_S
    )
    assert "access-control-allow-origin" not in plain.headers
