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
    "token_families",
    "database_marks",
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


@pytest.mark.parametrize(
    "backend_name", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_wellbore_migration_puts_existing_runs_on_each_wells_main_wellbore(
    backend_name, tmp_path, request
):
    """A database made at revision 0001 with wells, runs (one without a well) and a survey:
    upgraded, every well has its main wellbore and its runs are on it, the run without a
    well is on none, the existing revision is a draft on which QC never ran; the services
    work on it (QC run on demand, then approval by a second person); downgraded back, the
    data are still there."""
    from alembic import command

    from surveylab.models import Actor, Role
    from surveylab.repositories import UnitOfWork
    from surveylab.services import approval, qc

    url = request.getfixturevalue("fresh_pg_url") if backend_name == "postgres" else None
    s = settings_for(url, tmp_path)
    db.upgrade(s, "0001")
    engine = db.get_engine(s)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        ids = _seed_rows(conn)
        other_well, loose_run = uuid.uuid4(), uuid.uuid4()
        conn.execute(
            sa.text(
                "INSERT INTO wells (id, well_name, well_type, created_at, updated_at)"
                " VALUES (:id, 'W-2', 'Oil', :t, :t)"
            ),
            {"id": other_well, "t": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO runs (id, run_number, run_name, run_type, user_id, created_at,"
                " updated_at) VALUES (:id, 'R-2', 'Run 2', 'MWD', :u, :t, :t)"
            ),
            {"id": loose_run, "u": ids["user"], "t": now},
        )
        # the survey's file: a readable listing, so QC can run on it once migrated
        conn.execute(
            sa.text("UPDATE survey_files SET content = :c"),
            {"c": b"Depth units: m\nMD,Inc,Azi\n0,0,0\n100,1,10\n"},
        )
        conn.execute(sa.text("UPDATE runs SET current_survey_id = :s WHERE id = :r"),
                     {"s": ids["survey"], "r": ids["run"]})  # fmt: skip
    assert db.upgrade(s) == db.head_revision()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT username FROM users")).scalar_one() == "ann"
        r1 = conn.execute(sa.text("SELECT well_id FROM runs WHERE run_number = 'R-1'")).one()
        assert uuid.UUID(str(r1[0])) == ids["well"]
        assert tuple(conn.execute(sa.text("SELECT md, inc, azi FROM stations")).one()) == (
            0.1,
            0.2,
            0.3,
        )
        bores = conn.execute(
            sa.text("SELECT id, well_id, name, parent_id FROM wellbores ORDER BY name")
        ).all()
        assert sorted((uuid.UUID(str(b[1])), b[2], b[3]) for b in bores) == sorted(
            [(ids["well"], "main", None), (other_well, "main", None)]
        )
        main_of = {uuid.UUID(str(b[1])): uuid.UUID(str(b[0])) for b in bores}
        rows = conn.execute(sa.text("SELECT run_number, wellbore_id FROM runs")).all()
        run_bores: dict[str, object] = {r[0]: r[1] for r in rows}
        assert uuid.UUID(str(run_bores["R-1"])) == main_of[ids["well"]]
        assert run_bores["R-2"] is None
        status = conn.execute(sa.text("SELECT status, qc_json FROM surveys")).one()
        assert tuple(status) == ("draft", None)
    owner = Actor(ids["user"], "ann", Role.ENGINEER)
    view = qc.qc_view(UnitOfWork(s), owner, "R-1").to_dict()
    assert view["status"] == "draft" and view["qc_status"] == "not run"
    assert "QC has not run on this revision" in view["reason"]
    again = qc.run_qc(UnitOfWork(s), owner, "R-1").to_dict()
    assert again["qc_status"] == "not checked" and "no raw sensor readings" in again["reason"]
    with UnitOfWork(s) as uow:
        rev = uow.users.add("rev", "x", Role.ENGINEER)
        uow.commit()
    approved = approval.approve(
        UnitOfWork(s), Actor(rev.id, "rev", Role.ENGINEER), "R-1", note="migrated, checked"
    )
    assert approved.status == "approved"
    # and back down to the first revision: the data stay
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0001")
    with engine.connect() as conn:
        assert db.current_revision(conn) == "0001"
        runs_left = conn.execute(sa.text("SELECT run_number FROM runs ORDER BY 1")).all()
        assert [r[0] for r in runs_left] == ["R-1", "R-2"]
        st = conn.execute(sa.text("SELECT md, inc, azi FROM stations")).one()
        assert tuple(st) == (0.1, 0.2, 0.3)
        names = set(sa.inspect(conn).get_table_names())
        assert "wellbores" not in names and "qc_stations" not in names
    assert db.upgrade(s) == db.head_revision()


def _run_columns(conn: sa.Connection) -> set[str]:
    q = "SELECT column_name FROM information_schema.columns WHERE table_name = 'runs'"
    return {r[0] for r in conn.execute(sa.text(q))}


@pytest.mark.parametrize(
    "backend_name", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_tool_code_migration_adds_and_removes_the_column_keeping_the_runs(
    backend_name, tmp_path, request
):
    """0004 adds runs.tool_code (NULL for existing runs: the code comes from the run type);
    a code set afterwards reads back; downgraded to 0003 the column is gone and the runs stay;
    upgrading again works."""
    from alembic import command

    url = request.getfixturevalue("fresh_pg_url") if backend_name == "postgres" else None
    s = settings_for(url, tmp_path)
    db.upgrade(s, "0003")
    engine = db.get_engine(s)
    with engine.begin() as conn:
        ids = _seed_rows(conn)
    with engine.connect() as conn:
        assert "tool_code" not in _run_columns(conn)
    assert db.upgrade(s, "0004") == "0004"
    with engine.begin() as conn:
        assert "tool_code" in _run_columns(conn)
        assert conn.execute(sa.text("SELECT tool_code FROM runs")).scalar_one() is None
        conn.execute(sa.text("UPDATE runs SET tool_code = 'MWD+IFR1'"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT tool_code FROM runs")).scalar_one() == "MWD+IFR1"
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0003")
    with engine.connect() as conn:
        assert db.current_revision(conn) == "0003"
        assert "tool_code" not in _run_columns(conn)
        _assert_rows_kept(conn, ids)
    assert db.upgrade(s) == db.head_revision()
    with engine.connect() as conn:
        assert "tool_code" in _run_columns(conn)
        _assert_rows_kept(conn, ids)
