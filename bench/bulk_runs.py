"""Fill a benchmark database with many runs quickly (bulk inserts, no per-run services).

    .venv/bin/python bench/bulk_runs.py DATA_DIR [--runs 100000] [--database-url URL]
        [--explain]

Every run belongs to one of 50 wells and one of 4 users, has a type, and a current survey
revision (a ``surveys`` row with its header, no stations: the runs table shows the revision,
station count and worst finding from it). On DuckDB the rows go in from pandas frames in one
statement per table (100,000 runs in a few seconds); on PostgreSQL through psycopg's COPY.
With ``--explain`` the query plans of the runs table's page reads are printed.

Used by ``bench/bench_dashboards.py --page-runs``; runnable alone to look at the plans.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from surveylab import db  # noqa: E402
from surveylab.config import load_settings  # noqa: E402
from surveylab.models import Role  # noqa: E402
from surveylab.models.survey import SurveyHeader  # noqa: E402
from surveylab.repositories import UnitOfWork  # noqa: E402
from surveylab.repositories._base import json_safe  # noqa: E402
from surveylab.services import accounts  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
USERS = (("bulk-a", Role.ENGINEER), ("bulk-b", Role.SURVEYOR), ("bulk-c", Role.ENGINEER))
PASSWORD = "bulk-user-password"
TYPES = ("GTL", "Gyro", "MWD", "Unknown")


def frames(n_runs: int, well_ids: list[uuid.UUID], user_ids: list[uuid.UUID]):
    """(runs, survey_files, surveys) rows as DataFrames, columns as in the tables."""
    rng = np.random.default_rng(0)
    now = datetime.now(UTC)
    run_ids = [uuid.uuid4() for _ in range(n_runs)]
    file_ids = [uuid.uuid4() for _ in range(n_runs)]
    survey_ids = [uuid.uuid4() for _ in range(n_runs)]
    stamps = [now - timedelta(minutes=int(m)) for m in rng.integers(0, 500_000, n_runs)]
    users = [user_ids[i] for i in rng.integers(0, len(user_ids), n_runs)]
    runs = pd.DataFrame(
        {
            "id": run_ids,
            "run_number": [f"BULK-{i:06d}" for i in range(n_runs)],
            "run_name": [f"bulk run {i:06d} {TYPES[i % 4]}" for i in range(n_runs)],
            "run_type": [TYPES[i % 4] for i in range(n_runs)],
            "well_id": [well_ids[i] for i in rng.integers(0, len(well_ids), n_runs)],
            "user_id": users,
            "current_survey_id": survey_ids,
            "survey_changed_at": stamps,
            "created_at": stamps,
            "updated_at": stamps,
        }
    )
    files = pd.DataFrame(
        {
            "id": file_ids,
            "run_id": run_ids,
            "file_name": [f"BULK-{i:06d}.csv" for i in range(n_runs)],
            "size_bytes": 1000,
            "sha256": [f"{i:064x}" for i in range(n_runs)],
            "detected_format": "csv",
            "content": b"bulk",
            "uploaded_by": users,
            "uploaded_at": stamps,
        }
    )
    header = json.dumps(json_safe(SurveyHeader().to_dict()))
    surveys = pd.DataFrame(
        {
            "id": survey_ids,
            "run_id": run_ids,
            "file_id": file_ids,
            "revision": 1,
            "depth_unit": "m",
            "azimuth_reference": "true",
            "method": "minimum_curvature",
            "dls_course_length": 30.0,
            "vs_azimuth": None,
            "station_count": rng.integers(50, 5000, n_runs),
            "worst_severity": [("warning", None, "info", None)[i % 4] for i in range(n_runs)],
            "header_json": header,
            "findings_json": "[]",
            "assumptions_json": "[]",
            "imported_by": users,
            "imported_by_name": "bulk",
            "imported_at": stamps,
        }
    )
    return runs, files, surveys


def fill(data_dir: Path, n_runs: int, database_url: str | None = None) -> dict[str, float]:
    """Migrate, add the users and wells, bulk-insert ``n_runs`` runs; seconds taken."""
    env = {"SURVEYLAB_DATA_DIR": str(data_dir), "SURVEYLAB_SECRET_KEY": SECRET}
    if database_url:
        env["SURVEYLAB_DATABASE_URL"] = database_url
    settings = load_settings(env)
    db.upgrade(settings)
    user_ids = [
        accounts.ensure_user(UnitOfWork(settings), name, PASSWORD, role).id for name, role in USERS
    ]
    with UnitOfWork(settings) as uow:
        well_ids = [uow.wells.add(f"Bulk well {i:02d}", "Oil", user_ids[0]).id for i in range(50)]
        uow.commit()
    t0 = time.perf_counter()
    runs, files, surveys = frames(n_runs, well_ids, user_ids)
    made = time.perf_counter() - t0
    engine = db.get_engine(settings)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        if engine.dialect.name == "duckdb":
            for name, frame in (("runs", runs), ("survey_files", files), ("surveys", surveys)):
                cols = ", ".join(frame.columns)
                raw.register("bulk_frame", frame)
                raw.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM bulk_frame")
                raw.unregister("bulk_frame")
        else:
            with raw.cursor() as cur:
                for name, frame in (("runs", runs), ("survey_files", files), ("surveys", surveys)):
                    cols = ", ".join(frame.columns)
                    with cur.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
                        for row in frame.itertuples(index=False):
                            copy.write_row([None if _missing(v) else v for v in row])
    inserted = time.perf_counter() - t0
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return {"frames [s]": made, "insert [s]": inserted}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def explain(data_dir: Path, database_url: str | None = None) -> str:
    """The query plans of a page of the runs table (first page, a far page, by well, newest
    first) and of the count, as the repository sends them."""
    import sqlalchemy as sa

    from surveylab.repositories.runs import RunRepository

    env = {"SURVEYLAB_DATA_DIR": str(data_dir), "SURVEYLAB_SECRET_KEY": SECRET}
    if database_url:
        env["SURVEYLAB_DATABASE_URL"] = database_url
    settings = load_settings(env)
    engine = db.get_engine(settings)
    out = []
    with engine.connect() as conn:
        repo = RunRepository(conn)
        captured: list[sa.Select] = []
        real = conn.execute

        def capture(q, *a, **k):
            captured.append(q)
            return real(q, *a, **k)

        conn.execute = capture  # type: ignore[method-assign]
        cases = {
            "page 1 by run number": {"limit": 25, "offset": 0},
            "page 2000 by run number": {"limit": 25, "offset": 49_975},
            "page 1 by well": {"limit": 25, "order_by": "well"},
            "page 1 newest first": {"limit": 25, "order_by": "updated_at", "descending": True},
            "page 1 of one type": {"limit": 25, "run_type": "Gyro"},
        }
        for label, kw in cases.items():
            captured.clear()
            repo.list(**kw)
            out.append((label, captured[-1]))
        captured.clear()
        repo.count()
        out.append(("count", captured[-1]))
        conn.execute = real  # type: ignore[method-assign]
        text = []
        for label, q in out:
            compiled = q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
            t0 = time.perf_counter()
            rows = conn.exec_driver_sql("EXPLAIN ANALYZE " + str(compiled)).all()
            ms = (time.perf_counter() - t0) * 1000
            plan = "\n".join(str(r[-1]) for r in rows)
            text.append(f"### {label} ({ms:.0f} ms with EXPLAIN ANALYZE)\n\n```\n{plan}\n```\n")
    engine.dispose()
    return "\n".join(text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("data_dir", type=Path)
    p.add_argument("--runs", type=int, default=100_000)
    p.add_argument("--database-url")
    p.add_argument("--explain", action="store_true")
    args = p.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    took = fill(args.data_dir, args.runs, args.database_url)
    print(f"{args.runs} runs: " + ", ".join(f"{k} {v:.1f}" for k, v in took.items()))
    if args.explain:
        print(explain(args.data_dir, args.database_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
