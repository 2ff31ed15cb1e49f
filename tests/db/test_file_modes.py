"""The data folder is created 700, the DuckDB file and the secret 600, whatever the process's
umask; a command that opens the database warns about any of them that group or others can
reach, naming the file and the chmod that fixes it."""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from surveylab import db
from surveylab.cli import main
from surveylab.config import ConfigError, load_settings
from tests.conftest import TEST_SECRET


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask of a login shell: files 644 and folders 755 unless told otherwise."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    """A data folder that does not exist yet (two levels below an existing one)."""
    data = tmp_path / "new" / "data"
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(data))
    for name in ("SURVEYLAB_DATABASE_URL", "SURVEYLAB_SECRET_KEY", "SURVEYLAB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return data


def test_a_new_data_folder_database_and_secret_are_private(umask_022, env):
    settings = load_settings()
    db.upgrade(settings)
    settings.secret_key()
    assert _mode(env) == 0o700
    assert _mode(env / "surveylab.duckdb") == 0o600
    assert _mode(env / "secret.key") == 0o600
    assert _mode(env.parent) == 0o755  # only the data folder itself is made private
    assert os.umask(0o022) == 0o022  # the process's umask is back as it was
    assert settings.insecure_files() == []


def test_the_command_line_creates_them_private_and_says_nothing(umask_022, env, capsys):
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().err == ""
    assert _mode(env) == 0o700 and _mode(env / "surveylab.duckdb") == 0o600


def test_a_database_file_elsewhere_gets_a_private_folder_too(umask_022, tmp_path, monkeypatch):
    target = tmp_path / "db-home" / "team.duckdb"
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SURVEYLAB_DATABASE_URL", f"duckdb:///{target}")
    db.upgrade(load_settings())
    assert _mode(target.parent) == 0o700 and _mode(target) == 0o600


def _open_up(data: Path) -> None:
    data.chmod(0o755)
    (data / "surveylab.duckdb").chmod(0o644)
    (data / "secret.key").chmod(0o640)


def test_open_files_are_reported_with_the_chmod_that_fixes_them(umask_022, env, capsys):
    assert main(["db", "upgrade"]) == 0
    load_settings().secret_key()
    _open_up(env)
    capsys.readouterr()
    assert main(["db", "upgrade"]) == 0  # a warning, not a refusal
    warnings = capsys.readouterr().err.splitlines()
    assert warnings == [
        f"warning: {env} is open to group or others (mode 0o755): chmod 700 {env}",
        f"warning: {env / 'surveylab.duckdb'} is open to group or others (mode 0o644): "
        f"chmod 600 {env / 'surveylab.duckdb'}",
        f"warning: {env / 'secret.key'} is open to group or others (mode 0o640): "
        f"chmod 600 {env / 'secret.key'}",
    ]
    # running what the warnings say fixes it
    for line in warnings:
        _, _, command = line.partition(": chmod ")
        mode, path = shlex.split(command)
        os.chmod(path, int(mode, 8))
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().err == ""


def test_every_command_that_opens_the_database_warns(umask_022, env, capsys):
    assert main(["db", "upgrade"]) == 0
    (env / "surveylab.duckdb").chmod(0o604)
    capsys.readouterr()
    assert main(["runs", "list"]) != 0  # no token: refused, after the warning
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"warning: {env / 'surveylab.duckdb'} is open to group or others")
    assert err[1].startswith("error: not authenticated")
    # a command working on a file alone does not open the database and does not warn
    sample = Path(__file__).resolve().parent.parent / "data" / "key_value_header.csv"
    assert main(["inspect", str(sample)]) == 0
    assert capsys.readouterr().err == ""


def test_a_secret_others_can_read_is_refused_with_the_chmod(umask_022, env):
    settings = load_settings()
    settings.secret_key()
    (env / "secret.key").chmod(0o644)
    with pytest.raises(ConfigError, match=rf"chmod 600 {env / 'secret.key'}$"):
        settings.secret_key()


def test_with_postgresql_and_a_configured_secret_no_file_is_checked(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    settings = load_settings(
        {
            "SURVEYLAB_DATA_DIR": str(folder),
            "SURVEYLAB_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/x",
            "SURVEYLAB_SECRET_KEY": TEST_SECRET,
        }
    )
    assert settings.insecure_files() == []
