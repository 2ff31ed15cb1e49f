"""User administration: Admin only, unique usernames ignoring case, input stored verbatim."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from surveylab.auth import AuthenticationError, PermissionDenied, WeakPasswordError
from surveylab.models import Role
from surveylab.repositories import UnitOfWork
from surveylab.services import NotFound, ServiceError, accounts, runs

SQL_LOOKING_NAMES = [
    "o'brien",
    'say"hello"',
    "robert');DROP_TABLE_users;--",
    "x';--",
    "a/*comment*/b",
    "semi;colon",
    "1'OR'1'='1",
    "back\\slash",
    "%_wildcards_%",
]
SQL_LOOKING_PASSWORDS = [
    "' OR '1'='1' -- ",
    "'; DROP TABLE users; --",
    '" OR ""="" -- quoted',
    "/* comment */ pass ;",
    "  leading and trailing spaces  ",
]


def _usernames(settings) -> list[str]:
    with UnitOfWork(settings) as u:
        return [x.username for x in u.users.list()]


def test_only_an_admin_creates_users_and_refusals_are_audited(settings, people, audit):
    before = _usernames(settings)
    for who in ("engineer", "surveyor", "viewer"):
        with pytest.raises(PermissionDenied, match=f"{people[who].role} may not create users"):
            accounts.add_user(
                UnitOfWork(settings), people[who], "newbie", "newbie-password-1", "Admin"
            )
        assert _usernames(settings) == before
        event = audit(action="create users", outcome="denied")[0]
        assert event.actor_id == people[who].id


def test_user_administration_is_admin_only(settings, people, pw, audit):
    calls = {
        "list users": lambda u, a: accounts.list_users(u, a),
        "change roles": lambda u, a: accounts.set_role(u, a, "viewer", "Admin"),
        "deactivate users": lambda u, a: accounts.deactivate(u, a, "admin"),
        "change other users' passwords": lambda u, a: accounts.change_password(
            u, a, "admin", "taken-over-password"
        ),
    }
    for action, call in calls.items():
        with pytest.raises(PermissionDenied):
            call(UnitOfWork(settings), people["engineer"])
        event = audit(outcome="denied")[0]
        assert (event.action, event.actor_name) == (action, "engineer")
    with UnitOfWork(settings) as u:
        assert u.users.by_username("viewer").role is Role.VIEWER
        assert u.users.by_username("admin").is_active
    accounts.login(UnitOfWork(settings), "admin", pw("admin"))  # password unchanged


def test_without_an_actor_nothing_is_allowed(settings, people):
    with pytest.raises(AuthenticationError, match="not authenticated"):
        accounts.add_user(UnitOfWork(settings), None, "newbie", "newbie-password-1", "Viewer")
    with pytest.raises(AuthenticationError, match="not authenticated"):
        accounts.change_password(UnitOfWork(settings), None, "admin", "newbie-password-1")


def test_admin_manages_users_end_to_end(settings, people, pw, audit):
    admin = people["admin"]
    user = accounts.add_user(UnitOfWork(settings), admin, "Erin", "erin-password-12", "Surveyor")
    assert (user.username, user.role, user.is_active) == ("Erin", Role.SURVEYOR, True)
    assert "Erin" in [u.username for u in accounts.list_users(UnitOfWork(settings), admin)]
    assert accounts.set_role(UnitOfWork(settings), admin, "erin", "Engineer").role is Role.ENGINEER
    accounts.change_password(UnitOfWork(settings), admin, "ERIN", "new-erin-password")
    accounts.login(UnitOfWork(settings), "erin", "new-erin-password")
    assert not accounts.deactivate(UnitOfWork(settings), admin, "erin").is_active
    with pytest.raises(AuthenticationError):
        accounts.login(UnitOfWork(settings), "erin", "new-erin-password")
    done = {e.action for e in audit(outcome="ok") if e.actor_name == "admin"}
    assert {"create user", "set role", "change password", "deactivate user"} <= done


def test_users_change_their_own_password(settings, people, pw):
    accounts.change_password(UnitOfWork(settings), people["viewer"], "Viewer", "my-new-password!")
    accounts.login(UnitOfWork(settings), "viewer", "my-new-password!")
    with pytest.raises(AuthenticationError):
        accounts.login(UnitOfWork(settings), "viewer", pw("viewer"))


def test_a_non_admin_cannot_learn_which_users_exist_through_passwd(settings, people):
    messages = []
    for target in ("admin", "no-such-user"):
        with pytest.raises(PermissionDenied) as exc:
            accounts.change_password(
                UnitOfWork(settings), people["viewer"], target, "whatever-password"
            )
        messages.append(str(exc.value))
    assert messages[0] == messages[1]


def test_unknown_users_and_roles_are_named_in_the_error(settings, people):
    with pytest.raises(NotFound, match="nobody"):
        accounts.set_role(UnitOfWork(settings), people["admin"], "nobody", "Viewer")
    with pytest.raises(ServiceError, match="role must be one of"):
        accounts.set_role(UnitOfWork(settings), people["admin"], "viewer", "Emperor")
    with pytest.raises(ServiceError, match="role must be one of"):
        accounts.add_user(UnitOfWork(settings), people["admin"], "x1", "x1-password-123", "God")


def test_the_last_active_admin_can_be_neither_deactivated_nor_demoted(settings, people, audit):
    admin = people["admin"]
    with pytest.raises(ServiceError, match="last active Admin"):
        accounts.deactivate(UnitOfWork(settings), admin, "admin")
    with pytest.raises(ServiceError, match="last active Admin"):
        accounts.set_role(UnitOfWork(settings), admin, "admin", "Viewer")
    assert len(audit(outcome="denied")) == 2
    accounts.add_user(UnitOfWork(settings), admin, "admin2", "admin2-password", "Admin")
    accounts.set_role(UnitOfWork(settings), admin, "admin", "Engineer")
    with UnitOfWork(settings) as u:
        assert u.users.by_username("admin").role is Role.ENGINEER


def test_bootstrap_is_refused_once_an_admin_exists(settings, people, audit):
    with pytest.raises(PermissionDenied, match="an admin exists already"):
        accounts.bootstrap_admin(UnitOfWork(settings), "root", "root-password-123")
    with UnitOfWork(settings) as u:
        assert u.users.by_username("root") is None
    (event,) = audit(action="bootstrap admin", outcome="denied")
    assert event.actor_name == "root"


def test_bootstrap_creates_the_first_admin(duckdb_settings):
    user = accounts.bootstrap_admin(UnitOfWork(duckdb_settings), "Root", "root-password-123")
    assert user.role is Role.ADMIN and user.is_active
    assert accounts.has_admin(UnitOfWork(duckdb_settings))
    accounts.login(UnitOfWork(duckdb_settings), "root", "root-password-123")


def test_usernames_are_unique_ignoring_case(settings, people):
    accounts.add_user(UnitOfWork(settings), people["admin"], "Frank", "frank-password-1", "Viewer")
    for taken in ("frank", "FRANK", "fRaNk", "Admin"):
        with pytest.raises(ServiceError, match="is taken"):
            accounts.add_user(
                UnitOfWork(settings), people["admin"], taken, "other-password-1", "Viewer"
            )
    assert sum(n.casefold() == "frank" for n in _usernames(settings)) == 1


def test_malformed_usernames_are_refused_with_a_reason(settings, people):
    for bad, why in (
        ("", "1 to 150"),
        ("x" * 151, "1 to 150"),
        ("\u00df" * 100, "1 to 150"),  # sharp s: 200 characters once case-folded
        ("two words", "spaces"),
        (" lead", "spaces"),
        ("tab\tbed", "spaces"),
        ("nul\x00byte", "control"),
        ("bell\x07", "control"),
    ):
        with pytest.raises(ServiceError, match=why):
            accounts.add_user(
                UnitOfWork(settings), people["admin"], bad, "fine-password-1", "Viewer"
            )
    assert len(_usernames(settings)) == 5


def test_weak_passwords_are_refused_without_echoing_them(settings, people):
    for weak in ("short-pw", "", "x" * 1025, "bad\ud800surrogate"):
        with pytest.raises(WeakPasswordError) as exc:
            accounts.add_user(UnitOfWork(settings), people["admin"], "weak", weak, "Viewer")
        if weak:
            assert weak not in str(exc.value)
    with UnitOfWork(settings) as u:
        assert u.users.by_username("weak") is None


def test_the_minimum_password_length_is_configurable(make_settings):
    s = make_settings(SURVEYLAB_MIN_PASSWORD_LENGTH="20")
    with pytest.raises(WeakPasswordError, match="at least 20"):
        accounts.bootstrap_admin(UnitOfWork(s), "root", "nineteen-characters")
    accounts.bootstrap_admin(UnitOfWork(s), "root", "twenty-characters-ok")


def test_sql_looking_usernames_and_passwords_are_stored_verbatim(settings, people):
    admin = people["admin"]
    for name, password in zip(SQL_LOOKING_NAMES, SQL_LOOKING_PASSWORDS * 2, strict=False):
        user = accounts.add_user(UnitOfWork(settings), admin, name, password, "Viewer")
        assert user.username == name
        pair = accounts.login(UnitOfWork(settings), name, password)
        assert accounts.authenticate(UnitOfWork(settings), pair.access).username == name
        with pytest.raises(AuthenticationError):
            accounts.login(UnitOfWork(settings), name, password.strip() + "x")
    names = set(_usernames(settings))
    assert set(SQL_LOOKING_NAMES) <= names
    assert {"admin", "engineer", "surveyor", "surveyor2", "viewer"} <= names


def test_sql_looking_run_and_well_fields_are_stored_verbatim(settings, people):
    eng = people["engineer"]
    well_name = "W'1; DROP TABLE wells; --"
    runs.create_well(UnitOfWork(settings), eng, well_name=well_name)
    for i, text in enumerate(["R'1", 'R"2', "R;3 --", "R/*4*/", "'); DELETE FROM runs; --"]):
        run = runs.create_run(
            UnitOfWork(settings),
            eng,
            run_number=f"{text}#{i}",
            run_name=f"name {text}",
            well=well_name,
        )
        got = runs.get_run(UnitOfWork(settings), people["viewer"], run.id)
        assert (got.run_number, got.run_name, got.well_name) == (
            f"{text}#{i}",
            f"name {text}",
            well_name,
        )
    assert len(runs.list_runs(UnitOfWork(settings), eng)) == 5


_NAME_CHARS = st.characters(
    codec="utf-8", categories=["L", "N", "P", "S"], exclude_characters="\x00"
)


@pytest.fixture
def root(duckdb_settings):
    """The first Admin of a fresh DuckDB database, as an actor."""
    accounts.bootstrap_admin(UnitOfWork(duckdb_settings), "root", "root-password-123")
    pair = accounts.login(UnitOfWork(duckdb_settings), "root", "root-password-123")
    return accounts.authenticate(UnitOfWork(duckdb_settings), pair.access)


@hsettings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stem=st.text(_NAME_CHARS, min_size=1, max_size=40))
def test_any_printable_username_round_trips_verbatim(duckdb_settings, root, stem):
    """Property: a printable username without spaces is stored and found exactly as given."""
    name = f"{stem}{uuid.uuid4().hex[:8]}"
    user = accounts.add_user(UnitOfWork(duckdb_settings), root, name, "some-password-12", "Viewer")
    assert user.username == name
    with UnitOfWork(duckdb_settings) as u:
        # case-insensitive lookup, where upper-casing is a case change at all ('ı'.upper() is 'I',
        # another letter under case folding)
        if name.upper().casefold() == name.casefold():
            assert u.users.by_username(name.upper()).id == user.id
