"""Rendered reports: parameters, file, digest, who rendered them and when."""

from __future__ import annotations

import builtins
import json
import uuid
from typing import Any

import sqlalchemy as sa

from surveylab.db import tables as t
from surveylab.models.records import ReportRecord
from surveylab.repositories._base import Repository, as_utc, as_uuid, as_uuid_or_none, json_safe


class ReportRepository(Repository[ReportRecord]):
    table = t.reports
    stamped = ("created_at",)

    def _record(self, r: Any) -> ReportRecord:
        return ReportRecord(
            id=as_uuid(r.id),
            run_id=as_uuid_or_none(r.run_id),
            well_id=as_uuid_or_none(r.well_id),
            kind=r.kind,
            format=r.format,
            parameters=json.loads(r.parameters_json),
            file_path=r.file_path,
            sha256=r.sha256,
            created_by=as_uuid_or_none(r.created_by),
            created_by_name=r.created_by_name,
            created_at=as_utc(r.created_at),
        )

    def add(self, *, parameters: dict[str, Any] | None = None, **values: Any) -> ReportRecord:
        """Record a rendered report; ``values`` are the ``reports`` table's other columns."""
        params_json = json.dumps(json_safe(parameters or {}), default=str)
        return self._insert(parameters_json=params_json, **values)

    def list(self, *, run_id: uuid.UUID | None = None) -> builtins.list[ReportRecord]:
        """Reports, newest first (of one run when ``run_id`` is given)."""
        q = sa.select(t.reports).order_by(t.reports.c.created_at.desc())
        if run_id is not None:
            q = q.where(t.reports.c.run_id == run_id)
        return [self._record(r) for r in self.conn.execute(q)]
