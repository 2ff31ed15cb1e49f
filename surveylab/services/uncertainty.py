"""Position uncertainty of stored surveys and anti-collision between the runs in the database.

The calculations are :mod:`surveylab.calc.uncertainty` (ISCWSA error model, ellipses, the ISCWSA
separation rule); this module finds what they need in the database:

- **the tool code** of a run: given for one call, else set on the run (:func:`set_tool_code`,
  ``runs.tool_code``), else from its run type (:data:`RUN_TYPE_TOOLS`); a run of type Unknown
  without a code is refused, naming the option that gives one;
- **the tool program** of a definitive survey: each interval with its run's code, systematic
  errors restarting at each interval (:class:`surveylab.calc.uncertainty.ToolInterval`);
- **across tie-ons**: a sidetrack (its run, or its definitive survey) starts with its parent's
  definitive covariance at the tie-on MD (linear in MD between the parent's stations, as the
  ISCWSA example calculations interpolate), so it carries the parent's uncertainty from the
  kick-off; without a parent definitive survey the covariances are relative to the tie-on (said
  in the assumptions);
- **the reference field**: each value given, else stated in the file (``ref_btotal_nt``,
  ``ref_dip_deg``, the declination), else the geomagnetic model (IGRF) at the well's place and
  the survey date (:func:`surveylab.services.qc.site_location`); the latitude for gyros from
  the well's place. Every value says where it came from.

Clearance places every run in one frame: azimuths referred to true north (grid + convergence,
magnetic + declination), lengths in the reference's depth unit, each well moved by its surface
location when the wells differ (all in one CRS; the convergence from the CRS when the file does
not state it). An offset that cannot be placed is skipped with the reason, never guessed.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveylab.auth import Permission
from surveylab.calc import SurveyInputError
from surveylab.calc.interpolate import Stations
from surveylab.calc.north import NorthReferenceError, grid_convergence_and_scale, magnetic_field
from surveylab.calc.uncertainty import (
    DEFAULT_SIGMA,
    TOOL_MODELS,
    ClearanceResult,
    PositionUncertainty,
    ReferenceField,
    SeparationRule,
    ToolInterval,
    WellPath,
    clearance,
    position_uncertainty,
    tool_model,
)
from surveylab.models import Actor, DepthUnit, NorthReference, TieOn
from surveylab.models.records import RunRecord, SurveyRecord, WellboreRecord, WellRecord
from surveylab.models.survey import SurveyHeader
from surveylab.repositories import UnitOfWork
from surveylab.services.common import ServiceError, audit_ok, guard
from surveylab.services.definitive import find_definitive
from surveylab.services.qc import site_location
from surveylab.services.runs import find_revision, find_run
from surveylab.services.wellbores import find_wellbore
from surveylab.units import convert

__all__ = [
    "REFERENCE_OPTIONS",
    "RUN_TYPE_TOOLS",
    "ClearanceView",
    "UncertaintyView",
    "canonical_tool_code",
    "definitive_uncertainty",
    "run_clearance",
    "run_uncertainty",
    "set_tool_code",
    "tool_code_for",
]

#: The OWSG tool code each run type gives (surveylab/calc/uncertainty/toolcodes.py): an MWD run
#: the basic MWD model, a Gyro run (wireline, stationary north-seeking) the gyrocompass, a GTL
#: run (gyro on the drill string while tripping) the gyro-while-drilling gyrocompass. Unknown
#: gives none.
RUN_TYPE_TOOLS: dict[str, str] = {"MWD": "MWD", "Gyro": "GYRO-NS", "GTL": "GYRO-MWD"}
#: Reference values a caller may give: total field [nT], dip [deg], declination [deg], latitude
#: [deg].
REFERENCE_OPTIONS = ("btotal_nt", "dip_deg", "declination_deg", "latitude_deg")
#: The option that names a tool code, for messages.
_MODEL_HINT = "give --model CODE or set the run's code with 'surveylab runs set-tool RUN CODE'"


# ---------------------------------------------------------------------------------- tool codes
def canonical_tool_code(code: str) -> str:
    """The known spelling of a tool code (any case); ServiceError listing the codes."""
    try:
        tool_model(code)
    except SurveyInputError as exc:
        raise ServiceError(str(exc)) from None
    key = code.strip().upper()
    return next(name for name in TOOL_MODELS if name.upper() == key)


def tool_code_for(run: RunRecord, model: str | None = None) -> tuple[str, str]:
    """The tool code of a run and where it comes from.

    Parameters
    ----------
    run : RunRecord
    model : str, optional
        A code given for this call (wins over the run's).

    Returns
    -------
    (str, str)
        The code, and ``"given"``, ``"set on the run"`` or ``"run type <T>"``.

    Raises
    ------
    ServiceError
        An unknown code; a run of a type that gives no code (Unknown) without one.
    """
    if model:
        return canonical_tool_code(model), "given"
    if run.tool_code:
        return run.tool_code, "set on the run"
    code = RUN_TYPE_TOOLS.get(run.run_type)
    if code is None:
        raise ServiceError(
            f"run {run.run_number} is of type {run.run_type}: no tool code follows from it; "
            f"{_MODEL_HINT} (codes: {', '.join(sorted(TOOL_MODELS))})"
        )
    return code, f"run type {run.run_type}"


def set_tool_code(
    uow: UnitOfWork, actor: Actor | None, run: str | uuid.UUID, code: str | None
) -> RunRecord:
    """Set (or, with None or ``""``, clear) the OWSG tool code of a run.

    Survey work on the run: its owner (Surveyor, Engineer) or an Admin.

    Raises
    ------
    PermissionDenied
        A Viewer, or a user who does not own the run and is not an Admin.
    ServiceError
        An unknown code (the message lists the known ones).
    """
    with uow:
        rec = find_run(uow, run)
        guard(
            uow,
            actor,
            Permission.SURVEY_WRITE,
            owner_id=rec.user_id,
            action="set tool codes",
            target=f"of run {rec.run_number}",
            target_type="run",
            target_id=rec.id,
        )
        value = canonical_tool_code(code) if code and code.strip() else None
        uow.runs.update(rec.id, tool_code=value)
        audit_ok(
            uow,
            actor,
            "set tool code",
            target_type="run",
            target_id=rec.id,
            detail=f"run {rec.run_number}: {value or 'from the run type'}",
        )
        uow.commit()
        updated = uow.runs.get(rec.id)
        assert updated is not None
        return updated


# ---------------------------------------------------------------------------------- reference
def _reference(
    header: SurveyHeader,
    well: WellRecord | None,
    *,
    magnetic: bool,
    gyro: bool,
    north: NorthReference,
    given: Mapping[str, float | None] | None,
) -> tuple[ReferenceField, dict[str, str]]:
    """The reference field of the model and where each value came from."""
    given = dict(given or {})
    unknown = set(given) - set(REFERENCE_OPTIONS)
    if unknown:
        raise ServiceError(
            f"unknown reference value(s) {', '.join(sorted(unknown))} "
            f"({', '.join(REFERENCE_OPTIONS)})"
        )
    names = {"total_field": "btotal_nt", "dip": "dip_deg", "declination": "declination_deg",
             "latitude": "latitude_deg"}  # fmt: skip
    values: dict[str, float | None] = {}
    sources: dict[str, str] = {}
    for key, option in names.items():
        v = given.get(option)
        if v is not None:
            if not math.isfinite(float(v)):
                raise ServiceError(f"reference {option} must be a number, got {v!r}")
            values[key], sources[key] = float(v), "given"
    stated = {
        "total_field": header.ref_btotal_nt,
        "dip": header.ref_dip_deg,
        "declination": header.declination,
    }
    for key, v in stated.items():
        if key not in values and v is not None:
            values[key] = float(v)
            sources[key] = (
                header.declination_source or "the file" if key == "declination" else "the file"
            )
    need = set()
    if magnetic:
        need |= {"total_field", "dip", "declination"}
    if gyro:
        need.add("latitude")
    if north is NorthReference.MAGNETIC:
        need.add("declination")
    place = site_location(header, well)
    if "latitude" in need and "latitude" not in values and place is not None:
        values["latitude"], sources["latitude"] = place.latitude, place.source
    missing = sorted(k for k in need if k not in values)
    if missing and missing != ["latitude"]:
        why = None
        if place is None:
            why = "the well's place is unknown (no location in the file, no surface location of "
            why += "the well with a CRS)"
        elif not header.survey_date:
            why = "the file states no survey date"
        if why is None and place is not None:
            try:
                mf = magnetic_field(place.latitude, place.longitude, header.survey_date or "")
            except (NorthReferenceError, ValueError) as exc:
                why = f"the geomagnetic model cannot be used: {exc}"
            else:
                model = {"total_field": mf.total_field, "dip": mf.dip,
                         "declination": mf.declination}  # fmt: skip
                where = f"{mf.model} at {place.source} on {mf.date.isoformat()}"
                for k in [m for m in missing if m in model]:
                    values[k], sources[k] = float(model[k]), where
        if why is not None:
            options = ", ".join(f"--{names[k].replace('_', '-')}" for k in missing)
            raise ServiceError(
                f"no {', '.join(missing)} for the error model: {why}; give {options}"
            )
    if "latitude" in need and "latitude" not in values:
        raise ServiceError(
            "a gyro tool needs the latitude: the well's place is unknown; give --latitude-deg"
        )
    return (
        ReferenceField(
            total_field=values.get("total_field"),
            dip=values.get("dip"),
            declination=values.get("declination"),
            latitude=values.get("latitude"),
            source="; ".join(f"{k}: {v}" for k, v in sources.items()) or "none needed",
        ),
        sources,
    )


def station_documents(
    unc: PositionUncertainty, rows: Sequence[int] | np.ndarray, sigma: float
) -> list[dict[str, float]]:
    """One document per station ``rows`` of a position uncertainty (the ``stations`` of
    ``surveylab uncertainty --json``): ``md`` [depth unit]; ``nn``, ``ee``, ``vv``, ``ne``,
    ``nv``, ``ev`` [depth unit^2, 1 sigma, north-east-vertical]; ``semi_major``,
    ``semi_minor``, ``vertical`` [depth unit, at ``sigma``]; ``azimuth`` [deg] of the major
    axis, from the north the uncertainty states."""
    ell = unc.ellipses(sigma)
    out = []
    for k in rows:
        c = unc.covariance[k]
        out.append(
            {
                "md": float(unc.md[k]),
                "nn": float(c[0, 0]),
                "ee": float(c[1, 1]),
                "vv": float(c[2, 2]),
                "ne": float(c[0, 1]),
                "nv": float(c[0, 2]),
                "ev": float(c[1, 2]),
                "semi_major": float(ell.semi_major[k]),
                "semi_minor": float(ell.semi_minor[k]),
                "azimuth": float(ell.orientation[k]),
                "vertical": float(ell.vertical[k]),
            }
        )
    return out


# ---------------------------------------------------------------------------------- views
@dataclass
class UncertaintyView:
    """The position uncertainty of a run's revision or of a wellbore's definitive survey.

    Attributes
    ----------
    name : str
        What it is of (run number, or ``WELL/WELLBORE definitive vN``).
    uncertainty : PositionUncertainty
        1-sigma covariances [depth unit^2] of every station below (the tie-on included).
    stations : pandas.DataFrame
        md, inc, azi, tvd, north, east [depth unit, deg] of the same stations.
    rows : numpy.ndarray
        Which of them are the stored stations (the tie-on added above them is not).
    tools : dict
        Each interval's code and where it came from: ``{"md_from", "md_to", "code", "source"}``.
    sources : dict
        Where each reference value came from.
    assumptions : list of str
    well : WellRecord or None
    survey : SurveyRecord or None
        The revision (None for a definitive survey).
    grid_convergence : float or None
        [deg], for grid azimuths.
    header : SurveyHeader
        The header the reference values and the place came from.
    """

    name: str
    uncertainty: PositionUncertainty
    stations: pd.DataFrame
    rows: np.ndarray
    tools: list[dict[str, Any]]
    sources: dict[str, str]
    assumptions: list[str]
    well: WellRecord | None
    survey: SurveyRecord | None
    grid_convergence: float | None
    header: SurveyHeader
    run: RunRecord | None = None

    @property
    def depth_unit(self) -> DepthUnit:
        return self.uncertainty.depth_unit

    @property
    def north_reference(self) -> NorthReference:
        return self.uncertainty.north_reference

    def to_dict(self, sigma: float = DEFAULT_SIGMA) -> dict[str, Any]:
        """The ``surveylab uncertainty RUN --json`` document: ``run``, ``survey_revision``,
        ``model``, ``revision`` (of the error model), ``sigma``, ``covariance_sigma`` (1),
        ``depth_unit``, ``north_reference``, ``plane``, ``tools``, ``reference``,
        ``assumptions`` and ``stations`` (``md``, ``nn``, ``ee``, ``vv``, ``ne``, ``nv``,
        ``ev`` [depth unit^2, 1 sigma], ``semi_major``, ``semi_minor``, ``vertical`` [depth
        unit, at ``sigma``], ``azimuth`` [deg] of the major axis)."""
        unc = self.uncertainty
        ell = unc.ellipses(sigma)
        stations = station_documents(unc, self.rows, sigma)
        reference = unc.reference.to_dict()
        reference["sources"] = dict(self.sources)
        return {
            "run": self.name,
            "survey_revision": None if self.survey is None else self.survey.revision,
            "model": unc.model,
            "revision": unc.revision,
            "sigma": float(sigma),
            "covariance_sigma": unc.sigma,
            "depth_unit": unc.depth_unit.value,
            "north_reference": unc.north_reference.value,
            "plane": ell.label(),
            "tools": self.tools,
            "reference": reference,
            "assumptions": list(self.assumptions),
            "stations": stations,
        }

    def well_path(self, radius: float = 0.0) -> WellPath:
        """The stations with their covariances for :func:`surveylab.calc.uncertainty.clearance`
        (its own frame and unit; ``radius`` [depth unit])."""
        st = self.stations
        return WellPath(
            self.name,
            st["md"].to_numpy(),
            st["inc"].to_numpy(),
            st["azi"].to_numpy(),
            st["tvd"].to_numpy(),
            st["north"].to_numpy(),
            st["east"].to_numpy(),
            self.uncertainty.covariance,
            radius,
        )


_COLUMNS = ("md", "inc", "azi", "tvd", "north", "east")


def _with_tie_on(
    frame: pd.DataFrame, tie: TieOn | None, assumptions: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The used stations, with the tie-on above them when it is a separate point."""
    if "used" in frame.columns:
        frame = frame[frame["used"].fillna(True).astype(bool)]
    st = frame[list(_COLUMNS)].reset_index(drop=True).astype(float)
    if st.empty:
        raise ServiceError("the survey has no stations")
    if tie is None or tie.assumed:
        tie = TieOn()
        if st["md"].iloc[0] > 0:
            assumptions.append(
                "vertical hole from MD 0 (TVD 0, N 0, E 0) down to the first station: the "
                "survey states no tie-on"
            )
    rows = np.arange(len(st))
    if tie.md < st["md"].iloc[0]:
        top = pd.DataFrame([[tie.md, tie.inc, tie.azi, tie.tvd, tie.north, tie.east]],
                           columns=list(_COLUMNS))  # fmt: skip
        st = pd.concat([top, st], ignore_index=True)
        rows = rows + 1
    return st, rows


def _covariance_at(parent: UncertaintyView, md: float, unit: DepthUnit) -> np.ndarray | None:
    """The parent's covariance at ``md`` [``unit``] in ``unit`` squared (linear in MD between
    its stations); None outside its MD range."""
    p_md = np.asarray(convert(parent.uncertainty.md, parent.depth_unit, unit), dtype=float)
    if not p_md[0] - 1e-6 <= md <= p_md[-1] + 1e-6:
        return None
    cov = parent.uncertainty.covariance.reshape(-1, 9)
    at = np.array([np.interp(md, p_md, cov[:, j]) for j in range(9)]).reshape(3, 3)
    factor = float(convert(1.0, parent.depth_unit, unit))
    return at * factor * factor


def _compute(
    name: str,
    st: pd.DataFrame,
    *,
    unit: DepthUnit,
    north: NorthReference,
    tool: str | Sequence[ToolInterval],
    header: SurveyHeader,
    well: WellRecord | None,
    reference: Mapping[str, float | None] | None,
    tie_cov: np.ndarray | None,
) -> tuple[PositionUncertainty, dict[str, str]]:
    codes = [tool] if isinstance(tool, str) else [iv.code for iv in tool]
    models = [tool_model(c) for c in codes]
    field_, sources = _reference(
        header,
        well,
        magnetic=any(m.magnetic for m in models),
        gyro=any(not m.magnetic for m in models),
        north=north,
        given=reference,
    )
    try:
        unc = position_uncertainty(
            st["md"].to_numpy(),
            st["inc"].to_numpy(),
            st["azi"].to_numpy(),
            depth_unit=unit,
            north_reference=north,
            field=field_,
            tool=tool,
            grid_convergence=header.grid_convergence,
            tvd=st["tvd"].to_numpy(),
            tie_on_covariance=tie_cov,
        )
    except SurveyInputError as exc:
        raise ServiceError(f"{name}: {exc}") from None
    return unc, sources


def _run_view(
    uow: UnitOfWork,
    run: RunRecord,
    survey: SurveyRecord,
    *,
    model: str | None,
    reference: Mapping[str, float | None] | None,
) -> UncertaintyView:
    code, source = tool_code_for(run, model)
    well = uow.wells.get(run.well_id) if run.well_id is not None else None
    header = survey.header
    assumptions: list[str] = []
    st, rows = _with_tie_on(uow.surveys.stations(survey.id), header.tie_on, assumptions)
    unit = DepthUnit(survey.depth_unit)
    first_md = float(st["md"].iloc[0])
    tie_cov = None
    if first_md > 0:
        tie_cov, note = _parent_covariance(uow, run.wellbore_id, first_md, unit, reference)
        assumptions.append(note)
    north = NorthReference(survey.azimuth_reference)
    unc, sources = _compute(
        f"run {run.run_number} revision {survey.revision}", st, unit=unit, north=north,
        tool=code, header=header, well=well, reference=reference, tie_cov=tie_cov,
    )  # fmt: skip
    tools = [{"md_from": first_md, "md_to": float(st["md"].iloc[-1]), "code": code,
              "source": source}]  # fmt: skip
    return UncertaintyView(
        name=run.run_number,
        uncertainty=unc,
        stations=st,
        rows=rows,
        tools=tools,
        sources=sources,
        assumptions=assumptions + list(unc.assumptions),
        well=well,
        survey=survey,
        grid_convergence=header.grid_convergence,
        header=header,
        run=run,
    )


def _parent_covariance(
    uow: UnitOfWork,
    wellbore_id: uuid.UUID | None,
    md: float,
    unit: DepthUnit,
    reference: Mapping[str, float | None] | None,
) -> tuple[np.ndarray | None, str]:
    """The covariance a survey starting at ``md`` below the surface carries in: its parent
    wellbore's definitive covariance there, when the wellbore is a sidetrack whose parent has
    a definitive survey reaching ``md``; else None (relative to the tie-on). With a note."""
    bore = uow.wellbores.get(wellbore_id) if wellbore_id is not None else None
    relative = (
        f"the covariances are relative to the tie-on at MD {md:g} {unit.value} (no parent "
        "definitive survey to carry in)"
    )
    if bore is None or bore.parent_id is None:
        return None, relative
    parent = uow.wellbores.get(bore.parent_id)
    if parent is None or parent.definitive_id is None:
        return None, relative
    pview = _definitive_view(uow, parent, None, model=None, reference=reference)
    cov = _covariance_at(pview, md, unit)
    if cov is None:
        return None, relative
    return cov, (
        f"the parent wellbore {parent.name}'s definitive covariance at the tie-on MD {md:g} "
        f"{unit.value} is carried in ({pview.uncertainty.model})"
    )


def _definitive_view(
    uow: UnitOfWork,
    bore: WellboreRecord,
    version: int | None,
    *,
    model: str | None,
    reference: Mapping[str, float | None] | None,
) -> UncertaintyView:
    where = f"{bore.well_name}/{bore.name}"
    rec = find_definitive(uow, bore, version)
    unit = DepthUnit(rec.depth_unit)
    intervals: list[ToolInterval] = []
    tools: list[dict[str, Any]] = []
    header: SurveyHeader | None = None
    for iv in rec.intervals:
        run = uow.runs.get(iv.run_id) if iv.run_id is not None else None
        if run is None:
            raise ServiceError(f"{where}: the run {iv.run_number} of its tool program is gone")
        code, source = tool_code_for(run, model)
        intervals.append(ToolInterval(iv.md_from, iv.md_to, code))
        tools.append({"md_from": iv.md_from, "md_to": iv.md_to, "code": code,
                      "source": f"run {run.run_number}: {source}"})  # fmt: skip
        survey = uow.surveys.get(iv.survey_id) if iv.survey_id is not None else None
        if header is None and survey is not None:
            header = survey.header
    header = header or SurveyHeader()
    assumptions = []
    if len(intervals) > 1:
        assumptions.append("the reference field is that of the first interval's survey")
    st = uow.definitive.stations(rec.id)[list(_COLUMNS)].astype(float).reset_index(drop=True)
    first_md = float(st["md"].iloc[0])
    tie_cov = None
    if first_md > 0:
        tie_cov, note = _parent_covariance(uow, bore.id, first_md, unit, reference)
        assumptions.append(note)
    well = uow.wells.get(bore.well_id)
    name = f"{where} definitive v{rec.version}"
    unc, sources = _compute(
        name, st, unit=unit, north=NorthReference(rec.azimuth_reference), tool=intervals,
        header=header, well=well, reference=reference, tie_cov=tie_cov,
    )  # fmt: skip
    return UncertaintyView(
        name=name,
        uncertainty=unc,
        stations=st,
        rows=np.arange(len(st)),
        tools=tools,
        sources=sources,
        assumptions=assumptions + list(unc.assumptions),
        well=well,
        survey=None,
        grid_convergence=header.grid_convergence,
        header=header,
    )


def run_uncertainty(
    uow: UnitOfWork,
    actor: Actor | None,
    run: str | uuid.UUID,
    revision: int | None = None,
    *,
    model: str | None = None,
    reference: Mapping[str, float | None] | None = None,
) -> UncertaintyView:
    """The position uncertainty of a run's revision (default its current one); any reader.

    Parameters
    ----------
    run : str or uuid.UUID
        Run number or id.
    revision : int, optional
        Survey revision; default the run's current one.
    model : str, optional
        OWSG tool code for this call (default: the run's, see :func:`tool_code_for`).
    reference : mapping, optional
        Reference values given (:data:`REFERENCE_OPTIONS`); the others from the file or IGRF.

    Raises
    ------
    ServiceError
        Unknown run or revision; no tool code; a reference value that cannot be had (naming
        the option that gives it); stations the model refuses (naming the station).
    """
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        rec = find_run(uow, run)
        survey = find_revision(uow, rec, revision)
        return _run_view(uow, rec, survey, model=model, reference=reference)


#: Sigma multiple of the run-against-run position tolerance from both runs' uncertainty.
COMBINED_SIGMA = 2.0


def _covariances_at(view: UncertaintyView, md: np.ndarray, unit: DepthUnit) -> np.ndarray:
    """``view``'s covariances at each ``md`` [``unit``], in ``unit`` squared: linear in MD
    between its stations, the end values beyond them; shape (n, 3, 3)."""
    at = np.asarray(convert(view.uncertainty.md, view.depth_unit, unit), dtype=float)
    cov = view.uncertainty.covariance.reshape(-1, 9)
    out = np.stack([np.interp(md, at, cov[:, j]) for j in range(9)], axis=1)
    factor = float(convert(1.0, view.depth_unit, unit))
    return out.reshape(-1, 3, 3) * factor * factor


def combined_distance(
    uow: UnitOfWork,
    actor: Actor | None,
    run: str | uuid.UUID,
    other: str | uuid.UUID,
    revision: int | None = None,
    other_revision: int | None = None,
    *,
    sigma: float = COMBINED_SIGMA,
) -> Callable[[Stations, Stations], np.ndarray]:
    """The run-against-run position tolerance from both runs' position uncertainty: at each
    compared MD, ``sigma`` times the square root of the largest eigenvalue of the sum of the
    two runs' covariances (the runs' errors taken as independent: the largest 1-sigma
    semi-axis of their combined ellipsoid; ISCWSA error model, Williamson, SPE 67616), for
    :func:`surveylab.services.qc.compare_runs` (``max_distance``). Any reader.

    Parameters
    ----------
    run, other : str or uuid.UUID
        The reference run and the run compared.
    revision, other_revision : int, optional
        Default each run's current revision.
    sigma : float, optional
        Sigma multiple [-], default :data:`COMBINED_SIGMA`.

    Returns
    -------
    callable
        ``(reference stations, other stations) -> tolerance`` [reference's depth unit], one
        per compared MD.

    Raises
    ------
    ServiceError
        Either run's uncertainty cannot be computed (no tool code, no reference field: the
        message names the run and the option).
    """
    if not (math.isfinite(sigma) and sigma > 0):
        raise ServiceError(f"sigma must be a positive number, got {sigma!r}")
    views = []
    for ref, rev in ((run, revision), (other, other_revision)):
        try:
            views.append(run_uncertainty(uow, actor, ref, rev))
        except ServiceError as exc:
            raise ServiceError(f"run {ref}: {exc}") from None
    a, b = views
    unit = a.depth_unit

    def tolerance(x: Stations, _y: Stations) -> np.ndarray:
        md = np.asarray(x.md, dtype=float)
        total = _covariances_at(a, md, unit) + _covariances_at(b, md, unit)
        largest = np.linalg.eigvalsh(total)[:, -1]
        return float(sigma) * np.sqrt(np.clip(largest, 0.0, None))

    return tolerance


def definitive_uncertainty(
    uow: UnitOfWork,
    actor: Actor | None,
    well: str | uuid.UUID,
    wellbore: str | None = None,
    *,
    version: int | None = None,
    model: str | None = None,
    reference: Mapping[str, float | None] | None = None,
) -> UncertaintyView:
    """The position uncertainty of a wellbore's definitive survey (default the current
    version): each interval of its tool program with its run's tool code, a sidetrack with
    its parent's covariance at the kick-off; any reader."""
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        bore = find_wellbore(uow, well, wellbore)
        return _definitive_view(uow, bore, version, model=model, reference=reference)


# ---------------------------------------------------------------------------------- clearance
@dataclass
class ClearanceView:
    """A run's clearance against offset runs by the ISCWSA separation rule.

    ``result`` holds, for each offset computed, the per-station values (ladder plot, travelling
    cylinder); ``skipped`` the offsets that could not be placed in the reference's frame, each
    with the reason.
    """

    reference: UncertaintyView
    result: ClearanceResult
    offsets: list[UncertaintyView]
    skipped: list[dict[str, str]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    def curves(self) -> list[tuple[str, pd.DataFrame]]:
        """Each computed offset's name and its values at the reference's stored stations (the
        ladder plot and the travelling cylinder): ``md`` (reference MD), ``sf``, ``ctc``
        (centre-to-centre distance), ``offset_md``, ``normal_distance`` [depth unit] and
        ``highside_angle`` [deg, clockwise from the reference's high side, from north where
        it is vertical]."""
        rows = self.reference.rows
        return [
            (
                view.name,
                pd.DataFrame(
                    {
                        "md": o.reference_md[rows],
                        "sf": o.separation_factor[rows],
                        "ctc": o.distance[rows],
                        "offset_md": o.offset_md[rows],
                        "highside_angle": o.highside_angle[rows],
                        "normal_distance": o.normal_distance[rows],
                    }
                ),
            )
            for view, o in zip(self.offsets, self.result.offsets, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The ``surveylab clearance RUN --json`` document: ``reference``, ``model``,
        ``revision``, ``depth_unit``, ``north_reference``, ``rule``, ``assumptions``,
        ``offsets`` (``offset``, ``model``, ``min_sf``, ``md_at_min``, ``ctc_at_min`` [depth
        unit]) and ``skipped`` (``offset``, ``reason``)."""
        ref = self.reference
        rows = ref.rows
        out = []
        for view, o in zip(self.offsets, self.result.offsets, strict=True):
            sf = o.separation_factor[rows]
            i = int(np.argmin(sf))
            out.append(
                {
                    "offset": view.name,
                    "model": view.uncertainty.model,
                    "min_sf": float(sf[i]),
                    "md_at_min": float(o.reference_md[rows][i]),
                    "ctc_at_min": float(o.distance[rows][i]),
                }
            )
        return {
            "reference": ref.name,
            "model": ref.uncertainty.model,
            "revision": ref.uncertainty.revision,
            "depth_unit": self.result.depth_unit.value,
            "north_reference": "true",
            "rule": self.result.rule.description,
            "assumptions": list(self.assumptions),
            "offsets": out,
            "skipped": list(self.skipped),
        }


@dataclass(frozen=True)
class _Place:
    """Where a well's surface is: a point in a CRS, and its grid convergence [deg]."""

    crs: str
    x: float
    y: float
    convergence: float | None


def _place(view: UncertaintyView) -> _Place | None:
    h, w = view.header, view.well
    for crs, x, y in ((h.crs, h.surface_x, h.surface_y),
                      (w.crs if w else None, w.surface_x if w else None,
                       w.surface_y if w else None)):  # fmt: skip
        if crs and x is not None and y is not None:
            try:
                conv: float | None = grid_convergence_and_scale(crs, float(x), float(y)).convergence
            except NorthReferenceError:
                conv = None
            return _Place(str(crs), float(x), float(y), conv)
    return None


def _to_true(view: UncertaintyView) -> float:
    """Degrees to add to the view's azimuths to refer them to true north."""
    ref = view.north_reference
    if ref is NorthReference.TRUE:
        return 0.0
    if ref is NorthReference.MAGNETIC:
        dec = view.uncertainty.reference.declination
        if dec is None:
            raise ServiceError(f"{view.name}: magnetic azimuths without a declination")
        return float(dec)
    conv = view.grid_convergence
    if conv is None:
        place = _place(view)
        conv = place.convergence if place is not None else None
    if conv is None:
        raise ServiceError(
            f"{view.name}: grid azimuths without a grid convergence (none stated, no surface "
            "location in a projected CRS)"
        )
    return float(conv)


def _placed(
    view: UncertaintyView, ref: UncertaintyView, ref_place: _Place | None, radius_m: float
) -> WellPath:
    """The view's well path in the reference's frame: true north, its depth unit, its origin."""
    unit = ref.depth_unit
    scale = float(convert(1.0, view.depth_unit, unit))
    north = east = 0.0
    same_well = view.well is not None and ref.well is not None and view.well.id == ref.well.id
    if not same_well:
        place = _place(view)
        if ref_place is None or place is None:
            raise ServiceError(
                "no surface location in a CRS for "
                + ("the reference well" if ref_place is None else f"well of {view.name}")
                + ": wells cannot be placed side by side"
            )
        if place.crs != ref_place.crs:
            raise ServiceError(
                f"surface location in {place.crs}, the reference's in {ref_place.crs}"
            )
        import pyproj  # heavy: imported where used

        metres = pyproj.CRS.from_user_input(place.crs).axis_info[0].unit_conversion_factor
        dn, de = (place.y - ref_place.y) * metres, (place.x - ref_place.x) * metres
        if pyproj.CRS.from_user_input(place.crs).is_projected:
            conv = ref_place.convergence or 0.0  # grid axes turned to true ones
            a = math.radians(conv)
            dn, de = dn * math.cos(a) - de * math.sin(a), dn * math.sin(a) + de * math.cos(a)
        else:
            raise ServiceError(f"surface location in geographic CRS {place.crs}: not a grid")
        north = float(convert(dn, DepthUnit.M, unit))
        east = float(convert(de, DepthUnit.M, unit))
    radius = float(convert(radius_m, DepthUnit.M, view.depth_unit))
    return view.well_path(radius).moved(turn=_to_true(view), north=north, east=east, scale=scale)


def run_clearance(
    uow: UnitOfWork,
    actor: Actor | None,
    run: str | uuid.UUID,
    *,
    offsets: Sequence[str | uuid.UUID] | None = None,
    scope: str | None = None,
    revision: int | None = None,
    model: str | None = None,
    reference: Mapping[str, float | None] | None = None,
    rule: SeparationRule | None = None,
    reference_radius_m: float = 0.0,
    offset_radius_m: float = 0.0,
) -> ClearanceView:
    """Separation factors of a run (its revision) against offset runs by the ISCWSA rule.

    Parameters
    ----------
    run : str or uuid.UUID
        The reference run (number or id).
    offsets : sequence, optional
        The offset runs (numbers or ids), each with its current revision.
    scope : {"well", "all"}, optional
        Instead of ``offsets``: every other run of the reference's well that has a survey, or
        every other run in the database that has a survey.
    revision, model, reference
        Of the reference run (see :func:`run_uncertainty`); each offset uses its own tool code.
    rule : SeparationRule, optional
        k, sigma_pa [m], surface margin [m]; default the ISCWSA common values.
    reference_radius_m, offset_radius_m : float
        Hole or casing radii [m].

    Raises
    ------
    ServiceError
        Neither or both of ``offsets`` and ``scope``; an unknown run; the reference cannot be
        computed or has no place when offsets on other wells are asked for by name.
    """
    if (offsets is None) == (scope is None):
        raise ServiceError("give the offset runs, or all the runs of the well, or all runs")
    if scope is not None and scope not in ("well", "all"):
        raise ServiceError(f"scope must be 'well' or 'all', got {scope!r}")
    for name, v in (("reference radius", reference_radius_m), ("offset radius", offset_radius_m)):
        if not (math.isfinite(v) and v >= 0.0):
            raise ServiceError(f"{name} must be a number >= 0 [m], got {v}")
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        rec = find_run(uow, run)
        ref = _run_view(uow, rec, find_revision(uow, rec, revision), model=model,
                        reference=reference)  # fmt: skip
        if offsets is not None:
            others = [find_run(uow, o) for o in offsets]
            named = True
        else:
            well_id = rec.well_id if scope == "well" else None
            if scope == "well" and well_id is None:
                raise ServiceError(f"run {rec.run_number} is on no well")
            others = [
                r for r in uow.runs.list(well_id=well_id)
                if r.id != rec.id and r.current_survey_id is not None
            ]  # fmt: skip
            named = False
        ref_place = _place(ref)
        ref_path = _placed(ref, ref, ref_place, reference_radius_m)
        views, paths, skipped = [], [], []
        for other in others:
            try:
                view = _run_view(uow, other, find_revision(uow, other, None), model=None,
                                 reference=None)  # fmt: skip
                paths.append(_placed(view, ref, ref_place, offset_radius_m))
            except ServiceError as exc:
                if named:
                    raise ServiceError(f"offset run {other.run_number}: {exc}") from None
                skipped.append({"offset": other.run_number, "reason": str(exc)})
                continue
            views.append(view)
    try:
        result = clearance(ref_path, paths, depth_unit=ref.depth_unit, rule=rule)
    except SurveyInputError as exc:
        raise ServiceError(str(exc)) from None
    notes = list(ref.assumptions)
    if any(v.well is None or ref.well is None or v.well.id != ref.well.id for v in views):
        notes.append("wells placed by their surface locations (grid turned to true north)")
    return ClearanceView(ref, result, views, skipped, notes)
