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
    wellbore_id: uuid.UUID | None = None
    wellbore_name: str | None = None
    #: Lifecycle status of the current revision (:class:`surveylab.models.SurveyStatus`).
    current_status: str | None = None
    #: OWSG tool code set on the run for its position uncertainty (None: from the run type).
    tool_code: str | None = None


@dataclass(frozen=True, slots=True)
class WellboreRecord:
    """A well's main bore or a sidetrack (``parent_id`` and ``kickoff_md`` set).

    ``kickoff_md`` is in ``depth_unit``; ``definitive_id`` names the current definitive
    survey (at most one at a time), None before the first is composed.
    """

    id: uuid.UUID
    well_id: uuid.UUID
    well_name: str | None
    name: str
    parent_id: uuid.UUID | None
    parent_name: str | None
    kickoff_md: float | None
    depth_unit: str | None
    definitive_id: uuid.UUID | None
    created_by: uuid.UUID | None
    created_at: datetime

    @property
    def is_sidetrack(self) -> bool:
        return self.parent_id is not None


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
    #: Lifecycle status (:class:`surveylab.models.SurveyStatus` value).
    status: str = "draft"
    status_changed_at: datetime | None = None
    status_changed_by_name: str | None = None
    status_note: str | None = None
    #: The QC summary (see :func:`surveylab.services.qc.qc_document`); None: QC never ran.
    qc: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class StatusChangeRecord:
    """One change of a survey revision's status: who, when, from what to what, and why."""

    id: uuid.UUID
    survey_id: uuid.UUID
    from_status: str | None
    to_status: str
    changed_by: uuid.UUID | None
    changed_by_name: str | None
    changed_at: datetime
    note: str
    override_qc: bool = False


@dataclass(frozen=True, slots=True)
class DefinitiveInterval:
    """One interval of a definitive survey's tool program.

    ``md_from`` and ``md_to`` are in the definitive survey's depth unit; ``status`` is the
    revision's status when the survey was composed.
    """

    seq: int
    run_id: uuid.UUID | None
    run_number: str
    survey_id: uuid.UUID | None
    revision: int
    md_from: float
    md_to: float
    tool: str
    status: str


@dataclass(frozen=True, slots=True)
class DefinitiveSurveyRecord:
    """One version of a wellbore's definitive survey (stations are loaded separately).

    ``tie_on`` is where the first interval starts (a sidetrack's kick-off point on its
    parent's definitive survey, lengths in ``depth_unit``, azimuth in ``azimuth_reference``).
    """

    id: uuid.UUID
    wellbore_id: uuid.UUID
    version: int
    depth_unit: DepthUnit
    azimuth_reference: NorthReference
    note: str
    tie_on: dict[str, Any]
    intervals: list[DefinitiveInterval]
    created_by: uuid.UUID | None
    created_by_name: str | None
    created_at: datetime
    is_current: bool = True


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
