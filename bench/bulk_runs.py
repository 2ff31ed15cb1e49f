"""Fill a benchmark database with many runs quickly (bulk inserts, no per-run services).

    .venv/bin/python bench/bulk_runs.py DATA_DIR [--runs 100000] [--wells 50]
        [--stations 200] [--database-url URL] [--explain]

Every run belongs to one of ``--wells`` wells and one of 3 users, has a type, and a current
survey revision (a ``surveys`` row with its header, in one of the statuses draft, qc_passed,
qc_failed, approved) holding ``--stations`` stations (100,000 x 200 = 20 million; 0 for none).
On DuckDB the rows go in from pandas frames in one statement per table (100,000 runs in a few
seconds) and the stations by one ``INSERT ... SELECT`` over ``range()``; on PostgreSQL runs,
files and surveys through psycopg's COPY and the stations by one ``INSERT ... SELECT`` over
``generate_series`` with the table's primary key and foreign key dropped meanwhile and made
again after (one index build and one join to check them, instead of 20 million index inserts
and trigger calls). The stations are a smooth build-and-hold path (inclination up to 60 deg,
azimuth turning slowly), plausible for figures, not computed by the calculation engine.
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
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from surveylab import db  # noqa: E402
from surveylab.config import load_settings  # noqa: E402
from surveylab.db.tables import STATION_VALUE_COLUMNS  # noqa: E402
from surveylab.models import Role  # noqa: E402
from surveylab.models.survey import SurveyHeader  # noqa: E402
from surveylab.repositories import UnitOfWork  # noqa: E402
from surveylab.repositories._base import json_safe  # noqa: E402
from surveylab.services import accounts  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
USERS = (("bulk-a", Role.ENGINEER), ("bulk-b", Role.SURVEYOR), ("bulk-c", Role.ENGINEER))
PASSWORD = "bulk-user-password"
TYPES = ("GTL", "Gyro", "MWD", "Unknown")


STATUSES = ("draft", "qc_passed", "qc_failed", "approved")
#: A station row from the survey's id and its index ``seq``: 30 m apart, inclination building
#: 2 deg per station to 60 deg, azimuth 10 deg + 0.1 deg per station; positions from the
#: average angle per course summed in closed form is not needed here (figures only).
_STATION_SQL = """
    SELECT s.id, g.seq,
           g.seq * 30.0 AS md,
           least(g.seq * 2.0, 60.0) AS inc,
           10.0 + g.seq * 0.1 AS azi,
           g.seq * 30.0 * cos(radians(least(g.seq * 1.0, 60.0))) AS tvd,
           g.seq * 30.0 * sin(radians(least(g.seq * 1.0, 60.0))) * cos(radians(10.0 + g.seq * 0.05))
             AS north,
           g.seq * 30.0 * sin(radians(least(g.seq * 1.0, 60.0))) * sin(radians(10.0 + g.seq * 0.05))
             AS east,
           CASE WHEN g.seq = 0 THEN 0.0 ELSE 2.0 END AS dogleg,
           CASE WHEN g.seq = 0 THEN 0.0 ELSE 2.0 END AS dls,
           CASE WHEN g.seq = 0 OR g.seq > 30 THEN 0.0 ELSE 2.0 END AS build_rate,
           CASE WHEN g.seq = 0 THEN 0.0 ELSE 0.1 END AS turn_rate,
           NULL AS toolface,
           g.seq * 30.0 * sin(radians(least(g.seq * 1.0, 60.0))) AS vs,
           false AS projected,
           true AS used
    FROM surveys s CROSS JOIN {series} AS g(seq)
"""
_STATION_COLS = "survey_id, seq, " + ", ".join((*STATION_VALUE_COLUMNS, "projected", "used"))


def frames(n_runs: int, well_ids: list[uuid.UUID], user_ids: list[uuid.UUID], n_stations: int = 0):
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
            "station_count": n_stations if n_stations else rng.integers(50, 5000, n_runs),
            "status": [STATUSES[i % len(STATUSES)] for i in rng.integers(0, 4, n_runs)],
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


def fill(
    data_dir: Path,
    n_runs: int,
    database_url: str | None = None,
    n_wells: int = 50,
    n_stations: int = 0,
) -> dict[str, float]:
    """Migrate, add the users and ``n_wells`` wells, bulk-insert ``n_runs`` runs with
    ``n_stations`` stations each; seconds taken."""
    env = {"SURVEYLAB_DATA_DIR": str(data_dir), "SURVEYLAB_SECRET_KEY": SECRET}
    if database_url:
        env["SURVEYLAB_DATABASE_URL"] = database_url
    settings = load_settings(env)
    db.upgrade(settings)
    user_ids = [
        accounts.ensure_user(UnitOfWork(settings), name, PASSWORD, role).id for name, role in USERS
    ]
    with UnitOfWork(settings) as uow:
        well_ids = [
            uow.wells.add(f"Bulk well {i:04d}", "Oil", user_ids[0]).id for i in range(n_wells)
        ]
        uow.commit()
    t0 = time.perf_counter()
    runs, files, surveys = frames(n_runs, well_ids, user_ids, n_stations)
    made = time.perf_counter() - t0
    engine = db.get_engine(settings)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None, "an open connection has its driver's connection"
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
    took = {"frames [s]": made, "insert [s]": inserted}
    if n_stations:
        t0 = time.perf_counter()
        _stations(engine, n_stations)
        took["stations [s]"] = time.perf_counter() - t0
    if engine.dialect.name == "postgresql":
        t0 = time.perf_counter()
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        took["vacuum analyze [s]"] = time.perf_counter() - t0
    engine.dispose()
    return took


def _stations(engine, n_stations: int) -> None:
    """``n_stations`` stations for every survey, generated inside the database."""
    with engine.begin() as conn:
        if engine.dialect.name == "duckdb":
            sql = _STATION_SQL.format(series=f"range({n_stations})")
            conn.exec_driver_sql(f"INSERT INTO stations ({_STATION_COLS}) {sql}")
            return
        sql = _STATION_SQL.format(series=f"generate_series(0, {n_stations - 1})")
        conn.exec_driver_sql("ALTER TABLE stations DROP CONSTRAINT fk_stations_survey_id_surveys")
        conn.exec_driver_sql("ALTER TABLE stations DROP CONSTRAINT pk_stations")
        conn.exec_driver_sql(f"INSERT INTO stations ({_STATION_COLS}) {sql}")
        conn.exec_driver_sql(
            "ALTER TABLE stations ADD CONSTRAINT pk_stations PRIMARY KEY (survey_id, seq)"
        )
        conn.exec_driver_sql(
            "ALTER TABLE stations ADD CONSTRAINT fk_stations_survey_id_surveys FOREIGN KEY"
            " (survey_id) REFERENCES surveys (id) ON DELETE CASCADE"
        )


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

        conn.execute = capture  # type: ignore[method-assign,assignment]  # capture the selects
        cases: dict[str, dict[str, Any]] = {
            "page 1 by run number": {"limit": 25, "offset": 0},
            "page 2000 by run number": {"limit": 25, "offset": 49_975},
            "page 1 by well": {"limit": 25, "order_by": "well"},
            "page 1 newest first": {"limit": 25, "order_by": "updated_at", "descending": True},
            "page 1 of one type": {"limit": 25, "run_type": "Gyro"},
            "page 1 of one status": {"limit": 25, "status": "approved"},
            "page 1 of a text search": {"limit": 25, "search": "0123"},
            "page 1 of a text search, no match": {"limit": 25, "search": "zzz"},
        }
        for label, kw in cases.items():
            captured.clear()
            repo.list(**kw)
            out.append((label, captured[-1]))
        counts: dict[str, dict[str, Any]] = {
            "count": {},
            "count of one status": {"status": "approved"},
            "count of a text search": {"search": "0123"},
        }
        for label, kw in counts.items():
            captured.clear()
            repo.count(**kw)
            out.append((label, captured[-1]))
        conn.execute = real  # type: ignore[method-assign]
        text = []
        for label, q in out:
            compiled = q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
            conn.exec_driver_sql(str(compiled)).all()  # warm: the plan shows cached pages
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
    p.add_argument("--runs", type=int, default=100_000, help="runs to add (0: only --explain)")
    p.add_argument("--wells", type=int, default=50)
    p.add_argument("--stations", type=int, default=0, help="stations per run (0: none)")
    p.add_argument("--database-url")
    p.add_argument("--explain", action="store_true")
    args = p.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if args.runs:
        took = fill(args.data_dir, args.runs, args.database_url, args.wells, args.stations)
        print(f"{args.runs} runs: " + ", ".join(f"{k} {v:.1f}" for k, v in took.items()))
    if args.explain:
        print(explain(args.data_dir, args.database_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
