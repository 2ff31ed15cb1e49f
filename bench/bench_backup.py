"""Backup and restore: seconds and archive size for the demo database and a 1,000-run one.

    .venv/bin/python bench/bench_backup.py [--runs 1000] [--stations 200] [--repeat 3]
    SURVEYLAB_TEST_PG_URL=postgresql+psycopg://... adds PostgreSQL (source and target)

The 1,000-run database is the demo plus 1,000 runs, each with one uploaded file (one of the
demo's, bytes varied) and one survey of ``--stations`` stations copied in the database from
the demo's longest survey. Each figure is the best of ``--repeat``. On DuckDB the backup's time
is also how long it holds the database file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveylab import db
from surveylab.config import load_settings
from surveylab.demo import load_demo
from surveylab.services.backup import backup, restore

T = TypeVar("T")
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def settings_for(url: str | None, folder: Path):
    env = {"SURVEYLAB_DATA_DIR": str(folder), "SURVEYLAB_SECRET_KEY": SECRET}
    if url:
        env["SURVEYLAB_DATABASE_URL"] = url
    return load_settings(env)


def new_pg(admin_url: str) -> str:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_pg(admin_url: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def add_runs(settings, runs: int, stations: int) -> int:
    """Add ``runs`` runs with one file and one survey of ``stations`` stations each."""
    engine = db.get_engine(settings)
    with engine.begin() as conn:
        user = conn.execute(sa.text("SELECT id FROM users LIMIT 1")).scalar_one()
        src = conn.execute(
            sa.text("SELECT id, file_id FROM surveys ORDER BY station_count DESC LIMIT 1")
        ).one()
        survey = dict(
            conn.execute(sa.text("SELECT * FROM surveys WHERE id = :i"), {"i": src[0]})
            .mappings()
            .one()
        )
        file = dict(
            conn.execute(sa.text("SELECT * FROM survey_files WHERE id = :i"), {"i": src[1]})
            .mappings()
            .one()
        )
        have = conn.execute(
            sa.text("SELECT count(*) FROM stations WHERE survey_id = :i"), {"i": src[0]}
        ).scalar_one()
        now = datetime.now(UTC)
        for i in range(runs):
            run_id, file_id, survey_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            conn.execute(
                sa.text(
                    "INSERT INTO runs (id, run_number, run_name, run_type, user_id,"
                    " current_survey_id, survey_changed_at, created_at, updated_at)"
                    " VALUES (:id, :n, :name, 'MWD', :u, :s, :t, :t, :t)"
                ),
                {
                    "id": run_id,
                    "n": f"B{i:05d}",
                    "name": f"Bench run {i}",
                    "u": user,
                    "s": survey_id,
                    "t": now,
                },
            )
            content = bytes(file["content"]) + f"\n# copy {i}\n".encode()
            conn.execute(
                sa.text(
                    "INSERT INTO survey_files (id, run_id, file_name, size_bytes, sha256,"
                    " detected_format, content, uploaded_by, uploaded_at)"
                    " VALUES (:id, :r, :f, :n, :h, :d, :c, :u, :t)"
                ),
                {
                    "id": file_id,
                    "r": run_id,
                    "f": file["file_name"],
                    "n": len(content),
                    "h": uuid.uuid4().hex * 2,
                    "d": file["detected_format"],
                    "c": content,
                    "u": user,
                    "t": now,
                },
            )
            row = {
                **survey,
                "id": survey_id,
                "run_id": run_id,
                "file_id": file_id,
                "station_count": stations,
            }
            cols = ", ".join(row)
            conn.execute(
                sa.text(f"INSERT INTO surveys ({cols}) VALUES ({', '.join(':' + c for c in row)})"),
                row,
            )
            # the demo survey's stations, repeated to ``stations`` rows
            conn.execute(
                sa.text(
                    "INSERT INTO stations SELECT :new, g.k * :have + s.seq, s.md + g.k * 10000,"
                    " s.inc, s.azi, s.tvd, s.north, s.east, s.dogleg, s.dls, s.build_rate,"
                    " s.turn_rate, s.toolface, s.vs, s.projected, s.used FROM stations s,"
                    " (SELECT generate_series AS k FROM generate_series(0, :reps)) g"
                    " WHERE s.survey_id = :src AND g.k * :have + s.seq < :n"
                ),
                {
                    "new": survey_id,
                    "have": have,
                    "src": src[0],
                    "reps": stations // have + 1,
                    "n": stations,
                },
            )
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM stations")).scalar_one())


def best(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The shortest of ``repeat`` calls [s] and the last call's result."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pg = os.environ.get("SURVEYLAB_TEST_PG_URL")
    backends = ["duckdb"] + (["postgres"] if pg else [])
    made: list[str] = []
    rows = [
        "| database | source | target | stations | archive [MB] | backup [s] | restore [s] |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)

        def fresh(kind: str, tag: str):
            if kind == "postgres":
                url = new_pg(pg)  # type: ignore[arg-type]  # only when pg is set
                made.append(url)
                return settings_for(url, tmp / f"{tag}-pgdata")
            return settings_for(None, tmp / f"{tag}-{uuid.uuid4().hex[:6]}")

        try:
            for label, runs in (("demo", 0), (f"demo + {args.runs} runs", args.runs)):
                for source in backends:
                    s = fresh(source, "src")
                    db.upgrade(s)
                    load_demo(s, echo=lambda *_: None)
                    count = add_runs(s, runs, args.stations) if runs else None
                    n = 0

                    def do_backup(s=s, source=source, runs=runs):
                        nonlocal n
                        n += 1
                        return backup(s, tmp / f"{source}-{runs}-{n}.zip")

                    t_backup, summary = best(do_backup, args.repeat)
                    stations = summary.rows["stations"]
                    assert count is None or count == stations
                    size = summary.size_bytes / 1e6
                    for target in backends:
                        t_restore, _ = best(
                            partial(lambda t, p: restore(fresh(t, "dst"), p), target, summary.path),
                            args.repeat,
                        )
                        rows.append(
                            f"| {label} | {source} | {target} | {stations:,} | {size:.1f} |"
                            f" {t_backup:.2f} | {t_restore:.2f} |"
                        )
                        print(rows[-1], flush=True)
        finally:
            db._engine.cache_clear()
            for url in made:
                drop_pg(pg, url)  # type: ignore[arg-type]
    print("\n".join(rows))


if __name__ == "__main__":
    main()
