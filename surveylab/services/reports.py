"""Report bookkeeping: who rendered which report, when, with which parameters, to which file."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from surveylab.auth import Permission
from surveylab.models import Actor
from surveylab.models.records import ReportRecord
from surveylab.repositories import UnitOfWork
from surveylab.services.common import audit_ok, guard


def record_report(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    kind: str,
    fmt: str,
    parameters: dict[str, Any],
    file_path: Path,
    run_id: uuid.UUID | None = None,
    well_id: uuid.UUID | None = None,
) -> ReportRecord:
    """Record a rendered report (the file must exist)."""
    digest = hashlib.sha256(Path(file_path).read_bytes()).hexdigest()
    with uow:
        guard(uow, actor, Permission.RUN_REPORT, action="run reports", target_type="report")
        assert actor is not None
        rec = uow.reports.add(
            run_id=run_id,
            well_id=well_id,
            kind=kind,
            format=fmt,
            parameters=parameters,
            file_path=str(file_path),
            sha256=digest,
            created_by=actor.id,
            created_by_name=actor.username,
        )
        audit_ok(uow, actor, "render report", target_type="report", target_id=rec.id)
        uow.commit()
        return rec


def check_may_report(uow: UnitOfWork, actor: Actor | None) -> None:
    """Refuse (and audit) before any rendering work when the actor may not run reports."""
    with uow:
        guard(uow, actor, Permission.RUN_REPORT, action="run reports", target_type="report")


def list_reports(
    uow: UnitOfWork, actor: Actor | None, run_id: uuid.UUID | None = None
) -> list[ReportRecord]:
    with uow:
        guard(uow, actor, Permission.READ, action="read reports")
        return uow.reports.list(run_id=run_id)
