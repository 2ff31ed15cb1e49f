"""Repositories and the unit of work: rows in, records out. Only this layer and ``db`` speak SQL.

The unit of work owns one short-lived connection and its transaction (never held across widget
callbacks). Leaving the ``with`` block without :meth:`UnitOfWork.commit` rolls back.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from surveylab.config import Settings, load_settings
from surveylab.db import connect_with_retry, get_engine
from surveylab.db import tables as t
from surveylab.models import DepthUnit, Finding, NorthReference, Role
from surveylab.models.records import (
    AuditRecord,
    ReportRecord,
    RunRecord,
    SurveyFileRecord,
    SurveyRecord,
    UserRecord,
    WellRecord,
)
from surveylab.models.survey import SurveyHeader


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None:
        return None
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _finish_pending(raw: Any) -> None:
    """DuckDB 2 refuses new work on a connection while an earlier result is unread (SQLAlchemy's
    ``.first()`` leaves the rest unread): run it to its end first."""
    complete = getattr(raw, "complete", None)
    if complete is not None:
        complete()


class DuplicateError(ValueError):
    """A unique name (well, run number, run name, username) is taken."""


class _Repo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name


# --------------------------------------------------------------------------------------- users
class UserRepository(_Repo):
    def _rec(self, r: Any) -> UserRecord:
        return UserRecord(
            id=_uuid(r.id),
            username=r.username,
            role=Role(r.role),
            is_active=bool(r.is_active),
            password_hash=r.password_hash,
            created_at=_aware(r.created_at),
        )

    def add(self, username: str, password_hash: str, role: Role) -> UserRecord:
        key = username.casefold()
        if self.by_username(username) is not None:
            raise DuplicateError(f"username {username!r} is taken (usernames ignore case)")
        now = utcnow()
        uid = uuid.uuid4()
        self.conn.execute(
            t.users.insert().values(
                id=uid,
                username=username,
                username_key=key,
                password_hash=password_hash,
                role=str(role),
                is_active=True,
                created_at=now,
                updated_at=now,
            )
        )
        return self.get(uid)  # type: ignore[return-value]

    def get(self, user_id: uuid.UUID) -> UserRecord | None:
        r = self.conn.execute(sa.select(t.users).where(t.users.c.id == user_id)).first()
        return self._rec(r) if r else None

    def by_username(self, username: str) -> UserRecord | None:
        r = self.conn.execute(
            sa.select(t.users).where(t.users.c.username_key == username.casefold())
        ).first()
        return self._rec(r) if r else None

    def list(self) -> list[UserRecord]:
        rows = self.conn.execute(sa.select(t.users).order_by(t.users.c.username_key))
        return [self._rec(r) for r in rows]

    def count_admins(self) -> int:
        q = sa.select(sa.func.count()).where(t.users.c.role == "Admin", t.users.c.is_active)
        return int(self.conn.execute(q).scalar_one())

    def count(self) -> int:
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(t.users)).scalar_one())

    def update(self, user_id: uuid.UUID, **values: Any) -> None:
        if "role" in values:
            values["role"] = str(values["role"])
        values["updated_at"] = utcnow()
        self.conn.execute(t.users.update().where(t.users.c.id == user_id).values(**values))

    def delete(self, user_id: uuid.UUID) -> None:
        """Delete a user and, as the seed cascades, the runs they own (with their surveys).

        Parameters
        ----------
        user_id : uuid.UUID
            The user to delete [UUID].
        """
        RunRepository(self.conn).delete_for_user(user_id)
        self.conn.execute(t.revoked_tokens.delete().where(t.revoked_tokens.c.user_id == user_id))
        self.conn.execute(t.users.delete().where(t.users.c.id == user_id))


# --------------------------------------------------------------------------------------- wells
class WellRepository(_Repo):
    def _rec(self, r: Any) -> WellRecord:
        return WellRecord(
            id=_uuid(r.id),
            well_name=r.well_name,
            well_type=r.well_type,
            crs=r.crs,
            surface_x=r.surface_x,
            surface_y=r.surface_y,
            depth_datum=r.depth_datum,
            datum_elevation=r.datum_elevation,
            elevation_unit=r.elevation_unit,
            created_by=_uuid(r.created_by),
            created_at=_aware(r.created_at),
            updated_at=_aware(r.updated_at),
        )

    def add(self, well_name: str, well_type: str, created_by: uuid.UUID | None, **extra: Any):
        if self.by_name(well_name) is not None:
            raise DuplicateError(f"well name {well_name!r} is taken")
        now = utcnow()
        wid = uuid.uuid4()
        self.conn.execute(
            t.wells.insert().values(
                id=wid,
                well_name=well_name,
                well_type=well_type,
                created_by=created_by,
                created_at=now,
                updated_at=now,
                **extra,
            )
        )
        return self.get(wid)

    def get(self, well_id: uuid.UUID) -> WellRecord | None:
        r = self.conn.execute(sa.select(t.wells).where(t.wells.c.id == well_id)).first()
        return self._rec(r) if r else None

    def by_name(self, name: str) -> WellRecord | None:
        r = self.conn.execute(sa.select(t.wells).where(t.wells.c.well_name == name)).first()
        return self._rec(r) if r else None

    def list(self) -> list[WellRecord]:
        return [
            self._rec(r)
            for r in self.conn.execute(sa.select(t.wells).order_by(t.wells.c.well_name))
        ]

    def update(self, well_id: uuid.UUID, **values: Any) -> None:
        values["updated_at"] = utcnow()
        self.conn.execute(t.wells.update().where(t.wells.c.id == well_id).values(**values))

    def delete(self, well_id: uuid.UUID) -> None:
        """Delete a well; its runs stay, with no well (the seed's SET NULL), on both backends."""
        self.conn.execute(t.runs.update().where(t.runs.c.well_id == well_id).values(well_id=None))
        self.conn.execute(
            t.reports.update().where(t.reports.c.well_id == well_id).values(well_id=None)
        )
        self.conn.execute(t.wells.delete().where(t.wells.c.id == well_id))


# ---------------------------------------------------------------------------------------- runs
_current = t.surveys.alias("current_survey")
_RUN_COLUMNS = (
    t.runs,
    t.wells.c.well_name,
    t.users.c.username.label("owner_name"),
    _current.c.revision.label("current_revision"),
    _current.c.worst_severity.label("worst_severity"),
    _current.c.station_count.label("station_count"),
)


def _run_select() -> sa.Select:
    return (
        sa.select(*_RUN_COLUMNS)
        .select_from(t.runs)
        .outerjoin(t.wells, t.wells.c.id == t.runs.c.well_id)
        .outerjoin(t.users, t.users.c.id == t.runs.c.user_id)
        .outerjoin(_current, _current.c.id == t.runs.c.current_survey_id)
    )


class RunRepository(_Repo):
    """The seed's RunRepository, plus listing and filtering for the dashboards."""

    def _rec(self, r: Any) -> RunRecord:
        m = r._mapping
        return RunRecord(
            id=_uuid(m["id"]),
            run_number=m["run_number"],
            run_name=m["run_name"],
            run_type=m["run_type"],
            well_id=_uuid(m["well_id"]),
            well_name=m["well_name"],
            user_id=_uuid(m["user_id"]),
            owner_name=m["owner_name"],
            current_survey_id=_uuid(m["current_survey_id"]),
            current_revision=m["current_revision"],
            worst_severity=m["worst_severity"],
            station_count=m["station_count"],
            survey_changed_at=_aware(m["survey_changed_at"]),
            created_at=_aware(m["created_at"]),
            updated_at=_aware(m["updated_at"]),
        )

    def _recs(self, q: sa.Select) -> list[RunRecord]:
        """Many runs: one bulk fetch (not a row at a time), positional record building."""
        result = self.conn.execute(q)
        keys = list(result.keys())
        idx = {k: keys.index(k) for k in keys}
        rows = result.all()
        i_id, i_num, i_name, i_type = idx["id"], idx["run_number"], idx["run_name"], idx["run_type"]
        i_well, i_wname, i_user, i_owner = (
            idx["well_id"],
            idx["well_name"],
            idx["user_id"],
            idx["owner_name"],
        )
        i_cur, i_rev, i_worst, i_count = (
            idx["current_survey_id"],
            idx["current_revision"],
            idx["worst_severity"],
            idx["station_count"],
        )
        i_changed, i_created, i_updated = (
            idx["survey_changed_at"],
            idx["created_at"],
            idx["updated_at"],
        )
        return [
            RunRecord(
                _uuid(r[i_id]),
                r[i_num],
                r[i_name],
                r[i_type],
                _uuid(r[i_well]),
                r[i_wname],
                _uuid(r[i_user]),
                r[i_owner],
                _uuid(r[i_cur]),
                r[i_rev],
                r[i_worst],
                r[i_count],
                _aware(r[i_changed]),
                _aware(r[i_created]),
                _aware(r[i_updated]),
            )
            for r in rows
        ]

    def frame(self, **filters: Any) -> pd.DataFrame:
        """Runs as one DataFrame (same filters and order as :meth:`list`), for large listings.

        On DuckDB the rows go straight into pandas without Python objects per row.
        """
        q = _run_select()
        q = self._filters(
            q,
            filters.get("owner_id"),
            filters.get("well_id"),
            filters.get("run_type"),
            filters.get("changed_since"),
            filters.get("search"),
        ).order_by(t.runs.c.run_number, t.runs.c.id)
        if self.dialect == "duckdb":
            compiled = q.compile(dialect=self.conn.dialect)
            params = [compiled.params[name] for name in compiled.positiontup or ()]
            params = [str(v) if isinstance(v, uuid.UUID) else v for v in params]
            raw = self.conn.connection.driver_connection
            _finish_pending(raw)
            return raw.execute(str(compiled), params).df()
        return pd.read_sql(q, self.conn)

    def get_user_runs(self, user_id: uuid.UUID) -> list[RunRecord]:
        """Runs the user owns (the seed's ``get_user_runs``)."""
        return self.list(owner_id=user_id)

    def get_run_by_id(self, run_id: uuid.UUID, user_id: uuid.UUID | None = None):
        """A run by id; with ``user_id``, only when that user owns it (the seed's behaviour)."""
        q = _run_select().where(t.runs.c.id == run_id)
        if user_id is not None:
            q = q.where(t.runs.c.user_id == user_id)
        r = self.conn.execute(q).first()
        return self._rec(r) if r else None

    def get(self, run_id: uuid.UUID) -> RunRecord | None:
        return self.get_run_by_id(run_id)

    def by_number(self, run_number: str) -> RunRecord | None:
        r = self.conn.execute(_run_select().where(t.runs.c.run_number == run_number)).first()
        return self._rec(r) if r else None

    def by_name(self, run_name: str) -> RunRecord | None:
        r = self.conn.execute(_run_select().where(t.runs.c.run_name == run_name)).first()
        return self._rec(r) if r else None

    def create_run(
        self,
        *,
        run_number: str,
        run_name: str,
        run_type: str,
        user_id: uuid.UUID,
        well_id: uuid.UUID | None = None,
    ) -> RunRecord:
        taken = self.conn.execute(
            sa.select(t.runs.c.run_number, t.runs.c.run_name).where(
                sa.or_(t.runs.c.run_number == run_number, t.runs.c.run_name == run_name)
            )
        ).first()
        if taken is not None:
            what = "run number" if taken.run_number == run_number else "run name"
            value = run_number if what == "run number" else run_name
            raise DuplicateError(f"{what} {value!r} is taken")
        now = utcnow()
        rid = uuid.uuid4()
        self.conn.execute(
            t.runs.insert().values(
                id=rid,
                run_number=run_number,
                run_name=run_name,
                run_type=run_type,
                well_id=well_id,
                user_id=user_id,
                created_at=now,
                updated_at=now,
            )
        )
        return self.get(rid)  # type: ignore[return-value]

    def list(
        self,
        *,
        owner_id: uuid.UUID | None = None,
        well_id: uuid.UUID | None = None,
        run_type: str | None = None,
        changed_since: datetime | None = None,
        search: str | None = None,
        order_by: str = "run_number",
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RunRecord]:
        q = _run_select()
        q = self._filters(q, owner_id, well_id, run_type, changed_since, search)
        sort_cols = {
            "run_number": t.runs.c.run_number,
            "run_name": t.runs.c.run_name,
            "run_type": t.runs.c.run_type,
            "well": t.wells.c.well_name,
            "owner": t.users.c.username,
            "created_at": t.runs.c.created_at,
            "updated_at": t.runs.c.updated_at,
        }
        col = sort_cols.get(order_by, t.runs.c.run_number)
        q = q.order_by(col.desc() if descending else col.asc(), t.runs.c.id)
        if limit is not None:
            q = q.limit(limit).offset(offset)
        return self._recs(q)

    def count(self, **filters: Any) -> int:
        q = sa.select(sa.func.count()).select_from(
            t.runs.outerjoin(t.wells, t.wells.c.id == t.runs.c.well_id).outerjoin(
                t.users, t.users.c.id == t.runs.c.user_id
            )
        )
        q = self._filters(
            q,
            filters.get("owner_id"),
            filters.get("well_id"),
            filters.get("run_type"),
            filters.get("changed_since"),
            filters.get("search"),
        )
        return int(self.conn.execute(q).scalar_one())

    @staticmethod
    def _filters(q, owner_id, well_id, run_type, changed_since, search):
        if owner_id is not None:
            q = q.where(t.runs.c.user_id == owner_id)
        if well_id is not None:
            q = q.where(t.runs.c.well_id == well_id)
        if run_type:
            q = q.where(t.runs.c.run_type == run_type)
        if changed_since is not None:
            q = q.where(t.runs.c.survey_changed_at >= changed_since)
        if search:
            # plain substring search: % and _ typed by the user are text, not LIKE wildcards
            text = search.lower()
            q = q.where(
                sa.or_(
                    sa.func.lower(t.runs.c.run_number).contains(text, autoescape=True),
                    sa.func.lower(t.runs.c.run_name).contains(text, autoescape=True),
                )
            )
        return q

    def update(self, run_id: uuid.UUID, **values: Any) -> None:
        values["updated_at"] = utcnow()
        self.conn.execute(t.runs.update().where(t.runs.c.id == run_id).values(**values))

    def lock(self, run_id: uuid.UUID) -> None:
        """Hold the run's row until the transaction ends, so concurrent imports into one run
        take revision numbers one after the other (PostgreSQL ``SELECT ... FOR UPDATE``).

        DuckDB needs nothing: one process at a time writes its file.

        Parameters
        ----------
        run_id : uuid.UUID
            The run to lock [UUID].
        """
        if self.dialect == "postgresql":
            self.conn.execute(sa.select(t.runs.c.id).where(t.runs.c.id == run_id).with_for_update())

    def delete(self, run_id: uuid.UUID) -> None:
        """Delete a run with its files, surveys and stations (cascaded here on both backends)."""
        survey_ids = sa.select(t.surveys.c.id).where(t.surveys.c.run_id == run_id)
        self.conn.execute(t.stations.delete().where(t.stations.c.survey_id.in_(survey_ids)))
        self.conn.execute(t.surveys.delete().where(t.surveys.c.run_id == run_id))
        self.conn.execute(t.survey_files.delete().where(t.survey_files.c.run_id == run_id))
        self.conn.execute(
            t.reports.update().where(t.reports.c.run_id == run_id).values(run_id=None)
        )
        self.conn.execute(t.runs.delete().where(t.runs.c.id == run_id))

    def delete_for_user(self, user_id: uuid.UUID) -> None:
        """The seed's cascade: a user's runs go with the user."""
        # fetch every id first: on DuckDB a new statement invalidates an open result
        ids = self.conn.execute(sa.select(t.runs.c.id).where(t.runs.c.user_id == user_id)).all()
        for (rid,) in ids:
            self.delete(_uuid(rid))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- survey files
class SurveyFileRepository(_Repo):
    """The seed's SurveyFileRepository: uploaded bytes kept exactly as received."""

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

    def _rec(self, r: Any) -> SurveyFileRecord:
        return SurveyFileRecord(
            id=_uuid(r.id),
            run_id=_uuid(r.run_id),
            file_name=r.file_name,
            size_bytes=int(r.size_bytes),
            sha256=r.sha256,
            detected_format=r.detected_format,
            uploaded_by=_uuid(r.uploaded_by),
            uploaded_at=_aware(r.uploaded_at),
        )

    def get_run_files(self, run_id: uuid.UUID) -> list[SurveyFileRecord]:
        q = (
            sa.select(*self._cols)
            .where(t.survey_files.c.run_id == run_id)
            .order_by(t.survey_files.c.uploaded_at)
        )
        return [self._rec(r) for r in self.conn.execute(q)]

    def find(self, run_id: uuid.UUID, sha256: str) -> SurveyFileRecord | None:
        q = sa.select(*self._cols).where(
            t.survey_files.c.run_id == run_id, t.survey_files.c.sha256 == sha256
        )
        r = self.conn.execute(q).first()
        return self._rec(r) if r else None

    def create_survey_file(
        self,
        *,
        run_id: uuid.UUID,
        file_name: str,
        content: bytes,
        sha256: str,
        detected_format: str,
        uploaded_by: uuid.UUID | None,
    ) -> SurveyFileRecord:
        fid = uuid.uuid4()
        self.conn.execute(
            t.survey_files.insert().values(
                id=fid,
                run_id=run_id,
                file_name=file_name,
                size_bytes=len(content),
                sha256=sha256,
                detected_format=detected_format,
                content=content,
                uploaded_by=uploaded_by,
                uploaded_at=utcnow(),
            )
        )
        return self.get(fid)  # type: ignore[return-value]

    def get(self, file_id: uuid.UUID) -> SurveyFileRecord | None:
        r = self.conn.execute(sa.select(*self._cols).where(t.survey_files.c.id == file_id)).first()
        return self._rec(r) if r else None

    def content(self, file_id: uuid.UUID) -> bytes:
        q = sa.select(t.survey_files.c.content).where(t.survey_files.c.id == file_id)
        return bytes(self.conn.execute(q).scalar_one())


# ------------------------------------------------------------------------------------ surveys
def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


class SurveyRepository(_Repo):
    """Survey revisions of a run and their stations (written in bulk, read as one DataFrame)."""

    def _rec(self, r: Any) -> SurveyRecord:
        m = r._mapping
        return SurveyRecord(
            id=_uuid(r.id),
            run_id=_uuid(r.run_id),
            file_id=_uuid(r.file_id),
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
            imported_by=_uuid(r.imported_by),
            imported_by_name=r.imported_by_name,
            imported_at=_aware(r.imported_at),
            file_name=m.get("file_name"),
            sha256=m.get("sha256"),
            detected_format=m.get("detected_format"),
        )

    def _select(self) -> sa.Select:
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
    ) -> uuid.UUID:
        sid = uuid.uuid4()
        self.conn.execute(
            t.surveys.insert().values(
                id=sid,
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
                header_json=json.dumps(_clean(header.to_dict())),
                findings_json=json.dumps([_clean(f.to_dict()) for f in findings]),
                assumptions_json=json.dumps(list(assumptions)),
                imported_by=imported_by,
                imported_by_name=imported_by_name,
                imported_at=utcnow(),
            )
        )
        self._insert_stations(sid, stations)
        return sid

    def _insert_stations(self, survey_id: uuid.UUID, stations: pd.DataFrame) -> None:
        cols = list(t.STATION_VALUE_COLUMNS)
        frame = pd.DataFrame({"seq": np.arange(len(stations), dtype=np.int32)})
        for c in cols:
            frame[c] = (
                stations[c].to_numpy(dtype=float)
                if c in stations
                else np.full(len(stations), np.nan)
            )
        for c in ("projected", "used"):
            default = c == "used"
            frame[c] = (
                stations[c].fillna(default).to_numpy(dtype=bool)
                if c in stations
                else np.full(len(stations), default)
            )
        names = ["seq", *cols, "projected", "used"]
        raw = self.conn.connection.driver_connection
        if self.dialect == "duckdb":
            _finish_pending(raw)
            view = f"_stations_{survey_id.hex}"
            raw.register(view, frame)
            try:
                select_cols = ", ".join(
                    f"CASE WHEN isnan({c}) THEN NULL ELSE {c} END" if c in cols else c
                    for c in names
                )
                raw.execute(
                    f"INSERT INTO stations (survey_id, {', '.join(names)}) "
                    f"SELECT CAST(? AS UUID), {select_cols} FROM {view}",
                    [str(survey_id)],
                )
            finally:
                raw.unregister(view)
        elif self.dialect == "postgresql":
            obj = frame.astype(object).where(frame.notna(), None)
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY stations (survey_id, {', '.join(names)}) FROM STDIN") as cp,
            ):
                for row in obj.itertuples(index=False, name=None):
                    cp.write_row((survey_id, *row))
        else:  # pragma: no cover - other dialects: plain executemany
            obj = frame.astype(object).where(frame.notna(), None)
            self.conn.execute(
                t.stations.insert(),
                [dict(zip(names, row, strict=True), survey_id=survey_id) for row in obj.values],
            )

    def get(self, survey_id: uuid.UUID) -> SurveyRecord | None:
        r = self.conn.execute(self._select().where(t.surveys.c.id == survey_id)).first()
        return self._rec(r) if r else None

    def for_run(self, run_id: uuid.UUID) -> list[SurveyRecord]:
        q = self._select().where(t.surveys.c.run_id == run_id).order_by(t.surveys.c.revision)
        return [self._rec(r) for r in self.conn.execute(q)]

    def by_revision(self, run_id: uuid.UUID, revision: int) -> SurveyRecord | None:
        q = self._select().where(t.surveys.c.run_id == run_id, t.surveys.c.revision == revision)
        r = self.conn.execute(q).first()
        return self._rec(r) if r else None

    def stations(self, survey_id: uuid.UUID) -> pd.DataFrame:
        """All stations of one survey revision as one DataFrame, in one query."""
        names = ["seq", *t.STATION_VALUE_COLUMNS, "projected", "used"]
        sql = f"SELECT {', '.join(names)} FROM stations WHERE survey_id = ? ORDER BY seq"
        if self.dialect == "duckdb":
            raw = self.conn.connection.driver_connection
            _finish_pending(raw)
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

    def last_change(self, run_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, datetime]:
        ids = list(run_ids)
        if not ids:
            return {}
        q = (
            sa.select(t.surveys.c.run_id, sa.func.max(t.surveys.c.imported_at))
            .where(t.surveys.c.run_id.in_(ids))
            .group_by(t.surveys.c.run_id)
        )
        return {_uuid(r[0]): _aware(r[1]) for r in self.conn.execute(q)}  # type: ignore[misc]


# ------------------------------------------------------------------------------------ reports
class ReportRepository(_Repo):
    def _rec(self, r: Any) -> ReportRecord:
        return ReportRecord(
            id=_uuid(r.id),
            run_id=_uuid(r.run_id),
            well_id=_uuid(r.well_id),
            kind=r.kind,
            format=r.format,
            parameters=json.loads(r.parameters_json),
            file_path=r.file_path,
            sha256=r.sha256,
            created_by=_uuid(r.created_by),
            created_by_name=r.created_by_name,
            created_at=_aware(r.created_at),
        )

    def add(self, **values: Any) -> ReportRecord:
        rid = uuid.uuid4()
        params = values.pop("parameters", {})
        self.conn.execute(
            t.reports.insert().values(
                id=rid,
                parameters_json=json.dumps(_clean(params), default=str),
                created_at=utcnow(),
                **values,
            )
        )
        r = self.conn.execute(sa.select(t.reports).where(t.reports.c.id == rid)).first()
        return self._rec(r)

    def list(self, run_id: uuid.UUID | None = None) -> list[ReportRecord]:
        q = sa.select(t.reports).order_by(t.reports.c.created_at.desc())
        if run_id is not None:
            q = q.where(t.reports.c.run_id == run_id)
        return [self._rec(r) for r in self.conn.execute(q)]


# -------------------------------------------------------------------------------------- audit
class AuditRepository(_Repo):
    def add(
        self,
        *,
        actor_id: uuid.UUID | None,
        actor_name: str | None,
        action: str,
        outcome: str,
        target_type: str | None = None,
        target_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.conn.execute(
            t.audit_events.insert().values(
                id=uuid.uuid4(),
                occurred_at=utcnow(),
                actor_id=actor_id,
                actor_name=actor_name,
                action=action,
                target_type=target_type,
                target_id=target_id,
                outcome=outcome,
                detail=detail,
            )
        )

    def list(
        self, *, action: str | None = None, outcome: str | None = None, limit: int = 1000
    ) -> list[AuditRecord]:
        q = sa.select(t.audit_events).order_by(t.audit_events.c.occurred_at.desc()).limit(limit)
        if action:
            q = q.where(t.audit_events.c.action == action)
        if outcome:
            q = q.where(t.audit_events.c.outcome == outcome)
        return [
            AuditRecord(
                id=_uuid(r.id),
                occurred_at=_aware(r.occurred_at),
                actor_id=_uuid(r.actor_id),
                actor_name=r.actor_name,
                action=r.action,
                target_type=r.target_type,
                target_id=r.target_id,
                outcome=r.outcome,
                detail=r.detail,
            )
            for r in self.conn.execute(q)
        ]


# ----------------------------------------------------------------------- tokens and throttling
class TokenRepository(_Repo):
    def revoke(self, jti: str, user_id: uuid.UUID | None, expires_at: datetime) -> None:
        if self.is_revoked(jti):
            return
        self.conn.execute(
            t.revoked_tokens.insert().values(
                jti=jti, user_id=user_id, expires_at=expires_at, revoked_at=utcnow()
            )
        )

    def is_revoked(self, jti: str) -> bool:
        q = sa.select(t.revoked_tokens.c.jti).where(t.revoked_tokens.c.jti == jti)
        return self.conn.execute(q).first() is not None

    def claim(self, jti: str, user_id: uuid.UUID | None, expires_at: datetime) -> bool:
        """Revoke ``jti`` once, atomically: True when this call revoked it, False when it was
        revoked already, also by a transaction that commits while this one waits.

        For a single-use token (a refresh token's rotation). :meth:`revoke` checks and then
        inserts; two requests with one token could both pass the check (on PostgreSQL each
        then got a new pair). Here the database decides, with ``ON CONFLICT DO NOTHING``.

        Raises
        ------
        DuplicateError
            DuckDB: revoked by a transaction that committed after this one began (DuckDB
            reports that as a constraint error, not as a conflict to skip). The transaction
            is then spoiled: roll the unit of work back.
        """
        stmt = (
            pg_insert(t.revoked_tokens)
            .values(jti=jti, user_id=user_id, expires_at=expires_at, revoked_at=utcnow())
            .on_conflict_do_nothing(index_elements=[t.revoked_tokens.c.jti])
            .returning(t.revoked_tokens.c.jti)
        )
        try:
            return self.conn.execute(stmt).first() is not None
        except sa.exc.IntegrityError as exc:
            raise DuplicateError(f"token {jti} is revoked already") from exc


class LoginAttemptRepository(_Repo):
    def add(self, username: str, success: bool) -> None:
        self.conn.execute(
            t.login_attempts.insert().values(
                id=uuid.uuid4(),
                username_key=username.casefold(),
                attempted_at=utcnow(),
                success=success,
            )
        )

    def recent_failures(self, username: str, since: datetime) -> list[datetime]:
        """Failures since the last success (and since ``since``), oldest first."""
        key = username.casefold()
        last_ok = self.conn.execute(
            sa.select(sa.func.max(t.login_attempts.c.attempted_at)).where(
                t.login_attempts.c.username_key == key, t.login_attempts.c.success
            )
        ).scalar()
        start = since if last_ok is None else max(since, _aware(last_ok))  # type: ignore[type-var]
        q = (
            sa.select(t.login_attempts.c.attempted_at)
            .where(
                t.login_attempts.c.username_key == key,
                sa.not_(t.login_attempts.c.success),
                t.login_attempts.c.attempted_at > start,
            )
            .order_by(t.login_attempts.c.attempted_at)
        )
        return [_aware(r[0]) for r in self.conn.execute(q)]  # type: ignore[misc]


# -------------------------------------------------------------------------------- unit of work
class UnitOfWork:
    """One connection, one transaction. ``commit()`` to keep the work; otherwise it rolls back.

    Re-entrant: a ``with`` block inside another on the same object shares its connection and
    transaction (so authenticating and then calling a service costs one connection, which on
    DuckDB is the expensive part); only the outermost exit rolls back and closes.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self._conn: sa.Connection | None = None
        self._tx: sa.Transaction | None = None
        self._depth = 0

    def __enter__(self) -> UnitOfWork:
        if self._depth:
            self._depth += 1
            return self
        engine = get_engine(self.settings)
        self._conn = connect_with_retry(engine, self.settings.lock_timeout_s)
        self._tx = self._conn.begin()
        self._depth = 1
        c = self._conn
        self.users = UserRepository(c)
        self.wells = WellRepository(c)
        self.runs = RunRepository(c)
        self.files = SurveyFileRepository(c)
        self.surveys = SurveyRepository(c)
        self.reports = ReportRepository(c)
        self.audit = AuditRepository(c)
        self.tokens = TokenRepository(c)
        self.logins = LoginAttemptRepository(c)
        return self

    @property
    def is_open(self) -> bool:
        """Whether a ``with`` block holds this unit of work's connection now."""
        return self._depth > 0

    def commit(self) -> None:
        assert self._tx is not None and self._conn is not None
        self._tx.commit()
        self._tx = self._conn.begin()

    def rollback(self) -> None:
        """Discard the work so far; the unit of work stays usable (a new transaction begins)."""
        assert self._conn is not None
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()
        self._tx = self._conn.begin()

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth:
            return
        try:
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
        finally:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._tx = None
