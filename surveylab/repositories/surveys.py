"""Survey files (the uploaded bytes, kept exactly) and survey revisions with their stations."""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from surveylab.db import tables as t
from surveylab.models import DepthUnit, Finding, NorthReference
from surveylab.models.records import StatusChangeRecord, SurveyFileRecord, SurveyRecord
from surveylab.models.survey import SurveyHeader
from surveylab.repositories._base import (
    Repository,
    as_utc,
    as_utc_or_none,
    as_uuid,
    as_uuid_or_none,
    json_safe,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class StatusStep:
    """One change of a new revision's status, written with the revision
    (:meth:`SurveyRepository.add`): from ``from_status`` (None: it had none) to ``to``."""

    from_status: str | None
    to: str
    note: str


def station_frame(stations: pd.DataFrame) -> pd.DataFrame:
    """The station rows as the stations tables hold them: seq, the computed values
    (:data:`surveylab.db.tables.STATION_VALUE_COLUMNS`, NaN where a column is missing), and
    the projected and used flags."""
    cols = list(t.STATION_VALUE_COLUMNS)
    frame = pd.DataFrame({"seq": np.arange(len(stations), dtype=np.int32)})
    for c in cols:
        frame[c] = (
            stations[c].to_numpy(dtype=float) if c in stations else np.full(len(stations), np.nan)
        )
    for c in ("projected", "used"):
        default = c == "used"
        frame[c] = (
            stations[c].fillna(default).to_numpy(dtype=bool)
            if c in stations
            else np.full(len(stations), default)
        )
    return frame


class SurveyFileRepository(Repository[SurveyFileRecord]):
    """Uploaded survey files: the bytes kept exactly as received, with name, size and SHA-256."""

    table = t.survey_files
    stamped = ("uploaded_at",)

    #: Every column but the content (read on its own by :meth:`content`).
    _cols = (
        t.survey_files.c.id,
        t.survey_files.c.run_id,
        t.survey_files.c.file_name,
        t.survey_files.c.size_bytes,
        t.survey_files.c.sha256,
        t.survey_files.c.detected_format,
        t.survey_files.c.uploaded_by,
        t.survey_files.c.uploaded_at,
    )

    def _record(self, r: Any) -> SurveyFileRecord:
        return SurveyFileRecord(
            id=as_uuid(r.id),
            run_id=as_uuid(r.run_id),
            file_name=r.file_name,
            size_bytes=int(r.size_bytes),
            sha256=r.sha256,
            detected_format=r.detected_format,
            uploaded_by=as_uuid_or_none(r.uploaded_by),
            uploaded_at=as_utc(r.uploaded_at),
        )

    def _returning(self) -> Sequence[sa.ColumnElement[Any]]:
        return self._cols

    def add(
        self,
        *,
        run_id: uuid.UUID,
        file_name: str,
        content: bytes,
        sha256: str,
        detected_format: str,
        uploaded_by: uuid.UUID | None,
    ) -> SurveyFileRecord:
        return self._insert(
            run_id=run_id,
            file_name=file_name,
            size_bytes=len(content),
            sha256=sha256,
            detected_format=detected_format,
            content=content,
            uploaded_by=uploaded_by,
        )

    def get(self, file_id: uuid.UUID) -> SurveyFileRecord | None:
        r = self.conn.execute(sa.select(*self._cols).where(t.survey_files.c.id == file_id)).first()
        return self._record(r) if r else None

    def by_sha256(self, run_id: uuid.UUID, sha256: str) -> SurveyFileRecord | None:
        """The run's file with these bytes (their SHA-256, hex), if it was uploaded before."""
        q = sa.select(*self._cols).where(
            t.survey_files.c.run_id == run_id, t.survey_files.c.sha256 == sha256
        )
        r = self.conn.execute(q).first()
        return self._record(r) if r else None

    def for_run(self, run_id: uuid.UUID) -> list[SurveyFileRecord]:
        """The run's files, oldest first."""
        q = (
            sa.select(*self._cols)
            .where(t.survey_files.c.run_id == run_id)
            .order_by(t.survey_files.c.uploaded_at)
        )
        return [self._record(r) for r in self.conn.execute(q)]

    def content(self, file_id: uuid.UUID) -> bytes:
        q = sa.select(t.survey_files.c.content).where(t.survey_files.c.id == file_id)
        return bytes(self.conn.execute(q).scalar_one())


class SurveyRepository(Repository[SurveyRecord]):
    """Survey revisions of a run and their stations (written in bulk, read as one DataFrame)."""

    table = t.surveys
    stamped = ("imported_at",)

    def _record(self, r: Any) -> SurveyRecord:
        m = r._mapping
        return SurveyRecord(
            id=as_uuid(r.id),
            run_id=as_uuid(r.run_id),
            file_id=as_uuid(r.file_id),
            revision=int(r.revision),
            depth_unit=DepthUnit(r.depth_unit),
            azimuth_reference=NorthReference(r.azimuth_reference),
            method=r.method,
            dls_course_length=float(r.dls_course_length),
            vs_azimuth=r.vs_azimuth,
            station_count=int(r.station_count),
            worst_severity=r.worst_severity,
            header=SurveyHeader.from_dict(json.loads(r.header_json)),
            findings=[Finding.from_dict(d) for d in json.loads(r.findings_json)],
            assumptions=list(json.loads(r.assumptions_json)),
            imported_by=as_uuid_or_none(r.imported_by),
            imported_by_name=r.imported_by_name,
            imported_at=as_utc(r.imported_at),
            file_name=m.get("file_name"),
            sha256=m.get("sha256"),
            detected_format=m.get("detected_format"),
            status=r.status,
            status_changed_at=as_utc_or_none(r.status_changed_at),
            status_changed_by_name=r.status_changed_by_name,
            status_note=r.status_note,
            qc=None if r.qc_json is None else json.loads(r.qc_json),
        )

    def _returning(self) -> Sequence[sa.ColumnElement[Any]]:
        return (t.surveys.c.id,)

    def _inserted(self, row: Any) -> SurveyRecord:
        # the record carries its file's name and digest: read it back through the join
        survey = self.get(as_uuid(row.id))
        assert survey is not None, "a survey inserted in this transaction is readable in it"
        return survey

    def _select(self) -> sa.Select[Any]:
        return sa.select(
            t.surveys,
            t.survey_files.c.file_name,
            t.survey_files.c.sha256,
            t.survey_files.c.detected_format,
        ).outerjoin(t.survey_files, t.survey_files.c.id == t.surveys.c.file_id)

    def next_revision(self, run_id: uuid.UUID) -> int:
        q = sa.select(sa.func.max(t.surveys.c.revision)).where(t.surveys.c.run_id == run_id)
        return int(self.conn.execute(q).scalar() or 0) + 1

    def add(
        self,
        *,
        run_id: uuid.UUID,
        file_id: uuid.UUID,
        revision: int,
        depth_unit: DepthUnit,
        azimuth_reference: NorthReference,
        method: str,
        dls_course_length: float,
        vs_azimuth: float | None,
        header: SurveyHeader,
        findings: Sequence[Finding],
        assumptions: Sequence[str],
        worst_severity: str | None,
        imported_by: uuid.UUID | None,
        imported_by_name: str | None,
        stations: pd.DataFrame,
        qc_document: dict[str, Any] | None = None,
        qc_stations: pd.DataFrame | None = None,
        statuses: Sequence[StatusStep] = (),
    ) -> SurveyRecord:
        """Store one survey revision and its stations (in bulk); returns the revision.

        A revision checked before it is stored comes with its QC (``qc_document``, and
        ``qc_stations`` as for :meth:`set_qc`) and its first status changes (``statuses``,
        oldest first, made by the importer at the import's time): the row is written with
        them and the last status, the changes go to the status history, all in the caller's
        transaction.
        """
        now = utcnow()
        # one microsecond apart: the history lists them oldest first by time
        times = [now + timedelta(microseconds=k) for k in range(len(statuses))]
        status: dict[str, Any] = {}
        if statuses:
            status = {
                "status": statuses[-1].to,
                "status_changed_at": times[-1],
                "status_changed_by": imported_by,
                "status_changed_by_name": imported_by_name,
                "status_note": statuses[-1].note,
            }
        if qc_document is not None:
            status["qc_json"] = json.dumps(json_safe(qc_document))
        survey = self._insert(
            run_id=run_id,
            file_id=file_id,
            revision=revision,
            depth_unit=str(depth_unit),
            azimuth_reference=str(azimuth_reference),
            method=method,
            dls_course_length=float(dls_course_length),
            vs_azimuth=vs_azimuth,
            station_count=len(stations),
            worst_severity=worst_severity,
            header_json=json.dumps(json_safe(header.to_dict())),
            findings_json=json.dumps([json_safe(f.to_dict()) for f in findings]),
            assumptions_json=json.dumps(list(assumptions)),
            imported_by=imported_by,
            imported_by_name=imported_by_name,
            imported_at=now,
            **status,
        )
        self._insert_stations(survey.id, stations)
        if qc_stations is not None and not qc_stations.empty:
            self._insert_qc_stations(survey.id, qc_stations)
        if statuses:
            self.conn.execute(
                t.survey_status_changes.insert(),
                [
                    {
                        "id": uuid.uuid4(),
                        "survey_id": survey.id,
                        "from_status": step.from_status,
                        "to_status": step.to,
                        "changed_by": imported_by,
                        "changed_by_name": imported_by_name,
                        "changed_at": at,
                        "note": step.note,
                        "override_qc": False,
                    }
                    for step, at in zip(statuses, times, strict=True)
                ],
            )
        return survey

    def _insert_stations(self, survey_id: uuid.UUID, stations: pd.DataFrame) -> None:
        self._bulk_insert(
            t.stations, ("survey_id", survey_id), station_frame(stations), t.STATION_VALUE_COLUMNS
        )

    def get(self, survey_id: uuid.UUID) -> SurveyRecord | None:
        r = self.conn.execute(self._select().where(t.surveys.c.id == survey_id)).first()
        return self._record(r) if r else None

    def by_revision(self, run_id: uuid.UUID, revision: int) -> SurveyRecord | None:
        q = self._select().where(t.surveys.c.run_id == run_id, t.surveys.c.revision == revision)
        r = self.conn.execute(q).first()
        return self._record(r) if r else None

    def imported_keys(
        self, run_ids: Iterable[uuid.UUID]
    ) -> builtins.list[tuple[uuid.UUID, str, dict[str, Any]]]:
        """What identifies each revision of these runs as a duplicate: (run id, its file's
        SHA-256 [hex], the header overrides it was imported with), without reading stations
        or file bytes."""
        out: builtins.list[tuple[uuid.UUID, str, dict[str, Any]]] = []
        wanted = sorted(set(run_ids))
        for i in range(0, len(wanted), 1000):
            q = (
                sa.select(t.surveys.c.run_id, t.survey_files.c.sha256, t.surveys.c.header_json)
                .join(t.survey_files, t.survey_files.c.id == t.surveys.c.file_id)
                .where(t.surveys.c.run_id.in_(wanted[i : i + 1000]))
            )
            for r in self.conn.execute(q):
                extra = json.loads(r.header_json).get("extra") or {}
                out.append((as_uuid(r.run_id), r.sha256, extra.get("overrides") or {}))
        return out

    def for_run(self, run_id: uuid.UUID) -> builtins.list[SurveyRecord]:
        """The run's revisions, oldest first."""
        q = self._select().where(t.surveys.c.run_id == run_id).order_by(t.surveys.c.revision)
        return [self._record(r) for r in self.conn.execute(q)]

    def stations(self, survey_id: uuid.UUID) -> pd.DataFrame:
        """All stations of one survey revision as one DataFrame, in one query."""
        names = ["seq", *t.STATION_VALUE_COLUMNS, "projected", "used"]
        # the id as a UUID, not text: DuckDB then looks it up in ix_stations_survey_id
        sql = (
            f"SELECT {', '.join(names)} FROM stations WHERE survey_id = CAST(? AS UUID) "
            "ORDER BY seq"
        )
        df: pd.DataFrame
        if self.dialect == "duckdb":
            raw = self._driver_connection()
            df = raw.execute(sql, [str(survey_id)]).df()
        else:
            q = (
                sa.select(*[t.stations.c[n] for n in names])
                .where(t.stations.c.survey_id == survey_id)
                .order_by(t.stations.c.seq)
            )
            df = pd.read_sql(q, self.conn)
        for c in t.STATION_VALUE_COLUMNS:
            df[c] = df[c].astype(float)
        return df.drop(columns=["seq"]).reset_index(drop=True)

    # ------------------------------------------------------------------ QC results
    def set_qc(
        self, survey_id: uuid.UUID, document: dict[str, Any], stations: pd.DataFrame | None
    ) -> None:
        """Store a revision's QC summary and its per-station rows (replacing earlier ones).

        Parameters
        ----------
        survey_id : uuid.UUID
            The revision.
        document : dict
            The QC summary (JSON-ready).
        stations : pandas.DataFrame or None
            One row per station with raw readings: the columns of
            :data:`surveylab.db.tables.QC_STATION_COLUMNS` [g, nT, deg], ``passed`` (bool or
            None without a reference) and ``used``; None or empty: none.
        """
        self.conn.execute(t.qc_stations.delete().where(t.qc_stations.c.survey_id == survey_id))
        self.conn.execute(
            t.surveys.update()
            .where(t.surveys.c.id == survey_id)
            .values(qc_json=json.dumps(json_safe(document)))
        )
        if stations is None or stations.empty:
            return
        self._insert_qc_stations(survey_id, stations)

    def _insert_qc_stations(self, survey_id: uuid.UUID, stations: pd.DataFrame) -> None:
        frame = pd.DataFrame({"seq": np.arange(len(stations), dtype=np.int32)})
        for c in t.QC_STATION_COLUMNS:
            frame[c] = (
                stations[c].to_numpy(dtype=float)
                if c in stations
                else np.full(len(stations), np.nan)
            )
        passed = stations["passed"] if "passed" in stations else pd.Series([None] * len(stations))
        frame["passed"] = pd.array(
            [None if v is None or v != v else bool(v) for v in passed], dtype="boolean"
        )
        frame["used"] = stations["used"].to_numpy(dtype=bool)
        self._bulk_insert(t.qc_stations, ("survey_id", survey_id), frame, t.QC_STATION_COLUMNS)

    def qc_stations(self, survey_id: uuid.UUID) -> pd.DataFrame:
        """The per-station QC rows of a revision, in station order (empty without any)."""
        names = [*t.QC_STATION_COLUMNS, "passed", "used"]
        frame = self._frame(t.qc_stations, ("survey_id", survey_id), names)
        for c in t.QC_STATION_COLUMNS:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
        # pass or fail per station, None without a reference
        frame["passed"] = [
            None if v is None or v is pd.NA or v != v else bool(v)
            for v in frame["passed"].astype(object)
        ]
        frame["used"] = frame["used"].astype(bool)
        return frame

    # ------------------------------------------------------------------ lifecycle
    def change_status(
        self,
        survey_id: uuid.UUID,
        *,
        expected: str,
        to: str,
        by_id: uuid.UUID | None,
        by_name: str | None,
        note: str,
        override_qc: bool = False,
    ) -> bool:
        """Move a revision from status ``expected`` (as the caller read it) to ``to``, if its
        status is still ``expected``.

        One conditional ``UPDATE ... WHERE status = expected``: of two transactions
        changing the same revision at once, the second waits for the first's row lock
        (PostgreSQL) and then finds the status changed, so exactly one succeeds. The change
        is written to the status history in the same transaction.

        Returns
        -------
        bool
            True when the status changed; False when it was no longer ``expected``.
        """
        now = utcnow()
        changed = self.conn.execute(
            t.surveys.update()
            .where(t.surveys.c.id == survey_id, t.surveys.c.status == expected)
            .values(
                status=to,
                status_changed_at=now,
                status_changed_by=by_id,
                status_changed_by_name=by_name,
                status_note=note,
            )
            .returning(t.surveys.c.id)
        ).all()
        if not changed:
            return False
        self.conn.execute(
            t.survey_status_changes.insert().values(
                id=uuid.uuid4(),
                survey_id=survey_id,
                from_status=expected,
                to_status=to,
                changed_by=by_id,
                changed_by_name=by_name,
                changed_at=now,
                note=note,
                override_qc=override_qc,
            )
        )
        return True

    def status_changes(self, survey_id: uuid.UUID) -> builtins.list[StatusChangeRecord]:
        """Every status change of a revision, oldest first."""
        c = t.survey_status_changes.c
        q = (
            sa.select(t.survey_status_changes)
            .where(c.survey_id == survey_id)
            .order_by(c.changed_at, c.id)
        )
        return [
            StatusChangeRecord(
                id=as_uuid(r.id),
                survey_id=as_uuid(r.survey_id),
                from_status=r.from_status,
                to_status=r.to_status,
                changed_by=as_uuid_or_none(r.changed_by),
                changed_by_name=r.changed_by_name,
                changed_at=as_utc(r.changed_at),
                note=r.note,
                override_qc=bool(r.override_qc),
            )
            for r in self.conn.execute(q).all()
        ]
