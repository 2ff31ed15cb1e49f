"""HTTP API benchmark: requests per second of 8 concurrent clients against the same service
calls made in-process by 8 threads, on DuckDB and PostgreSQL.

    .venv/bin/python bench/bench_api.py [--backend duckdb|postgres|both] [--seconds 8]
        [--rounds 2] [--pg-url postgresql+psycopg://...] [--runs 600] [--stations 1000]

Two requests, each against its in-process twin (the calls the handler makes):
- ``GET /api/v1/runs?scope=all&page_size=50`` against ``Session.batch()`` with
  ``count_runs`` and ``runs(limit=50)`` (a database of ``--runs`` runs);
- ``GET /api/v1/runs/{run}/survey`` of a ``--stations``-station run (JSON) against
  ``Session.call(surveys.survey_table, run)``.

In-process: 8 threads of this process, each with its own session (the token authenticated
again at every call, as the API does). Over HTTP: the API served by uvicorn in a process of its
own (``surveylab.api.run``), 8 threads of another process each with its own kept-alive
``httpx.Client`` reading every answer whole. Each measurement runs ``--seconds`` after a
1 s warm-up; ``--rounds`` alternate in-process and HTTP, and the median is reported. The two
never run at the same time (DuckDB lets one process hold its file).

PostgreSQL: the URL comes from ``--pg-url`` or SURVEYLAB_TEST_PG_URL; a scratch database is
created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from surveylab import db
from surveylab.api.app import DB_POOL_SIZE
from surveylab.config import Settings, load_settings
from surveylab.demo import vendor_csv
from surveylab.models import Role
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts, surveys
from surveylab.session import Session

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
CLIENTS = 8
PASSWORD = "bench-password-123"


def _env(url: str | None, data_dir: Path) -> dict[str, str]:
    env = {
        "SURVEYLAB_DATA_DIR": str(data_dir),
        "SURVEYLAB_SECRET_KEY": SECRET,
        "SURVEYLAB_ACCESS_MINUTES": "120",
        "SURVEYLAB_API_LOGIN_PER_MINUTE": "100000",
    }
    if url:
        env["SURVEYLAB_DATABASE_URL"] = url
    return env


def _pg_database(base_url: str) -> str:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def populate(settings: Settings, n_runs: int, n_stations: int) -> str:
    """Users, ``n_runs`` runs and one run of ``n_stations`` stations; the engineer's token."""
    db.upgrade(settings)
    with UnitOfWork(settings) as uow:
        uow.users.add("engineer", accounts.auth.hash_password(PASSWORD), Role.ENGINEER)
        uow.commit()
    token = accounts.login(UnitOfWork(settings), "engineer", PASSWORD).access
    s = Session(token, settings)
    with s.batch():
        for i in range(n_runs):
            s.create_run(f"B{i:05d}", f"bench run {i}", "MWD")
    md = np.arange(1, n_stations + 1) * 5.0
    inc = np.clip(np.linspace(0, 60, n_stations), 0, 180).round(2)
    azi = ((30.0 + np.linspace(0, 20, n_stations)) % 360).round(2)
    content = vendor_csv(
        pd.DataFrame({"md": md, "inc": inc, "azi": azi}), well="B", run="big", tool="MWD"
    )
    s.create_run("BIG", "the big run", "Gyro")
    result = s.import_file(content, "BIG", name="big.csv")
    assert (
        result.survey.station_count == n_stations + 1 or result.survey.station_count >= n_stations
    )
    return token


def _hammer(work: Callable[[int], Callable[[], object]], seconds: float) -> float:
    """Requests per second of ``CLIENTS`` threads, each calling its ``work(i)()`` in a loop."""
    counts = [0] * CLIENTS
    stop = threading.Event()
    measuring = threading.Event()
    errors: list[BaseException] = []

    def loop(i: int) -> None:
        call = work(i)
        try:
            while not stop.is_set():
                call()
                if measuring.is_set():
                    counts[i] += 1
        except BaseException as exc:  # reported after the run
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # warm-up
    measuring.set()
    start = time.perf_counter()
    time.sleep(seconds)
    measuring.clear()
    elapsed = time.perf_counter() - start
    stop.set()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts) / elapsed


def in_process(settings: Settings, token: str, what: str, seconds: float) -> float:
    def work(_i: int) -> Callable[[], object]:
        s = Session(token, settings)
        if what == "runs":

            def page() -> object:
                with s.batch():
                    return s.count_runs(), s.runs(limit=50, offset=0)

            return page
        return lambda: s.call(surveys.survey_table, "BIG")

    return _hammer(work, seconds)


CLIENT_SCRIPT = r"""
import sys, threading, time, httpx
base, token, path = sys.argv[1:4]
seconds, clients = float(sys.argv[4]), int(sys.argv[5])
counts = [0] * clients
stop = threading.Event(); measuring = threading.Event(); errors = []
def loop(i):
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        try:
            while not stop.is_set():
                r = c.get(path)
                if r.status_code != 200:
                    raise RuntimeError(f"{r.status_code}: {r.text[:200]}")
                if measuring.is_set():
                    counts[i] += 1
        except BaseException as exc:
            errors.append(exc); stop.set()
threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
for t in threads: t.start()
time.sleep(1.0); measuring.set(); start = time.perf_counter(); time.sleep(seconds)
measuring.clear(); elapsed = time.perf_counter() - start; stop.set()
for t in threads: t.join()
if errors: raise errors[0]
print(sum(counts) / elapsed)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def over_http(env: dict[str, str], token: str, what: str, seconds: float) -> float:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from surveylab.api import run; run(port={port})",
        ],
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/openapi.json").raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the API server did not start") from None
                time.sleep(0.1)
        path = "/runs?scope=all&page_size=50" if what == "runs" else "/runs/BIG/survey"
        out = subprocess.run(
            [sys.executable, "-c", CLIENT_SCRIPT, base, token, path, str(seconds), str(CLIENTS)],
            capture_output=True,
            text=True,
            check=True,
        )
        return float(out.stdout.strip())
    finally:
        server.terminate()
        server.wait(timeout=30)


def bench_backend(backend: str, args: argparse.Namespace) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="surveylab-bench-api-") as tmp:
        url = None
        if backend == "postgres":
            base = args.pg_url or os.environ.get("SURVEYLAB_TEST_PG_URL")
            if not base:
                raise SystemExit("PostgreSQL: give --pg-url or set SURVEYLAB_TEST_PG_URL")
            url = _pg_database(base)
        env = _env(url, Path(tmp))
        settings = load_settings(env)
        try:
            token = populate(settings, args.runs, args.stations)
            db.get_engine(settings).dispose()
            rows = []
            # the API keeps PostgreSQL connections in a pool (surveylab.api.app.DB_POOL_SIZE);
            # the same pool in-process is shown too, to separate HTTP's cost from the pool's gain
            pooled = replace(settings, db_pool_size=DB_POOL_SIZE) if url else None
            for what in ("runs", "survey"):
                local: list[float] = []
                remote: list[float] = []
                local_pooled: list[float] = []
                for _ in range(args.rounds):
                    local.append(in_process(settings, token, what, args.seconds))
                    db.get_engine(settings).dispose()
                    if pooled is not None:
                        local_pooled.append(in_process(pooled, token, what, args.seconds))
                        db.get_engine(pooled).dispose()
                    remote.append(over_http(env, token, what, args.seconds))
                a, b = statistics.median(local), statistics.median(remote)
                c = statistics.median(local_pooled) if local_pooled else None
                rows.append(
                    {
                        "backend": backend,
                        "request": what,
                        "in_process": a,
                        "in_process_pooled": c,
                        "http": b,
                        "ratio": a / b,
                    }
                )
                print(
                    f"{backend:8} {what:6} in-process {a:8.1f}/s  pooled {c or 0:8.1f}/s  "
                    f"http {b:8.1f}/s  in-process/http {a / b:5.2f}  "
                    f"(rounds: {local} {local_pooled} {remote})",
                    flush=True,
                )
            return rows
        finally:
            if url:
                db.get_engine(settings).dispose()
                _drop_pg(url)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--backend", choices=["duckdb", "postgres", "both"], default="both")
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--pg-url")
    p.add_argument("--runs", type=int, default=600)
    p.add_argument("--stations", type=int, default=1000)
    args = p.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load {os.getloadavg()}",
        flush=True,
    )
    backends = ["duckdb", "postgres"] if args.backend == "both" else [args.backend]
    rows = [r for b in backends for r in bench_backend(b, args)]
    print()
    print(
        "| backend | request | in-process [req/s] | in-process, API's pool [req/s] "
        "| HTTP [req/s] | in-process / HTTP |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        what = "GET /runs (page of 50)" if r["request"] == "runs" else "GET /runs/{run}/survey"
        c = r["in_process_pooled"]
        shown = "-" if c is None else f"{float(c):.1f}"
        print(
            f"| {r['backend']} | {what} | {r['in_process']:.1f} | {shown} | {r['http']:.1f} | "
            f"{r['ratio']:.2f} |"
        )
    print(f"\nload after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
