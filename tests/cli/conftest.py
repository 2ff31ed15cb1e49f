"""The CLI tests' fixture: ``cli(user, *argv)`` runs ``surveylab`` as a user (its token in
SURVEYLAB_TOKEN) on the test database, and :func:`refused` checks the one-line error."""

from __future__ import annotations

import json

import pytest

from surveylab.cli import main
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts


@pytest.fixture
def cli(settings, people, monkeypatch, capsys):
    """``cli(user, *argv)`` -> (exit code, parsed JSON or text, stderr lines)."""
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SURVEYLAB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SURVEYLAB_SECRET_KEY", settings.secret_key_env)
    monkeypatch.delenv("SURVEYLAB_TOKEN_FILE", raising=False)
    tokens = {}

    def run(user: str | None, *argv: str):
        if user is None:
            monkeypatch.delenv("SURVEYLAB_TOKEN", raising=False)
        else:
            if user not in tokens:
                pair = accounts.login(UnitOfWork(settings), user, f"{user}-password-123")
                tokens[user] = pair.access
            monkeypatch.setenv("SURVEYLAB_TOKEN", tokens[user])
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        data = json.loads(out) if "--json" in argv and code == 0 else out
        return code, data, err.strip().splitlines()

    return run


def refused(result, *needles: str) -> None:
    """Exit status non-zero, one ``error: ...`` line on stderr holding every needle."""
    code, out, err = result
    assert code != 0
    assert len(err) == 1 and err[0].startswith("error: "), err
    for needle in needles:
        assert needle in err[0], err[0]
    assert "Traceback" not in out
