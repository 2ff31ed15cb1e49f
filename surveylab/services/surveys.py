"""Survey import (one transaction), history, revision differences, and station loading.

bytes -> detect format -> parse -> validate -> compute trajectory (no database connection held)
-> store file, survey revision, stations and an audit event in one short transaction -> result
with findings.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveylab.auth import Permission
from surveylab.calc import SurveyInputError, compute_trajectory
from surveylab.models import (
    Actor,
    Finding,
    NorthReference,
    Severity,
    worst_severity,
)
from surveylab.models.records import RunRecord, SurveyRecord
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers import SurveyFileError, read_survey
from surveylab.parsers.overrides import OVERRIDABLE as OVERRIDABLE  # the fields a user may set
from surveylab.parsers.overrides import OverrideError, normalise_overrides
from surveylab.parsers.overrides import apply_overrides as _apply_header_overrides
from surveylab.repositories import UnitOfWork, utcnow
from surveylab.services import qc
from surveylab.services.common import ServiceError, audit_ok, guard
from surveylab.services.runs import NewRun, add_run, find_run


@dataclass(frozen=True)
class ImportResult:
    run: RunRecord
    survey: SurveyRecord
    duplicate: bool = False
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Preview:
    """What an upload shows before anything is stored."""

    parsed: ParsedSurvey
    stations: pd.DataFrame | None
    findings: list[Finding]
    assumptions: list[str]
    error: str | None = None
    missing: list[str] = field(default_factory=list)
    #: the parser's refusal when the file could not be read (its file, line, field, reason)
    refusal: SurveyFileError | None = None


def apply_overrides(
    parsed: ParsedSurvey, overrides: dict[str, Any] | None, *, by: str = "the user"
) -> list[Finding]:
    """Set header fields the user supplied (:func:`surveylab.parsers.overrides.apply_overrides`):
    the findings they answer go, azimuths follow a changed correction, each change is recorded
    in plain words as an info finding (returned)."""
    try:
        return _apply_header_overrides(parsed, overrides, by=by)
    except OverrideError as exc:
        raise ServiceError(str(exc)) from None


def _overrides_key(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The overrides as a revision records them (identical bytes + other overrides = new)."""
    try:
        return normalise_overrides(overrides)
    except OverrideError as exc:
        raise ServiceError(str(exc)) from None


def _compute(parsed: ParsedSurvey) -> tuple[pd.DataFrame, list[str], float, str, list[Finding]]:
    header = parsed.header
    if header.depth_unit is None:
        raise ServiceError(
            f"{parsed.source_name}: the file does not state its depth unit (field 'depth_unit'); "
            "choose m, ft or usft"
        )
    st = parsed.stations
    used = st["used"].to_numpy(dtype=bool) if "used" in st else np.ones(len(st), dtype=bool)
    notes: list[Finding] = []
    if not used.all():
        notes.append(
            Finding(
                Severity.INFO,
                "stations_not_used",
                f"{int((~used).sum())} station(s) flagged not used by the file were left out",
            )
        )
    kept = st[used].reset_index(drop=True)
    try:
        traj = compute_trajectory(
            kept["md"].to_numpy(dtype=float),
            kept["inc"].to_numpy(dtype=float),
            kept["azi"].to_numpy(dtype=float),
            depth_unit=header.depth_unit,
            tie_on=header.tie_on,
            vs_azimuth=header.vs_azimuth,
        )
    except SurveyInputError as exc:
        raise ServiceError(f"{parsed.source_name}: {exc}") from None
    frame = traj.to_frame()
    for flag in ("projected", "used"):
        frame[flag] = kept[flag].to_numpy(dtype=bool) if flag in kept else flag == "used"
    return frame, list(traj.assumptions), traj.dls_course_length, traj.method, notes


def preview_file(
    content: bytes,
    file_name: str,
    overrides: dict[str, Any] | None = None,
    max_bytes=None,
    *,
    by: str = "the user",
) -> Preview:
    """Parse and compute without storing anything (for the upload dashboard); ``by`` names who
    set the overrides in their records (the logged-in user's name)."""
    try:
        parsed = read_survey(content, name=file_name, max_bytes=max_bytes)
    except SurveyFileError as exc:
        empty = ParsedSurvey("unknown", file_name, SurveyHeader(), pd.DataFrame())
        return Preview(empty, None, [], [], error=str(exc), refusal=exc)
    notes = apply_overrides(parsed, overrides, by=by)
    missing = [
        k
        for k in ("depth_unit", "azimuth_reference", "tie_on", "declination", "grid_convergence")
        if getattr(parsed.header, k) in (None, NorthReference.UNKNOWN)
    ]
    try:
        frame, assumptions, _, _, more = _compute(parsed)
    except ServiceError as exc:
        return Preview(parsed, None, parsed.findings + notes, [], error=str(exc), missing=missing)
    return Preview(parsed, frame, parsed.findings + notes + more, assumptions, missing=missing)


def import_survey(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    run: str | uuid.UUID | NewRun,
    content: bytes,
    file_name: str,
    overrides: dict[str, Any] | None = None,
) -> ImportResult:
    """Import one file into a run as its next revision, atomically.

    The same bytes uploaded again to the same run with the same header overrides are
    recognised (``duplicate=True``) and not stored twice; with other overrides they make a new
    revision. A refused file (unreadable, or failing the input gate) leaves nothing behind.
    ``run`` given as a :class:`NewRun` is created in the same transaction as its first
    revision: refused, the file leaves no run either.

    Three steps, so that the database is held only while rows are written (on DuckDB the
    writer holds the whole file, and every other process waits for it): a short read checks
    the run and the permission; parsing and computing hold no connection; one short
    transaction then writes the file, the revision, its stations (in bulk) and the audit
    event, after checking the run and the permission again.

    Parameters
    ----------
    uow : UnitOfWork
        A unit of work not held open by the caller (it is entered twice, briefly).
    actor : Actor or None
        The authenticated user [Actor].
    run : str, uuid.UUID or NewRun
        The run: id, run number or run name; or a run to create with this file.
    content : bytes
        The file as uploaded [bytes, at most ``max_upload_bytes``].
    file_name : str
        The file's name, for messages and provenance [text].
    overrides : dict, optional
        Header fields set by the user (:data:`OVERRIDABLE`).

    Returns
    -------
    ImportResult
        The run, the new (or, for the same bytes and overrides, the existing) revision and its
        findings.
    """
    settings = uow.settings
    with uow:  # 1: may this actor import into this run at all?
        if isinstance(run, NewRun):
            acting = guard(
                uow, actor, Permission.SURVEY_WRITE, action="create runs", target_type="run"
            )
        else:
            acting = _guard_import(uow, actor, find_run(uow, run))
    if len(content) > settings.max_upload_bytes:
        raise ServiceError(
            f"{file_name}: {len(content)} bytes is over the limit of "
            f"{settings.max_upload_bytes} bytes (SURVEYLAB_MAX_UPLOAD_MB)"
        )
    # 2: parse and compute with no connection held
    sha = hashlib.sha256(content).hexdigest()
    wanted = _overrides_key(overrides)
    parsed = read_survey(content, name=file_name, max_bytes=settings.max_upload_bytes)
    notes = apply_overrides(parsed, overrides, by=acting.username)
    passes = qc.separate_passes(parsed)  # a gyro file's out-run stations: QC only
    frame, assumptions, course, method, more = _compute(parsed)
    findings = [*parsed.findings, *notes, *([passes] if passes else []), *more]
    header = parsed.header
    assert header.depth_unit is not None, "_compute refuses a survey without a depth unit"
    with uow:  # 3: write
        # the run and the permission again: either may have changed while parsing
        run_rec = add_run(uow, actor, run) if isinstance(run, NewRun) else find_run(uow, run)
        actor = _guard_import(uow, actor, run_rec)
        # concurrent importers into one run: revision numbers and duplicate checks in turn
        uow.runs.lock(run_rec.id)
        existing = uow.files.by_sha256(run_rec.id, sha)
        if existing is not None:
            # a duplicate: the same bytes imported with the same header overrides
            revs = [
                s
                for s in uow.surveys.for_run(run_rec.id)
                if s.file_id == existing.id and s.header.extra.get("overrides", {}) == wanted
            ]
            if revs:
                return ImportResult(run_rec, revs[-1], duplicate=True, findings=revs[-1].findings)
        # QC against the run's tool limits and the well's place (the model's field there):
        # here, where the run is known; it computes from the parsed file, writes nothing
        checked = qc.at_import(uow, run_rec, parsed, by=actor.username)
        findings = [*findings, *checked.findings]
        worst = worst_severity(findings)
        file_rec = existing or uow.files.add(
            run_id=run_rec.id,
            file_name=file_name,
            content=content,
            sha256=sha,
            detected_format=parsed.format,
            uploaded_by=actor.id,
        )
        revision = uow.surveys.next_revision(run_rec.id)
        survey = uow.surveys.add(
            run_id=run_rec.id,
            file_id=file_rec.id,
            revision=revision,
            depth_unit=header.depth_unit,
            azimuth_reference=header.azimuth_reference,
            method=method,
            dls_course_length=course,
            vs_azimuth=header.vs_azimuth,
            header=header,
            findings=findings,
            assumptions=assumptions,
            worst_severity=str(worst) if worst else None,
            imported_by=actor.id,
            imported_by_name=actor.username,
            stations=frame,
        )
        survey = qc.store_at_import(uow, actor, survey, checked, file_name)
        uow.runs.update(run_rec.id, current_survey_id=survey.id, survey_changed_at=utcnow())
        audit_ok(
            uow,
            actor,
            "import survey",
            target_type="run",
            target_id=run_rec.id,
            detail=f"revision {revision} from {file_name} ({sha[:12]})",
        )
        uow.commit()
        return ImportResult(find_run(uow, run_rec.id), survey, findings=findings)


def _guard_import(uow: UnitOfWork, actor: Actor | None, run_rec: RunRecord) -> Actor:
    """The permission to import into ``run_rec`` (its owner, or an Admin; audited refusal)."""
    return guard(
        uow,
        actor,
        Permission.SURVEY_WRITE,
        owner_id=run_rec.user_id,
        action="import surveys",
        target=f"into run {run_rec.run_number}",
        target_type="run",
        target_id=run_rec.id,
    )


def history(uow: UnitOfWork, actor: Actor | None, run: str | uuid.UUID) -> list[SurveyRecord]:
    """Every revision of a run's survey, oldest first."""
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        run_rec = find_run(uow, run)
        return uow.surveys.for_run(run_rec.id)


def load_survey(
    uow: UnitOfWork, actor: Actor | None, run: str | uuid.UUID, revision: int | None = None
) -> tuple[RunRecord, SurveyRecord, pd.DataFrame]:
    """A run, one survey revision (default: current) and its stations as a DataFrame."""
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        run_rec = find_run(uow, run)
        if revision is None:
            if run_rec.current_survey_id is None:
                raise ServiceError(f"run {run_rec.run_number} has no survey yet")
            survey = uow.surveys.get(run_rec.current_survey_id)
        else:
            survey = uow.surveys.by_revision(run_rec.id, int(revision))
            if survey is None:
                raise ServiceError(f"run {run_rec.run_number} has no revision {revision}")
        assert survey is not None
        return run_rec, survey, uow.surveys.stations(survey.id)


def file_content(uow: UnitOfWork, actor: Actor | None, file_id: uuid.UUID) -> bytes:
    with uow:
        guard(uow, actor, Permission.READ, action="read survey files")
        return uow.files.content(file_id)


def compare_revisions(
    uow: UnitOfWork, actor: Actor | None, run: str | uuid.UUID, rev_a: int, rev_b: int
) -> pd.DataFrame:
    """Per-station difference between two revisions of a run, matched on MD.

    Stations present in only one revision appear with NaN on the other side. Columns:
    md, then for each of inc, azi, tvd, north, east: ``<name>_a``, ``<name>_b``, ``d_<name>``.
    """
    _, sa_, a = load_survey(uow, actor, run, rev_a)
    _, sb_, b = load_survey(uow, actor, run, rev_b)
    if sa_.depth_unit != sb_.depth_unit:
        from surveylab.units import convert

        b = b.copy()
        for c in ("md", "tvd", "north", "east"):
            b[c] = convert(b[c].to_numpy(), sb_.depth_unit, sa_.depth_unit)
    cols = ["md", "inc", "azi", "tvd", "north", "east"]
    a2 = a[cols].copy()
    b2 = b[cols].copy()
    a2["key"] = np.round(a2["md"].to_numpy(), 4)
    b2["key"] = np.round(b2["md"].to_numpy(), 4)
    merged = a2.merge(b2, on="key", how="outer", suffixes=("_a", "_b")).sort_values("key")
    out = pd.DataFrame({"md": merged["key"].to_numpy()})
    for c in cols[1:]:
        out[f"{c}_a"] = merged[f"{c}_a"].to_numpy()
        out[f"{c}_b"] = merged[f"{c}_b"].to_numpy()
        d = merged[f"{c}_b"].to_numpy() - merged[f"{c}_a"].to_numpy()
        if c == "azi":
            d = (d + 180.0) % 360.0 - 180.0
        out[f"d_{c}"] = d
    out.attrs["depth_unit"] = str(sa_.depth_unit)
    return out.reset_index(drop=True)


def survey_summary(survey: SurveyRecord) -> dict[str, Any]:
    """JSON-ready description of a survey revision (CLI, reports)."""
    return {
        "revision": survey.revision,
        "depth_unit": str(survey.depth_unit),
        "azimuth_reference": str(survey.azimuth_reference),
        "method": survey.method,
        "dls_course_length": survey.dls_course_length,
        "station_count": survey.station_count,
        "worst_severity": survey.worst_severity,
        "file_name": survey.file_name,
        "sha256": survey.sha256,
        "format": survey.detected_format,
        "imported_by": survey.imported_by_name,
        "imported_at": survey.imported_at.isoformat() if survey.imported_at else None,
        "status": survey.status,
        "assumptions": survey.assumptions,
        "findings": [f.to_dict() for f in survey.findings],
        "header": survey.header.to_dict(),
    }
