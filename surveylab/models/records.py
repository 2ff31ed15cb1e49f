"""Stored objects as plain records: what repositories return and services hand to the surfaces."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from surveylab.models import DepthUnit, Finding, NorthReference, Role
from surveylab.models.survey import SurveyHeader


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: uuid.UUID
    username: str
    role: Role
    is_active: bool
    password_hash: str
    created_at: datetime
    #: Raised by every password, role or active-flag change; tokens carry the value they were
    #: issued under [count].
    token_generation: int = 0


@dataclass(frozen=True, slots=True)
class TokenFamilyRecord:
    """One login's chain of refresh tokens: when it started, when it ends at the latest (the
    absolute session lifetime) and whether (and why) it was revoked [UTC times]."""

    id: uuid.UUID
    user_id: uuid.UUID
    started_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One recorded login attempt: when [UTC], whether it succeeded, and the client address
    (``None`` when unknown)."""

    attempted_at: datetime
    success: bool
    client_address: str | None


@dataclass(frozen=True, slots=True)
class WellRecord:
    id: uuid.UUID
    well_name: str
    well_type: str
    crs: str | None = None
    surface_x: float | None = None
    surface_y: float | None = None
    depth_datum: str | None = None
    datum_elevation: float | None = None
    elevation_unit: str | None = None
    created_by: uuid.UUID | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: uuid.UUID
    run_number: str
    run_name: str
    run_type: str
    well_id: uuid.UUID | None
    well_name: str | None
    user_id: uuid.UUID
    owner_name: str | None
    current_survey_id: uuid.UUID | None
    current_revision: int | None
    worst_severity: str | None
    station_count: int | None
    survey_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SurveyFileRecord:
    id: uuid.UUID
    run_id: uuid.UUID
    file_name: str
    size_bytes: int
    sha256: str
    detected_format: str
    uploaded_by: uuid.UUID | None
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    """One revision of a run's survey (stations are loaded separately, as a DataFrame)."""

    id: uuid.UUID
    run_id: uuid.UUID
    file_id: uuid.UUID
    revision: int
    depth_unit: DepthUnit
    azimuth_reference: NorthReference
    method: str
    dls_course_length: float
    vs_azimuth: float | None
    station_count: int
    worst_severity: str | None
    header: SurveyHeader
    findings: list[Finding]
    assumptions: list[str]
    imported_by: uuid.UUID | None
    imported_by_name: str | None
    imported_at: datetime
    file_name: str | None = None
    sha256: str | None = None
    detected_format: str | None = None


@dataclass(frozen=True, slots=True)
class ReportRecord:
    id: uuid.UUID
    run_id: uuid.UUID | None
    well_id: uuid.UUID | None
    kind: str
    format: str
    parameters: dict[str, Any]
    file_path: str
    sha256: str | None
    created_by: uuid.UUID | None
    created_by_name: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: uuid.UUID
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None
    action: str
    target_type: str | None
    target_id: str | None
    outcome: str
    detail: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
