"""The JSON shapes of the HTTP API (pydantic models: the OpenAPI document is generated from
them) and the conversions of the services' records into them.

Units: lengths in the survey's depth unit (``depth_unit``: m, ft or usft) unless a request asks
for another; angles in degrees; DLS, build and turn rates in degrees per ``dls_course_length``
of that unit (30 m or 100 ft); times in ISO 8601 with their UTC offset.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from surveylab.models import DepthUnit, NorthReference, Role, RunType, WellType
from surveylab.models.records import (
    RunRecord,
    SurveyFileRecord,
    SurveyRecord,
    UserRecord,
    WellRecord,
)


class JSONBytes(Response):
    """JSON serialised here with orjson (NaN as null, UUIDs and times as ISO text): the big
    answers skip the response model's validation; the fuzzer checks them against it."""

    media_type = "application/json"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------ authentication
class LoginIn(Model):
    username: str = Field(min_length=1, max_length=1024)
    password: str = Field(min_length=1, max_length=4096)


class RefreshIn(Model):
    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenOut(BaseModel):
    """A login's tokens: send ``Authorization: Bearer <access_token>`` with every request."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    #: Seconds until the access token expires [s].
    expires_in: int
    #: Seconds until the refresh token expires [s].
    refresh_expires_in: int


class MeOut(BaseModel):
    id: uuid.UUID
    username: str
    role: Role


# ------------------------------------------------------------------------------------- wells
class WellIn(Model):
    well_name: str = Field(min_length=1, max_length=255)
    well_type: WellType = WellType.OIL
    crs: str | None = Field(None, max_length=100, description="CRS of the surface location")
    surface_x: float | None = Field(None, allow_inf_nan=False, description="easting in the CRS")
    surface_y: float | None = Field(None, allow_inf_nan=False, description="northing in the CRS")
    depth_datum: str | None = Field(None, max_length=50, description="e.g. RKB, DF, RT")
    datum_elevation: float | None = Field(
        None, allow_inf_nan=False, description="datum above mean sea level [elevation_unit]"
    )
    elevation_unit: DepthUnit | None = None


class WellOut(BaseModel):
    id: uuid.UUID
    well_name: str
    well_type: str
    crs: str | None
    surface_x: float | None
    surface_y: float | None
    depth_datum: str | None
    datum_elevation: float | None
    elevation_unit: str | None
    created_by: uuid.UUID | None
    created_at: datetime | None
    updated_at: datetime | None


def well_out(w: WellRecord) -> dict[str, Any]:
    return {
        "id": w.id,
        "well_name": w.well_name,
        "well_type": w.well_type,
        "crs": w.crs,
        "surface_x": w.surface_x,
        "surface_y": w.surface_y,
        "depth_datum": w.depth_datum,
        "datum_elevation": w.datum_elevation,
        "elevation_unit": w.elevation_unit,
        "created_by": w.created_by,
        "created_at": w.created_at,
        "updated_at": w.updated_at,
    }


# -------------------------------------------------------------------------------------- runs
class RunIn(Model):
    run_number: str = Field(min_length=1, max_length=100)
    run_name: str = Field(min_length=1, max_length=255)
    run_type: RunType = RunType.UNKNOWN
    well: str | None = Field(None, max_length=255, description="well name or id")


class RunPatch(Model):
    run_number: str | None = Field(None, min_length=1, max_length=100)
    run_name: str | None = Field(None, min_length=1, max_length=255)
    run_type: RunType | None = None
    well: str | None = Field(None, max_length=255, description="well name or id; null: none")


class RunOut(BaseModel):
    id: uuid.UUID
    run_number: str
    run_name: str
    run_type: str
    well: str | None = Field(description="well name")
    well_id: uuid.UUID | None
    owner: str | None = Field(description="owner's username")
    owner_id: uuid.UUID
    revision: int | None = Field(description="current survey revision")
    current_survey_id: uuid.UUID | None
    station_count: int | None
    worst_severity: str | None
    survey_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    wellbore: str | None = Field(default=None, description="wellbore name")
    wellbore_id: uuid.UUID | None = None
    status: str | None = Field(
        default=None,
        description="lifecycle status of the current revision: draft, qc_passed, qc_failed, "
        "approved or definitive",
    )
    tool_code: str | None = Field(
        default=None, description="OWSG tool code set on the run (none: from the run type)"
    )


class RunPage(BaseModel):
    items: list[RunOut]
    total: int
    page: int
    page_size: int


def run_out(r: RunRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "run_number": r.run_number,
        "run_name": r.run_name,
        "run_type": r.run_type,
        "well": r.well_name,
        "well_id": r.well_id,
        "owner": r.owner_name,
        "owner_id": r.user_id,
        "revision": r.current_revision,
        "current_survey_id": r.current_survey_id,
        "station_count": r.station_count,
        "worst_severity": r.worst_severity,
        "survey_changed_at": r.survey_changed_at,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "wellbore": r.wellbore_name,
        "wellbore_id": r.wellbore_id,
        "status": r.current_status,
        "tool_code": r.tool_code,
    }


RunSort = Literal[
    "run_number",
    "-run_number",
    "run_name",
    "-run_name",
    "run_type",
    "-run_type",
    "well",
    "-well",
    "owner",
    "-owner",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


# --------------------------------------------------------------------------- files and surveys
class FindingOut(BaseModel):
    severity: Literal["info", "warning", "error"]
    code: str
    message: str
    station: int | None = None
    line: int | None = None
    field: str | None = None


class SurveyFileRef(BaseModel):
    id: uuid.UUID
    name: str | None
    sha256: str | None
    format: str | None


class SurveyFileOut(BaseModel):
    id: uuid.UUID
    run_id: uuid.UUID
    name: str
    size_bytes: int
    sha256: str
    format: str
    uploaded_by: uuid.UUID | None
    uploaded_at: datetime


def file_out(f: SurveyFileRecord) -> dict[str, Any]:
    return {
        "id": f.id,
        "run_id": f.run_id,
        "name": f.file_name,
        "size_bytes": f.size_bytes,
        "sha256": f.sha256,
        "format": f.detected_format,
        "uploaded_by": f.uploaded_by,
        "uploaded_at": f.uploaded_at,
    }


class SurveyRevisionOut(BaseModel):
    """One revision of a run's survey: header (as the file stated it, with what the user set),
    findings, assumptions, provenance."""

    id: uuid.UUID
    run_id: uuid.UUID
    file_id: uuid.UUID
    revision: int
    depth_unit: DepthUnit
    azimuth_reference: NorthReference
    method: str
    dls_course_length: float = Field(description="course length of the rates [depth_unit]")
    vs_azimuth: float | None = Field(description="vertical-section azimuth [deg]")
    station_count: int
    worst_severity: str | None
    header: dict[str, Any]
    findings: list[FindingOut]
    assumptions: list[str]
    imported_by: uuid.UUID | None
    imported_by_name: str | None
    imported_at: datetime
    file_name: str | None
    sha256: str | None
    format: str | None
    status: str = Field(
        default="draft",
        description="lifecycle status: draft, qc_passed, qc_failed, approved or definitive",
    )
    status_changed_at: datetime | None = None
    status_changed_by_name: str | None = None
    status_note: str | None = None
    qc: dict[str, Any] | None = Field(default=None, description="the QC summary; none: not run")


def json_ready(value: Any) -> Any:
    """A JSON-ready value: NaN and infinities None, numpy scalars Python ones."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def revision_out(s: SurveyRecord) -> dict[str, Any]:
    return {
        "id": s.id,
        "run_id": s.run_id,
        "file_id": s.file_id,
        "revision": s.revision,
        "depth_unit": str(s.depth_unit),
        "azimuth_reference": str(s.azimuth_reference),
        "method": s.method,
        "dls_course_length": s.dls_course_length,
        "vs_azimuth": json_ready(s.vs_azimuth),
        "station_count": s.station_count,
        "worst_severity": s.worst_severity,
        "header": json_ready(s.header.to_dict()),
        "findings": [f.to_dict() for f in s.findings],
        "assumptions": list(s.assumptions),
        "imported_by": s.imported_by,
        "imported_by_name": s.imported_by_name,
        "imported_at": s.imported_at,
        "file_name": s.file_name,
        "sha256": s.sha256,
        "format": s.detected_format,
        "status": s.status,
        "status_changed_at": s.status_changed_at,
        "status_changed_by_name": s.status_changed_by_name,
        "status_note": s.status_note,
        "qc": json_ready(s.qc),
    }


class ImportOut(BaseModel):
    """One file imported: the revision it became (or, for bytes uploaded before, the revision
    they already are, with ``duplicate`` true)."""

    revision: int
    duplicate: bool
    findings: list[FindingOut]
    survey_file: SurveyFileRef
    run: RunOut
    survey: SurveyRevisionOut


class UploadOut(ImportOut):
    """The last file's import (the run's current revision) and every file's, in order."""

    imports: list[ImportOut]


def import_out(result: Any) -> dict[str, Any]:
    s: SurveyRecord = result.survey
    return {
        "revision": s.revision,
        "duplicate": bool(result.duplicate),
        "findings": [f.to_dict() for f in result.findings],
        "survey_file": {
            "id": s.file_id,
            "name": s.file_name,
            "sha256": s.sha256,
            "format": s.detected_format,
        },
        "run": run_out(result.run),
        "survey": revision_out(s),
    }


#: Station columns in the order of the JSON and CSV answers.
STATION_FIELDS = (
    "md",
    "inc",
    "azi",
    "tvd",
    "north",
    "east",
    "dls",
    "build_rate",
    "turn_rate",
    "vs",
    "dogleg",
    "toolface",
)
STATION_FLAGS = ("projected", "used")


class StationOut(BaseModel):
    """One station: md, tvd, north, east, vs [depth_unit]; inc, azi, dogleg, toolface [deg];
    dls, build_rate, turn_rate [deg per dls_course_length]. Null where there is no value
    (e.g. vs without a vertical-section azimuth)."""

    md: float
    inc: float
    azi: float
    tvd: float | None
    north: float | None
    east: float | None
    dls: float | None
    build_rate: float | None
    turn_rate: float | None
    vs: float | None
    dogleg: float | None
    toolface: float | None
    projected: bool
    used: bool


class SurveyOut(BaseModel):
    run: RunOut
    revision: int
    depth_unit: DepthUnit = Field(description="unit of every length below")
    azimuth_reference: NorthReference
    dls_course_length: float = Field(description="course length of the rates [depth_unit]")
    vs_azimuth: float | None = Field(description="azimuth of vs [deg]; null: no vs")
    survey: SurveyRevisionOut
    stations: list[StationOut]


def station_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The stations of a station table as rows for orjson (which writes NaN as null)."""
    n = len(frame)
    names = [*STATION_FIELDS, *STATION_FLAGS]
    columns = [
        frame[c].to_numpy(dtype=float).tolist() if c in frame else [None] * n
        for c in STATION_FIELDS
    ]
    columns += [
        frame[c].to_numpy(dtype=bool).tolist() if c in frame else [c == "used"] * n
        for c in STATION_FLAGS
    ]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


class DiffRow(BaseModel):
    """A station matched on MD in two revisions (``_a``: from, ``_b``: to, ``d_``: to - from;
    null where one revision has no station at that MD)."""

    model_config = ConfigDict(extra="allow")

    md: float


class DiffOut(BaseModel):
    run: str
    from_revision: int
    to_revision: int
    depth_unit: DepthUnit
    stations: list[DiffRow]


def diff_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a revision difference for orjson (NaN written as null)."""
    cols = list(frame.columns)
    values = [frame[c].to_numpy(dtype=float).tolist() for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


# ---------------------------------------------------------------------------------- reports
class ReportIn(Model):
    format: Literal["html", "pdf"] = "html"
    revision: int | None = Field(None, ge=1, le=2**31 - 1, description="default: current")
    units: DepthUnit = DepthUnit.M
    vs_azimuth: float | None = Field(None, allow_inf_nan=False, description="[deg]")


class ReportJobOut(BaseModel):
    id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    error: str | None = None
    run: str
    run_id: uuid.UUID
    format: Literal["html", "pdf"]
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    report_id: uuid.UUID | None = Field(None, description="the rendered report's record")


# ---------------------------------------------------------------------------------- compute
class ComputeOut(BaseModel):
    file_name: str
    format: str
    depth_unit: DepthUnit
    azimuth_reference: NorthReference
    method: str
    dls_course_length: float
    vs_azimuth: float | None
    header: dict[str, Any]
    findings: list[FindingOut]
    assumptions: list[str]
    stations: list[StationOut]


# ------------------------------------------------------------------------------------ users
class UserIn(Model):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    role: Role


class UserPatch(Model):
    role: Role | None = None
    is_active: Literal[False] | None = Field(None, description="false deactivates the user")
    password: str | None = Field(None, min_length=1, max_length=4096)


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    role: Role
    is_active: bool
    created_at: datetime


def user_out(u: UserRecord) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "role": str(u.role),
        "is_active": u.is_active,
        "created_at": u.created_at,
    }
