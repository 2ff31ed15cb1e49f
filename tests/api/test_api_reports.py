"""Reports as jobs over HTTP: 202 and a Location, the status until done, the rendered file;
refusals before anything is queued; a job that fails says why."""

from __future__ import annotations

import time
import uuid

import pytest

from surveylab.repositories import UnitOfWork
from tests.api.conftest import Api, survey_csv
from tests.api.test_api_http import assert_problem, make_run, upload

pytestmark = pytest.mark.slow


def _wait(api: Api, location: str, timeout: float = 300.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(location.removeprefix("/api/v1"), as_="viewer").json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


def test_report_job_renders_the_survey_report(api: Api, server) -> None:
    make_run(api, "R1")
    make_run(api, "R2")
    upload(api, "R1", ("a.csv", survey_csv()))
    upload(api, "R2", ("b.csv", survey_csv(seed=3)))
    r = api.post("/runs/R1/reports", as_="viewer", json={"format": "html", "units": "ft"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running") and job["run"] == "R1"
    location = r.headers["location"]
    assert location == f"/api/v1/reports/{job['id']}"
    # a second job waits behind the first (one worker); its run goes before it starts
    second = api.post("/runs/R2/reports", json={"format": "html"}).json()
    early = api.get(f"/reports/{second['id']}/content")
    assert_problem(early, 409, second["id"])
    assert api.delete("/runs/R2").status_code == 204

    done = _wait(api, location)
    assert done["status"] == "done", done
    assert done["finished_at"] >= done["started_at"] >= done["created_at"]
    content = api.get(f"/reports/{job['id']}/content", as_="viewer")
    assert content.status_code == 200
    assert content.headers["content-type"].startswith("text/html")
    assert "run R1" in content.text and "[ft]" in content.text
    assert api.token("viewer") not in content.text
    with UnitOfWork(server.settings) as uow:
        records = uow.reports.list()
    assert [str(rec.id) for rec in records] == [done["report_id"]]

    failed = _wait(api, f"/api/v1/reports/{second['id']}")
    assert failed["status"] == "failed" and "unknown run" in failed["error"]
    assert_problem(api.get(f"/reports/{second['id']}/content"), 409, "failed")


def test_report_refusals_queue_nothing(api: Api) -> None:
    before = len(api.server.app.state.jobs._jobs)
    make_run(api, "R1")
    assert_problem(api.post("/runs/R1/reports", json={}), 422, "no survey yet")
    upload(api, "R1", ("a.csv", survey_csv()))
    assert_problem(api.post("/runs/R1/reports", json={"revision": 4}), 422, "no revision 4")
    assert_problem(api.post("/runs/R1/reports", json={"format": "docx"}), 422, "format")
    assert_problem(api.post("/runs/R1/reports", json={"units": "yd"}), 422, "units")
    assert_problem(api.post("/runs/R9/reports", json={}), 404, "R9")
    assert_problem(api.client.post("/runs/R1/reports", json={}), 401)
    assert_problem(api.get(f"/reports/{uuid.uuid4()}"), 404)
    assert_problem(api.get(f"/reports/{uuid.uuid4()}/content"), 404)
    assert_problem(api.get("/reports/nope"), 422)
    assert len(api.server.app.state.jobs._jobs) == before
