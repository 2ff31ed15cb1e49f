"""``surveylab doctor`` on good and broken deployments, both backends: every problem is named
with its fix and makes the exit status 1; a good deployment exits 0; nothing is changed."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from surveylab import db
from surveylab.cli import main
from surveylab.reports.chromium import chromium_path
from tests.conftest import TEST_SECRET, require_component

_VARIABLES = (
    "SURVEYLAB_DATA_DIR",
    "SURVEYLAB_DATABASE_URL",
    "SURVEYLAB_SECRET_KEY",
    "SURVEYLAB_SECRET_KEY_FILE",
    "SURVEYLAB_ALLOWED_HOSTS",
    "SURVEYLAB_PUBLIC_URL",
)


@pytest.fixture
def doctor(monkeypatch, capsys):
    """Run ``surveylab doctor --json`` with exactly the variables given; returns the exit
    status and the checks by name."""

    def run(**env: str) -> tuple[int, dict[str, dict]]:
        for name in _VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = main(["doctor", "--json"])
        run.output = capsys.readouterr().out  # type: ignore[attr-defined]  # last output, kept on the function
        out = json.loads(run.output)  # type: ignore[attr-defined]
        assert out["ok"] is (code == 0)
        return code, {c["name"]: c for c in out["checks"]}

    return run


def _env(settings, **extra: str) -> dict[str, str]:
    env = {"SURVEYLAB_DATA_DIR": str(settings.data_dir), "SURVEYLAB_SECRET_KEY": TEST_SECRET}
    if not settings.is_embedded:
        env["SURVEYLAB_DATABASE_URL"] = settings.database_url
    env.update(extra)
    return env


def _problem(checks: dict[str, dict], name: str, *words: str) -> dict:
    check = checks[name]
    assert check["status"] == "problem", check
    assert check["fix"], check
    for word in words:
        assert word in check["detail"] + " " + check["fix"], (word, check)
    return check


@pytest.fixture
def with_chromium():
    require_component(chromium_path() is not None, "chromium is not installed")


def test_a_good_deployment_passes_on_each_backend(settings, doctor, with_chromium, capsys):
    code, checks = doctor(**_env(settings))
    assert code == 0
    assert {n: c["status"] for n, c in checks.items()} == dict.fromkeys(
        ["database", "migrations", "secret", "file modes", "allowed hosts", "tls", "chromium"], "ok"
    )
    # served through a TLS proxy: the same
    public = _env(
        settings,
        SURVEYLAB_ALLOWED_HOSTS="dash.example.com",
        SURVEYLAB_PUBLIC_URL="https://dash.example.com/",
    )
    code, checks = doctor(**public)
    assert code == 0 and "dash.example.com" in checks["tls"]["detail"]
    # the text form: one line per check, a last line saying so
    code = main(["doctor"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and out[-1] == "no problems found" and len(out) == 8


def test_a_missing_duckdb_file_is_reported_not_created(doctor, tmp_path):
    code, checks = doctor(SURVEYLAB_DATA_DIR=str(tmp_path / "data"))
    assert code == 1
    _problem(checks, "database", "does not exist", "surveylab db upgrade")
    assert checks["migrations"]["status"] == "unchecked"
    assert not (tmp_path / "data" / "surveylab.duckdb").exists()
    assert not (tmp_path / "data" / "secret.key").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_postgresql_is_named_without_its_password(doctor, tmp_path):
    url = f"postgresql+psycopg://someone:hunter2-secret@127.0.0.1:{_closed_port()}/surveylab"
    code, checks = doctor(
        SURVEYLAB_DATA_DIR=str(tmp_path),
        SURVEYLAB_DATABASE_URL=url,
        SURVEYLAB_SECRET_KEY=TEST_SECRET,
    )
    assert code == 1
    check = _problem(checks, "database", "does not answer", "SURVEYLAB_DATABASE_URL")
    assert "hunter2" not in json.dumps(checks) and "someone:***@127.0.0.1" in check["detail"]


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_postgresql_database_that_does_not_exist(settings, doctor):
    url = settings.database_url.rsplit("/", 1)[0] + "/no_such_database"
    code, checks = doctor(**_env(settings, SURVEYLAB_DATABASE_URL=url))
    assert code == 1
    _problem(checks, "database", "no_such_database")


def _set_revision(settings, revision: str | None) -> None:
    with db.connect_with_retry(db.get_engine(settings), 10) as conn, conn.begin():
        if revision is None:
            conn.execute(sa.text("DELETE FROM alembic_version"))
        else:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


@pytest.mark.parametrize(
    ("revision", "words"),
    [
        (None, ("no schema", "surveylab db upgrade")),
        ("previous", ("needs", "surveylab backup", "surveylab db upgrade")),
        ("f00dfeed", ("unknown to this surveylab",)),
    ],
)
def test_a_schema_not_at_the_newest_revision(settings, doctor, revision, words):
    if revision == "previous":
        revision = db.revisions()[-2]
    _set_revision(settings, revision)
    code, checks = doctor(**_env(settings))
    assert code == 1
    assert checks["database"]["status"] == "ok"
    _problem(checks, "migrations", *words)


@pytest.mark.parametrize(
    ("variables", "name", "words"),
    [
        ({"SURVEYLAB_SECRET_KEY": "short"}, "secret", ("shorter than 32 bytes",)),
        ({"SURVEYLAB_SECRET_KEY_FILE": "{dir}/absent.key"}, "secret", ("cannot read",)),
        ({"SURVEYLAB_SECRET_KEY_FILE": "{dir}/open.key"}, "secret", ("chmod 600",)),
        ({"SURVEYLAB_SECRET_KEY_FILE": "{dir}/tiny.key"}, "secret", ("shorter than 32",)),
        (
            {"SURVEYLAB_SECRET_KEY_FILE": "{dir}/good.key", "SURVEYLAB_SECRET_KEY": TEST_SECRET},
            "configuration",
            ("not both",),
        ),
        ({"SURVEYLAB_ALLOWED_HOSTS": "*"}, "allowed hosts", ("no wildcards",)),
        ({"SURVEYLAB_ALLOWED_HOSTS": "localhost,127.0.0.1"}, "allowed hosts", ("only local",)),
        (
            {"SURVEYLAB_ALLOWED_HOSTS": "dash.example.com"},
            "tls",
            ("unset", "https://dash.example.com"),
        ),
        (
            {
                "SURVEYLAB_ALLOWED_HOSTS": "dash.example.com",
                "SURVEYLAB_PUBLIC_URL": "http://dash.example.com",
            },
            "tls",
            ("not stated to be behind TLS",),
        ),
        (
            {
                "SURVEYLAB_ALLOWED_HOSTS": "dash.example.com",
                "SURVEYLAB_PUBLIC_URL": "https://other.example.com",
            },
            "tls",
            ("add other.example.com to SURVEYLAB_ALLOWED_HOSTS",),
        ),
        ({"SURVEYLAB_PUBLIC_URL": "https://dash.example.com"}, "tls", ("SURVEYLAB_ALLOWED_HOSTS",)),
        ({"SURVEYLAB_PUBLIC_URL": "ftp://dash.example.com"}, "tls", ("not an http(s) address",)),
    ],
)
def test_a_broken_setting_is_named_with_its_fix(settings, doctor, tmp_path, variables, name, words):
    keys = tmp_path / "keys"
    keys.mkdir()
    for file, text, mode in (
        ("open.key", "x" * 40, 0o644),
        ("tiny.key", "x" * 8, 0o600),
        ("good.key", "x" * 40, 0o600),
    ):
        (keys / file).write_text(text)
        os.chmod(keys / file, mode)
    env = _env(settings)
    if "SURVEYLAB_SECRET_KEY_FILE" in variables:
        env.pop("SURVEYLAB_SECRET_KEY")
    env.update({k: v.replace("{dir}", str(keys)) for k, v in variables.items()})
    code, checks = doctor(**env)
    assert code == 1
    _problem(checks, name, *words)
    problems = {n for n, c in checks.items() if c["status"] == "problem"}
    # only what was broken (an open secret file is one of the data files too; chromium: below)
    also = {"file modes"} if "open.key" in str(variables) else set()
    assert problems <= {name, "chromium", *also}, problems


def test_a_secret_file_readable_by_its_owner_only_passes(settings, doctor, tmp_path):
    (key := tmp_path / "secret.key").write_text("k" * 48 + "\n")
    key.chmod(0o400)  # as systemd's LoadCredential= gives it
    env = _env(settings, SURVEYLAB_SECRET_KEY_FILE=str(key))
    env.pop("SURVEYLAB_SECRET_KEY")
    code, checks = doctor(**env)
    assert code == 0 or checks["chromium"]["status"] == "problem"
    assert checks["secret"]["status"] == "ok" and str(key) in checks["secret"]["detail"]


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_postgresql_without_a_secret(settings, doctor):
    env = _env(settings)
    env.pop("SURVEYLAB_SECRET_KEY")
    code, checks = doctor(**env)
    assert code == 1
    _problem(checks, "secret", "SURVEYLAB_SECRET_KEY_FILE", "secrets.token_urlsafe")


def test_open_data_files_are_named_with_their_chmod(duckdb_settings, doctor):
    os.chmod(duckdb_settings.data_dir, 0o755)
    os.chmod(duckdb_settings.data_dir / "surveylab.duckdb", 0o644)
    code, checks = doctor(**_env(duckdb_settings))
    assert code == 1
    assert checks["file modes"]["status"] == "problem"
    out = doctor.output  # every check (two named "file modes")
    assert f"chmod 700 {duckdb_settings.data_dir}" in out
    assert f"chmod 600 {duckdb_settings.data_dir / 'surveylab.duckdb'}" in out


def test_missing_chromium_is_named(settings, doctor, monkeypatch, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("chromium") is None
    code, checks = doctor(**_env(settings))
    assert code == 1
    _problem(checks, "chromium", "apt-get install chromium")


def test_the_text_form_prints_each_fix(doctor, tmp_path, capsys, monkeypatch):
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(tmp_path / "nothing"))
    code = main(["doctor"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith("problem") and "does not exist" in out[0]
    assert out[1].strip().startswith("fix: surveylab db upgrade")
    assert out[-1].endswith("problem(s) to fix")
    assert Path(tmp_path / "nothing").exists() is False
