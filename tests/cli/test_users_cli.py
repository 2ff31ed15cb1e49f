"""``surveylab users ...`` and ``surveylab login`` through ``surveylab.cli.main``: passwords from
stdin, the token from SURVEYLAB_TOKEN or an owner-only SURVEYLAB_TOKEN_FILE, one ``error:`` line
and never a traceback."""

from __future__ import annotations

import io
import json
import os
import sys
from datetime import datetime

import pytest

from surveylab.auth import AuthError
from surveylab.cli import main
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
from tests.conftest import TEST_SECRET

ADMIN_PW = "root-password-123"


class Cli:
    """Runs ``surveylab`` in-process against one test database."""

    def __init__(self, settings, monkeypatch, capsys) -> None:
        self.settings = settings
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("SURVEYLAB_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("SURVEYLAB_SECRET_KEY", TEST_SECRET)
        for name in ("SURVEYLAB_TOKEN", "SURVEYLAB_TOKEN_FILE"):
            monkeypatch.delenv(name, raising=False)

    def __call__(
        self, *args: str, stdin: str = "", token: str | None = None
    ) -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        if token is None:
            self.monkeypatch.delenv("SURVEYLAB_TOKEN", raising=False)
        else:
            self.monkeypatch.setenv("SURVEYLAB_TOKEN", token)
        code = main(list(args))
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err and "Traceback" not in out
        if code != 0:
            assert err.startswith("error: ") and err.count("\n") == 1, err
        return code, out, err

    def login(self, username: str, password: str) -> str:
        code, out, err = self(*("login", username), stdin=password + "\n")
        assert code == 0, err
        return out.strip()


@pytest.fixture
def cli(duckdb_settings, monkeypatch, capsys) -> Cli:
    return Cli(duckdb_settings, monkeypatch, capsys)


@pytest.fixture
def admin_token(cli) -> str:
    code, _out, err = cli("users", "bootstrap-admin", "root", stdin=ADMIN_PW + "\n")
    assert code == 0, err
    return cli.login("root", ADMIN_PW)


def _add(cli: Cli, token: str, name: str, role: str) -> None:
    code, _out, err = cli(
        "users", "add", name, "--role", role, stdin=f"{name}-password-1\n", token=token
    )
    assert code == 0, err


# --------------------------------------------------------------------------------- bootstrap
def test_bootstrap_admin_reads_the_password_from_stdin(cli):
    code, out, err = cli("users", "bootstrap-admin", "root", stdin=ADMIN_PW + "\n")
    assert (code, out.strip(), err) == (0, "created Admin root", "")
    with UnitOfWork(cli.settings) as u:
        user = u.users.by_username("root")
    assert user.role == "Admin" and ADMIN_PW not in user.password_hash
    accounts.login(UnitOfWork(cli.settings), "root", ADMIN_PW)


def test_bootstrap_admin_is_refused_once_an_admin_exists(cli, admin_token):
    code, out, err = cli("users", "bootstrap-admin", "second", stdin="second-password-1\n")
    assert code != 0 and out == ""
    assert err.startswith("error: permission denied: an admin exists already")
    with UnitOfWork(cli.settings) as u:
        assert u.users.by_username("second") is None


def test_bootstrap_admin_json_output(cli):
    code, out, _err = cli("users", "bootstrap-admin", "root", "--json", stdin=ADMIN_PW + "\n")
    data = json.loads(out)
    assert code == 0 and data["username"] == "root" and data["role"] == "Admin"
    assert data["active"] is True and ADMIN_PW not in out


@pytest.mark.parametrize(
    "stdin, message",
    [
        ("", "error: no password on standard input"),
        ("short-pw\n", "error: password is too short: at least 12 characters needed"),
    ],
)
def test_a_missing_or_weak_password_is_refused_without_echo(cli, stdin, message):
    code, out, err = cli("users", "bootstrap-admin", "root", stdin=stdin)
    assert code != 0 and out == ""
    assert err.startswith(message)
    assert "short-pw" not in err
    assert not accounts.has_admin(UnitOfWork(cli.settings))


def test_only_the_line_ending_is_stripped_from_the_password(cli):
    password = "  spaces around me  "
    cli("users", "bootstrap-admin", "root", stdin=password + "\r\n")
    accounts.login(UnitOfWork(cli.settings), "root", password)


# ------------------------------------------------------------------------------------ login
def test_login_prints_the_access_token(cli, admin_token):
    actor = accounts.authenticate(UnitOfWork(cli.settings), admin_token)
    assert actor.username == "root"
    assert admin_token.count(".") == 2 and "\n" not in admin_token


def test_login_json_prints_both_tokens_and_their_expiry(cli, admin_token):
    code, out, _err = cli("login", "ROOT", "--json", stdin=ADMIN_PW + "\n")
    data = json.loads(out)
    assert code == 0
    assert accounts.authenticate(UnitOfWork(cli.settings), data["access_token"]).username == "root"
    accounts.refresh(UnitOfWork(cli.settings), data["refresh_token"])
    access_exp = datetime.fromisoformat(data["access_expires_at"])
    refresh_exp = datetime.fromisoformat(data["refresh_expires_at"])
    assert access_exp.tzinfo is not None and refresh_exp > access_exp
    assert ADMIN_PW not in out


@pytest.mark.parametrize("username", ["root", "nobody"])
def test_a_failed_login_is_one_line_with_the_generic_message(cli, admin_token, username):
    code, out, err = cli("login", username, stdin="Wrong-Password-Typed\n")
    assert (code, out, err) == (1, "", "error: invalid username or password\n")


# ------------------------------------------------------------------------- acting as a user
@pytest.mark.parametrize(
    "args, stdin",
    [
        (["users", "add", "bob", "--role", "Viewer"], "bob-password-123\n"),
        (["users", "list"], ""),
        (["users", "list", "--json"], ""),
        (["users", "set-role", "root", "Viewer"], ""),
        (["users", "deactivate", "root"], ""),
        (["users", "passwd", "root"], "new-password-1234\n"),
    ],
)
def test_every_command_acting_as_a_user_needs_a_token(cli, admin_token, args, stdin):
    code, out, err = cli(*args, stdin=stdin)
    assert code != 0 and out == ""
    assert err.startswith("error: not authenticated")
    with UnitOfWork(cli.settings) as u:
        assert [x.username for x in u.users.list()] == ["root"]
        assert u.users.by_username("root").role == "Admin"
    accounts.login(UnitOfWork(cli.settings), "root", ADMIN_PW)


def test_users_add_before_any_admin_points_to_bootstrap(cli):
    code, _out, err = cli("users", "add", "bob", "--role", "Viewer", stdin="bob-password-1\n")
    assert code != 0
    assert err.startswith("error: not authenticated: no Admin exists yet")
    assert "bootstrap-admin" in err


def test_admin_adds_lists_changes_and_deactivates_users(cli, admin_token):
    code, out, _ = cli(
        "users", "add", "Bob", "--role", "Engineer", stdin="bob-password-123\n", token=admin_token
    )
    assert (code, out.strip()) == (0, "created Engineer Bob")
    code, out, _ = cli("users", "list", token=admin_token)
    lines = out.strip().splitlines()
    assert lines[0].split() == ["username", "role", "active"]
    assert [line.split() for line in lines[1:]] == [
        ["Bob", "Engineer", "True"],
        ["root", "Admin", "True"],
    ]
    code, out, _ = cli("users", "set-role", "bob", "Surveyor", "--json", token=admin_token)
    assert json.loads(out)["role"] == "Surveyor"
    code, out, _ = cli("users", "deactivate", "BOB", token=admin_token)
    assert (code, out.strip()) == (0, "Bob deactivated")
    code, out, _ = cli("users", "list", "--json", token=admin_token)
    assert {u["username"]: u["active"] for u in json.loads(out)} == {"Bob": False, "root": True}


def test_a_viewer_token_on_users_add_is_permission_denied(cli, admin_token):
    _add(cli, admin_token, "val", "Viewer")
    viewer = cli.login("val", "val-password-1")
    code, out, err = cli(
        "users", "add", "mallory", "--role", "Admin", stdin="mallory-password\n", token=viewer
    )
    assert code != 0 and out == ""
    assert err == "error: permission denied: Viewer may not create users\n"
    with UnitOfWork(cli.settings) as u:
        assert u.users.by_username("mallory") is None
        assert u.audit.list(action="create users", outcome="denied")[0].actor_name == "val"


def test_an_engineer_token_cannot_change_roles(cli, admin_token):
    _add(cli, admin_token, "eng", "Engineer")
    token = cli.login("eng", "eng-password-1")
    code, _out, err = cli("users", "set-role", "eng", "Admin", token=token)
    assert code != 0 and err.startswith("error: permission denied: Engineer may not change roles")
    with UnitOfWork(cli.settings) as u:
        assert u.users.by_username("eng").role == "Engineer"


def test_passwd_changes_the_own_password_and_not_others(cli, admin_token):
    _add(cli, admin_token, "sam", "Surveyor")
    token = cli.login("sam", "sam-password-1")
    code, out, _ = cli("users", "passwd", "sam", stdin="sam-new-password\n", token=token)
    assert (code, out.strip()) == (
        0,
        "password changed; every login of sam has ended (log in again)",
    )
    code, _out, err = cli("users", "list", token=token)  # the old token died with the password
    assert code != 0 and err.startswith("error: not authenticated: the session ended")
    token = cli.login("sam", "sam-new-password")
    code, _out, err = cli("users", "passwd", "root", stdin="taken-over-pass\n", token=token)
    assert code != 0 and err.startswith("error: permission denied")
    cli.login("root", ADMIN_PW)
    code, _out, _err = cli("users", "passwd", "sam", stdin="reset-by-admin!\n", token=admin_token)
    assert code == 0
    cli.login("sam", "reset-by-admin!")


def test_a_deactivated_users_token_stops_working_at_once(cli, admin_token):
    _add(cli, admin_token, "dan", "Admin")
    token = cli.login("dan", "dan-password-1")
    assert cli("users", "list", token=token)[0] == 0
    cli("users", "deactivate", "dan", token=admin_token)
    code, out, err = cli("users", "list", token=token)
    assert code != 0 and out == ""
    assert err.startswith("error: not authenticated")
    assert token not in err


@pytest.mark.parametrize("bad", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_a_bad_token_is_refused_and_not_echoed(cli, admin_token, bad):
    code, out, err = cli("users", "list", token=bad)
    assert code != 0 and out == ""
    assert err == "error: invalid token\n"


def test_an_invalid_role_is_an_argument_error(cli, admin_token):
    with pytest.raises(SystemExit) as exc:
        cli("users", "add", "x", "--role", "Emperor", token=admin_token)
    assert exc.value.code == 2


# ------------------------------------------------------------------------------- token file
def test_a_token_file_readable_by_others_is_refused(cli, admin_token, tmp_path):
    f = tmp_path / "token"
    f.write_text(admin_token)
    f.chmod(0o644)
    cli.monkeypatch.setenv("SURVEYLAB_TOKEN_FILE", str(f))
    code, out, err = cli("users", "list")
    assert code != 0 and out == ""
    assert err.startswith("error: not authenticated: token file") and "owner only" in err
    assert admin_token not in err


def test_a_token_file_with_mode_600_is_accepted(cli, admin_token, tmp_path):
    f = tmp_path / "token"
    fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(admin_token + "\n")
    cli.monkeypatch.setenv("SURVEYLAB_TOKEN_FILE", str(f))
    code, out, _err = cli("users", "list", "--json")
    assert code == 0 and [u["username"] for u in json.loads(out)] == ["root"]


# ------------------------------------------------------------------------------ both backends
def test_the_whole_flow_on_each_backend(settings, monkeypatch, capsys):
    cli = Cli(settings, monkeypatch, capsys)
    assert cli("users", "bootstrap-admin", "root", stdin=ADMIN_PW + "\n")[0] == 0
    token = cli.login("root", ADMIN_PW)
    _add(cli, token, "o'brien;--", "Viewer")
    code, out, _ = cli("users", "list", "--json", token=token)
    assert code == 0 and {u["username"] for u in json.loads(out)} == {"root", "o'brien;--"}
    viewer = cli.login("O'BRIEN;--", "o'brien;---password-1")
    code, _out, err = cli("users", "deactivate", "root", token=viewer)
    assert err.startswith("error: permission denied")


def test_surveylab_logout_ends_the_login_of_the_token(cli, admin_token):
    code, out, err = cli("login", "root", "--json", stdin="root-password-123\n")
    assert code == 0, err
    tokens = json.loads(out)
    code, out, _ = cli("logout", token=tokens["access_token"])
    assert (code, out.strip()) == (0, "logged out: the tokens of this login no longer work")
    code, _out, err = cli("runs", "list", token=tokens["access_token"])
    assert code != 0 and "revoked" in err
    with pytest.raises(AuthError, match="no longer valid"):
        accounts.refresh(UnitOfWork(cli.settings), tokens["refresh_token"])
    # the other login (admin_token) goes on; logout --json; no token at all is refused
    assert cli("runs", "list", token=admin_token)[0] == 0
    code, out, _ = cli("logout", "--json", token=admin_token)
    assert code == 0 and json.loads(out) == {"logged_out": True}
    code, _out, err = cli("logout")
    assert code != 0 and err.startswith("error: not authenticated")


def test_users_unlock_is_for_admins_and_ends_a_lock(cli, admin_token):
    _add(cli, admin_token, "una", "Viewer")
    for _ in range(5):
        assert cli("login", "una", stdin="wrong-guess-123\n")[0] != 0
    assert cli("login", "una", stdin="una-password-1\n")[0] != 0  # locked (the command line)
    una = accounts.login(UnitOfWork(cli.settings), "una", "una-password-1", "192.0.2.4")
    code, _out, err = cli("users", "unlock", "una", token=una.access)
    assert code != 0 and err.startswith("error: permission denied")
    code, out, _ = cli("users", "unlock", "una", token=admin_token)
    assert (code, out.strip()) == (0, "una unlocked (5 failed login(s) forgotten)")
    assert cli.login("una", "una-password-1")
    code, out, _ = cli("users", "unlock", "una", "--json", token=admin_token)
    assert json.loads(out) == {"username": "una", "failures_forgotten": 0}
    code, _out, err = cli("users", "unlock", "nobody", token=admin_token)
    assert code != 0 and "unknown user 'nobody'" in err
    with UnitOfWork(cli.settings) as u:
        events = u.audit.list(action="unlock user", outcome="ok")
    assert [e.actor_name for e in events] == ["root", "root"]
