"""``surveylab demo`` and ``serve --demo`` load the demo (public passwords, an Admin among them)
only into an empty database or one an earlier demo load marked; otherwise they refuse with one
line and change nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from surveylab import db
from surveylab.auth import AuthenticationError
from surveylab.cli import main
from surveylab.demo import DEMO_MARK, DemoRefused, load_demo
from surveylab.models import Role
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
from tests.conftest import TEST_SECRET, settings_for


@pytest.fixture
def run_cli(settings, monkeypatch, capsys):
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SURVEYLAB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SURVEYLAB_SECRET_KEY", TEST_SECRET)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _counts(settings) -> dict[str, int]:
    with UnitOfWork(settings) as u:
        return u.database.row_counts()


def test_the_demo_loads_into_an_empty_database_and_again_adds_nothing(settings, run_cli):
    code, out, _ = run_cli("demo")
    assert code == 0 and out.strip() == (
        "demo data: added 4 users, 3 wells, 11 runs, 11 surveys, 2 approvals, "
        "1 definitive survey(s)"
    )
    with UnitOfWork(settings) as u:
        assert u.database.has_mark(DEMO_MARK)
    _the_demo_shows_qc_and_a_definitive_survey(settings)
    code, out, _ = run_cli("demo")
    assert code == 0 and out.strip() == (
        "demo data: added 0 users, 0 wells, 0 runs, 0 surveys, 0 approvals, 0 definitive survey(s)"
    )
    # a marked database stays a demo one, also after someone added a user to it
    accounts.ensure_user(UnitOfWork(settings), "someone", "a-real-password-1", Role.ENGINEER)
    assert run_cli("demo")[0] == 0


def _the_demo_shows_qc_and_a_definitive_survey(settings) -> None:
    """Raw readings passing (D104) and failing at the disturbed stations (D204), both
    imported by the surveyor (an engineer may approve them); Demo J-1's main wellbore has a
    definitive survey of the approved D101 and D102; a sidetrack ST1 kicks off at 1500 m."""
    from surveylab.demo import RAW_RUNS
    from surveylab.models import Actor
    from surveylab.services import definitive, qc, wellbores

    with UnitOfWork(settings) as u:
        viewer = u.users.by_username("viewer")
        assert viewer is not None
        who = {n: u.runs.by_number(n) for n in ("D104", "D204")}
    actor = Actor(viewer.id, viewer.username, viewer.role)
    passing = qc.qc_view(UnitOfWork(settings), actor, "D104")
    assert passing.survey.status == "qc_passed" and passing.survey.imported_by_name == "surveyor"
    assert len(passing.stations) > 50 and passing.to_dict()["reference"]["source"] == "file"
    failing = qc.qc_view(UnitOfWork(settings), actor, "D204").to_dict()
    disturbed = sorted(RAW_RUNS[1][5])
    assert failing["status"] == "qc_failed"
    assert [s["md"] for s in failing["stations"] if s["pass"] is False] == [
        failing["stations"][k]["md"] for k in disturbed
    ]
    assert all(r is not None and r.owner_name == "surveyor" for r in who.values())
    dv = definitive.get_definitive(UnitOfWork(settings), actor, "Demo J-1").to_dict()
    assert [(i["run"], i["status"]) for i in dv["intervals"]] == [
        ("D101", "definitive"),
        ("D102", "definitive"),
    ]
    assert dv["intervals"][0]["md_to"] == dv["intervals"][1]["md_from"] == 1200.0
    bores = wellbores.list_wellbores(UnitOfWork(settings), actor, "Demo J-1")
    assert [(b.name, b.parent_name, b.kickoff_md) for b in bores] == [
        ("main", None, None),
        ("ST1", "main", 1500.0),
    ]


def _real_admin(settings) -> None:
    accounts.bootstrap_admin(UnitOfWork(settings), "chief", "a-real-password-1")


def _real_viewer(settings) -> None:
    accounts.ensure_user(UnitOfWork(settings), "manager", "a-real-password-1", Role.VIEWER)


def _real_well(settings) -> None:
    from surveylab.models import Actor
    from surveylab.services import runs

    user = accounts.ensure_user(UnitOfWork(settings), "eng", "a-real-password-1", Role.ENGINEER)
    runs.create_well(
        UnitOfWork(settings), Actor(user.id, user.username, user.role), well_name="Real-1"
    )


@pytest.mark.parametrize("make_real", [_real_admin, _real_viewer, _real_well])
def test_the_demo_refuses_a_database_holding_data_and_changes_nothing(settings, run_cli, make_real):
    make_real(settings)
    before = _counts(settings)
    code, out, err = run_cli("demo")
    assert code != 0 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: this database holds data and was not made by 'surveylab demo'")
    assert _counts(settings) == before
    with UnitOfWork(settings) as u:
        assert not u.database.has_mark(DEMO_MARK)
        assert u.users.by_username("admin") is None  # no public demo Admin
    with pytest.raises(AuthenticationError):
        accounts.login(UnitOfWork(settings), "admin", "admin-demo-password")


def test_serve_demo_refuses_before_serving(settings, run_cli, people, monkeypatch):
    def no_serving(*_args):
        raise AssertionError("serve started its servers on a database holding data")

    from surveylab.server import supervisor

    monkeypatch.setattr(supervisor, "supervise", no_serving)
    before = _counts(settings)
    code, out, err = run_cli("serve", "--demo")
    assert code != 0 and err.startswith("error: this database holds data")
    assert "demo logins" not in out
    assert _counts(settings) == before


def test_load_demo_itself_refuses(settings, people):
    before = _counts(settings)
    with pytest.raises(DemoRefused, match="loads only into an empty database"):
        load_demo(settings, echo=lambda *_: None)
    assert _counts(settings) == before


def test_an_empty_database_with_only_audit_events_is_empty(settings, run_cli):
    """A failed login on a fresh database writes the audit log and attempts: still empty."""
    with pytest.raises(AuthenticationError):
        accounts.login(UnitOfWork(settings), "nobody", "whatever-password")
    assert run_cli("demo")[0] == 0


def _seed_at_first_revision(settings, usernames, wells) -> None:
    import uuid
    from datetime import UTC, datetime

    db.upgrade(settings, "0001")
    now = datetime.now(UTC)
    with db.get_engine(settings).begin() as conn:
        for name in usernames:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, username, username_key, password_hash, role,"
                    " is_active, created_at, updated_at)"
                    " VALUES (:id, :n, :n, 'x', 'Viewer', true, :t, :t)"
                ),
                {"id": uuid.uuid4(), "n": name, "t": now},
            )
        for well in wells:
            conn.execute(
                sa.text(
                    "INSERT INTO wells (id, well_name, well_type, created_at, updated_at)"
                    " VALUES (:id, :w, 'Oil', :t, :t)"
                ),
                {"id": uuid.uuid4(), "w": well, "t": now},
            )


@pytest.mark.parametrize(
    ("usernames", "wells", "marked"),
    [
        (("admin", "engineer", "surveyor", "viewer"), ("Demo J-1", "Demo H-3"), True),
        (("admin", "engineer", "surveyor", "viewer"), (), True),
        (("admin", "engineer", "surveyor", "viewer", "alice"), ("Demo J-1",), False),
        (("admin", "engineer", "surveyor", "viewer"), ("Real-9",), False),
        (("alice",), (), False),
        ((), (), False),
    ],
)
def test_upgrading_marks_a_database_the_demo_made_before_the_mark_existed(
    tmp_path, usernames, wells, marked
):
    s = settings_for(None, tmp_path)
    _seed_at_first_revision(s, usernames, wells)
    db.upgrade(s)
    with UnitOfWork(s) as u:
        assert u.database.has_mark(DEMO_MARK) is marked


def test_serve_demo_on_a_fresh_data_folder_works_twice(tmp_path, monkeypatch, capsys):
    """``make serve`` on a fresh clone, and again: the demo loads, then is found marked."""

    class Served(BaseException):  # not caught by the CLI as an error
        pass

    started = []

    def fake_supervise(servers):
        started.append([s.name for s in servers])
        raise Served

    from surveylab.server import supervisor

    monkeypatch.setattr(supervisor, "supervise", fake_supervise)
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SURVEYLAB_DATABASE_URL", raising=False)
    monkeypatch.delenv("SURVEYLAB_SECRET_KEY", raising=False)
    for added in ("4 users", "0 users"):
        with pytest.raises(Served):
            main(["serve", "--demo"])
        out = capsys.readouterr().out
        assert f"demo data: added {added}" in out
        assert "admin / admin-demo-password / Admin" in out
        # the dashboards and the HTTP API, each its own process
        assert started[-1] == ["dashboards", "api"]
        assert "surveylab api: http://127.0.0.1:8867/api/v1" in out
