"""Survey QC: raw-sensor checks of magnetic stations, gyro in-run against out-run, run against run.

**Raw-sensor QC** (:func:`assess`, run at import and on demand with :func:`run_qc`): where a
file carries the raw readings Gx, Gy, Gz and Bx, By, Bz (:mod:`surveylab.parsers.sensors`),
each station's Gtotal, Btotal and dip (:mod:`surveylab.calc.qc`) are compared with the
reference field. Each of the three reference values comes, in this order, from the user (an
on-demand run given values), the file (its header, e.g. "Reference Btotal"), or the offline
geomagnetic model already used for declination (IGRF at the well's place and the survey date)
with WGS 84 normal gravity; without them QC says it has no reference and why. The document
always says which. Limits: :data:`surveylab.calc.qc.ISCWSA_RAW_LIMITS` unless the tool's are
configured (``SURVEYLAB_QC_LIMITS``, or given on demand). The revision passes when every used
station passes. Inclination and azimuth recomputed from the readings are compared with the
reported ones (a finding above 0.1 deg or 0.5 deg; they do not decide the status).

**Gyro in-run against out-run** (:func:`assess`): where a file's stations carry a pass
column (``Pass``: In / Out), the out-run stations are kept out of the trajectory
(:func:`separate_passes`, at import) and compared with the in-run along MD against
:data:`surveylab.calc.compare.GYRO_IN_OUT`.

**Run against run** (:func:`compare_runs`): two runs' revisions along MD, angles against
:data:`surveylab.calc.compare.GYRO_IN_OUT` and 3-D positions against a fixed distance
(:data:`RUN_DISTANCE`): the ``max_distance`` argument is where a combined position
uncertainty of the two runs plugs in (a callable of both runs' stations).

A revision's QC status: ``qc_failed`` when a check failed, ``qc_passed`` when a check passed and
none failed, otherwise it stays ``draft`` (nothing could be checked; the document says why).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from surveylab.auth import Permission
from surveylab.calc import SurveyInputError, compute_trajectory
from surveylab.calc.compare import (
    GYRO_IN_OUT,
    GyroTolerance,
    SurveyComparison,
    compare_surveys,
)
from surveylab.calc.interpolate import Stations
from surveylab.calc.north import NorthReferenceError, grid_convergence_and_scale
from surveylab.calc.qc import (
    ISCWSA_RAW_LIMITS,
    AngleQC,
    FieldQC,
    QCLimits,
    ReferenceField,
    angle_qc,
    field_qc,
    raw_readings,
    reference_from_model,
)
from surveylab.config import Settings
from surveylab.models import Actor, Finding, NorthReference, Severity, SurveyStatus
from surveylab.models.records import RunRecord, SurveyRecord, WellRecord
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers import read_survey
from surveylab.parsers.findings import StationNote, md_range, station_finding
from surveylab.parsers.overrides import OverrideError, apply_overrides
from surveylab.parsers.sensors import RAW_FIELDS, pass_column, sensor_columns
from surveylab.repositories import StatusStep, UnitOfWork, utcnow
from surveylab.services.common import ServiceError, audit_ok, guard
from surveylab.services.runs import find_revision, find_run
from surveylab.units import UnitError, convert
from surveylab.units.sensors import gravity_to_g, magnetic_to_nt

__all__ = [
    "RUN_DISTANCE",
    "QCOutcome",
    "QCView",
    "RunComparison",
    "RunDistance",
    "assess",
    "compare_runs",
    "limits_for",
    "qc_view",
    "run_qc",
    "separate_passes",
]

#: The reference values and where each can come from.
REFERENCE_KEYS = ("btotal_nt", "dip_deg", "gtotal_g")
#: Statuses whose QC may still change the status (later ones are frozen).
QC_STATUSES = (SurveyStatus.DRAFT, SurveyStatus.QC_PASSED, SurveyStatus.QC_FAILED)
#: Failed stations listed by MD in a QC document (the count is exact).
MAX_LISTED = 200
_HEADER_REF = {"btotal_nt": "ref_btotal_nt", "dip_deg": "ref_dip_deg", "gtotal_g": "ref_gtotal_g"}


# ---------------------------------------------------------------------------------- limits
def limits_for(settings: Settings, *, tool: str | None, run_type: str | None) -> QCLimits:
    """The raw-sensor QC limits of a tool: ``SURVEYLAB_QC_LIMITS`` for the tool the file names,
    else for the run type, else :data:`ISCWSA_RAW_LIMITS` (each limit not configured keeps
    its default)."""
    configured = settings.qc_limits
    for key in (tool, run_type):
        if key and key.strip().lower() in configured:
            return replace(ISCWSA_RAW_LIMITS, **configured[key.strip().lower()])
    return ISCWSA_RAW_LIMITS


# ---------------------------------------------------------------------------------- reference
@dataclass(frozen=True)
class Location:
    """Where a well is, for the geomagnetic model: latitude, longitude [deg], height [m]."""

    latitude: float
    longitude: float
    height_m: float
    source: str


def site_location(header: SurveyHeader, well: WellRecord | None) -> Location | None:
    """The well's place: the file's latitude and longitude, else its surface location in its
    CRS, else the well's surface location in the well's CRS; None when none is known.

    The height is the well's datum elevation when it is in metres (the field varies by a few
    nT per km: a rough height is enough), else 0.
    """
    height = 0.0
    if well is not None and well.datum_elevation is not None and well.elevation_unit == "m":
        height = float(well.datum_elevation)
    lat, lon = header.extra.get("latitude"), header.extra.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return Location(float(lat), float(lon), height, "latitude and longitude in the file")
    places = [("the file's surface location", header.crs, header.surface_x, header.surface_y)]
    if well is not None:
        places.append(
            (f"well {well.well_name}'s surface location", well.crs, well.surface_x, well.surface_y)
        )
    for what, crs, x, y in places:
        if crs and x is not None and y is not None:
            found = _geographic(str(crs), float(x), float(y))
            if found is not None:
                return Location(found[0], found[1], height, f"{what} in {crs}")
    return None


def _geographic(crs: str, x: float, y: float) -> tuple[float, float] | None:
    """(latitude, longitude) [deg] of a point given in a CRS; None when it cannot be had."""
    import pyproj  # heavy: imported where used

    try:
        c = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        return None
    if c.is_geographic:
        return y, x
    try:
        g = grid_convergence_and_scale(c, x, y)
    except NorthReferenceError:
        return None
    return g.latitude, g.longitude


@dataclass(frozen=True)
class ReferenceChoice:
    """The reference field chosen and where each value comes from.

    Attributes
    ----------
    field : ReferenceField or None
        None when a value is missing (``reason`` says which and why).
    values : dict
        ``btotal_nt`` [nT], ``dip_deg`` [deg], ``gtotal_g`` [g] (None where missing).
    sources : dict
        The same keys -> ``"user"``, ``"file"`` or ``"model"`` (None where missing).
    details : dict
        The same keys -> the source in words (header label, model, place and date).
    reason : str or None
        Why there is no reference.
    """

    field: ReferenceField | None
    values: dict[str, float | None]
    sources: dict[str, str | None]
    details: dict[str, str | None]
    reason: str | None = None

    @property
    def source(self) -> str:
        """``"user"``, ``"file"``, ``"model"``, several joined by ``+`` (``"file+model"``),
        or ``"none"``."""
        if self.field is None:
            return "none"
        kinds = [s for s in ("user", "file", "model") if s in self.sources.values()]
        return "+".join(kinds)

    def to_dict(self) -> dict[str, Any]:
        """``{"btotal_nt", "dip_deg", "gtotal_g", "source", "sources", "details"}`` (and
        ``"reason"`` without a reference)."""
        out: dict[str, Any] = {
            "btotal_nt": self.values["btotal_nt"],
            "dip_deg": self.values["dip_deg"],
            "gtotal_g": self.values["gtotal_g"],
            "source": self.source,
            "sources": dict(self.sources),
            "details": dict(self.details),
        }
        if self.reason:
            out["reason"] = self.reason
        return out


def choose_reference(
    header: SurveyHeader,
    *,
    user: Mapping[str, float | None] | None = None,
    location: Location | None = None,
) -> ReferenceChoice:
    """Each reference value from the user, else the file, else the model (see the module
    docstring); the model only where the place and the survey date are known.

    Parameters
    ----------
    header : SurveyHeader
        The revision's header (``ref_btotal_nt``, ``ref_dip_deg``, ``ref_gtotal_g``,
        ``survey_date``).
    user : mapping, optional
        Values the user sets: ``btotal_nt`` [nT], ``dip_deg`` [deg], ``gtotal_g`` [g].
    location : Location, optional
        The well's place (:func:`site_location`).
    """
    values: dict[str, float | None] = dict.fromkeys(REFERENCE_KEYS)
    sources: dict[str, str | None] = dict.fromkeys(REFERENCE_KEYS)
    details: dict[str, str | None] = dict.fromkeys(REFERENCE_KEYS)
    labels = header.extra.get("reference_field_labels", {})
    for key in REFERENCE_KEYS:
        given = None if user is None else user.get(key)
        if given is not None:
            values[key], sources[key], details[key] = float(given), "user", "set by the user"
            continue
        stated = getattr(header, _HEADER_REF[key])
        if stated is not None:
            label = labels.get(_HEADER_REF[key])
            values[key], sources[key] = float(stated), "file"
            details[key] = f"file header {label!r}" if label else "stated in the file"
    missing = [k for k in REFERENCE_KEYS if values[k] is None]
    reason = None
    if missing:
        model, reason = _model_reference(header, location)
        if model is not None:
            for key in missing:
                values[key], sources[key] = float(getattr(model, key)), "model"
                details[key] = model.source
            reason = None
    if reason is not None:
        names = ", ".join(missing)
        return ReferenceChoice(None, values, sources, details, f"no reference {names}: {reason}")
    try:
        ref = ReferenceField(
            float(values["btotal_nt"]),  # type: ignore[arg-type]  # all set here
            float(values["dip_deg"]),  # type: ignore[arg-type]
            float(values["gtotal_g"]),  # type: ignore[arg-type]
            "; ".join(f"{k}: {details[k]}" for k in REFERENCE_KEYS),
        )
    except SurveyInputError as exc:
        return ReferenceChoice(None, values, sources, details, f"unusable reference: {exc}")
    return ReferenceChoice(ref, values, sources, details)


def _model_reference(
    header: SurveyHeader, location: Location | None
) -> tuple[ReferenceField | None, str | None]:
    if location is None:
        return None, (
            "the file states no reference field and the well's place is unknown (no "
            "latitude/longitude in the file, no surface location with a CRS in the file or "
            "the well) for the geomagnetic model"
        )
    if not header.survey_date:
        return None, "the file states no reference field and no survey date for the model"
    try:
        return (
            reference_from_model(
                location.latitude,
                location.longitude,
                header.survey_date,
                height_m=location.height_m,
            ),
            None,
        )
    except (NorthReferenceError, SurveyInputError, ValueError) as exc:
        return None, f"the geomagnetic model cannot be used: {exc}"


# ---------------------------------------------------------------------------------- passes
def separate_passes(parsed: ParsedSurvey) -> Finding | None:
    """Keep a gyro file's out-run stations out of its trajectory (they stay for QC).

    Where the stations carry a pass column with both passes (:func:`pass_column`), the
    out-run stations are marked not used, and the parser's findings about MDs going back or
    repeating are dropped when the in-run stations alone increase strictly.

    Returns
    -------
    Finding or None
        An info finding saying so; None when the file has no such column.
    """
    found = pass_column(parsed)
    if found is None:
        return None
    name, marks = found
    out = marks == "out"
    st = parsed.stations
    st["used"] = st["used"].to_numpy(dtype=bool) & ~out
    md_in = st["md"].to_numpy(dtype=float)[~out]
    if md_in.size < 2 or bool(np.all(np.diff(md_in) > 0)):
        parsed.findings = [
            f for f in parsed.findings if f.code not in ("md_not_increasing", "duplicate_md")
        ]
    return Finding(
        Severity.INFO,
        "gyro_out_run_stations",
        f"{int(out.sum())} out-run station(s) (column {name!r}) kept for the in-run/out-run "
        f"check and left out of the trajectory, which uses the {int((~out).sum())} in-run "
        "station(s)",
        field=name,
    )


# ---------------------------------------------------------------------------------- assess
@dataclass
class QCOutcome:
    """What QC found for one revision.

    Attributes
    ----------
    status : SurveyStatus
        ``qc_passed``, ``qc_failed`` or ``draft`` (nothing could be checked).
    document : dict
        The QC summary stored with the revision (JSON-ready; see :func:`assess`).
    stations : pandas.DataFrame or None
        Per-station raw QC rows (md, gtotal_g, btotal_nt, dip_deg, d_*, inc_raw, azi_raw,
        d_inc, d_azi [g, nT, deg], passed, used); None without raw readings.
    findings : list of Finding
        Findings of the checks (units inferred, stations outside limits, angles, gyro).
    """

    status: SurveyStatus
    document: dict[str, Any]
    stations: pd.DataFrame | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for the status note."""
        return str(self.document.get("summary", ""))


def assess(
    parsed: ParsedSurvey,
    *,
    run_type: str | None,
    limits: QCLimits = ISCWSA_RAW_LIMITS,
    user_reference: Mapping[str, float | None] | None = None,
    location: Location | None = None,
    by: str | None = None,
) -> QCOutcome:
    """Every QC check a parsed revision allows (no database).

    Parameters
    ----------
    parsed : ParsedSurvey
        The revision as parsed (with the user's header overrides applied).
    run_type : str or None
        The run's type (GTL, Gyro, MWD, Unknown), named in the document.
    limits : QCLimits, optional
        Raw-sensor limits (:func:`limits_for`).
    user_reference : mapping, optional
        Reference values set by the user (``btotal_nt`` [nT], ``dip_deg`` [deg],
        ``gtotal_g`` [g]).
    location : Location, optional
        The well's place, for the geomagnetic model (:func:`site_location`).
    by : str, optional
        Who runs the check (recorded).

    Returns
    -------
    QCOutcome
        Its ``document``: ``status`` (``"pass"``, ``"fail"``, ``"not checked"``), ``reason``,
        ``summary``, ``run_type``, ``ran_at``, ``ran_by``, ``raw`` (the raw-sensor check:
        ``status``, ``reason``, station counts, ``reference``, ``limits``, ``units``,
        ``angles``, ``failed_mds``) and ``gyro`` (in-run against out-run, or None).
    """
    findings: list[Finding] = []
    raw_doc, frame = _raw_check(parsed, limits, user_reference, location, findings)
    gyro_doc = _gyro_check(parsed, findings)
    verdicts = [d["status"] for d in (raw_doc, gyro_doc or {}) if d]
    if "fail" in verdicts:
        status, verdict = SurveyStatus.QC_FAILED, "fail"
    elif "pass" in verdicts:
        status, verdict = SurveyStatus.QC_PASSED, "pass"
    else:
        status, verdict = SurveyStatus.DRAFT, "not checked"
    reasons = [raw_doc.get("reason")] + ([gyro_doc.get("reason")] if gyro_doc else [])
    parts = [f"raw-sensor QC: {raw_doc['summary']}"]
    if gyro_doc:
        parts.append(f"gyro in-run/out-run: {gyro_doc['summary']}")
    document: dict[str, Any] = {
        "status": verdict,
        "reason": None if verdict != "not checked" else "; ".join(r for r in reasons if r),
        "summary": "; ".join(parts),
        "run_type": run_type,
        "ran_at": utcnow().isoformat(),
        "ran_by": by,
        "raw": raw_doc,
        "gyro": gyro_doc,
        "findings": [f.to_dict() for f in findings],
    }
    return QCOutcome(status, document, frame, findings)


def _raw_check(
    parsed: ParsedSurvey,
    limits: QCLimits,
    user_reference: Mapping[str, float | None] | None,
    location: Location | None,
    findings: list[Finding],
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    limits_doc = {
        k: getattr(limits, k) for k in ("btotal_nt", "dip_deg", "gtotal_g", "inc_deg", "azi_deg")
    }
    cols = sensor_columns(parsed)
    if cols is None:
        reason = "the file has no raw sensor readings (columns Gx, Gy, Gz, Bx, By, Bz)"
        return _unchecked(reason, limits_doc), None
    st = parsed.stations
    vals = {f: cols.values(parsed.extra_columns, f) for f in RAW_FIELDS}
    have = np.all(np.isfinite(np.column_stack([vals[f] for f in RAW_FIELDS])), axis=1)
    rows = np.flatnonzero(have)
    md_all = st["md"].to_numpy(dtype=float)
    if rows.size == 0:
        reason = "the raw-reading columns hold no complete station (Gx..Bz all numbers)"
        return _unchecked(reason, limits_doc), None
    try:
        arrays, g_unit, b_unit = _in_one_unit(vals, cols.units)
        readings = raw_readings(
            *(arrays[f][rows] for f in RAW_FIELDS),
            gravity_unit=g_unit,
            magnetic_unit=b_unit,
            md=md_all[rows],
        )
    except (SurveyInputError, UnitError) as exc:
        reason = f"the raw readings cannot be used: {exc}"
        field_name = getattr(exc, "field", None)
        findings.append(Finding(Severity.WARNING, "qc_raw_unusable", reason, field=field_name))
        return _unchecked(reason, limits_doc, stations=int(rows.size)), None
    for note in readings.inference_notes():
        findings.append(Finding(Severity.INFO, "qc_unit_inferred", note))
    for note in parsed.header.extra.get("reference_field_notes", []):
        findings.append(Finding(Severity.INFO, "qc_unit_inferred", f"reference field: {note}"))
    used = st["used"].to_numpy(dtype=bool)[rows]
    choice = choose_reference(parsed.header, user=user_reference, location=location)
    fq = field_qc(readings, choice.field, limits=limits, used=used)
    angles = _angles(parsed, readings, rows, limits, used)
    frame = _station_frame(fq, angles, used)
    failed = fq.failures
    doc: dict[str, Any] = {
        "status": fq.status,
        "reason": choice.reason,
        "summary": fq.summary()
        if choice.field is not None
        else f"{fq.status}: {int(used.sum())} stations with raw readings; {choice.reason}",
        "stations": int(rows.size),
        "used": int(used.sum()),
        "failed": int(failed.size),
        "failed_mds": [float(md_all[rows][i]) for i in failed[:MAX_LISTED]],
        "reference": choice.to_dict(),
        "limits": limits_doc,
        "units": {
            "gravity": str(readings.gravity_unit),
            "gravity_inferred": readings.gravity_unit_inferred,
            "magnetic": str(readings.magnetic_unit),
            "magnetic_inferred": readings.magnetic_unit_inferred,
        },
        "angles": angles.document if angles else None,
    }
    if choice.field is None:
        findings.append(
            Finding(Severity.WARNING, "qc_no_reference", f"raw-sensor QC: {choice.reason}")
        )
    elif failed.size:
        findings.append(_outside_finding(fq, rows, md_all))
    if angles is not None and angles.finding is not None:
        findings.append(angles.finding)
    return doc, frame


def _unchecked(reason: str, limits: dict[str, float], stations: int = 0) -> dict[str, Any]:
    """The raw-sensor part of a QC document when nothing could be checked, and why."""
    return {
        "status": "no raw readings",
        "reason": reason,
        "summary": reason,
        "stations": stations,
        "used": 0,
        "failed": 0,
        "failed_mds": [],
        "reference": None,
        "limits": limits,
    }


def _in_one_unit(
    vals: dict[str, np.ndarray], units: dict[str, str | None]
) -> tuple[dict[str, np.ndarray], str | None, str | None]:
    """The readings with one unit per sensor: a column stating no unit takes the unit its
    sensor's other columns state; columns stating different units are converted to g and nT
    each by its own. Returns the arrays and the gravity and magnetic unit (None: none stated,
    to be inferred from the magnitudes).

    Raises
    ------
    UnitError
        A unit text that names no gravity or magnetic-field unit.
    """
    out = dict(vals)
    result: list[str | None] = []
    for fields, to_canonical, canonical in (
        (("gx", "gy", "gz"), gravity_to_g, "g"),
        (("bx", "by", "bz"), magnetic_to_nt, "nT"),
    ):
        stated = {units[f] for f in fields if units[f]}
        if len(stated) <= 1:
            result.append(stated.pop() if stated else None)
            continue
        if any(not units[f] for f in fields):
            raise UnitError(
                f"raw readings {', '.join(f.capitalize() for f in fields)} state different "
                f"units ({', '.join(sorted(u for u in stated if u))}) and one states none"
            )
        for f in fields:
            out[f] = to_canonical(vals[f], units[f] or "")
        result.append(canonical)
    return out, result[0], result[1]


def _outside_finding(fq: FieldQC, rows: np.ndarray, md_all: np.ndarray) -> Finding:
    lim = fq.limits
    notes = []
    for i in fq.failures:
        parts = []
        if fq.gtotal_ok is not None and not fq.gtotal_ok[i]:
            parts.append(f"dGtotal {fq.d_gtotal_g[i]:+.4f} g")
        if fq.btotal_ok is not None and not fq.btotal_ok[i]:
            parts.append(f"dBtotal {fq.d_btotal_nt[i]:+.0f} nT")
        if fq.dip_ok is not None and not fq.dip_ok[i]:
            parts.append(f"dDip {fq.d_dip_deg[i]:+.3f} deg")
        worst = max(
            abs(fq.d_gtotal_g[i]) / lim.gtotal_g if lim.gtotal_g else math.inf,
            abs(fq.d_btotal_nt[i]) / lim.btotal_nt if lim.btotal_nt else math.inf,
            abs(fq.d_dip_deg[i]) / lim.dip_deg if lim.dip_deg else math.inf,
        )
        notes.append(
            StationNote(
                int(rows[i]),
                None,
                float(md_all[rows[i]]),
                worst,
                f"station at MD {md_all[rows[i]]:g} outside the raw-data limits: "
                + ", ".join(parts),
            )
        )

    def summary(count: int, first: StationNote, last: StationNote, w: StationNote | None) -> str:
        worst = "" if w is None else f"; worst at MD {w.md:g} ({w.value:.1f}x its limit)"
        return (
            f"{count} station(s) outside the raw-data limits (Gtotal {lim.gtotal_g:g} g, "
            f"Btotal {lim.btotal_nt:g} nT, dip {lim.dip_deg:g} deg), {md_range(first, last)}"
            f"{worst}"
        )

    return station_finding(Severity.WARNING, "qc_field_outside", notes, summary=summary)


@dataclass
class _Angles:
    qc: AngleQC
    azimuth_checked: bool
    document: dict[str, Any]
    finding: Finding | None


def _azimuth_correction(header: SurveyHeader) -> tuple[float | None, str]:
    """Correction from magnetic north to the reported azimuths' reference [deg], and why."""
    ref = header.azimuth_reference
    if ref is NorthReference.MAGNETIC:
        return 0.0, "azimuths from magnetic north"
    if ref is NorthReference.TRUE:
        if header.declination is None:
            return None, "true-north azimuths but no declination stated"
        return float(header.declination), "true north: declination added"
    if ref is NorthReference.GRID:
        if header.total_correction is not None:
            return float(header.total_correction), "grid north: total correction added"
        if header.declination is not None and header.grid_convergence is not None:
            corr = float(header.declination) - float(header.grid_convergence)
            return corr, "grid north: declination - convergence added"
        return None, "grid-north azimuths but no total correction stated"
    return None, "the north reference of the azimuths is unknown"


def _angles(
    parsed: ParsedSurvey, readings: Any, rows: np.ndarray, limits: QCLimits, used: np.ndarray
) -> _Angles | None:
    st = parsed.stations
    inc = st["inc"].to_numpy(dtype=float)[rows]
    azi = st["azi"].to_numpy(dtype=float)[rows]
    corr, why = _azimuth_correction(parsed.header)
    try:
        aq = angle_qc(
            readings,
            inc,
            azi,
            azimuth_correction=0.0 if corr is None else corr,
            limits=limits,
            used=used,
        )
    except SurveyInputError:
        return None
    azi_checked = corr is not None
    inc_out = used & ~aq.inc_ok
    azi_out = used & ~aq.azi_ok if azi_checked else np.zeros_like(used)
    d_azi = np.abs(aq.d_azi[np.isfinite(aq.d_azi)]) if azi_checked else np.zeros(0)
    doc = {
        "convention": "x and y cross-axial, z along the tool towards the bit, right-handed",
        "azimuth_checked": azi_checked,
        "azimuth_note": why,
        "azimuth_correction_deg": corr,
        "inc_outside": int(inc_out.sum()),
        "azi_outside": int(azi_out.sum()),
        "max_abs_d_inc": float(np.max(np.abs(aq.d_inc))) if aq.d_inc.size else None,
        "max_abs_d_azi": float(d_azi.max()) if d_azi.size else None,
    }
    finding = None
    bad = np.flatnonzero(inc_out | azi_out)
    if bad.size:
        md = st["md"].to_numpy(dtype=float)[rows]
        notes = [
            StationNote(
                int(rows[i]),
                None,
                float(md[i]),
                float(aq.d_inc[i]),
                f"MD {md[i]:g}: inclination from the raw readings differs by {aq.d_inc[i]:+.3f} deg"
                + (
                    f", azimuth by {aq.d_azi[i]:+.3f} deg"
                    if azi_checked and np.isfinite(aq.d_azi[i])
                    else ""
                ),
            )
            for i in bad
        ]

        def summary(count: int, first: StationNote, last: StationNote, w: Any) -> str:
            return (
                f"{count} station(s) where inclination or azimuth recomputed from the raw "
                f"readings differ from the reported ones by more than {limits.inc_deg:g} / "
                f"{limits.azi_deg:g} deg, {md_range(first, last)} (axis convention: x and y "
                "cross-axial, z towards the bit)"
            )

        finding = station_finding(Severity.WARNING, "qc_raw_angles_differ", notes, summary=summary)
    return _Angles(aq, azi_checked, doc, finding)


def _station_frame(fq: FieldQC, angles: _Angles | None, used: np.ndarray) -> pd.DataFrame:
    n = fq.gtotal_g.size
    md = fq.md if fq.md is not None else np.full(n, np.nan)
    ok = fq.station_passed
    frame = pd.DataFrame(
        {
            "md": md,
            "gtotal_g": fq.gtotal_g,
            "btotal_nt": fq.btotal_nt,
            "dip_deg": fq.dip_deg,
            "d_gtotal_g": fq.d_gtotal_g,
            "d_btotal_nt": fq.d_btotal_nt,
            "d_dip_deg": fq.d_dip_deg,
            "inc_raw": angles.qc.inc_raw if angles else np.full(n, np.nan),
            "azi_raw": angles.qc.azi_raw
            if angles and angles.azimuth_checked
            else np.full(n, np.nan),
            "d_inc": angles.qc.d_inc if angles else np.full(n, np.nan),
            "d_azi": angles.qc.d_azi if angles and angles.azimuth_checked else np.full(n, np.nan),
        }
    )
    frame["passed"] = [None] * n if ok is None else [bool(v) for v in ok]
    frame["used"] = used
    return frame


def _gyro_check(parsed: ParsedSurvey, findings: list[Finding]) -> dict[str, Any] | None:
    found = pass_column(parsed)
    if found is None:
        return None
    name, marks = found
    st = parsed.stations
    h = parsed.header
    if h.depth_unit is None:
        return {"status": "not checked", "reason": "depth unit unknown", "summary": "not checked"}
    try:
        runs = []
        for which in ("in", "out"):
            sel = marks == "out" if which == "out" else marks != "out"
            part = st[sel].sort_values("md").drop_duplicates("md")
            runs.append(
                compute_trajectory(
                    part["md"].to_numpy(dtype=float),
                    part["inc"].to_numpy(dtype=float),
                    part["azi"].to_numpy(dtype=float),
                    depth_unit=h.depth_unit,
                    tie_on=h.tie_on,
                )
            )
        cmp = compare_surveys(runs[0], runs[1], tolerance=GYRO_IN_OUT)
    except SurveyInputError as exc:
        reason = f"in-run and out-run cannot be compared: {exc}"
        findings.append(Finding(Severity.WARNING, "gyro_in_out_not_compared", reason, field=name))
        return {"status": "not checked", "reason": reason, "summary": reason, "pass_column": name}
    doc = _comparison_doc(cmp)
    doc.update(
        pass_column=name,
        in_run=int((marks != "out").sum()),
        out_run=int((marks == "out").sum()),
    )
    if cmp.status == "fail":
        findings.append(
            Finding(
                Severity.WARNING,
                "gyro_in_out_outside",
                f"gyro in-run against out-run: {cmp.summary()}",
                field=name,
            )
        )
    elif cmp.status != "pass":
        doc["reason"] = f"in-run against out-run: {cmp.status}"
    return doc


def _comparison_doc(cmp: SurveyComparison) -> dict[str, Any]:
    t = cmp.tolerance
    bad = cmp.failures
    return {
        "status": cmp.status,
        "reason": None,
        "summary": cmp.summary(),
        "compared": cmp.station_count,
        "max_abs_d_inc": cmp.max_abs_d_inc,
        "max_abs_d_azi": None if math.isnan(cmp.max_abs_d_azi) else cmp.max_abs_d_azi,
        "max_distance": cmp.max_distance,
        "worst_md": cmp.worst_md,
        "outside": int(bad.size),
        "outside_mds": [float(cmp.md[i]) for i in bad[:MAX_LISTED]],
        "tolerance": {
            "inc_deg": t.inc,
            "azi_deg_high_inc": t.azi_high,
            "azi_deg_low_inc": t.azi_low,
            "inc_threshold_deg": t.inc_threshold,
            "min_stations": t.min_stations,
        },
    }


# ---------------------------------------------------------------------------------- import
def at_import(
    uow: UnitOfWork,
    run: RunRecord,
    parsed: ParsedSurvey,
    *,
    by: str | None,
    well: WellRecord | None = None,
) -> QCOutcome:
    """QC of a revision being imported (inside the import's unit of work): the run's tool
    limits, the well's place for the model (``well``: the run's well as the caller read it
    in this unit of work, else read here); nothing is written here (see
    :func:`import_statuses`)."""
    if well is None or well.id != run.well_id:
        well = uow.wells.get(run.well_id) if run.well_id is not None else None
    limits = limits_for(uow.settings, tool=parsed.header.tool, run_type=run.run_type)
    location = site_location(parsed.header, well)
    return assess(parsed, run_type=run.run_type, limits=limits, location=location, by=by)


def import_statuses(outcome: QCOutcome, file_name: str) -> list[StatusStep]:
    """A new revision's first statuses, stored with it (draft, then the QC's verdict when it
    is not draft): the ``statuses`` of :meth:`SurveyRepository.add
    <surveylab.repositories.SurveyRepository.add>`."""
    steps = [StatusStep(None, SurveyStatus.DRAFT, f"imported from {file_name}")]
    if outcome.status is not SurveyStatus.DRAFT:
        steps.append(
            StatusStep(SurveyStatus.DRAFT, outcome.status, f"QC at import: {outcome.summary}")
        )
    return steps


def audit_import_status(
    uow: UnitOfWork, actor: Actor, survey: SurveyRecord, outcome: QCOutcome
) -> None:
    """The audit event of a new revision's status after its QC at import."""
    audit_ok(
        uow,
        actor,
        "survey status",
        target_type="survey",
        target_id=survey.id,
        detail=f"revision {survey.revision}: {outcome.status} ({outcome.summary})",
    )


# ---------------------------------------------------------------------------------- on demand
@dataclass
class QCView:
    """A revision's stored QC: the run, the revision, the QC document and its station rows."""

    run: RunRecord
    survey: SurveyRecord
    document: dict[str, Any] | None
    stations: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """The ``surveylab qc --json`` document: ``run``, ``revision``, ``status`` (the
        revision's), ``qc_status`` (``pass``/``fail``/``not checked``/``not run``), ``pass``
        (True, False or None), ``reference`` (``btotal_nt``, ``dip_deg``, ``gtotal_g``,
        ``source``: user, file, model, several joined by ``+``, or none; and ``sources``,
        ``details``), ``stations`` (``md``, ``gtotal_g``, ``btotal_nt``, ``dip_deg``,
        ``d_gtotal_g``, ``d_btotal_nt``, ``d_dip_deg``, ``pass``, ``used``), ``reason``
        (why there is nothing to check, or no reference), ``limits``, ``gyro``,
        ``summary``."""
        doc = self.document or {}
        raw = doc.get("raw") or {}
        ref = raw.get("reference")
        none_ref = {"btotal_nt": None, "dip_deg": None, "gtotal_g": None, "source": "none"}
        verdict = doc.get("status", "not run")
        stations = [
            {
                "md": _num(r["md"]),
                "gtotal_g": _num(r["gtotal_g"]),
                "btotal_nt": _num(r["btotal_nt"]),
                "dip_deg": _num(r["dip_deg"]),
                "d_gtotal_g": _num(r["d_gtotal_g"]),
                "d_btotal_nt": _num(r["d_btotal_nt"]),
                "d_dip_deg": _num(r["d_dip_deg"]),
                "pass": None if r["passed"] is None or r["passed"] is pd.NA else bool(r["passed"]),
                "used": bool(r["used"]),
            }
            for r in self.stations.to_dict("records")
        ]
        reason = raw.get("reason") or doc.get("reason")
        if self.document is None:
            reason = (
                "QC has not run on this revision (imported before QC existed): run it with "
                "'surveylab qc RUN --rerun'"
            )
        return {
            "run": self.run.run_number,
            "revision": self.survey.revision,
            "status": self.survey.status,
            "qc_status": verdict,
            "pass": {"pass": True, "fail": False}.get(verdict),
            "reference": ref if ref else {**none_ref, "reason": reason},
            "stations": stations,
            "reason": reason,
            "limits": raw.get("limits"),
            "angles": raw.get("angles"),
            "gyro": doc.get("gyro"),
            "summary": doc.get("summary"),
        }


def _num(v: Any) -> float | None:
    if v is None or v is pd.NA:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def qc_view(
    uow: UnitOfWork, actor: Actor | None, run: str | uuid.UUID, revision: int | None = None
) -> QCView:
    """The stored QC of a revision (default the run's current one), any reader."""
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        run_rec = find_run(uow, run)
        survey = find_revision(uow, run_rec, revision)
        return QCView(run_rec, survey, survey.qc, uow.surveys.qc_stations(survey.id))


def reparse(uow: UnitOfWork, survey: SurveyRecord) -> ParsedSurvey:
    """A stored revision's file read again, with the header overrides it was imported with."""
    content = uow.files.content(survey.file_id)
    parsed = read_survey(content, name=survey.file_name or "stored file")
    overrides = survey.header.extra.get("overrides") or None
    if overrides:
        try:
            apply_overrides(parsed, overrides, by=survey.imported_by_name or "the importer")
        except OverrideError as exc:
            raise ServiceError(str(exc)) from None
    separate_passes(parsed)
    return parsed


def run_qc(
    uow: UnitOfWork,
    actor: Actor | None,
    run: str | uuid.UUID,
    revision: int | None = None,
    *,
    reference: Mapping[str, float | None] | None = None,
    limits: Mapping[str, float] | None = None,
) -> QCView:
    """Run QC on a stored revision again (e.g. with the user's reference values or a tool's
    limits) and store the result; the status follows while the revision is draft or QC'd.

    Parameters
    ----------
    run : str or uuid.UUID
        Run number or id.
    revision : int, optional
        Default the run's current revision.
    reference : mapping, optional
        Reference values set by the user: ``btotal_nt`` [nT], ``dip_deg`` [deg], ``gtotal_g``
        [g]; the others come from the file or the model.
    limits : mapping, optional
        Limits for this run (``btotal_nt``, ``dip_deg``, ``gtotal_g``, ``inc_deg``,
        ``azi_deg``); the rest from the tool's configured limits.

    Raises
    ------
    PermissionDenied
        The actor may not do survey work on this run (its owner, or an Admin, Engineer...
        as for imports).
    ServiceError
        Unknown run or revision; an approved or definitive revision (its QC is frozen).
    """
    with uow:
        run_rec = find_run(uow, run)
        guard(
            uow,
            actor,
            Permission.SURVEY_WRITE,
            action="run survey QC",
            target=f"on run {run_rec.run_number}",
            target_type="run",
            target_id=run_rec.id,
        )
        assert actor is not None
        survey = find_revision(uow, run_rec, revision)
        if survey.status not in QC_STATUSES:
            raise ServiceError(
                f"run {run_rec.run_number} revision {survey.revision} is {survey.status}: its "
                "QC is frozen (import a new revision to check it again)"
            )
        for key, value in (reference or {}).items():
            if key not in REFERENCE_KEYS:
                raise ServiceError(f"unknown reference value {key!r} ({', '.join(REFERENCE_KEYS)})")
            if value is not None and not math.isfinite(float(value)):
                raise ServiceError(f"reference {key} must be a number, got {value!r}")
        parsed = reparse(uow, survey)
        base = limits_for(uow.settings, tool=parsed.header.tool, run_type=run_rec.run_type)
        try:
            tool_limits = replace(base, **dict(limits or {}))
        except (TypeError, SurveyInputError) as exc:
            raise ServiceError(f"QC limits: {exc}") from None
        well = uow.wells.get(run_rec.well_id) if run_rec.well_id is not None else None
        outcome = assess(
            parsed,
            run_type=run_rec.run_type,
            limits=tool_limits,
            user_reference=reference,
            location=site_location(parsed.header, well),
            by=actor.username,
        )
        uow.surveys.set_qc(survey.id, outcome.document, outcome.stations)
        if outcome.status != survey.status:
            changed = uow.surveys.change_status(
                survey.id,
                expected=survey.status,
                to=outcome.status,
                by_id=actor.id,
                by_name=actor.username,
                note=f"QC run again: {outcome.summary}",
            )
            if not changed:
                uow.rollback()
                raise ServiceError(
                    f"run {run_rec.run_number} revision {survey.revision} changed status "
                    "meanwhile; try again"
                )
        audit_ok(
            uow,
            actor,
            "run survey QC",
            target_type="survey",
            target_id=survey.id,
            detail=f"run {run_rec.run_number} revision {survey.revision}: {outcome.summary}",
        )
        uow.commit()
        fresh = uow.surveys.get(survey.id)
        assert fresh is not None
        return QCView(find_run(uow, run_rec.id), fresh, fresh.qc, uow.surveys.qc_stations(fresh.id))


# ---------------------------------------------------------------------------------- run vs run
@dataclass(frozen=True)
class RunDistance:
    """A fixed position tolerance of run against run: ``fixed + per_md * MD`` [depth unit].

    Not a published limit: the default where the runs' uncertainty is not asked for; the
    tolerance from both runs' combined position uncertainty is
    :func:`surveylab.services.uncertainty.combined_distance`, passed as ``max_distance``
    (``surveylab compare-runs --uncertainty``).

    Attributes
    ----------
    fixed : float
        Distance allowed at any MD [depth unit].
    per_md : float
        Distance allowed per unit of MD [-].
    """

    fixed: float = 1.0
    per_md: float = 0.005

    def __call__(self, a: Stations, b: Stations) -> np.ndarray:
        return self.fixed + self.per_md * np.asarray(a.md, dtype=float)


#: The default run-against-run position tolerance (1 depth unit + 0.5 % of MD).
RUN_DISTANCE = RunDistance()

DistanceRule = float | npt.ArrayLike | Callable[[Stations, Stations], npt.ArrayLike]


@dataclass
class RunComparison:
    """Run against run along MD: ``other - reference``, in the reference revision's unit."""

    run: RunRecord
    survey: SurveyRecord
    other: RunRecord
    other_survey: SurveyRecord
    comparison: SurveyComparison

    def to_dict(self) -> dict[str, Any]:
        """``run``, ``revision``, ``other``, ``other_revision``, ``depth_unit``, the
        comparison's ``status``, ``pass``, ``summary``, counts, worst values, tolerances, and
        ``rows`` (md, d_inc, d_azi, distance, distance_tolerance, within)."""
        doc = _comparison_doc(self.comparison)
        c = self.comparison
        dist_tol = c.distance_tolerance
        rows = [
            {
                "md": float(c.md[i]),
                "d_inc": float(c.d_inc[i]),
                "d_azi": None if math.isnan(c.d_azi[i]) else float(c.d_azi[i]),
                "distance": float(c.distance[i]),
                "distance_tolerance": None if dist_tol is None else float(dist_tol[i]),
                "within": bool(c.within[i]),
            }
            for i in range(c.station_count)
        ]
        return {
            "run": self.run.run_number,
            "revision": self.survey.revision,
            "other": self.other.run_number,
            "other_revision": self.other_survey.revision,
            "depth_unit": str(self.survey.depth_unit),
            "pass": c.passed,
            **doc,
            "rows": rows,
        }


def compare_runs(
    uow: UnitOfWork,
    actor: Actor | None,
    run: str | uuid.UUID,
    other: str | uuid.UUID,
    *,
    revision: int | None = None,
    other_revision: int | None = None,
    step: float | None = None,
    tolerance: GyroTolerance = GYRO_IN_OUT,
    max_distance: DistanceRule | None = RUN_DISTANCE,
) -> RunComparison:
    """Compare two runs' revisions along MD (angles and positions) with pass or fail.

    Parameters
    ----------
    run, other : str or uuid.UUID
        The reference run and the run compared (number or id).
    revision, other_revision : int, optional
        Default each run's current revision.
    step : float, optional
        MD interval of the comparison [reference's depth unit]; default the reference's
        stations in the overlap.
    tolerance : GyroTolerance, optional
        Angle tolerances; default :data:`GYRO_IN_OUT`.
    max_distance : float, array or callable, optional
        3-D position tolerance [reference's depth unit]; default :data:`RUN_DISTANCE`; a
        callable of both runs' stations is the hook for combined uncertainty; None: positions
        not checked.

    Raises
    ------
    ServiceError
        Unknown run or revision, azimuths from different north references, or runs that
        do not overlap in MD.
    """
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        a_run, b_run = find_run(uow, run), find_run(uow, other)
        a, b = find_revision(uow, a_run, revision), find_revision(uow, b_run, other_revision)
        if a.azimuth_reference != b.azimuth_reference:
            raise ServiceError(
                f"run {b_run.run_number} azimuths are from {b.azimuth_reference} north, run "
                f"{a_run.run_number}'s from {a.azimuth_reference} north: convert one first"
            )
        sa_, sb_ = uow.surveys.stations(a.id), uow.surveys.stations(b.id)
    pa = _stations(sa_, a.depth_unit, a.depth_unit)
    pb = _stations(sb_, b.depth_unit, a.depth_unit)
    try:
        cmp = compare_surveys(pa, pb, step=step, tolerance=tolerance, max_distance=max_distance)
    except SurveyInputError as exc:
        raise ServiceError(
            f"run {b_run.run_number} against run {a_run.run_number}: {exc}"
        ) from None
    return RunComparison(a_run, a, b_run, b, cmp)


def _stations(frame: pd.DataFrame, unit: Any, to_unit: Any) -> Stations:
    """Stored stations as :class:`Stations` in ``to_unit``."""

    def length(c: str) -> np.ndarray:
        return np.asarray(convert(frame[c].to_numpy(dtype=float), unit, to_unit), dtype=float)

    return Stations(
        length("md"),
        frame["inc"].to_numpy(dtype=float),
        frame["azi"].to_numpy(dtype=float),
        length("tvd"),
        length("north"),
        length("east"),
    )
