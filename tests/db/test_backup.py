"""``surveylab backup`` / ``restore``: round trips on both backends and across them, with the
sha256 of every stored file and the rows of every table compared; refusals that change
nothing; an archive of the previous schema revision restored and migrated to the newest."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from surveylab import db
from surveylab.cli import main
from surveylab.repositories import UnitOfWork
from surveylab.repositories.archive import decode_value, encode_value, snapshot
from surveylab.services.backup import BackupError, backup, restore
from surveylab.services.backup import verify as verify_archive
from tests.conftest import (
    PG_URL,
    TEST_SECRET,
    create_pg_database,
    drop_pg_database,
    require_component,
    settings_for,
)
from tests.db.archive_data import generate

BACKENDS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def new_database(tmp_path) -> Iterator[Any]:
    """A factory of brand-new databases (nothing in them, not migrated) on a backend."""
    made: list[str] = []

    def make(kind: str):
        if kind == "postgres":
            require_component(bool(PG_URL), "PostgreSQL: SURVEYLAB_TEST_PG_URL is not set")
            url = create_pg_database()
            made.append(url)
            return settings_for(url, tmp_path / f"pg{len(made)}")
        return settings_for(None, tmp_path / f"duck{len(made)}-{os.urandom(4).hex()}")

    yield make
    db._engine.cache_clear()
    for url in made:
        drop_pg_database(url)


def _normal(tag: str, value: Any) -> Any:
    """A value as JSON data that compares equal across backends (times in UTC)."""
    if tag == "datetime" and value is not None:
        return decode_value(tag, value).astimezone(UTC).isoformat()
    return value


def contents(settings) -> dict[str, list[str]]:
    """Every row of every table, as sorted JSON text (restore's own audit event left out)."""
    out = {}
    with snapshot(settings) as store:
        for name, columns in store.tables().items():
            rows = [
                json.dumps([_normal(tag, v) for (_, tag), v in zip(columns, row, strict=True)])
                for row in store.rows(name, columns)
            ]
            if name == "audit_events":
                rows = [r for r in rows if '"restore database"' not in r]
            out[name] = sorted(rows)
    return out


def file_checksums(settings) -> dict[str, str]:
    with snapshot(settings) as store:
        return store.file_checksums()


def _fill(settings, seed: int) -> None:
    with db.connect_with_retry(db.get_engine(settings), 30) as conn, conn.begin():
        generate(conn, seed)


def _revision(settings) -> str | None:
    with snapshot(settings) as store:
        return store.revision()


@pytest.mark.parametrize("target", BACKENDS)
def test_round_trip_keeps_every_row_and_every_stored_file(settings, new_database, target, tmp_path):
    from surveylab.demo import load_demo

    load_demo(settings, echo=lambda *_: None)
    _fill(settings, seed=hash(target) % 1000)
    before, files = contents(settings), file_checksums(settings)
    assert len(files) > 9 and all(before[name] for name in ("stations", "token_families"))

    summary = backup(settings, tmp_path / "a.zip")
    assert stat.S_IMODE(summary.path.stat().st_mode) == 0o600
    assert summary.rows == {name: len(rows) for name, rows in before.items()}
    assert summary.files == len(files)

    into = new_database(target)
    restored = restore(into, summary.path)
    assert restored.revision_now == db.head_revision() == _revision(into)
    assert contents(into) == before
    assert file_checksums(into) == files
    with UnitOfWork(into) as uow:  # the restore is in the audit log
        assert [e.actor_name for e in uow.audit.list(action="restore database")] == ["operator"]


def test_a_database_holding_data_is_replaced_only_with_force(settings, new_database, tmp_path):
    _fill(settings, seed=1)
    archive = backup(settings, tmp_path / "a.zip").path
    into = new_database("duckdb")
    db.upgrade(into)
    _fill(into, seed=2)
    kept = contents(into)
    with pytest.raises(BackupError, match=r"holds data.*--force"):
        restore(into, archive)
    assert contents(into) == kept
    restore(into, archive, force=True)
    assert contents(into) == contents(settings)


def _tamper(archive: Path, member: str, out: Path) -> Path:
    """A copy of ``archive`` (a valid zip) with one byte of ``member`` changed."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                i = data.index(b"1")
                data = data[:i] + b"2" + data[i + 1 :]
            dst.writestr(info, data)
    return out


@pytest.mark.parametrize("member", ["tables/stations.jsonl", "tables/survey_files.jsonl"])
def test_an_archive_that_does_not_match_its_checksums_is_refused(
    settings, new_database, tmp_path, member
):
    _fill(settings, seed=3)
    archive = backup(settings, tmp_path / "a.zip").path
    bad = _tamper(archive, member, tmp_path / "bad.zip")
    into = new_database("duckdb")
    with pytest.raises(BackupError, match=f"{member} does not match its sha256"):
        restore(into, bad)
    assert not (into.data_dir / "surveylab.duckdb").exists()  # nothing was even opened


def test_a_damaged_zip_is_refused_and_the_database_left_alone(settings, new_database, tmp_path):
    _fill(settings, seed=4)
    archive = backup(settings, tmp_path / "a.zip").path
    raw = bytearray(archive.read_bytes())
    middle = len(raw) // 3
    raw[middle : middle + 64] = bytes(64)
    (bad := tmp_path / "bad.zip").write_bytes(bytes(raw))
    into = new_database("duckdb")
    db.upgrade(into)
    with pytest.raises(BackupError, match=r"damaged|does not match"):
        restore(into, bad)
    assert all(not rows for rows in contents(into).values())


def test_rows_that_do_not_fit_the_schema_roll_everything_back(settings, new_database, tmp_path):
    """A manifest whose checksums match but whose columns do not fit the revision it names."""
    _fill(settings, seed=5)
    archive = backup(settings, tmp_path / "a.zip").path
    out = tmp_path / "odd.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        wells = next(t for t in manifest["tables"] if t["name"] == "wells")
        wells["columns"][1][0] = "name_of_well"
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, json.dumps(manifest) if info.filename == "manifest.json" else data)
    into = new_database("duckdb")
    db.upgrade(into)
    with pytest.raises(BackupError, match="table wells: the archive's columns"):
        restore(into, out)
    assert all(not rows for rows in contents(into).values())
    assert _revision(into) == db.head_revision()


@pytest.mark.parametrize("source", BACKENDS)
def test_an_archive_of_the_previous_revision_is_restored_and_migrated(
    new_database, source, tmp_path
):
    previous = db.revisions()[-2]
    old = new_database(source)
    assert db.upgrade(old, previous) == previous
    _fill(old, seed=6)
    before, files = contents(old), file_checksums(old)
    summary = backup(old, tmp_path / "old.zip")
    assert summary.revision == previous

    into = new_database(source)
    restored = restore(into, summary.path)
    assert (restored.revision, restored.revision_now) == (previous, db.head_revision())
    assert _revision(into) == db.head_revision()
    assert file_checksums(into) == files
    after = contents(into)
    # the rows of the previous revision's tables, with the newest schema's columns added
    assert {n: len(r) for n, r in after.items() if n in before} == {
        n: len(r) for n, r in before.items()
    }
    _assert_same_values(old_rows=before, new_settings=into)


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_upgrading_in_place_from_the_previous_revision_keeps_the_data(new_database, backend_name):
    previous = db.revisions()[-2]
    s = new_database(backend_name)
    db.upgrade(s, previous)
    _fill(s, seed=7)
    before, files = contents(s), file_checksums(s)
    assert db.upgrade(s) == db.head_revision()
    assert file_checksums(s) == files
    _assert_same_values(old_rows=before, new_settings=s)


def _assert_same_values(old_rows: dict[str, list[str]], new_settings) -> None:
    """Every old row is in the new database, comparing the old revision's columns only."""
    with snapshot(new_settings) as store:
        tables = store.tables()
    with db.connect_with_retry(db.get_engine(new_settings), 30) as conn:
        for name, rows in old_rows.items():
            if not rows:
                continue
            width = len(json.loads(rows[0]))
            columns = tables[name]
            # migrations add columns at the end (ALTER TABLE ... ADD COLUMN)
            q = sa.text(f"SELECT {', '.join(c for c, _ in columns[:width])} FROM {name}")
            got = sorted(
                json.dumps(
                    [
                        _normal(tag, encode_value(tag, v))
                        for (_, tag), v in zip(columns[:width], r, strict=True)
                    ]
                )
                for r in conn.execute(q)
            )
            assert [r for r in got if '"restore database"' not in r] == rows, name


# ------------------------------------------------------------------------------ the commands
@pytest.fixture
def run_cli(monkeypatch, capsys):
    def run(settings, *args: str) -> tuple[int, str, str]:
        monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("SURVEYLAB_SECRET_KEY", TEST_SECRET)
        if settings.is_embedded:
            monkeypatch.delenv("SURVEYLAB_DATABASE_URL", raising=False)
        else:
            monkeypatch.setenv("SURVEYLAB_DATABASE_URL", settings.database_url)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_commands_back_up_check_and_restore(settings, new_database, run_cli, tmp_path):
    _fill(settings, seed=8)
    code, out, err = run_cli(settings, "backup", str(tmp_path), "--json")
    assert code == 0, err
    written = json.loads(out)
    archive = Path(written["archive"])
    assert archive.parent == tmp_path and archive.name.startswith("surveylab-")
    assert written["revision"] == db.head_revision() and written["files"] > 0

    code, out, err = run_cli(settings, "backup", str(archive))
    assert (
        code == 1
        and out == ""
        and err == f"error: {archive}: exists; give a new file name or a folder\n"
    )

    code, out, _ = run_cli(settings, "restore", "--check", str(archive))
    assert code == 0 and out.startswith(f"{archive}: intact;")

    into = new_database("duckdb")
    code, out, err = run_cli(into, "restore", str(archive))
    assert code == 0, err
    from surveylab.db.tables import metadata

    assert out.startswith(f"restored {archive}: {len(metadata.tables)} tables")
    code, out, err = run_cli(into, "restore", str(archive))
    assert code == 1 and err.startswith("error: the database holds data")
    code, out, err = run_cli(into, "restore", "--force", "--json", str(archive))
    assert code == 0 and json.loads(out)["rows"] == written["rows"]


def test_restore_names_a_file_that_is_no_backup(new_database, run_cli, tmp_path):
    (junk := tmp_path / "junk.zip").write_bytes(b"PK not really")
    into = new_database("duckdb")
    code, out, err = run_cli(into, "restore", str(junk))
    assert code == 1 and out == "" and err.startswith(f"error: {junk}: not a surveylab backup")
    code, _, err = run_cli(into, "restore", str(tmp_path / "missing.zip"))
    assert code == 1 and "no such file" in err
    assert not (into.data_dir / "surveylab.duckdb").exists()


def test_tables_of_other_applications_are_neither_backed_up_nor_dropped(new_database, tmp_path):
    source, into = new_database("duckdb"), new_database("duckdb")
    for s in (source, into):
        db.upgrade(s)
        with db.connect_with_retry(db.get_engine(s), 10) as conn, conn.begin():
            conn.execute(sa.text("CREATE TABLE other_app (x INTEGER)"))
            conn.execute(sa.text("INSERT INTO other_app VALUES (42)"))
    _fill(source, seed=9)
    archive = backup(source, tmp_path / "a.zip")
    assert "other_app" not in archive.rows
    restore(into, archive.path)  # other_app's row does not make the database "hold data"
    with db.connect_with_retry(db.get_engine(into), 10) as conn:
        assert conn.execute(sa.text("SELECT x FROM other_app")).scalar_one() == 42


def test_two_backups_into_one_folder_within_a_second_do_not_overwrite(
    settings, tmp_path, monkeypatch
):
    import datetime as dt

    from surveylab.services import backup as backup_service

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr(backup_service, "datetime", Frozen)
    (folder := tmp_path / "backups").mkdir()
    first = backup(settings, folder).path
    assert first.name == "surveylab-20260102T030405Z.zip"
    before = first.read_bytes()
    with pytest.raises(BackupError, match="exists"):
        backup(settings, folder)
    assert first.read_bytes() == before and verify_archive(first)
    assert sorted(p.name for p in folder.iterdir()) == [first.name]  # no temporary left


def test_a_duckdb_backup_holds_the_file_only_to_copy_it(duckdb_settings):
    """While the backup reads (here: inside the snapshot), another process opens the file."""
    import subprocess
    import sys

    _fill(duckdb_settings, seed=10)
    env = {
        **os.environ,
        "SURVEYLAB_DATA_DIR": str(duckdb_settings.data_dir),
        "SURVEYLAB_SECRET_KEY": TEST_SECRET,
        "SURVEYLAB_LOCK_TIMEOUT_S": "1",
    }
    env.pop("SURVEYLAB_DATABASE_URL", None)
    command = [sys.executable, "-c", "import sys; from surveylab.cli import main; sys.exit(main())"]
    command += ["db", "upgrade"]
    with snapshot(duckdb_settings) as store:
        rows = store.rows("stations", store.tables()["stations"])
        first = next(rows)  # reading has begun
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert len(list(rows)) + 1 == store.count("stations")
    assert first
    # the negative control: a process holding the file makes the other one wait, then fail
    with db.connect_with_retry(db.get_engine(duckdb_settings), 10):
        held = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert held.returncode != 0 and "in use by another process" in held.stderr
