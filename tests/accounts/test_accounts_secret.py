"""The signing secret: from configuration, >= 32 bytes, generated (mode 600) only when embedded."""

from __future__ import annotations

import os
import stat

import pytest

from surveylab.auth import AuthenticationError
from surveylab.config import ConfigError, load_settings
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts

PG_URL = "postgresql+psycopg://nobody@127.0.0.1:1/never_connected"


def test_postgresql_without_a_secret_is_a_configuration_error(tmp_path):
    s = load_settings({"SURVEYLAB_DATA_DIR": str(tmp_path), "SURVEYLAB_DATABASE_URL": PG_URL})
    with pytest.raises(ConfigError, match="SURVEYLAB_SECRET_KEY is required"):
        s.secret_key()
    # the login refuses before it ever reaches the database
    with pytest.raises(ConfigError, match="SURVEYLAB_SECRET_KEY"):
        accounts.login(UnitOfWork(s), "admin", "admin-password-123")
    assert not (tmp_path / "secret.key").exists()


@pytest.mark.parametrize("url", [None, PG_URL])
def test_a_secret_shorter_than_32_bytes_is_refused_without_echoing_it(tmp_path, url):
    short = "s3cr3t-but-only-31-bytes-long!!"
    assert len(short.encode()) == 31
    env = {"SURVEYLAB_DATA_DIR": str(tmp_path), "SURVEYLAB_SECRET_KEY": short}
    if url:
        env["SURVEYLAB_DATABASE_URL"] = url
    with pytest.raises(ConfigError, match="at least 32 bytes") as exc:
        load_settings(env).secret_key()
    assert short not in str(exc.value)
    env["SURVEYLAB_SECRET_KEY"] = short + "!"
    assert load_settings(env).secret_key() == short + "!"


def test_the_embedded_secret_is_generated_once_with_mode_600_and_reused(tmp_path):
    data = tmp_path / "data"
    first = load_settings({"SURVEYLAB_DATA_DIR": str(data)}).secret_key()
    path = data / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.encode()) >= 32
    again = load_settings({"SURVEYLAB_DATA_DIR": str(data)}).secret_key()
    assert again == first
    other = load_settings({"SURVEYLAB_DATA_DIR": str(tmp_path / "elsewhere")}).secret_key()
    assert other != first


def test_a_secret_file_readable_by_others_is_refused(tmp_path):
    settings = load_settings({"SURVEYLAB_DATA_DIR": str(tmp_path)})
    settings.secret_key()
    os.chmod(tmp_path / "secret.key", 0o644)
    with pytest.raises(ConfigError, match="owner only"):
        settings.secret_key()


def test_tokens_signed_before_the_secret_changed_are_refused(duckdb_settings, tmp_path):
    from surveylab.models import Role

    accounts.ensure_user(UnitOfWork(duckdb_settings), "eve", "eve-password-123", Role.VIEWER)
    pair = accounts.login(UnitOfWork(duckdb_settings), "eve", "eve-password-123")
    rotated = load_settings(
        {
            "SURVEYLAB_DATA_DIR": str(duckdb_settings.data_dir),
            "SURVEYLAB_DATABASE_URL": duckdb_settings.database_url,
            "SURVEYLAB_SECRET_KEY": "a-brand-new-secret-after-rotation-0123456789",
        }
    )
    with pytest.raises(AuthenticationError, match="invalid token"):
        accounts.authenticate(UnitOfWork(rotated), pair.access)
