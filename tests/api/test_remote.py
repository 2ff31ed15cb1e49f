"""surveylab.connect(url=...): the session's methods over HTTP give what the local session
gives (records, survey views with their station tables, differences) and raise the same
errors."""

from __future__ import annotations

import pandas as pd
import pytest

import surveylab
from surveylab.auth import AuthenticationError, PermissionDenied
from surveylab.parsers import SurveyFileError
from surveylab.remote import RemoteSession
from surveylab.services import Conflict, NotFound, ServiceError
from surveylab.session import Session
from tests.api.conftest import Api, password_of, survey_csv


@pytest.fixture
def both(api: Api, server) -> tuple[Session, RemoteSession]:
    """The engineer's local session and remote session, over one database."""
    token = api.token("engineer")
    remote = surveylab.connect(url=server.url, token=token)
    assert isinstance(remote, RemoteSession)
    yield Session(token, server.settings), remote
    remote.close()


def test_the_same_answers_locally_and_over_http(both, tmp_path) -> None:
    local, remote = both
    well = remote.create_well("W-1", "Gas", crs="EPSG:23031", surface_x=1.0, surface_y=2.0)
    assert well == local.well("W-1")
    assert remote.wells() == local.wells()
    run = remote.create_run("R1", "first", "MWD", well="W-1")
    assert run == local.run("R1")
    local.create_run("R2", "second", "Gyro")

    first = remote.import_file(
        survey_csv(seed=1), "R1", name="a.csv", overrides={"declination": 1.9}
    )
    assert first.survey.revision == 1 and not first.duplicate
    assert first.survey.header.declination == 1.9
    assert any(f.field == "declination" for f in first.findings)
    path = tmp_path / "b.csv"
    path.write_bytes(survey_csv(seed=2))
    (second,) = remote.import_files([path], run.id)
    assert second.survey.revision == 2
    assert remote.import_file(path, "R1").duplicate

    assert remote.runs() == local.runs()
    assert remote.runs(mine=True, run_type="Gyro") == local.runs(mine=True, run_type="Gyro")
    assert remote.runs(well="W-1") == local.runs(well="W-1")
    assert remote.count_runs(search="r") == local.count_runs(search="r") == 2
    pd.testing.assert_frame_equal(
        remote.runs_frame()[["run_number", "run_name", "run_type", "well", "owner", "id"]],
        local.runs_frame()[["run_number", "run_name", "run_type", "well", "owner", "id"]],
    )
    assert list(remote.runs_frame().columns) == list(local.runs_frame().columns)

    for revision in (None, 1, 2):
        there, here = remote.survey("R1", revision), local.survey("R1", revision)
        assert there.run == here.run and there.survey == here.survey
        assert there.depth_unit == here.depth_unit
        pd.testing.assert_frame_equal(there.stations, here.stations)  # every bit of every number
    assert remote.history("R1") == local.history("R1")
    pd.testing.assert_frame_equal(
        remote.compare_revisions("R1", 1, 2), local.compare_revisions("R1", 1, 2)
    )
    assert remote.compare_revisions("R1", 1, 2).attrs["depth_unit"] == "m"
    assert remote.file_content(first.survey.file_id) == survey_csv(seed=1)

    renamed = remote.update_run("R2", run_name="renamed", well="W-1")
    assert renamed == local.run("R2") and renamed.well_name == "W-1"
    remote.delete_run("R2")
    with pytest.raises(NotFound):
        local.run("R2")
    assert remote.actor == local.actor
    with remote.batch() as same:
        assert same is remote


def test_the_same_errors_over_http(api: Api, both, server) -> None:
    remote = both[1]
    remote.create_run("R1", "first")
    with pytest.raises(NotFound, match="unknown run 'R9'"):
        remote.survey("R9")
    with pytest.raises(Conflict, match="R1"):
        remote.create_run("R1", "again")
    with pytest.raises(SurveyFileError) as refused:
        remote.import_file(
            b"MD,Inc,Azi\n0,0,0\n100,x,3\n", "R1", name="bad.csv", overrides={"depth_unit": "m"}
        )
    assert (refused.value.file, refused.value.line, refused.value.field) == ("bad.csv", 3, "inc")
    assert str(refused.value) == "bad.csv, line 3, field 'inc': cannot read 'x' as a number"
    with pytest.raises(ServiceError, match="no survey yet"):
        remote.survey("R1")
    with RemoteSession.login(server.url, "viewer", password_of("viewer")) as viewer:
        with pytest.raises(PermissionDenied, match="Viewer may not create runs"):
            viewer.create_run("V1", "v")
        with pytest.raises(PermissionDenied):
            viewer.users()
        viewer.logout()
        with pytest.raises(AuthenticationError):
            viewer.runs()
    with pytest.raises(AuthenticationError, match="invalid token"):
        surveylab.connect(url=server.url, token="not-a-token")
    with pytest.raises(AuthenticationError, match="invalid username or password"):
        RemoteSession.login(server.url, "viewer", "wrong")
    with pytest.raises(TypeError, match="remote session"):
        remote.call(print)
    assert remote.token and remote.token not in repr(remote) and "authenticated" in repr(remote)
    with (
        RemoteSession("http://127.0.0.1:9", "x", timeout=2) as nowhere,
        pytest.raises(ServiceError, match="cannot reach"),
    ):
        nowhere.wells()


def test_users_over_http(api: Api, server) -> None:
    with RemoteSession.login(server.url, "admin", password_of("admin")) as admin:
        added = admin.add_user("newbie", password_of("newbie"), "Viewer")
        assert added.username == "newbie" and added.is_active and added.password_hash == ""
        assert admin.set_role("newbie", "Surveyor").role == "Surveyor"
        assert admin.deactivate_user("newbie").is_active is False
        assert {u.username for u in admin.users()} >= {"admin", "newbie"}
        admin.refresh()
        assert admin.actor.username == "admin" and admin.expires_at is not None
    with RemoteSession.login(server.url, "engineer", password_of("engineer")) as engineer:
        engineer.change_password("another-long-password")
    with RemoteSession.login(server.url, "engineer", "another-long-password") as again:
        assert again.token


def test_connect_reads_the_server_from_the_environment(api: Api, server) -> None:
    token = api.token("viewer")
    session = surveylab.connect(env={"SURVEYLAB_URL": server.url, "SURVEYLAB_TOKEN": token})
    assert isinstance(session, RemoteSession) and session.actor.username == "viewer"
    session.close()
    with pytest.raises(AuthenticationError, match="SURVEYLAB_TOKEN"):
        surveylab.connect(env={"SURVEYLAB_URL": server.url})
    local = surveylab.connect(server.settings, token=token, env={})
    assert isinstance(local, Session) and local.actor.username == "viewer"
