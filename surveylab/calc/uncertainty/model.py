"""Position uncertainty of survey stations by the ISCWSA error model (Rev 5.11 propagation).

The propagation is that of Williamson (SPE 67616, 2000) as the ISCWSA Rev 5 model and its
example workbooks define it:

- every error source i has, at each station k, a weight vector w = (dD, dI, sin I dA) per unit
  of the error (see :mod:`surveylab.calc.uncertainty.toolcodes`) and a magnitude sigma_i;
- the survey leg into station k and the leg out of it are balanced-tangential functions of the
  station's D, I, A. The effect of the error at station k on the position of a *later* station
  is e_k = sigma_i (dr_k/dp_k + dr_k+1/dp_k) w_k (both legs); on station k itself it is
  e*_k = sigma_i (dr_k/dp_k) w_k (the leg into it only);
- random sources: cov_K = sum_{k<K} e_k e_k^T + e*_K e*_K^T;
- systematic sources (one value per survey run, i.e. per tool interval): within the run of K,
  E_K = sum_{k in run, k<K} e_k + e*_K and cov_K = E_K E_K^T, plus F F^T for every earlier run,
  F the sum of that run's e_k;
- global (and OWSG "well") sources: as systematic over the whole survey, all runs together;
- Rev 5 surface tie-on: when the survey starts at the surface (MD 0) the first station's
  attitude error also applies to the course above it (the slot's own attitude is not known
  better than a downhole survey), i.e. the inclination and azimuth weights of the leg into the
  first downhole station are doubled (not for the ISCWSA MWD Rev4 code, which predates it);
  a depth error at the surface station moves it along the
  hole (the random depth-reference error has its full variance there);
- the course-length terms XCLA and XCLH (Codling, SPE 187249) are position errors of each
  course, random, added station by station;
- a survey that starts at a tie-on (a sidetrack at its kick-off): the tie-on station's
  position error is the parent's (``tie_on_covariance``, added to every station); its
  attitude was measured in the parent hole too, and its error over the half course below it
  is added uncorrelated with the survey's own errors (ISCWSA, Current Common Practice in
  Collision Avoidance Calculations, 2017, section 2.8), evaluated with the survey's first
  tool.

Everything runs as arrays over the stations (cumulative sums for the running sums; the only
Python loops are over error sources and tool intervals). Inside, lengths are metres and the
horizontal frame is true north; the result is returned in the caller's depth unit (covariances
in that unit squared) and north reference.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from surveylab.calc.errors import SurveyInputError, station_label
from surveylab.calc.gate import validate_stations
from surveylab.calc.mincurve import minimum_curvature
from surveylab.calc.uncertainty.ellipse import (
    DEFAULT_SIGMA,
    Ellipses,
    horizontal_ellipses,
    section_ellipses,
)
from surveylab.calc.uncertainty.toolcodes import (
    COURSE_TERMS,
    DEFAULT_MODEL,
    Geometry,
    Propagation,
    ToolModel,
    tool_model,
)
from surveylab.models import DepthUnit, NorthReference, TieOn
from surveylab.units import parse_depth_unit, to_metres

__all__ = [
    "EARTH_RATE",
    "GRAVITY",
    "REVISION",
    "VERTICAL_INC_LIMIT",
    "PositionUncertainty",
    "ReferenceField",
    "ToolInterval",
    "position_uncertainty",
]

#: The ISCWSA error-model revision this module implements.
REVISION = "ISCWSA Rev5.11"
#: Standard gravity [m/s2] (the ISCWSA workbooks' G).
GRAVITY = 9.80665
#: Earth rotation rate [deg/h] (the ISCWSA workbooks' 0.26251614 rad/h).
EARTH_RATE = math.degrees(0.26251614)
#: Stations with a smaller inclination are vertical [deg] (the ISCWSA workbooks' limit).
VERTICAL_INC_LIMIT = 1e-4

# 6-component symmetric storage: nn, ee, vv, ne, nv, ev
_I6 = np.array([0, 1, 2, 0, 0, 1])
_J6 = np.array([0, 1, 2, 1, 2, 2])
_FULL = np.array([[0, 3, 4], [3, 1, 5], [4, 5, 2]])


@dataclass(frozen=True, slots=True)
class ReferenceField:
    """The reference values the error model needs, with where they came from.

    Attributes
    ----------
    total_field : float or None
        Total magnetic field [nT] (magnetic tools).
    dip : float or None
        Magnetic dip [deg], positive down (magnetic tools).
    declination : float or None
        Magnetic declination [deg], positive east (magnetic tools, and any survey whose
        azimuths are magnetic).
    latitude : float or None
        Geodetic latitude [deg] (gyro tools: the horizontal earth rate is W cos(latitude)).
    gravity : float
        Gravity [m/s2].
    earth_rate : float
        Earth rotation rate [deg/h].
    source : str
        Where the values came from (e.g. "given", "file header", "IGRF-14 at ...").
    """

    total_field: float | None = None
    dip: float | None = None
    declination: float | None = None
    latitude: float | None = None
    gravity: float = GRAVITY
    earth_rate: float = EARTH_RATE
    source: str = "given"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict with the units in the keys."""
        return {
            "btotal_nt": self.total_field,
            "dip_deg": self.dip,
            "declination_deg": self.declination,
            "latitude_deg": self.latitude,
            "gravity_m_s2": self.gravity,
            "earth_rate_deg_h": self.earth_rate,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class ToolInterval:
    """One run of a tool program: the stations with MD in [md_from, md_to] use ``code``.

    A station on the boundary between two intervals belongs to the shallower one (the run that
    surveyed down to it; the deeper run ties on there). Lengths in the survey's depth unit.
    """

    md_from: float
    md_to: float
    code: str


@dataclass(frozen=True, eq=False)
class PositionUncertainty:
    """Per-station position covariance by error source and in total (1 sigma).

    Covariances are (n, 3, 3) arrays in the N, E, V frame (V = TVD, positive down; N and E
    toward the survey's north reference) in the survey's depth unit squared.

    Attributes
    ----------
    model : str
        Error model revision and tool code(s), e.g.
        ``"ISCWSA MWD Rev5.11, OWSG MWD+SRGM (A001Mc, set A Rev 5.1)"``.
    revision : str
        The ISCWSA revision implemented (:data:`REVISION`).
    sigma : float
        The sigma level of the covariances: always 1.0 (1-sigma).
    depth_unit : DepthUnit
    north_reference : NorthReference
        The north the N and E axes point to (that of the input azimuths).
    md : numpy.ndarray
        Measured depths [depth unit].
    covariance : numpy.ndarray
        Total covariance, (n, 3, 3) [depth unit^2], tie-on covariance included.
    sources : Mapping of str to numpy.ndarray
        Covariance of each error source, (n, 3, 3) [depth unit^2] (empty when not asked for).
    propagation : dict of str to str
        Propagation mode of each source (random, systematic, global, well).
    tools : numpy.ndarray
        Tool code of each station (str).
    tie_on_covariance : numpy.ndarray
        The covariance carried in at the first station, (3, 3) [depth unit^2].
    reference : ReferenceField
        The reference field used.
    assumptions : list of str
        What was assumed (e.g. how the TVD was obtained).
    """

    model: str
    revision: str
    sigma: float
    depth_unit: DepthUnit
    north_reference: NorthReference
    md: np.ndarray
    covariance: np.ndarray
    sources: Mapping[str, np.ndarray]
    propagation: dict[str, str]
    tools: np.ndarray
    tie_on_covariance: np.ndarray
    reference: ReferenceField
    assumptions: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.md.size)

    def ellipses(self, sigma: float = DEFAULT_SIGMA) -> Ellipses:
        """Horizontal ellipses and vertical half-heights at ``sigma`` [depth unit]."""
        return horizontal_ellipses(
            self.covariance,
            sigma=sigma,
            north_reference=str(self.north_reference),
            depth_unit=str(self.depth_unit),
        )

    def section_ellipses(self, vs_azimuth: float, sigma: float = DEFAULT_SIGMA) -> Ellipses:
        """Ellipses in the vertical-section plane at ``vs_azimuth`` [deg], at ``sigma``."""
        return section_ellipses(
            self.covariance,
            vs_azimuth,
            sigma=sigma,
            north_reference=str(self.north_reference),
            depth_unit=str(self.depth_unit),
        )


def _ref(value: NorthReference | str) -> NorthReference:
    try:
        ref = NorthReference(str(value).strip().lower())
    except ValueError:
        ref = NorthReference.UNKNOWN
    if ref is NorthReference.UNKNOWN:
        raise SurveyInputError(
            f"azimuth north reference {str(value)!r}: must be true, grid or magnetic "
            "(the error model needs to know it)",
            field="north_reference",
        )
    return ref


def _program(
    md: np.ndarray, tool: str | ToolModel | Sequence[ToolInterval]
) -> tuple[list[ToolModel], np.ndarray]:
    """(tool model of each interval, interval index of each station)."""
    if isinstance(tool, (str, ToolModel)):
        return [tool_model(tool)], np.zeros(md.size, dtype=np.intp)
    intervals = list(tool)
    if not intervals:
        raise SurveyInputError("the tool program has no intervals", field="tool")
    models = [tool_model(iv.code) for iv in intervals]
    tops = np.array([float(iv.md_from) for iv in intervals])
    bottoms = np.array([float(iv.md_to) for iv in intervals])
    if not (np.all(np.isfinite(tops)) and np.all(np.isfinite(bottoms))):
        raise SurveyInputError("tool program: interval MDs must be numbers", field="tool")
    if np.any(bottoms < tops) or np.any(tops[1:] < bottoms[:-1]):
        raise SurveyInputError(
            "tool program: intervals must be in MD order, each with md_from <= md_to, "
            "without overlaps",
            field="tool",
        )
    which = np.searchsorted(bottoms, md, side="left")
    outside = which >= len(intervals)
    outside[~outside] = md[~outside] < tops[which[~outside]]
    if outside.any():
        k = int(np.argmax(outside))
        raise SurveyInputError(
            f"{station_label(k, float(md[k]))}: no tool interval of the tool program covers it",
            station=k,
            field="tool",
        )
    return models, which.astype(np.intp)


def _check_field(models: list[ToolModel], ref: NorthReference, f: ReferenceField) -> None:
    def need(name: str, value: float | None, lo: float, hi: float, unit: str, why: str) -> None:
        if value is None or not math.isfinite(value) or not lo < value < hi:
            given = "missing" if value is None else f"{value} {unit}"
            raise SurveyInputError(
                f"reference field: {name} {given}; {why} needs a value in ({lo:g}, {hi:g}) {unit}",
                field=name,
            )

    magnetic = [m.code for m in models if m.magnetic]
    gyro = [m.code for m in models if not m.magnetic]
    if magnetic:
        why = f"tool {magnetic[0]}"
        need("total_field", f.total_field, 0.0, 1e6, "nT", why)
        need("dip", f.dip, -90.0, 90.0, "deg", why)
        need("declination", f.declination, -180.0, 180.0, "deg", why)
    if gyro:
        need("latitude", f.latitude, -90.0, 90.0, "deg", f"gyro tool {gyro[0]}")
    if ref is NorthReference.MAGNETIC:
        need("declination", f.declination, -180.0, 180.0, "deg", "a magnetic azimuth reference")
    need("gravity", f.gravity, 0.0, 100.0, "m/s2", "the error model")
    need("earth_rate", f.earth_rate, 0.0, 1000.0, "deg/h", "the error model")


def _covariance_input(value: npt.ArrayLike | None, name: str) -> np.ndarray:
    if value is None:
        return np.zeros((3, 3))
    c = np.asarray(value, dtype=np.float64)
    if c.shape != (3, 3) or not np.all(np.isfinite(c)):
        raise SurveyInputError(f"{name} must be a finite 3 x 3 matrix", field=name)
    if not np.allclose(c, c.T, rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(c).max()))):
        raise SurveyInputError(f"{name} must be symmetric", field=name)
    if float(np.linalg.eigvalsh(c).min()) < -1e-9 * max(1.0, float(np.abs(c).max())):
        raise SurveyInputError(f"{name} must be positive semi-definite", field=name)
    return c


def position_uncertainty(
    md: npt.ArrayLike,
    inc: npt.ArrayLike,
    azi: npt.ArrayLike,
    *,
    depth_unit: DepthUnit | str,
    north_reference: NorthReference | str,
    field: ReferenceField,
    tool: str | ToolModel | Sequence[ToolInterval] = DEFAULT_MODEL,
    grid_convergence: float | None = None,
    tvd: npt.ArrayLike | None = None,
    tie_on_covariance: npt.ArrayLike | None = None,
    vertical_inc_limit: float = VERTICAL_INC_LIMIT,
    per_source: bool = True,
) -> PositionUncertainty:
    """Position covariance of each station by the ISCWSA error model, per source and in total.

    Parameters
    ----------
    md : array_like
        Measured depths [``depth_unit``], strictly increasing.
    inc : array_like
        Inclinations [deg], in [0, 180] (and within the tool model's range).
    azi : array_like
        Azimuths [deg] from ``north_reference``.
    depth_unit : DepthUnit or str
        Unit of ``md``, ``tvd`` and the returned lengths (m, ft, usft).
    north_reference : NorthReference or str
        North of the azimuths (true, grid or magnetic); the result's N and E axes point there.
    field : ReferenceField
        Total field [nT], dip [deg] and declination [deg] for magnetic tools, latitude [deg]
        for gyros, gravity [m/s2] and earth rate [deg/h].
    tool : str, ToolModel or sequence of ToolInterval
        One OWSG tool code for every station (default "MWD"), or a tool program: intervals of
        MD each with its code (systematic errors restart at each interval; global ones run on).
    grid_convergence : float, optional
        Grid convergence [deg], positive when grid north is east of true north; required when
        the azimuths are grid (true = grid + convergence).
    tvd : array_like, optional
        True vertical depths of the stations [``depth_unit``] (for the depth-stretch term).
        Default: minimum curvature from the first station, itself at TVD = MD (a vertical hole
        above it; exactly so for a survey starting at MD 0).
    tie_on_covariance : array_like, optional
        Covariance of the first station's position carried in from a parent (a sidetrack at its
        kick-off), (3, 3) [``depth_unit``^2], 1 sigma, in this survey's N, E, V frame; added to
        every station (the parent's error moves the whole sidetrack). When given, or when the
        survey starts below MD 0, the first station is a tie-on: its own measurement errors
        belong to the parent and the Rev 5 surface allowance does not apply; a survey starting
        below MD 0 without a tie-on covariance is thereby relative to its first station (the
        ISCWSA rule for two wells sharing the hole above a kick-off).
    vertical_inc_limit : float
        Inclination below which a station is vertical [deg]: its printed azimuth is ignored
        (its attitude errors are laid out from true north) and does not count in the XCLA
        course term.
    per_source : bool
        Keep each error source's covariance (``sources``); False keeps the total only.

    Returns
    -------
    PositionUncertainty
        1-sigma covariances in [``depth_unit``^2], frame N, E, V of ``north_reference``.

    Raises
    ------
    SurveyInputError
        Invalid stations, an unknown tool code or a tool program that misses a station, a
        station beyond the tool's inclination range, a missing reference value (naming it),
        a missing grid convergence for grid azimuths, a bad ``tvd`` or tie-on covariance.
    """
    unit = parse_depth_unit(depth_unit)
    ref = _ref(north_reference)
    md_u, inc_d, azi_d = validate_stations(md, inc, azi)
    if not (math.isfinite(vertical_inc_limit) and 0.0 <= vertical_inc_limit < 90.0):
        raise SurveyInputError(
            f"vertical inclination limit {vertical_inc_limit} deg outside [0, 90)",
            field="vertical_inc_limit",
        )
    models, which = _program(md_u, tool)
    _check_field(models, ref, field)
    for j, m in enumerate(models):
        beyond = (which == j) & (inc_d > m.inc_max)
        if beyond.any():
            k = int(np.argmax(beyond))
            raise SurveyInputError(
                f"{station_label(k, float(md_u[k]))}: inclination {inc_d[k]:g} deg beyond the "
                f"{m.inc_max:g} deg limit of tool {m.code}",
                station=k,
                field="inc",
            )
    if ref is NorthReference.GRID:
        if grid_convergence is None or not math.isfinite(grid_convergence):
            raise SurveyInputError(
                "grid azimuths need the grid convergence (true = grid + convergence)",
                field="grid_convergence",
            )
        to_true = float(grid_convergence)
    elif ref is NorthReference.MAGNETIC:
        to_true = float(field.declination)  # type: ignore[arg-type]  # checked in _check_field
    else:
        to_true = 0.0
    tie_cov = _covariance_input(tie_on_covariance, "tie_on_covariance")
    assumptions: list[str] = []
    factor = float(to_metres(1.0, unit))
    md_m = md_u * factor
    if tvd is None:
        first = TieOn(float(md_u[0]), float(inc_d[0]), float(azi_d[0]), float(md_u[0]))
        tvd_u = minimum_curvature(md_u, inc_d, azi_d, tie_on=first).tvd
        if md_u[0] != 0.0:
            assumptions.append(
                f"TVD by minimum curvature from the first station at TVD = MD {md_u[0]:g} "
                "(vertical above it)"
            )
    else:
        tvd_u = np.asarray(tvd, dtype=np.float64)
        if tvd_u.shape != md_u.shape or not np.all(np.isfinite(tvd_u)):
            raise SurveyInputError("tvd must be finite numbers, one per station", field="tvd")
    surface = md_u[0] == 0.0 and tie_on_covariance is None
    if any(m.slot_allowance != models[0].slot_allowance for m in models):
        raise SurveyInputError(
            "tool program: ISCWSA Rev4 and Rev 5 tools cannot be mixed", field="tool"
        )
    allowance = surface and models[0].slot_allowance

    declination = 0.0 if field.declination is None else float(field.declination)
    inc_r = np.radians(inc_d)
    # a vertical station has no azimuth: its attitude errors are laid out from true north
    # (as the ISCWSA workbooks, whose vertical stations read 0), never from a printed value
    azt = np.where(inc_d < vertical_inc_limit, 0.0, np.radians(azi_d + to_true))
    azm = azt - math.radians(declination)

    def _value(v: float | None) -> float:
        return math.nan if v is None else float(v)

    geo = Geometry(
        md_m,
        tvd_u * factor,
        inc_r,
        azt,
        azm,
        vertical_limit=math.radians(vertical_inc_limit),
        gravity=float(field.gravity),
        total_field=_value(field.total_field),
        dip=math.radians(_value(field.dip)),
        earth_rate=math.radians(float(field.earth_rate)),
        latitude=math.radians(_value(field.latitude)),
    )
    src, e, es, kick = _error_vectors(geo, models, which, surface, allowance)
    cov6 = _propagate(e, es, src.row_modes, which)  # (rows, 6, n) [m^2], true north
    if kick is not None:  # the tie-on station's own attitude error, uncorrelated
        cov6[:, :, 1:] += _outer6(kick[:, :, None])
    rows, n = cov6.shape[0], cov6.shape[2]
    row_weight = np.bincount(src.row, weights=src.scale**2, minlength=rows)
    total6 = (row_weight @ cov6.reshape(rows, 6 * n)).reshape(6, n)
    total6 = _rotate6(total6, to_true)
    total6 /= factor * factor
    total = total6.T[:, _FULL] + tie_cov
    sources = SourceCovariances(src, cov6 if per_source else None, to_true, factor)
    labels = []
    for m in models:
        if m.label not in labels:
            labels.append(m.label)
    return PositionUncertainty(
        model=" + ".join(labels),
        revision="ISCWSA " + " + ".join(sorted({m.framework for m in models})),
        sigma=1.0,
        depth_unit=unit,
        north_reference=ref,
        md=md_u.copy(),
        covariance=total,
        sources=sources,
        propagation={n: str(p) for n, p in zip(src.names, src.modes, strict=True)},
        tools=np.array([m.code for m in models])[which],
        tie_on_covariance=tie_cov,
        reference=field,
        assumptions=assumptions,
    )


def _leg_geometry(
    geo: Geometry, surface: bool, allowance: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-station propagation bases (SPE 67616, appendix A, balanced tangential legs).

    Returns (depth_both, depth_own, attitude_both, attitude_own, high_side, lateral): the
    depth columns (3, n) of the two-leg and own-leg Jacobians, the two-leg and own-leg length
    weights (n,) [m] of the attitude errors, and the unit high-side and lateral vectors (3, n)
    along which an inclination error and sin(I) x an azimuth error move a station.
    """
    n = geo.md.size
    t = np.stack([geo.sin_i * geo.cos_at, geo.sin_i * geo.sin_at, geo.cos_i])
    high = np.stack([geo.cos_i * geo.cos_at, geo.cos_i * geo.sin_at, -geo.sin_i])
    lateral = np.stack([-geo.sin_at, geo.cos_at, np.zeros(n)])
    half = 0.5 * geo.dmd  # course into each station, halved (0 at the first)
    own = half.copy()
    both = half.copy()
    both[1:-1] += half[2:]  # + the course out of the station (none for the first and last)
    depth_own = np.zeros((3, n))
    depth_both = np.zeros((3, n))
    if n > 1:
        mid = 0.5 * (t[:, :-1] + t[:, 1:])  # tangent average of each course
        depth_own[:, 1:] = mid
        depth_both[:, 1:] = mid
        depth_both[:, 1:-1] -= mid[:, 1:]
    if surface:
        depth_own[:, 0] = t[:, 0]  # a depth error at the surface station moves it along the hole
    if allowance and n > 1:  # Rev 5: the slot attitude error also covers the course above
        own[1] += half[1]
        both[1] += half[1]
    return depth_both, depth_own, both, own, high, lateral


class _Sources(NamedTuple):
    """The error sources and the propagation rows they share.

    Sources whose weights are constant multiples of one another and which propagate alike
    (e.g. the four declination and four horizontal-field terms of an MWD run: all azimuth
    errors of weight 1 or 1 / (B cos dip), correlated over the run) share one row, computed
    for a unit magnitude; each source's covariance is its ``scale`` squared times its row's.
    """

    names: list[str]
    modes: list[Propagation]  # of each source
    row: np.ndarray  # row index of each source
    scale: np.ndarray  # magnitude x factor of each source [SI]
    row_modes: list[Propagation]


def _error_vectors(
    geo: Geometry, models: list[ToolModel], which: np.ndarray, surface: bool, allowance: bool
) -> tuple[_Sources, np.ndarray, np.ndarray, np.ndarray | None]:
    """The sources, the error vectors e, e* of each row [m per unit], and the tie-on kick.

    The vectors have shape (rows, 3, n): row, component (N, E, V), station; random rows
    first. With one run, sources share rows (see :class:`_Sources`); with a tool program each
    source has its own row carrying its magnitude station by station (the tools differ). The
    kick (rows, 3) is the error of the course below a tie-on station due to that station's own
    attitude error (None for a survey from the surface).
    """
    n = geo.md.size
    one_run = len(models) == 1
    names: list[str] = []
    modes: list[Propagation] = []
    seen: dict[str, Propagation] = {}
    keys: dict[tuple[str, str], int] = {}  # row key -> row
    specs: list[tuple[ToolModel, str, float, Propagation]] = []  # model, weight, factor, mode
    row_of: list[int] = []
    scale_of: list[float] = []
    for m in models:
        for term in m.terms:
            if term.name in seen:
                if seen[term.name] is not term.propagation:
                    raise SurveyInputError(
                        f"tool program: source {term.name} propagates as {seen[term.name]} "
                        f"in one tool and {term.propagation} in another",
                        field="tool",
                    )
                continue
            seen[term.name] = term.propagation
            random = term.propagation is Propagation.RANDOM
            if one_run:
                base, factor = m.shape(term, geo)
                key = (base, "random" if random else "correlated")
                scale = term.magnitude_si * factor
            else:
                base, factor, key, scale = term.weight, 1.0, (term.name, ""), 1.0
            if key not in keys:
                keys[key] = len(specs)
                specs.append((m, base, factor, term.propagation))
            names.append(term.name)
            modes.append(term.propagation)
            row_of.append(keys[key])
            scale_of.append(scale)
    # random rows first, then the correlated ones (each group a slice in _propagate)
    order = sorted(range(len(specs)), key=lambda i: specs[i][3] is not Propagation.RANDOM)
    new_index = np.empty(len(specs), dtype=np.intp)
    new_index[order] = np.arange(len(specs))
    specs = [specs[i] for i in order]
    size = len(specs)
    w_inc = np.zeros((size, n))
    w_azi = np.zeros((size, n))
    depth: dict[int, np.ndarray] = {}  # row -> depth weight, for the few depth rows
    course: dict[int, np.ndarray] = {}  # row -> (3, n) course errors (XCLA, XCLH)

    def fill(r: int, m: ToolModel, weight: str, mag: float, sel: slice | np.ndarray) -> None:
        if weight in COURSE_TERMS:
            v = course.setdefault(r, np.zeros((3, n)))
            v[:, sel] += mag * m.course_error(weight, geo).T[:, sel]
            return
        w = m.weights(weight, geo)
        for target, value in ((w_inc, w.inc), (w_azi, w.azi_sin)):
            if not _is_zero(value):
                target[r, sel] = mag * np.asarray(value)[sel]
        if not _is_zero(w.depth):
            d = depth.setdefault(r, np.zeros(n))
            d[sel] = mag * np.asarray(w.depth)[sel]

    if one_run:
        for r, (m, weight, _, _) in enumerate(specs):
            fill(r, m, weight, 1.0, slice(None))
    else:
        row_by_name = {name: int(new_index[row_of[i]]) for i, name in enumerate(names)}
        for j, m in enumerate(models):
            for term in m.terms:
                fill(row_by_name[term.name], m, term.weight, term.magnitude_si, which == j)
    depth_both, depth_own, both, own, high, lateral = _leg_geometry(geo, surface, allowance)
    # attitude part: g = w_inc x high side + (sin I w_azi) x lateral, then the leg lengths
    e = np.empty((size, 3, n))
    es = np.empty((size, 3, n))
    for c in range(2):
        np.multiply(w_inc, high[c], out=es[:, c])
        np.multiply(w_azi, lateral[c], out=e[:, c])
        es[:, c] += e[:, c]
    np.multiply(w_inc, high[2], out=es[:, 2])  # the lateral direction is horizontal
    np.multiply(es, both, out=e)
    es *= own
    for r, d in depth.items():
        e[r] += d * depth_both
        es[r] += d * depth_own
    for r, v in course.items():
        e[r] += v
        es[r] += v
    kick = None
    if not surface and n > 1:
        # A tie-on station's attitude was measured in the parent hole; its error moves the half
        # course below it, added uncorrelated with the survey's own errors (ISCWSA, Current
        # Common Practice in Collision Avoidance Calculations, 2017, section 2.8).
        kick = (w_inc[:, :1] * high[:, 0] + w_azi[:, :1] * lateral[:, 0]) * (0.5 * geo.dmd[1])
    sources = _Sources(
        names=names,
        modes=modes,
        row=new_index[np.asarray(row_of, dtype=np.intp)],
        scale=np.asarray(scale_of),
        row_modes=[
            spec[3] if spec[3] is Propagation.RANDOM or not one_run else Propagation.GLOBAL
            for spec in specs
        ],
    )
    return sources, e, es, kick


def _is_zero(w: np.ndarray | float) -> bool:
    return np.isscalar(w) and w == 0.0


def _outer6(v: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Unique products (nn, ee, vv, ne, nv, ev) of vectors (rows, 3, n) -> (rows, 6, n)."""
    if out is None:
        out = np.empty((v.shape[0], 6, v.shape[2]))
    for k in range(6):
        np.multiply(v[:, _I6[k]], v[:, _J6[k]], out=out[:, k])
    return out


def _before(v: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Running sums over the stations before each one (exclusive cumulative sum, last axis)."""
    out[..., 0] = 0.0
    np.cumsum(v[..., :-1], axis=-1, out=out[..., 1:])
    return out


def _propagate(
    e: np.ndarray, es: np.ndarray, modes: list[Propagation], which: np.ndarray
) -> np.ndarray:
    """Covariances (rows, 6, n) [m^2] from the error vectors (see the module docstring).

    The rows come ordered random first (:func:`_error_vectors`), so that each group is a
    slice (a view, no copy).
    """
    n_src, n = e.shape[0], e.shape[2]
    out = np.empty((n_src, 6, n))
    n_random = sum(m is Propagation.RANDOM for m in modes)
    if n_random:
        rnd = out[:n_random]
        p = _outer6(e[:n_random])
        _before(p, out=rnd)
        rnd += _outer6(es[:n_random], out=p)
    if n_random < n_src:
        ec = e[n_random:]
        partial = _before(ec, np.empty_like(ec))  # sum of e_k over the stations k < K
        before_end = partial[..., -1] + ec[..., -1]  # sum of every e_k
        per_run = np.array([m is Propagation.SYSTEMATIC for m in modes[n_random:]])
        new_run = np.r_[True, which[1:] != which[:-1]]
        corr = out[n_random:]
        carried: tuple[np.ndarray, np.ndarray] | None = None
        if new_run.sum() > 1 and per_run.any():
            run = np.cumsum(new_run) - 1  # run number of each station
            starts = np.flatnonzero(new_run)
            k = np.flatnonzero(per_run)
            at_start = partial[k][:, :, starts]  # sums before each run's first station
            at_end = np.concatenate((at_start[:, :, 1:], before_end[k][:, :, None]), axis=2)
            # each finished run leaves its whole sum, uncorrelated with later runs ...
            closed = np.cumsum(_outer6(at_end - at_start), axis=2)
            prior = np.concatenate((np.zeros((k.size, 6, 1)), closed[:, :, :-1]), axis=2)
            carried = (k, prior[:, :, run])
            # ... and a systematic error restarts with each run
            partial[k] -= at_start[:, :, run]
        partial += es[n_random:]
        _outer6(partial, out=corr)
        if carried is not None:
            corr[carried[0]] += carried[1]
    return out


def _rotate6(c: np.ndarray, angle_deg: float) -> np.ndarray:
    """Covariances (6, ...) in a frame whose north is ``angle_deg`` clockwise of the old one's.

    A horizontal vector of azimuth a in the old frame has azimuth a - angle in the new one.
    """
    if angle_deg == 0.0:
        return c
    a = math.radians(angle_deg)
    co, si = math.cos(a), math.sin(a)
    nn, ee, vv, ne, nv, ev = c
    out = np.empty_like(c)
    out[0] = co * co * nn + 2.0 * co * si * ne + si * si * ee
    out[1] = si * si * nn - 2.0 * co * si * ne + co * co * ee
    out[2] = vv
    out[3] = co * si * (ee - nn) + (co * co - si * si) * ne
    out[4] = co * nv + si * ev
    out[5] = co * ev - si * nv
    return out


class SourceCovariances(Mapping[str, np.ndarray]):
    """The covariance of each error source, (n, 3, 3) [depth unit^2], built when looked up.

    A read-only mapping from the source's code to its covariance in the result's frame and
    unit (kept as the 6 unique components of each propagation row; a look-up expands one).
    Empty when the sources were not kept.
    """

    def __init__(
        self, sources: _Sources, cov6: np.ndarray | None, to_north: float, factor: float
    ) -> None:
        kept = cov6 is not None
        self._index = {name: i for i, name in enumerate(sources.names)} if kept else {}
        self._sources = sources
        self._cov6 = cov6
        self._angle = to_north
        self._scale = 1.0 / (factor * factor)

    def __getitem__(self, name: str) -> np.ndarray:
        i = self._index[name]
        assert self._cov6 is not None
        c6 = self._cov6[self._sources.row[i]] * (self._sources.scale[i] ** 2 * self._scale)
        return _rotate6(c6, self._angle).T[:, _FULL]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)
