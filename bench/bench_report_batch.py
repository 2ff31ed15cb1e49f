"""Benchmark ``surveylab report-batch`` against ``surveylab report`` run once per run.

Usage::

    .venv/bin/python bench/bench_report_batch.py [--runs 10 100] [--stations 200]
        [--workers 2] [--database-url URL]

For each size N: a fresh database (DuckDB under a temporary folder, or the PostgreSQL
database of ``--database-url``, emptied first) holding N runs, each with one imported survey of
``--stations`` stations; then, as a scheduler would start them, (a) ``surveylab report RUN`` as
a new process for each of the N runs, one after the other, and (b) one ``surveylab
report-batch`` over the same N runs. Both write HTML; papermill executes every report notebook
in both. Printed: wall time and reports per minute of each, and the ratio (b)/(a) (target:
at least 3). Wall-clock times: other jobs on the machine inflate them; the two are run in turn
within the same minutes.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
SURVEYLAB = [str(Path(sys.executable).with_name("surveylab"))]


def setup(folder: Path, n_runs: int, stations: int, database_url: str | None) -> dict[str, str]:
    """A migrated database with one engineer and ``n_runs`` runs; the environment to use."""
    env = {
        **os.environ,
        "SURVEYLAB_DATA_DIR": str(folder),
        "SURVEYLAB_SECRET_KEY": SECRET,
        "SURVEYLAB_ACCESS_MINUTES": "240",
    }
    env.pop("SURVEYLAB_TOKEN_FILE", None)
    env.pop("SURVEYLAB_DATABASE_URL", None)
    if database_url:
        env["SURVEYLAB_DATABASE_URL"] = database_url
    os.environ.update({k: v for k, v in env.items() if k.startswith("SURVEYLAB_")})
    if not database_url:
        os.environ.pop("SURVEYLAB_DATABASE_URL", None)
    from surveylab import db
    from surveylab.config import load_settings
    from surveylab.demo import PROFILES, vendor_csv, well_profile
    from surveylab.models import Role
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts
    from surveylab.session import Session

    settings = load_settings()
    if database_url:
        import sqlalchemy as sa

        engine = sa.create_engine(database_url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    db.upgrade(settings)
    accounts.ensure_user(UnitOfWork(settings), "bench", "bench-password-123", Role.ENGINEER)
    s = Session.login("bench", "bench-password-123", settings)
    s.create_well("Batch W-1", "Oil")
    length = sum(seg.length for seg in PROFILES["horizontal"])
    for i in range(n_runs):
        number = f"RB{i:04d}"
        s.create_run(number, f"Batch run {i:04d}", "MWD", well="Batch W-1")
        profile = well_profile(
            "horizontal", azimuth=10.0 + i, step=length / stations, noise_deg=0.05, seed=i
        )
        s.import_file(vendor_csv(profile, well="Batch W-1", run=number, tool="MWD"), number)
    env["SURVEYLAB_TOKEN"] = s.token or ""
    return env


def one_by_one(env: dict[str, str], n_runs: int, out: Path) -> float:
    t0 = time.perf_counter()
    for i in range(n_runs):
        subprocess.run(
            [*SURVEYLAB, "report", f"RB{i:04d}", "--output", str(out)],
            env=env,
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - t0


def batch(env: dict[str, str], since: str, out: Path, workers: int | None) -> float:
    args = [*SURVEYLAB, "report-batch", "--changed-since", since, "--output", str(out)]
    if workers:
        args += ["--workers", str(workers)]
    t0 = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"report-batch failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return took


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, nargs="+", default=[10, 100])
    p.add_argument("--stations", type=int, default=200)
    p.add_argument("--workers", type=int)
    p.add_argument("--database-url")
    p.add_argument(
        "--loop-sample",
        type=int,
        help="time `surveylab report` on only this many of the runs and scale to N (a loop "
        "of 100 processes takes half an hour on a loaded 2-core machine)",
    )
    args = p.parse_args(argv)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    rows = []
    for n in args.runs:
        with tempfile.TemporaryDirectory(prefix="surveylab-bench-batch-") as tmp:
            folder = Path(tmp)
            since = datetime.now(UTC).isoformat()
            env = setup(folder, n, args.stations, args.database_url)
            t_batch = batch(env, since, folder / "batch", args.workers)
            k = min(n, args.loop_sample or n)
            t_loop = one_by_one(env, k, folder / "loop") * n / k
            made = (
                len(list((folder / "batch").glob("*.html"))),
                len(list((folder / "loop").glob("*.html"))),
            )
            assert made == (n, k), f"reports written {made}, expected {(n, k)}"
            rows.append((n, t_loop, t_batch))
            print(
                f"{n} runs ({k} timed one by one): surveylab report x{n} {t_loop:.1f} s "
                f"({60 * n / t_loop:.1f}/min), "
                f"report-batch {t_batch:.1f} s ({60 * n / t_batch:.1f}/min), "
                f"{t_loop / t_batch:.2f}x; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    print(
        "\n| runs | `surveylab report` x N [s] | per minute | `report-batch` [s] | per minute "
        "| throughput ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n, a, b in rows:
        print(f"| {n} | {a:.1f} | {60 * n / a:.1f} | {b:.1f} | {60 * n / b:.1f} | {a / b:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
