"""``surveylab serve`` as a user runs it: the dashboards and the HTTP API answer on their ports,
both behind the same Host allow-list, and SIGTERM stops both."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.slow

SURVEYLAB = str(Path(sys.executable).with_name("surveylab"))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, host: str | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _wait(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "surveylab serve ended early"
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout_s} s")


def test_serve_runs_the_dashboards_and_the_api_and_stops_both(tmp_path):
    port, api_port = _free_port(), _free_port()
    env = dict(
        os.environ, SURVEYLAB_DATA_DIR=str(tmp_path / "data"), SURVEYLAB_SECRET_KEY=TEST_SECRET
    )
    env.pop("SURVEYLAB_DATABASE_URL", None)
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [SURVEYLAB, "serve", "--port", str(port), "--api-port", str(api_port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        api = f"http://127.0.0.1:{api_port}/api/v1"
        _wait(api + "/openapi.json", proc)
        _wait(f"http://127.0.0.1:{port}/", proc)
        status, body = _get(api + "/openapi.json")
        assert status == 200 and json.loads(body)["openapi"].startswith("3.1")
        assert _get(api + "/runs")[0] == 401  # no token
        # one allow-list: a foreign Host is refused by both servers
        assert _get(api + "/openapi.json", host="evil.example")[0] == 403
        assert (
            _get(f"http://127.0.0.1:{port}/voila/render/runs.ipynb", host="evil.example")[0] == 403
        )
        printed = (tmp_path / "serve.log").read_text()
        assert f"surveylab api: http://127.0.0.1:{api_port}/api/v1" in printed
        assert f"http://127.0.0.1:{port}/voila/render/runs.ipynb" in printed
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        finally:
            log.close()
    assert proc.returncode is not None
    # both servers are gone: nothing answers on either port
    for url in (f"http://127.0.0.1:{api_port}/api/v1/openapi.json", f"http://127.0.0.1:{port}/"):
        with pytest.raises(OSError):
            _get(url)
