"""Reports as jobs: ask for one (202), follow its status, fetch the file when it is done."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import FileResponse

from surveylab.api.deps import SessionDep
from surveylab.api.errors import problems
from surveylab.api.jobs import ReportJobs
from surveylab.api.routes.runs import RunRef
from surveylab.api.schemas import ReportIn, ReportJobOut

router = APIRouter(tags=["reports"])

MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _jobs(request: Request) -> ReportJobs:
    jobs: ReportJobs = request.app.state.jobs
    return jobs


@router.post(
    "/runs/{run}/reports",
    status_code=202,
    response_model=ReportJobOut,
    responses=problems(401, 403, 404, 422),
)
def start_report(
    run: RunRef, body: ReportIn, s: SessionDep, request: Request, response: Response
) -> Any:
    """Render the run's survey report (HTML or PDF) in the background; follow ``Location``."""
    job = _jobs(request).submit(
        s,
        run,
        fmt=body.format,
        revision=body.revision,
        units=body.units.value,
        vs_azimuth=body.vs_azimuth,
    )
    response.headers["Location"] = f"/api/v1/reports/{job.id}"
    return job.to_dict()


@router.get("/reports/{report_id}", response_model=ReportJobOut, responses=problems(401, 404, 422))
def report_status(s: SessionDep, request: Request, report_id: Annotated[uuid.UUID, Path()]) -> Any:
    """A report job's status: queued, running, done or failed (with the error)."""
    s.actor  # noqa: B018 - authenticate: any user may follow a report
    return _jobs(request).get(report_id).to_dict()


@router.get(
    "/reports/{report_id}/content",
    response_class=FileResponse,
    responses=problems(
        401,
        404,
        409,
        422,
        extra={
            200: {
                "description": "the rendered report",
                "content": {
                    "text/html": {"schema": {"type": "string"}},
                    "application/pdf": {"schema": {"type": "string"}},
                },
            }
        },
    ),
)
def report_content(
    s: SessionDep, request: Request, report_id: Annotated[uuid.UUID, Path()]
) -> FileResponse:
    """The rendered report (409 while it is not done)."""
    s.actor  # noqa: B018 - authenticate
    job, path = _jobs(request).content(report_id)
    return FileResponse(path, media_type=MEDIA_TYPES[job.format], filename=path.name)
