"""Data-layer benchmark: survey imports end to end through the service, against the floor.

    .venv/bin/python bench/bench_import.py --files 1000 [--backend duckdb|postgres|both]
        [--pg-url postgresql+psycopg://...] [--stations 200] [--runs 10000]
        [--big-survey 10000]

For each backend, on a fresh database:
- ``service``: ``surveys.import_survey`` for N files of S stations (parse, compute, store, one
  transaction and one short-lived connection each), files/s and stations/s;
- ``floor``: the same rows (file bytes, survey row, computed stations) inserted with the same
  driver and the same bulk path, one transaction per file, on one open connection, with the
  parsing and computing done beforehand;
- listing the runs of a user who owns ``--runs`` runs (service call, median of 5);
- loading one ``--big-survey``-station survey as a DataFrame (service call, median of 5).

PostgreSQL: the URL comes from ``--pg-url`` or SURVEYLAB_TEST_PG_URL; a scratch database is
created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from surveylab import db
from surveylab.config import load_settings
from surveylab.demo import vendor_csv
from surveylab.models import Actor, Role
from surveylab.repositories import UnitOfWork
from surveylab.services import runs, surveys

SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def survey_file(seed: int, n: int) -> bytes:
    """A vendor CSV of ``n`` stations (plus the tie-on row), unique per seed."""
    rng = np.random.default_rng(seed)
    md = np.arange(1, n + 1) * 15.0
    inc = np.clip(np.linspace(0, 60, n) + rng.normal(0, 0.05, n), 0, 180).round(2)
    azi = ((30.0 + np.linspace(0, 20, n) + rng.normal(0, 0.1, n)) % 360).round(2)
    return vendor_csv(
        pd.DataFrame({"md": md, "inc": inc, "azi": azi}), well="B", run=str(seed), tool="MWD"
    )


def _pg_database(base_url: str) -> str:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        base_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg(url: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(
        admin.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _median_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_backend(name: str, url: str | None, args: argparse.Namespace) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    env = {
        "SURVEYLAB_DATA_DIR": str(data_dir),
        "SURVEYLAB_SECRET_KEY": SECRET,
        "SURVEYLAB_LOCK_TIMEOUT_S": "60",
    }
    if url:
        env["SURVEYLAB_DATABASE_URL"] = url
    settings = load_settings(env)
    db.upgrade(settings)
    with UnitOfWork(settings) as uow:
        user = uow.users.add("bench", "not-a-hash", Role.ENGINEER)
        uow.commit()
    actor = Actor(user.id, user.username, user.role)
    files = [survey_file(i, args.stations) for i in range(args.files)]
    per_run = 10
    with UnitOfWork(settings) as uow:
        run_ids = [
            uow.runs.add(run_number=f"S{i}", run_name=f"S{i}", run_type="MWD", user_id=user.id).id
            for i in range(0, args.files, per_run)
        ]
        floor_runs = [
            uow.runs.add(run_number=f"F{i}", run_name=f"F{i}", run_type="MWD", user_id=user.id).id
            for i in range(0, args.files, per_run)
        ]
        uow.commit()
    out: dict[str, float] = {}

    # ---- service, end to end
    t0 = time.perf_counter()
    stations = 0
    for i, content in enumerate(files):
        res = surveys.import_survey(
            UnitOfWork(settings),
            actor,
            run=run_ids[i // per_run],
            content=content,
            file_name=f"f{i}.csv",
        )
        stations += res.survey.station_count
    dt = time.perf_counter() - t0
    out["service_files_s"] = args.files / dt
    out["service_stations_s"] = stations / dt

    # ---- service, a batch on one connection (as `surveylab import F1 F2 ...` does): the unit
    # of work is re-entrant, so each import is still its own transaction
    batch_runs = []
    with UnitOfWork(settings) as uow:
        batch_runs = [
            uow.runs.add(run_number=f"B{i}", run_name=f"B{i}", run_type="MWD", user_id=user.id).id
            for i in range(0, args.files, per_run)
        ]
        uow.commit()
    t0 = time.perf_counter()
    batch = UnitOfWork(settings)
    with batch:
        for i, content in enumerate(files):
            surveys.import_survey(
                batch, actor, run=batch_runs[i // per_run], content=content, file_name=f"f{i}.csv"
            )
    dt = time.perf_counter() - t0
    out["batch_files_s"] = args.files / dt

    # ---- floor: same rows, same driver and bulk path, parsing/computing done beforehand
    prepared = []
    for i, content in enumerate(files):
        preview = surveys.preview_file(content, f"f{i}.csv")
        prepared.append((content, preview))
    with UnitOfWork(settings) as uow:
        t0 = time.perf_counter()
        for i, (content, pv) in enumerate(prepared):
            run_id = floor_runs[i // per_run]
            f = uow.files.add(
                run_id=run_id,
                file_name=f"f{i}.csv",
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                detected_format=pv.parsed.format,
                uploaded_by=user.id,
            )
            uow.surveys.add(
                run_id=run_id,
                file_id=f.id,
                revision=i % per_run + 1,
                depth_unit=pv.parsed.header.depth_unit,
                azimuth_reference=pv.parsed.header.azimuth_reference,
                method="minimum_curvature",
                dls_course_length=30.0,
                vs_azimuth=None,
                header=pv.parsed.header,
                findings=pv.findings,
                assumptions=pv.assumptions,
                worst_severity=None,
                imported_by=user.id,
                imported_by_name="bench",
                stations=pv.stations,
            )
            uow.commit()
        dt = time.perf_counter() - t0
    out["floor_files_s"] = args.files / dt
    out["floor_stations_s"] = stations / dt

    # ---- a user owning many runs
    owner_id = user.id
    with UnitOfWork(settings) as uow:
        have = len(uow.runs.for_user(owner_id))
        rows = [
            {
                "id": uuid.uuid4(),
                "run_number": f"L{i}",
                "run_name": f"L{i}",
                "run_type": "GTL",
                "user_id": owner_id,
                "created_at": pd.Timestamp.now(tz="UTC").to_pydatetime(),
                "updated_at": pd.Timestamp.now(tz="UTC").to_pydatetime(),
            }
            for i in range(args.runs - have)
        ]
        if rows:
            uow.runs.conn.execute(db.tables.runs.insert(), rows)
        uow.commit()
    listed = runs.list_runs(UnitOfWork(settings), actor, mine=True)
    assert len(listed) == args.runs, len(listed)
    out["list_runs_ms"] = _median_ms(lambda: runs.list_runs(UnitOfWork(settings), actor, mine=True))
    frame = runs.list_runs_frame(UnitOfWork(settings), actor, mine=True)
    assert len(frame) == args.runs, len(frame)
    out["list_frame_ms"] = _median_ms(
        lambda: runs.list_runs_frame(UnitOfWork(settings), actor, mine=True)
    )

    # ---- one big survey as a DataFrame
    big = survey_file(99_999, args.big_survey)
    with UnitOfWork(settings) as uow:
        big_run = uow.runs.add(run_number="BIG", run_name="BIG", run_type="MWD", user_id=user.id).id
        uow.commit()
    surveys.import_survey(
        UnitOfWork(settings), actor, run=big_run, content=big, file_name="big.csv"
    )
    _, _, frame = surveys.load_survey(UnitOfWork(settings), actor, big_run)
    assert len(frame) == args.big_survey + 1
    out["load_survey_ms"] = _median_ms(
        lambda: surveys.load_survey(UnitOfWork(settings), actor, big_run)
    )
    db.get_engine(settings).dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--files", type=int, default=1000)
    p.add_argument("--stations", type=int, default=200)
    p.add_argument("--runs", type=int, default=10_000)
    p.add_argument("--big-survey", type=int, default=10_000)
    p.add_argument("--backend", choices=["duckdb", "postgres", "both"], default="both")
    p.add_argument("--pg-url", default=os.environ.get("SURVEYLAB_TEST_PG_URL"))
    args = p.parse_args(argv)
    print(f"# {platform.platform()} / {os.cpu_count()} CPUs / Python {sys.version.split()[0]}")
    print(
        f"# files={args.files} stations={args.stations} runs={args.runs} "
        f"big_survey={args.big_survey}"
    )
    print(
        "| backend | service files/s (connection per file) | service stations/s | service "
        "batch files/s (one connection) | floor files/s | floor stations/s | service/floor "
        "| batch/floor | list 10k runs as records [ms] | list 10k runs as a DataFrame [ms] "
        "| load 10k-station survey [ms] |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    backends = ["duckdb", "postgres"] if args.backend == "both" else [args.backend]
    for name in backends:
        url = None
        if name == "postgres":
            if not args.pg_url:
                print("| postgres | skipped: no --pg-url / SURVEYLAB_TEST_PG_URL |")
                continue
            url = _pg_database(args.pg_url)
        try:
            r = bench_backend(name, url, args)
        finally:
            if url:
                _drop_pg(url)
        ratio = r["floor_files_s"] / r["service_files_s"]
        batch_ratio = r["floor_files_s"] / r["batch_files_s"]
        print(
            f"| {name} | {r['service_files_s']:.1f} | {r['service_stations_s']:.0f} | "
            f"{r['batch_files_s']:.1f} | {r['floor_files_s']:.1f} | {r['floor_stations_s']:.0f} "
            f"| {ratio:.2f}x slower | {batch_ratio:.2f}x slower | {r['list_runs_ms']:.1f} | "
            f"{r['list_frame_ms']:.1f} | {r['load_survey_ms']:.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
