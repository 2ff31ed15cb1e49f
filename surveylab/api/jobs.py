"""Report rendering as jobs: ``POST /runs/{run}/reports`` queues one and answers at once; a
worker thread renders it (papermill and, for a PDF, chromium: seconds) and records it through
the reports service, as ``surveylab report`` does.

The jobs live in the API process (one worker, so two reports never compete for the CPU); the
rendered files and their records stay in the data folder and the database. A restarted server
no longer knows the jobs of the one before.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from surveylab.api.errors import ApiProblem
from surveylab.services import NotFound, ServiceError
from surveylab.services import reports as report_service
from surveylab.session import Session

Status = Literal["queued", "running", "done", "failed"]
#: Jobs remembered at most; the oldest finished ones are forgotten first.
MAX_JOBS = 1000


@dataclass(frozen=True)
class ReportJob:
    """One report asked for: who, which run and parameters, and how far it got."""

    id: uuid.UUID
    run: str
    run_id: uuid.UUID
    format: Literal["html", "pdf"]
    parameters: dict[str, Any]
    created_at: datetime
    status: Status = "queued"
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    report_id: uuid.UUID | None = None
    path: Path | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "error": self.error,
            "run": self.run,
            "run_id": self.run_id,
            "format": self.format,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "report_id": self.report_id,
        }


def _close_thread_event_loop() -> None:
    """Close the event loop papermill's kernel client made in this (worker) thread: left open,
    it would be collected later with its sockets unclosed."""
    policy = asyncio.get_event_loop_policy()
    try:
        loop = policy.get_event_loop()
    except RuntimeError:  # none in this thread
        return
    if not loop.is_running() and not loop.is_closed():
        loop.close()
    policy.set_event_loop(None)


class ReportJobs:
    """The report jobs of one API process and the thread that renders them.

    Parameters
    ----------
    output_dir : Path
        Folder the reports are written to (``<data dir>/reports``).
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self._jobs: dict[uuid.UUID, ReportJob] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="surveylab-report")

    def submit(
        self,
        session: Session,
        run: str,
        *,
        fmt: Literal["html", "pdf"],
        revision: int | None,
        units: str,
        vs_azimuth: float | None,
    ) -> ReportJob:
        """Check what can be checked now (the right to run reports, the run, the revision)
        and queue the rendering.

        Raises
        ------
        AuthenticationError, PermissionDenied, NotFound, ServiceError
            The token, the role, the run or the revision is refused (nothing queued).
        """
        with session.batch():
            session.call(report_service.check_may_report)
            run_rec = session.run(run)
            revisions = [r.revision for r in session.history(run_rec.id)]
        if not revisions:
            raise ServiceError(f"run {run_rec.run_number} has no survey yet")
        if revision is not None and revision not in revisions:
            raise ServiceError(f"run {run_rec.run_number} has no revision {revision}")
        job = ReportJob(
            id=uuid.uuid4(),
            run=run_rec.run_number,
            run_id=run_rec.id,
            format=fmt,
            parameters={"revision": revision, "units": units, "vs_azimuth": vs_azimuth},
            created_at=datetime.now(UTC),
        )
        self._put(job)
        worker = Session(session.token, session.settings)
        self._pool.submit(self._render, job.id, worker)
        return job

    def get(self, job_id: uuid.UUID) -> ReportJob:
        """The job of ``job_id``.

        Raises
        ------
        NotFound
            No such job in this process.
        """
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"unknown report {job_id}")
        return job

    def content(self, job_id: uuid.UUID) -> tuple[ReportJob, Path]:
        """A finished job and its file.

        Raises
        ------
        NotFound
            No such job.
        ApiProblem
            409: the report is not rendered (yet, or it failed).
        """
        job = self.get(job_id)
        if job.status != "done" or job.path is None:
            why = f": {job.error}" if job.error else ""
            raise ApiProblem(409, "report-not-ready", f"report {job_id} is {job.status}{why}")
        return job, job.path

    def shutdown(self) -> None:
        """Stop taking jobs; a rendering under way finishes, queued ones are dropped."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _put(self, job: ReportJob) -> None:
        with self._lock:
            self._jobs[job.id] = job
            if len(self._jobs) > MAX_JOBS:
                for old in [j.id for j in self._jobs.values() if j.status in ("done", "failed")]:
                    del self._jobs[old]
                    if len(self._jobs) <= MAX_JOBS:
                        break

    def _update(self, job_id: uuid.UUID, **changes: Any) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                self._jobs[job_id] = replace(job, **changes)

    def _render(self, job_id: uuid.UUID, session: Session) -> None:
        try:
            self._render_job(job_id, session)
        finally:
            _close_thread_event_loop()

    def _render_job(self, job_id: uuid.UUID, session: Session) -> None:
        from surveylab.reports.render import render_report

        job = self.get(job_id)
        self._update(job_id, status="running", started_at=datetime.now(UTC))
        try:
            out = render_report(
                session,
                run=str(job.run_id),
                fmt=job.format,
                output_dir=self.output_dir,
                revision=job.parameters["revision"],
                units=job.parameters["units"],
                vs_azimuth=job.parameters["vs_azimuth"],
            )
        except Exception as exc:  # any failure is the job's outcome, shown to the caller
            self._update(
                job_id,
                status="failed",
                error=str(exc) or type(exc).__name__,
                finished_at=datetime.now(UTC),
            )
            return
        self._update(
            job_id,
            status="done",
            finished_at=datetime.now(UTC),
            report_id=out.record.id,
            path=out.path,
        )
