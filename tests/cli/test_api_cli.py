"""``surveylab api``: migrates, prints the base URL and serves the API there."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from tests.api.conftest import HTTP_TIMEOUT_S, free_port
from tests.conftest import TEST_SECRET


def test_surveylab_api_prints_its_base_url_and_serves_it(tmp_path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEYLAB_")}
    env.update(SURVEYLAB_DATA_DIR=str(tmp_path), SURVEYLAB_SECRET_KEY=TEST_SECRET)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from surveylab.cli import main; sys.exit(main())",
            "api",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        base = f"http://127.0.0.1:{port}/api/v1"
        assert first == f"surveylab api: {base}"
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"{base}/runs", timeout=HTTP_TIMEOUT_S)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr
                time.sleep(0.2)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert (
            httpx.get(f"{base}/openapi.json", timeout=HTTP_TIMEOUT_S)
            .json()["openapi"]
            .startswith("3.1")
        )
        assert (tmp_path / "surveylab.duckdb").exists()  # migrated first
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
