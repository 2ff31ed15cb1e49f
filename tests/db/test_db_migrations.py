"""Migrations and models agree; upgrading keeps data; ``surveylab db upgrade`` works.

alembic's autogenerate cannot reflect DuckDB (duckdb-engine has no reflection on DuckDB 2.0), so the
model/migration comparison runs on PostgreSQL, where the migrations create the full schema with
foreign keys. DuckDB is checked through its information_schema.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from surveylab import db
from surveylab.cli import main
from surveylab.db import tables
from tests.conftest import TEST_SECRET, settings_for

TABLES = {
    "users",
    "wells",
    "runs",
    "survey_files",
    "surveys",
    "stations",
    "reports",
    "audit_events",
    "revoked_tokens",
    "login_attempts",
    "wellbores",
    "qc_stations",
    "survey_status_changes",
    "definitive_surveys",
    "definitive_intervals",
    "definitive_stations",
}


def _diff(engine: sa.Engine, metadata: sa.MetaData) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, metadata)


@pytest.mark.postgres
def test_migrated_postgres_schema_matches_the_models(fresh_pg_url, tmp_path):
    s = settings_for(fresh_pg_url, tmp_path)
    assert db.upgrade(s) == db.head_revision()
    engine = db.get_engine(s)
    assert _diff(engine, tables.metadata) == []

    # the comparison is able to see a difference (negative control)
    altered = sa.MetaData(naming_convention=tables.metadata.naming_convention)
    for table in tables.metadata.tables.values():
        table.to_metadata(altered)
    altered.tables["wells"].append_column(sa.Column("extra", sa.Integer))
    assert any(d[0] == "add_column" for d in _diff(engine, altered))

    # alembic does not compare CHECK constraints or ON DELETE rules: check them directly
    inspector = sa.inspect(engine)
    for table in tables.metadata.tables.values():
        expected = {str(c.name) for c in table.constraints if isinstance(c, sa.CheckConstraint)}
        db_checks = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert db_checks == expected, table.name
        model_fks = {
            (fk.parent.name, fk.column.table.name, fk.ondelete) for fk in table.foreign_keys
        }
        db_fks = {
            (fk["constrained_columns"][0], fk["referred_table"], fk["options"].get("ondelete"))
            for fk in inspector.get_foreign_keys(table.name)
        }
        assert db_fks == model_fks, table.name


def _seed_rows(conn: sa.Connection) -> dict[str, uuid.UUID]:
    """Rows in every main table, written with plain SQL (columns of the first revision)."""
    now = datetime.now(UTC)
    ids = {k: uuid.uuid4() for k in ("user", "well", "run", "file", "survey")}
    conn.execute(
        sa.text(
            "INSERT INTO users (id, username, username_key, password_hash, role, is_active,"
            " created_at, updated_at) VALUES (:id, 'ann', 'ann', 'x', 'Engineer', true, :t, :t)"
        ),
        {"id": ids["user"], "t": now},
    )
    conn.execute(
        sa.text(
            "INSERT INTO wells (id, well_name, well_type, created_at, updated_at)"
            " VALUES (:id, 'W-1', 'Gas', :t, :t)"
        ),
        {"id": ids["well"], "t": now},
    )
    conn.execute(
        sa.text(
            "INSERT INTO runs (id, run_number, run_name, run_type, well_id, user_id, created_at,"
            " updated_at) VALUES (:id, 'R-1', 'Run 1', 'Gyro', :w, :u, :t, :t)"
        ),
        {"id": ids["run"], "w": ids["well"], "u": ids["user"], "t": now},
    )
    conn.execute(
        sa.insert(tables.survey_files).values(
            id=ids["file"],
            run_id=ids["run"],
            file_name="a.csv",
            size_bytes=3,
            sha256="0" * 64,
            detected_format="csv",
            content=b"\x00ab",
            uploaded_at=now,
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO surveys (id, run_id, file_id, revision, depth_unit, azimuth_reference,"
            " method, dls_course_length, station_count, header_json, findings_json,"
            " assumptions_json, imported_at) VALUES (:id, :r, :f, 1, 'm', 'true',"
            " 'minimum_curvature', 30, 1, '{}', '[]', '[]', :t)"
        ),
        {"id": ids["survey"], "r": ids["run"], "f": ids["file"], "t": now},
    )
    conn.execute(
        sa.text(
            "INSERT INTO stations (survey_id, seq, md, inc, azi, tvd, north, east, dogleg, dls,"
            " build_rate, turn_rate, projected, used) VALUES (:s, 0, 0.1, 0.2, 0.3, 0.1, 0, 0,"
            " 0, 0, 0, 0, false, true)"
        ),
        {"s": ids["survey"]},
    )
    return ids


def _assert_rows_kept(conn: sa.Connection, ids: dict[str, uuid.UUID]) -> None:
    assert conn.execute(sa.text("SELECT username FROM users")).scalar_one() == "ann"
    run = conn.execute(sa.text("SELECT run_number, well_id, user_id FROM runs")).one()
    assert run[0] == "R-1"
    assert uuid.UUID(str(run[1])) == ids["well"] and uuid.UUID(str(run[2])) == ids["user"]
    content = conn.execute(sa.text("SELECT content FROM survey_files")).scalar_one()
    assert bytes(content) == b"\x00ab"
    st = conn.execute(sa.text("SELECT md, inc, azi FROM stations")).one()
    assert tuple(st) == (0.1, 0.2, 0.3)


def _revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(db._alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.mark.parametrize(
    "backend_name", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_upgrading_a_database_that_holds_data_keeps_it(backend_name, tmp_path, request):
    url = request.getfixturevalue("fresh_pg_url") if backend_name == "postgres" else None
    s = settings_for(url, tmp_path)
    first = _revisions_oldest_first()[0]
    assert db.upgrade(s, first) == first
    engine = db.get_engine(s)
    with engine.begin() as conn:
        ids = _seed_rows(conn)
    # every later revision, then head, then head again (a no-op that must not touch data)
    assert db.upgrade(s) == db.head_revision()
    assert db.upgrade(s) == db.head_revision()
    with engine.connect() as conn:
        _assert_rows_kept(conn, ids)


def test_duckdb_upgrade_creates_every_table(tmp_path):
    s = settings_for(None, tmp_path)
    assert db.upgrade(s) == db.head_revision()
    with db.get_engine(s).connect() as conn:
        names = {
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema='main'"
                )
            )
        }
        assert names >= TABLES
        for table in tables.metadata.tables.values():
            cols = {
                r[0]
                for r in conn.execute(
                    sa.text(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = :t"
                    ),
                    {"t": table.name},
                )
            }
            assert cols == set(table.c.keys()), table.name
    assert set(tables.metadata.tables) == TABLES


def test_cli_db_upgrade_on_duckdb(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SURVEYLAB_SECRET_KEY", TEST_SECRET)
    monkeypatch.delenv("SURVEYLAB_DATABASE_URL", raising=False)
    assert main(["db", "upgrade", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"revision": db.head_revision(), "backend": "DuckDB"}
    assert (Path(tmp_path) / "surveylab.duckdb").is_file()
    # running it again is harmless
    assert main(["db", "upgrade"]) == 0
    assert db.head_revision() in capsys.readouterr().out


@pytest.mark.postgres
def test_cli_db_upgrade_on_postgres(fresh_pg_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SURVEYLAB_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SURVEYLAB_DATABASE_URL", fresh_pg_url)
    assert main(["db", "upgrade", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["backend"] == "PostgreSQL"


def test_cli_db_upgrade_refuses_a_bad_url_with_one_error_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SURVEYLAB_DATABASE_URL", "mysql://nope")
    assert main(["db", "upgrade"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "SURVEYLAB_DATABASE_URL" in err[0]
