"""The HTTP API over real HTTP, on DuckDB and PostgreSQL: every endpoint, and every refusal
answered as problem+json with the right status."""

from __future__ import annotations

import csv
import io
import uuid

import numpy as np
import pytest

from surveylab.repositories import UnitOfWork
from surveylab.session import Session
from tests.api.conftest import Api, password_of, survey_csv

PROBLEM = "application/problem+json"


def assert_problem(r, status: int, *words: str) -> dict:
    """``r`` is a problem+json answer of ``status`` whose detail holds ``words``."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    doc = r.json()
    assert doc["status"] == status and doc["type"].startswith("urn:surveylab:problem:")
    assert doc["title"] and doc["detail"]
    for w in words:
        assert w in doc["detail"], doc
    assert "Traceback" not in r.text
    return doc


def make_run(api: Api, number: str = "R1", as_: str = "engineer", **extra) -> dict:
    body = {"run_number": number, "run_name": f"run {number}", "run_type": "MWD", **extra}
    r = api.post("/runs", as_=as_, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def upload(api: Api, run: str, *files: tuple[str, bytes], as_: str = "engineer", **form):
    return api.post(
        f"/runs/{run}/files",
        as_=as_,
        files=[("file", (n, c, "text/csv")) for n, c in files],
        data={k: str(v) for k, v in form.items()},
    )


# ------------------------------------------------------------------------------ authentication
def test_login_refresh_logout_flow(api: Api, audit) -> None:
    pair = api.login("engineer")
    assert pair["token_type"] == "bearer"
    assert 0 < pair["expires_in"] <= 3600 and pair["refresh_expires_in"] > pair["expires_in"]
    me = api.client.get("/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.json()["username"] == "engineer" and me.json()["role"] == "Engineer"

    r = api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 200
    new = r.json()
    # the old refresh token is spent
    again = api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    doc = assert_problem(again, 401, "no longer valid")
    assert doc["type"].endswith("not-authenticated")
    assert 'error="invalid_token"' in again.headers["www-authenticate"]

    headers = {"Authorization": f"Bearer {new['access_token']}"}
    r = api.client.post(
        "/auth/logout", json={"refresh_token": new["refresh_token"]}, headers=headers
    )
    assert r.status_code == 204
    revoked = api.client.get("/auth/me", headers=headers)
    assert_problem(revoked, 401, "revoked")
    assert revoked.headers["www-authenticate"].startswith("Bearer")
    assert audit(action="logout", outcome="ok")


def test_wrong_password_unknown_user_and_bad_bodies_are_refused(api: Api) -> None:
    for body in ({"username": "engineer", "password": "nope"}, {"username": "x", "password": "y"}):
        r = api.client.post("/auth/login", json=body)
        assert_problem(r, 401, "invalid username or password")
        assert r.headers["www-authenticate"] == 'Bearer realm="surveylab"'
    r = api.client.post("/auth/login", json={"username": "engineer"})
    doc = assert_problem(r, 422, "body.password")
    assert doc["errors"][0]["field"] == "body.password"
    r = api.client.post(
        "/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(r, 422)
    r = api.client.post("/auth/refresh", json={"refresh_token": "garbage"})
    assert_problem(r, 401, "invalid token")


@pytest.mark.parametrize(
    "header, reason",
    [
        (None, "send Authorization"),
        ("Bearer not-a-jwt", "invalid token"),
        ("Basic ZW5naW5lZXI6eA==", "send Authorization"),
        ("Bearer", "send Authorization"),
    ],
)
def test_missing_or_invalid_token_is_401_with_a_bearer_challenge(api: Api, header, reason) -> None:
    headers = {"Authorization": header} if header else {}
    for path in ("/runs", "/wells", "/runs/R1/survey", "/users", "/auth/me"):
        r = api.client.get(path, headers=headers)
        assert_problem(r, 401, reason)
        assert r.headers["www-authenticate"].startswith('Bearer realm="surveylab"')


def test_expired_token_and_deactivated_user_are_401(api: Api, server) -> None:
    from datetime import UTC, datetime, timedelta

    from surveylab import auth
    from surveylab.services import accounts

    with UnitOfWork(server.settings) as uow:
        user = uow.users.by_username("engineer")
    assert user is not None
    config = accounts.token_config(server.settings)
    old = auth.issue_token(
        config,
        user_id=user.id,
        role=user.role,
        token_type="access",
        now=datetime.now(UTC) - timedelta(hours=2),
    ).token
    r = api.client.get("/runs", headers={"Authorization": f"Bearer {old}"})
    assert_problem(r, 401, "expired")
    assert 'error="invalid_token"' in r.headers["www-authenticate"]

    api.token("surveyor")
    assert api.patch("/users/surveyor", as_="admin", json={"is_active": False}).status_code == 204
    assert_problem(api.get("/runs", as_="surveyor"), 401, "inactive")


# ------------------------------------------------------------------------------------- runs
def test_runs_crud_by_id_and_number(api: Api) -> None:
    well = api.post("/wells", json={"well_name": "W-1", "well_type": "Gas"})
    assert well.status_code == 201 and well.headers["location"].endswith(well.json()["id"])
    created = api.post(
        "/runs",
        json={"run_number": "R1", "run_name": "first", "run_type": "Gyro", "well": "W-1"},
    )
    assert created.status_code == 201
    run = created.json()
    assert created.headers["location"] == f"/api/v1/runs/{run['id']}"
    for key in (
        "id",
        "run_number",
        "run_name",
        "run_type",
        "well",
        "owner",
        "revision",
        "station_count",
        "created_at",
        "updated_at",
    ):
        assert key in run
    assert (run["well"], run["owner"], run["revision"]) == ("W-1", "engineer", None)
    by_id = api.get(f"/runs/{run['id']}").json()
    by_number = api.get("/runs/R1", as_="viewer").json()
    assert by_id == by_number == run

    r = api.patch("/runs/R1", json={"run_name": "renamed", "well": None})
    assert r.status_code == 200
    assert r.json()["run_name"] == "renamed" and r.json()["well"] is None

    assert api.delete(f"/runs/{run['id']}").status_code == 204
    assert_problem(api.get("/runs/R1"), 404, "unknown run 'R1'")
    assert_problem(api.delete("/runs/R1"), 404)


def test_run_refusals(api: Api, audit) -> None:
    make_run(api, "R1")
    assert_problem(api.post("/runs", json={"run_number": "R1", "run_name": "other"}), 409, "R1")
    assert_problem(
        api.post("/runs", json={"run_number": "R2", "run_name": "run R1"}), 409, "run R1"
    )
    make_run(api, "R2")
    assert_problem(api.patch("/runs/R2", json={"run_number": "R1"}), 409, "taken")
    # a Viewer may not create runs; another Surveyor may not change or delete mine (audited)
    doc = assert_problem(
        api.post("/runs", as_="viewer", json={"run_number": "V", "run_name": "v"}), 403, "Viewer"
    )
    assert doc["type"].endswith("permission-denied")
    assert_problem(api.patch("/runs/R1", as_="surveyor", json={"run_name": "x"}), 403, "owner")
    assert_problem(api.delete("/runs/R1", as_="surveyor"), 403, "owner")
    denied = audit(outcome="denied")
    assert {e.action for e in denied} >= {"create runs", "change runs", "delete runs"}
    # an Admin may
    assert api.patch("/runs/R1", as_="admin", json={"run_name": "by admin"}).status_code == 200
    # invalid input
    assert_problem(api.post("/runs", json={"run_number": "", "run_name": "x"}), 422, "run_number")
    assert_problem(
        api.post("/runs", json={"run_number": "X", "run_name": "x", "run_type": "Laser"}),
        422,
        "run_type",
    )
    assert_problem(
        api.post("/runs", json={"run_number": "X", "run_name": "x", "well": "nowhere"}),
        404,
        "nowhere",
    )
    assert_problem(
        api.post("/runs", json={"run_number": "X", "run_name": "x", "extra": 1}), 422, "extra"
    )
    assert_problem(api.post("/runs", json=["not", "an", "object"]), 422)


def test_runs_list_scope_filters_sort_and_paging(api: Api) -> None:
    api.post("/wells", json={"well_name": "W-1"})
    for i in range(7):
        make_run(api, f"E{i}", run_type="Gyro" if i % 2 else "MWD", well="W-1" if i < 3 else None)
    for i in range(5):
        make_run(api, f"S{i}", as_="surveyor")
    mine = api.get("/runs").json()
    assert mine["total"] == 7 and mine["page"] == 1 and mine["page_size"] == 50
    assert [r["run_number"] for r in mine["items"]] == [f"E{i}" for i in range(7)]
    every = api.get("/runs", params={"scope": "all", "page_size": 5, "page": 2}).json()
    assert every["total"] == 12 and len(every["items"]) == 5
    assert [r["run_number"] for r in every["items"]] == ["E5", "E6", "S0", "S1", "S2"]
    down = api.get("/runs", params={"scope": "all", "sort": "-run_number", "page_size": 2}).json()
    assert [r["run_number"] for r in down["items"]] == ["S4", "S3"]
    assert api.get("/runs", params={"type": "Gyro"}).json()["total"] == 3
    assert api.get("/runs", params={"well": "W-1"}).json()["total"] == 3
    assert api.get("/runs", params={"scope": "all", "owner": "surveyor"}).json()["total"] == 5
    assert api.get("/runs", params={"owner": "surveyor"}).json()["total"] == 0  # mine AND theirs
    assert api.get("/runs", params={"scope": "all", "q": "s3"}).json()["total"] == 1
    beyond = api.get("/runs", params={"page": 99}).json()
    assert beyond["items"] == [] and beyond["total"] == 7
    assert_problem(api.get("/runs", params={"page_size": 501}), 422, "page_size")
    assert_problem(api.get("/runs", params={"page": 0}), 422, "page")
    assert_problem(api.get("/runs", params={"sort": "password"}), 422, "sort")
    assert_problem(api.get("/runs", params={"type": "Laser"}), 422, "type")
    assert_problem(api.get("/runs", params={"well": "nowhere"}), 404, "nowhere")


def test_runs_list_by_status_of_the_current_revision(api: Api) -> None:
    from surveylab.models import SurveyStatus
    from tests.api.conftest import survey_csv

    make_run(api, "ST1")
    make_run(api, "ST2")  # no survey: never matches a status
    assert upload(api, "ST1", ("st1.csv", survey_csv(run="ST1"))).status_code == 201
    totals = {
        s.value: api.get("/runs", params={"status": s.value}).json()["total"] for s in SurveyStatus
    }
    assert sum(totals.values()) == 1, totals
    (status,) = [s for s, n in totals.items() if n]
    listed = api.get("/runs", params={"status": status}).json()["items"]
    assert [r["run_number"] for r in listed] == ["ST1"]
    assert_problem(api.get("/runs", params={"status": "finished"}), 422, "status")


def test_wells(api: Api) -> None:
    r = api.post(
        "/wells",
        json={
            "well_name": "W-1",
            "well_type": "Water",
            "crs": "EPSG:23031",
            "surface_x": 438000.0,
            "surface_y": 6479500.0,
        },
    )
    assert r.status_code == 201
    w = r.json()
    assert api.get(f"/wells/{w['id']}").json() == api.get("/wells/W-1").json() == w
    assert [x["well_name"] for x in api.get("/wells", as_="viewer").json()] == ["W-1"]
    assert_problem(api.post("/wells", json={"well_name": "W-1"}), 409, "W-1")
    assert_problem(api.post("/wells", as_="viewer", json={"well_name": "W-2"}), 403)
    assert_problem(api.post("/wells", json={"well_name": "W-3", "surface_x": "east"}), 422)
    assert_problem(api.get("/wells/nowhere"), 404, "nowhere")


# ---------------------------------------------------------------------------------- uploads
def test_upload_creates_a_revision_and_the_same_bytes_are_a_duplicate(api: Api) -> None:
    make_run(api, "R1")
    content = survey_csv()
    r = upload(api, "R1", ("listing.csv", content), declination="1.5")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["revision"] == 1 and doc["duplicate"] is False
    assert doc["survey_file"]["name"] == "listing.csv"
    assert doc["survey_file"]["format"] == "csv"
    import hashlib

    assert doc["survey_file"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert any(
        f["code"] == "header_set_by_user" and f["field"] == "declination" for f in doc["findings"]
    )
    assert doc["survey"]["header"]["declination"] == 1.5
    # the same bytes with the same header overrides: the revision there is
    again = upload(api, "R1", ("copy.csv", content), declination="1.5")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["revision"] == 1
    second = upload(api, "R1", ("other.csv", survey_csv(seed=2)))
    assert second.status_code == 201 and second.json()["revision"] == 2

    files = api.get("/runs/R1/files").json()
    assert [f["name"] for f in files] == ["listing.csv", "other.csv"]
    one = api.get(f"/files/{files[0]['id']}", as_="viewer").json()
    assert one == files[0]
    raw = api.get(f"/files/{files[0]['id']}/content", as_="viewer")
    assert raw.status_code == 200 and raw.content == content  # the exact bytes
    assert raw.headers["content-type"] == "application/octet-stream"
    assert "listing.csv" in raw.headers["content-disposition"]
    assert_problem(api.get(f"/files/{uuid.uuid4()}"), 404)
    assert_problem(api.get(f"/files/{uuid.uuid4()}/content"), 404)
    assert_problem(api.get("/files/not-a-uuid"), 422, "file_id")


def _stored(server) -> tuple[int, int]:
    with UnitOfWork(server.settings) as uow:
        runs = uow.runs.list()
        files = sum(len(uow.files.for_run(r.id)) for r in runs)
        revisions = sum(len(uow.surveys.for_run(r.id)) for r in runs)
    return files, revisions


def test_refused_files_name_file_line_and_field_and_store_nothing(api: Api, server) -> None:
    make_run(api, "R1")
    bad = b"MD,Inc,Azi\n0,0,0\n100,1O.5,3\n"
    r = upload(api, "R1", ("bad.csv", bad), depth_unit="m")
    doc = assert_problem(r, 422, "bad.csv", "line 3")
    assert (doc["file"], doc["line"], doc["field"]) == ("bad.csv", 3, "inc")
    assert doc["type"].endswith("survey-file-refused")
    # a good file then a bad one: the good one is not stored either
    r = upload(api, "R1", ("good.csv", survey_csv()), ("bad.csv", bad), depth_unit="m")
    assert_problem(r, 422, "bad.csv")
    assert _stored(server) == (0, 0)
    # no depth unit stated anywhere
    r = upload(api, "R1", ("nounit.csv", b"MD,Inc,Azi\n0,0,0\n100,1,3\n200,2,4\n"))
    assert_problem(r, 422, "depth unit")
    # refused overrides and form values
    assert_problem(
        upload(api, "R1", ("g.csv", survey_csv()), depth_unit="yards"), 422, "depth_unit"
    )
    assert_problem(
        upload(api, "R1", ("g.csv", survey_csv()), declination="east"), 422, "declination"
    )
    assert_problem(upload(api, "R1", ("g.csv", survey_csv()), tie_on="1,2,x"), 422, "tie_on")
    assert_problem(upload(api, "R1", ("g.csv", survey_csv()), declination="nan"), 422)
    # no file at all, a Viewer, someone else's run, an unknown run
    r = api.post("/runs/R1/files", data={"depth_unit": "m"})
    assert_problem(r, 422, "file")
    assert_problem(upload(api, "R1", ("g.csv", survey_csv()), as_="viewer"), 403, "Viewer")
    assert_problem(upload(api, "R1", ("g.csv", survey_csv()), as_="surveyor"), 403, "owner")
    assert_problem(upload(api, "R9", ("g.csv", survey_csv())), 404, "R9")
    assert _stored(server) == (0, 0)


# ---------------------------------------------------------------------------------- surveys
def test_survey_json_csv_units_and_vs_azimuth(api: Api, server) -> None:
    make_run(api, "R1")
    upload(api, "R1", ("a.csv", survey_csv()))
    doc = api.get("/runs/R1/survey", as_="viewer").json()
    assert doc["run"]["run_number"] == "R1" and doc["revision"] == 1
    assert doc["depth_unit"] == "m" and doc["dls_course_length"] == 30.0
    local = Session(api.token("viewer"), server.settings).survey("R1").stations
    st = doc["stations"]
    assert len(st) == len(local)
    for key in ("md", "inc", "azi", "tvd", "north", "east", "dls", "build_rate", "turn_rate"):
        np.testing.assert_array_equal([s[key] for s in st], local[key].to_numpy())

    ft = api.get("/runs/R1/survey", params={"units": "ft", "vs_azimuth": 35}).json()
    assert ft["depth_unit"] == "ft" and ft["dls_course_length"] == 100.0
    assert ft["vs_azimuth"] == 35.0
    np.testing.assert_allclose([s["md"] for s in ft["stations"]], local["md"] / 0.3048, rtol=1e-12)
    np.testing.assert_allclose(
        [s["dls"] for s in ft["stations"]], local["dls"] * 30.48 / 30.0, rtol=1e-12, atol=1e-12
    )
    vs = np.array([s["vs"] for s in ft["stations"]])
    expected = local["north"] * np.cos(np.radians(35)) + local["east"] * np.sin(np.radians(35))
    np.testing.assert_allclose(vs, expected / 0.3048, rtol=1e-9, atol=1e-9)
    wrapped = api.get("/runs/R1/survey", params={"vs_azimuth": 395}).json()
    assert wrapped["vs_azimuth"] == pytest.approx(35.0)

    r = api.get("/runs/R1/survey", params={"units": "ft"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:2] == ["md [ft]", "inc [deg]"] and "dls [deg/100 ft]" in rows[0]
    assert len(rows) == len(local) + 1
    assert float(rows[-1][0]) == pytest.approx(local["md"].iloc[-1] / 0.3048, rel=1e-9)

    assert_problem(api.get("/runs/R1/survey", params={"revision": 2}), 422, "no revision 2")
    assert_problem(api.get("/runs/R1/survey", params={"units": "yd"}), 422, "units")
    assert_problem(api.get("/runs/R1/survey", params={"vs_azimuth": "inf"}), 422, "vs_azimuth")
    assert_problem(api.get("/runs/R1/survey", params={"revision": 2**40}), 422, "revision")
    assert_problem(api.get("/runs/R9/survey"), 404)
    make_run(api, "R2")
    assert_problem(api.get("/runs/R2/survey"), 422, "no survey yet")


def test_history_and_diff(api: Api) -> None:
    make_run(api, "R1")
    upload(api, "R1", ("a.csv", survey_csv(seed=1)))
    upload(api, "R1", ("b.csv", survey_csv(seed=2)))
    history = api.get("/runs/R1/history", as_="viewer").json()
    assert [h["revision"] for h in history] == [1, 2]
    assert [h["file_name"] for h in history] == ["a.csv", "b.csv"]
    d = api.get("/runs/R1/diff", params={"from": 1, "to": 2}).json()
    assert (d["from_revision"], d["to_revision"], d["depth_unit"]) == (1, 2, "m")
    row = d["stations"][5]
    assert row["d_inc"] == pytest.approx(row["inc_b"] - row["inc_a"])
    assert_problem(api.get("/runs/R1/diff", params={"from": 1, "to": 7}), 422, "no revision 7")
    assert_problem(api.get("/runs/R1/diff", params={"from": 1}), 422, "to")
    assert_problem(api.get("/runs/R9/history"), 404)


def test_compute_is_stateless(api: Api, server) -> None:
    content = survey_csv()
    r = api.post(
        "/compute", as_="viewer", files={"file": ("c.csv", content)}, data={"vs_azimuth": "35"}
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["depth_unit"] == "m" and doc["method"] == "minimum_curvature"
    assert doc["vs_azimuth"] == 35.0 and doc["stations"][-1]["vs"] is not None
    assert _stored(server) == (0, 0)
    r = api.post(
        "/compute",
        files={"file": ("bad.csv", b"MD,Inc,Azi\n0,0,0\n1,x,2\n")},
        data={"depth_unit": "m"},
    )
    assert_problem(r, 422, "bad.csv")
    r = api.client.post("/compute", files={"file": ("c.csv", content)})
    assert_problem(r, 401)


# ------------------------------------------------------------------------------------ users
def test_user_administration(api: Api, audit) -> None:
    users = api.get("/users", as_="admin").json()
    assert {u["username"] for u in users} == {
        "admin",
        "engineer",
        "surveyor",
        "surveyor2",
        "viewer",
    }
    r = api.post(
        "/users",
        as_="admin",
        json={"username": "newbie", "password": password_of("newbie"), "role": "Viewer"},
    )
    assert r.status_code == 201 and r.headers["location"] == "/api/v1/users/newbie"
    assert r.json()["role"] == "Viewer" and "password" not in r.text
    # a name beyond Latin-1 (found by the fuzzer: the Location header could not be encoded)
    r = api.post(
        "/users",
        as_="admin",
        json={"username": "\U0002737d|Ü", "password": password_of("x"), "role": "Viewer"},
    )
    assert r.status_code == 201 and r.headers["location"] == "/api/v1/users/%F0%A7%8D%BD%7C%C3%9C"
    assert_problem(
        api.post(
            "/users",
            as_="admin",
            json={"username": "newbie", "password": password_of("x"), "role": "Viewer"},
        ),
        409,
    )
    assert_problem(
        api.post(
            "/users", as_="admin", json={"username": "short", "password": "x", "role": "Viewer"}
        ),
        422,
    )
    assert api.patch("/users/newbie", as_="admin", json={"role": "Engineer"}).status_code == 204
    assert api.login("newbie")  # still active
    assert_problem(api.get("/users", as_="engineer"), 403)
    assert_problem(
        api.post(
            "/users",
            as_="engineer",
            json={"username": "x", "password": password_of("x"), "role": "Admin"},
        ),
        403,
    )
    assert_problem(api.patch("/users/viewer", as_="engineer", json={"role": "Admin"}), 403)
    # own password: allowed; someone else's: refused
    new = "a-brand-new-password-1"
    assert api.patch("/users/engineer", json={"password": new}).status_code == 204
    # a new password ends every login of the user: the token used for the change included
    assert_problem(api.get("/auth/me"), 401, "session ended")
    fresh = api.client.post("/auth/login", json={"username": "engineer", "password": new})
    assert fresh.status_code == 200
    api.tokens["engineer"] = fresh.json()["access_token"]
    assert_problem(api.patch("/users/viewer", json={"password": new}), 403)
    assert_problem(api.patch("/users/nobody", as_="admin", json={"role": "Viewer"}), 404)
    assert_problem(
        api.patch("/users/admin", as_="admin", json={"role": "Viewer"}), 422, "last active Admin"
    )
    assert_problem(api.patch("/users/viewer", as_="admin", json={"is_active": True}), 422)
    assert any(e.action == "list users" for e in audit(outcome="denied"))


def test_unknown_paths_and_methods_are_problems(api: Api) -> None:
    assert_problem(api.get("/nothing-here"), 404)
    assert_problem(api.client.put("/runs", json={}), 405, "PUT")
    assert_problem(api.client.get("/../../etc/passwd"), 404)
