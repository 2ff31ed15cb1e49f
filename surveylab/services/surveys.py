"""Survey import (one transaction), history, revision differences, and station loading.

bytes -> detect format -> parse -> validate -> compute trajectory (no database connection held)
-> store file, survey revision, stations and an audit event in one short transaction -> result
with findings.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveylab.auth import Permission
from surveylab.calc import SurveyInputError, compute_trajectory, vertical_section, wrap_360
from surveylab.calc.tables import convert_stations
from surveylab.models import (
    Actor,
    DepthUnit,
    Finding,
    NorthReference,
    Severity,
    worst_severity,
)
from surveylab.models.records import RunRecord, SurveyFileRecord, SurveyRecord, WellRecord
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers import SurveyFileError, read_survey
from surveylab.parsers.overrides import OVERRIDABLE as OVERRIDABLE  # the fields a user may set
from surveylab.parsers.overrides import OverrideError, normalise_overrides
from surveylab.parsers.overrides import apply_overrides as _apply_header_overrides
from surveylab.repositories import UnitOfWork, utcnow
from surveylab.services import qc
from surveylab.services.common import NotFound, ServiceError, audit_ok, guard
from surveylab.services.runs import NewRun, add_run, find_revision, find_run
from surveylab.units import parse_depth_unit


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
    prepared = prepare_import(
        content,
        file_name,
        overrides,
        max_bytes=settings.max_upload_bytes,
        by=acting.username,
    )
    return store_import(uow, actor, run=run, prepared=prepared)  # 3: write


@dataclass
class PreparedImport:
    """A file read, checked and computed for an import, nothing stored yet
    (:func:`prepare_import`); it pickles, so worker processes can make it
    (:mod:`surveylab.services.field`).

    Attributes
    ----------
    file_name : str
        The file's name [text].
    content : bytes
        The file exactly as read [bytes].
    sha256 : str
        SHA-256 of ``content`` [hex].
    overrides : dict
        The header fields set by the user, as the revision records them
        (:func:`surveylab.parsers.overrides.normalise_overrides`).
    parsed : ParsedSurvey
        Header, stations (as imported) and the parser's findings.
    stations : pandas.DataFrame
        The computed stations [``parsed.header.depth_unit``; deg; rates per ``course``].
    findings : list of Finding
        The parser's, the overrides', the gyro passes' and the computation's findings.
    assumptions : list of str
        Assumptions the computation made (e.g. the tie-on).
    course : float
        Course length of the rates [``parsed.header.depth_unit``].
    method : str
        The calculation method.
    """

    file_name: str
    content: bytes
    sha256: str
    overrides: dict[str, Any]
    parsed: ParsedSurvey
    stations: pd.DataFrame
    findings: list[Finding]
    assumptions: list[str]
    course: float
    method: str


def prepare_import(
    content: bytes,
    file_name: str,
    overrides: dict[str, Any] | None = None,
    *,
    max_bytes: int | None = None,
    by: str = "the user",
) -> PreparedImport:
    """Read, check and compute a file for an import, with no database (step 2 of
    :func:`import_survey`).

    Parameters
    ----------
    content : bytes
        The file's bytes.
    file_name : str
        Its name, for messages and provenance [text].
    overrides : dict, optional
        Header fields set by the user (:data:`OVERRIDABLE`).
    max_bytes : int, optional
        Size limit [bytes]; default the parsers' (50 MB).
    by : str, optional
        Who set the overrides, for their records [text].

    Raises
    ------
    SurveyFileError
        The file cannot be read (names the file, line and field).
    ServiceError
        A header value is refused, the depth unit is unknown, or the stations fail the
        calculations' input checks (names the file and field or station).
    """
    sha = hashlib.sha256(content).hexdigest()
    wanted = _overrides_key(overrides)
    parsed = read_survey(content, name=file_name, max_bytes=max_bytes)
    notes = apply_overrides(parsed, overrides, by=by)
    passes = qc.separate_passes(parsed)  # a gyro file's out-run stations: QC only
    frame, assumptions, course, method, more = _compute(parsed)
    findings = [*parsed.findings, *notes, *([passes] if passes else []), *more]
    return PreparedImport(
        file_name, content, sha, wanted, parsed, frame, findings, assumptions, course, method
    )


def store_import(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    run: str | uuid.UUID | NewRun,
    prepared: PreparedImport,
    reread_run: bool = True,
) -> ImportResult:
    """Store a prepared file as the run's next revision in one transaction, committed (step 3
    of :func:`import_survey`): the run (created here for a :class:`NewRun`) and the
    permission are checked again, the same bytes with the same overrides are recognised as a
    duplicate, QC runs against the run's tool and the well's place, then the file, the
    revision, its stations, its QC and statuses and the audit event are written.

    ``uow`` may be open already (``with uow:`` around several calls keeps one connection,
    as :func:`surveylab.services.field.import_field` does); what the caller began in it and
    has not committed is committed with this file. ``reread_run=False`` returns the run as
    it was read before the write (a bulk import that does not look at it saves the query).

    Raises
    ------
    PermissionDenied
        The actor may not create runs or import into this run (audited).
    NotFound, Conflict, ServiceError
        Unknown run or well, a run number or name taken, a refused value.
    """
    parsed = prepared.parsed
    header = parsed.header
    assert header.depth_unit is not None, "_compute refuses a survey without a depth unit"
    file_name, sha = prepared.file_name, prepared.sha256
    with uow:
        # the run and the permission again: either may have changed while parsing
        run_rec = add_run(uow, actor, run) if isinstance(run, NewRun) else find_run(uow, run)
        actor = _guard_import(uow, actor, run_rec)
        created = isinstance(run, NewRun)  # then it holds no file yet
        if not created:
            # concurrent importers into one run: revision numbers and duplicate checks in
            # turn (a run created in this transaction is seen by no one else yet)
            uow.runs.lock(run_rec.id)
        existing = None if created else uow.files.by_sha256(run_rec.id, sha)
        if existing is not None:
            # a duplicate: the same bytes imported with the same header overrides
            revs = [
                s
                for s in uow.surveys.for_run(run_rec.id)
                if s.file_id == existing.id
                and s.header.extra.get("overrides", {}) == prepared.overrides
            ]
            if revs:
                return ImportResult(run_rec, revs[-1], duplicate=True, findings=revs[-1].findings)
        # QC against the run's tool limits and the well's place (the model's field there):
        # here, where the run is known; it computes from the parsed file, writes nothing
        known = run.well if isinstance(run, NewRun) and isinstance(run.well, WellRecord) else None
        checked = qc.at_import(uow, run_rec, parsed, by=actor.username, well=known)
        findings = [*prepared.findings, *checked.findings]
        worst = worst_severity(findings)
        file_rec = existing or uow.files.add(
            run_id=run_rec.id,
            file_name=file_name,
            content=prepared.content,
            sha256=sha,
            detected_format=parsed.format,
            uploaded_by=actor.id,
        )
        revision = 1 if created else uow.surveys.next_revision(run_rec.id)
        survey = uow.surveys.add(
            run_id=run_rec.id,
            file_id=file_rec.id,
            revision=revision,
            depth_unit=header.depth_unit,
            azimuth_reference=header.azimuth_reference,
            method=prepared.method,
            dls_course_length=prepared.course,
            vs_azimuth=header.vs_azimuth,
            header=header,
            findings=findings,
            assumptions=prepared.assumptions,
            worst_severity=str(worst) if worst else None,
            imported_by=actor.id,
            imported_by_name=actor.username,
            stations=prepared.stations,
            qc_document=checked.document,
            qc_stations=checked.stations,
            statuses=qc.import_statuses(checked, file_name),
        )
        qc.audit_import_status(uow, actor, survey, checked)
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
        return ImportResult(
            find_run(uow, run_rec.id) if reread_run else run_rec, survey, findings=findings
        )


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
        survey = find_revision(uow, run_rec, revision)
        return run_rec, survey, uow.surveys.stations(survey.id)


def file_content(uow: UnitOfWork, actor: Actor | None, file_id: uuid.UUID) -> bytes:
    """The bytes of an uploaded file, exactly as received.

    Raises
    ------
    NotFound
        No file has that id.
    """
    with uow:
        guard(uow, actor, Permission.READ, action="read survey files")
        if uow.files.get(file_id) is None:
            raise NotFound(f"unknown survey file {str(file_id)!r}")
        return uow.files.content(file_id)


def list_files(
    uow: UnitOfWork, actor: Actor | None, run: str | uuid.UUID
) -> list[SurveyFileRecord]:
    """The files uploaded into a run, oldest first (any authenticated user).

    Raises
    ------
    NotFound
        No such run.
    """
    with uow:
        guard(uow, actor, Permission.READ, action="read survey files")
        return uow.files.for_run(find_run(uow, run).id)


def get_file(uow: UnitOfWork, actor: Actor | None, file_id: uuid.UUID) -> SurveyFileRecord:
    """One uploaded file's name, size, SHA-256, format, uploader and time (not its bytes).

    Raises
    ------
    NotFound
        No file has that id.
    """
    with uow:
        guard(uow, actor, Permission.READ, action="read survey files")
        found = uow.files.get(file_id)
        if found is None:
            raise NotFound(f"unknown survey file {str(file_id)!r}")
        return found


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


@dataclass(frozen=True)
class ComputedFile:
    """A survey file read and computed, nothing stored (``surveylab compute``, ``POST
    /compute``): stations in ``parsed.header.depth_unit``, rates per ``dls_course_length``."""

    parsed: ParsedSurvey
    stations: pd.DataFrame
    findings: list[Finding]
    assumptions: list[str]
    dls_course_length: float
    method: str


def compute_file(
    content: bytes,
    file_name: str,
    overrides: dict[str, Any] | None = None,
    *,
    max_bytes: int | None = None,
) -> ComputedFile:
    """Read and compute a survey file exactly as an import would, storing nothing.

    Parameters
    ----------
    content : bytes
        The file's bytes.
    file_name : str
        Its name, for messages [text].
    overrides : dict, optional
        Header fields to set (:data:`OVERRIDABLE`), as for an import.
    max_bytes : int, optional
        Size limit [bytes]; default the parsers' (50 MB).

    Returns
    -------
    ComputedFile
        The parsed file, its computed stations, findings and assumptions.

    Raises
    ------
    SurveyFileError
        The file cannot be read (names the file, line and field).
    ServiceError
        A header value is refused, the depth unit is unknown, or the stations fail the
        calculations' input checks (names the file and station).
    """
    parsed = read_survey(content, name=file_name, max_bytes=max_bytes)
    notes = apply_overrides(parsed, overrides)
    frame, assumptions, course, method, more = _compute(parsed)
    return ComputedFile(
        parsed, frame, [*parsed.findings, *notes, *more], assumptions, course, method
    )


def import_surveys(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    run: str | uuid.UUID,
    files: list[tuple[str, bytes]],
    overrides: dict[str, Any] | None = None,
) -> list[ImportResult]:
    """Import several files into a run, in order, each as its next revision; a file that would
    be refused stops the upload before anything is stored.

    With more than one file, every file is read and computed first (as :func:`compute_file`),
    so a refusal of the third file leaves the first two unstored too; then each is imported
    in its own transaction (:func:`import_survey`).

    Parameters
    ----------
    files : list of (str, bytes)
        ``(file name, content)`` of each file, in order.

    Raises
    ------
    PermissionDenied
        The actor may not import into this run (audited), before any file is read.
    SurveyFileError, ServiceError
        As :func:`import_survey`, naming the file refused; nothing stored.
    """
    if not files:
        raise ServiceError("no file given (multipart field 'file')")
    for name, _ in files:
        if not 0 < len(name) <= 255 or not name.isprintable():
            raise ServiceError(f"file name must be 1 to 255 printable characters: {name[:80]!r}")
    with uow:
        run_rec = find_run(uow, run)
        _guard_import(uow, actor, run_rec)
        limit = uow.settings.max_upload_bytes
        if len(files) > 1:
            for name, content in files:
                compute_file(content, name, overrides, max_bytes=limit)
        return [
            import_survey(
                uow, actor, run=run_rec.id, content=content, file_name=name, overrides=overrides
            )
            for name, content in files
        ]


@dataclass(frozen=True)
class SurveyTable:
    """A survey revision's stations in a chosen depth unit and vertical-section azimuth.

    ``stations`` has the stored columns (md, tvd, north, east, vs [``depth_unit``]; inc, azi
    [deg]; dls, build_rate, turn_rate [deg per ``dls_course_length`` of ``depth_unit``]);
    ``vs_azimuth`` [deg] is the one ``vs`` was computed with, None when the survey states none
    and none was asked for (``vs`` is then empty).
    """

    run: RunRecord
    survey: SurveyRecord
    stations: pd.DataFrame
    depth_unit: DepthUnit
    dls_course_length: float
    vs_azimuth: float | None


def survey_table(
    uow: UnitOfWork,
    actor: Actor | None,
    run: str | uuid.UUID,
    revision: int | None = None,
    *,
    units: DepthUnit | str | None = None,
    vs_azimuth: float | None = None,
) -> SurveyTable:
    """A run's survey revision (default the current one) in ``units`` with vertical sections
    along ``vs_azimuth``.

    Parameters
    ----------
    units : DepthUnit or str, optional
        Depth unit of the lengths returned (m, ft, usft); default the survey's own. Rates are
        re-expressed per that unit's course length (30 m or 100 ft).
    vs_azimuth : float, optional
        Vertical-section azimuth [deg, any angle, normalised to [0, 360)]; default the
        survey's stored one.

    Raises
    ------
    NotFound
        No such run.
    ServiceError
        No survey yet, no such revision, or a vertical-section azimuth that is not finite.
    UnitError
        An unknown depth unit.
    """
    run_rec, survey, stations = load_survey(uow, actor, run, revision)
    unit = survey.depth_unit if units is None else parse_depth_unit(units)
    vsa = survey.vs_azimuth
    if vs_azimuth is not None:
        if not math.isfinite(vs_azimuth):
            raise ServiceError(f"vs_azimuth must be a finite angle in degrees, got {vs_azimuth!r}")
        vsa = float(wrap_360(vs_azimuth))
        stations = stations.copy()
        stations["vs"] = vertical_section(
            stations["north"].to_numpy(), stations["east"].to_numpy(), vsa
        )
    table, course = convert_stations(stations, survey.depth_unit, unit)
    return SurveyTable(run_rec, survey, table, unit, course, vsa)


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
